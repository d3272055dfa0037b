package reach

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// Path is one principal that can make a request: directly (Via empty) or
// by assuming the roles of Via in order, the last of which makes it.
type Path struct {
	Principal *Principal
	Via       []*Principal
	// Hops are the assumptions, in order: Hops[i] enters Via[i].
	Hops []Edge
	// Final is the decision on the request itself, by the principal (or
	// by the last role of Via).
	Final Access
	// Session lists what the path's sessions must carry, decided with
	// one session threaded through the hops (see link): MFA at sign-in,
	// a source identity, session tags, and where each is set. The hops'
	// and the final request's Requires then leave these keys out.
	Session []SessionNeed
	// Unsure: some step could not be decided exactly and was kept as
	// possible (see Outcome.Unsure).
	Unsure bool
}

// Query is a who-can question: an action on a resource, with the context
// keys the caller fixes; every other key ranges over all its values.
type Query struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// maxSuffixes bounds how many paths into a principal WhoCan extends
// backwards when linking their sessions leaves it out; beyond, it is
// listed as unsure.
const maxSuffixes = 8

// suffix is a path from a role to the request: the edges as the graph
// decided them alone, the request as the role's own.
type suffix struct {
	head  *Principal
	via   []*Principal
	hops  []Edge
	final Access
}

// WhoCan lists every principal that can make the request, directly or by
// assuming roles, with the shortest path, in the org's order: the
// principals that can directly first, then the others by the length of
// their paths. The context keys of q apply to the request itself; the role
// assumptions on the way range over every context, except the keys of the
// sessions they make: a path that tests a source identity, session tags
// or MFA is decided with one session threaded through it (see link).
func (g *Graph) WhoCan(q Query) ([]Path, error) {
	resource := q.Resource
	if resource == "" {
		resource = "*"
	}
	if _, err := eval.NewRequest("arn:aws:iam::000000000000:root", q.Action, resource, "", nil); err != nil {
		return nil, err
	}
	d := newDecider(g.o, g.now, q.Context)
	owner, rp := g.target(q.Action, resource)
	var paths []Path
	listed := map[string]bool{}
	tries := map[string]int{}
	var queue []suffix
	for _, a := range g.direct(d, q.Action, resource, rp, owner, false, g.Progress) {
		if listed[a.Principal.ARN] {
			continue
		}
		if !a.tagged {
			listed[a.Principal.ARN] = true
			paths = append(paths, Path{Principal: a.Principal, Final: a, Unsure: !a.Allowed})
		}
		if a.Principal.Role != nil {
			tries[a.Principal.ARN]++
			queue = append(queue, suffix{head: a.Principal, final: a})
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, e := range g.Into(cur.head.Role) {
			from := e.From.ARN
			if listed[from] && tries[from] > 0 || tries[from] >= maxSuffixes {
				continue
			}
			next := suffix{head: e.From, via: append([]*Principal{cur.head}, cur.via...), hops: append([]Edge{e}, cur.hops...), final: cur.final}
			p, ok, extend := g.settle(d, next, q.Action, resource)
			if ok && !listed[from] {
				listed[from] = true
				paths = append(paths, p)
			}
			if (ok || extend) && e.From.Role != nil {
				tries[from]++
				if tries[from] == maxSuffixes && !listed[from] {
					// Too many ways in to link each: kept as possible.
					listed[from] = true
					p.Unsure = true
					paths = append(paths, p)
				}
				queue = append(queue, next)
			}
		}
	}
	return paths, nil
}

// settle decides a path: as its edges and request were decided alone when
// none of them tests a key of the sessions, else with one session threaded
// through it. ok: the path is possible (p says how); extend: it is not,
// but a principal before its start could make it so (by passing session
// tags the start's session cannot carry itself).
func (g *Graph) settle(d *decider, s suffix, action, resource string) (p Path, ok, extend bool) {
	p = Path{Principal: s.head, Via: s.via, Hops: append([]Edge(nil), s.hops...), Final: s.final, Unsure: !s.final.Allowed}
	tests := s.final.tests &^ testsRequestTags
	tagged := s.final.tagged
	for _, h := range s.hops {
		tests |= h.tests
		tagged = tagged || h.tagged
		p.Unsure = p.Unsure || !h.Allowed
	}
	if tests == 0 && !tagged {
		return p, true, false
	}
	lp := &linkPath{start: s.head, hops: s.hops, action: action, resource: resource, final: d, finalSession: s.final.SessionName, finalUserID: s.final.userID}
	r := g.link(lp)
	if r.ok {
		for i := range p.Hops {
			p.Hops[i].Outcome = keepSession(r.hops[i], p.Hops[i].Outcome)
		}
		p.Final.Outcome = keepSession(r.final, p.Final.Outcome)
		p.Session = r.needs
		// Every request was decided again, with the session: allowed.
		p.Unsure = r.unsure != ""
		return p, true, false
	}
	if r.unsure != "" {
		// Not decided exactly: kept as possible, as decided alone.
		p.Unsure = true
		return p, true, false
	}
	if s.head.Role == nil || tests&(testsPrincipalTags|testsRequestTags) == 0 && !tagged {
		return p, false, false
	}
	lp.startTags = true
	r = g.link(lp)
	return p, false, r.ok || r.unsure != ""
}

// target finds the resource's account ("" when it is the caller's own) and
// its policy, as authz.Assemble does: a role's trust policy for the STS
// actions on a role, a declared resource's policy (a bucket's for its
// objects), the account of the ARN.
func (g *Graph) target(action, resource string) (owner string, rp *policy.Policy) {
	v := arn.SplitValue(resource)
	if authz.IsTrustAction(action) && v.IsARN && v.Parts[2] == "iam" {
		name, ok := strings.CutPrefix(v.Parts[5], "role/")
		if ok {
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:]
			}
			if r, found := g.o.Role(v.Parts[4], name); found {
				return v.Parts[4], r.Trust
			}
		}
	}
	if r, ok := g.o.ResourcePolicy(resource); ok && r.Account != nil {
		return r.Account.ID, r.Policy
	}
	if rest, ok := strings.CutPrefix(resource, "arn:aws:s3:::"); ok {
		if bucket, _, found := strings.Cut(rest, "/"); found {
			if r, ok := g.o.ResourcePolicy("arn:aws:s3:::" + bucket); ok && r.Account != nil {
				return r.Account.ID, r.Policy
			}
		}
	}
	if v.IsARN && v.Parts[4] != "aws" && v.Parts[4] != "" {
		return v.Parts[4], nil
	}
	return "", nil
}

// keepSession is o, decided again with a path's session, made as the
// session name the request was first decided with.
func keepSession(o, first Outcome) Outcome {
	o.SessionName, o.userID = first.SessionName, first.userID
	return o
}

// NamedSession is a role's session a path must make under a given name.
type NamedSession struct {
	Role string `json:"role"` // the role's ARN
	Name string `json:"name"` // the session name (RoleSessionName)
}

// SessionNames lists the sessions of the path that must have a given name:
// the role that makes an assumption or the request as a session a policy
// singles out by name (a Principal element, aws:userid). The name is the
// caller's to choose when it assumes the role.
func (p Path) SessionNames() []NamedSession {
	var out []NamedSession
	at := func(who *Principal, o Outcome) {
		if o.SessionName != "" && who.Role != nil {
			out = append(out, NamedSession{Role: who.ARN, Name: o.SessionName})
		}
	}
	for _, h := range p.Hops {
		at(h.From, h.Outcome)
	}
	last := p.Principal
	if len(p.Via) > 0 {
		last = p.Via[len(p.Via)-1]
	}
	at(last, p.Final.Outcome)
	return out
}
