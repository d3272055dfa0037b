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

// WhoCan lists every principal that can make the request, directly or by
// assuming roles, with the shortest path, in the org's order: the
// principals that can directly first, then the others by the length of
// their paths. The context keys of q apply to the request itself; the role
// assumptions on the way range over every context.
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
	done := map[string]bool{}
	var queue []int
	for _, a := range g.direct(d, q.Action, resource, rp, owner, false, g.Progress) {
		if done[a.Principal.ARN] {
			continue
		}
		done[a.Principal.ARN] = true
		paths = append(paths, Path{Principal: a.Principal, Final: a, Unsure: !a.Allowed})
		if a.Principal.Role != nil {
			queue = append(queue, len(paths)-1)
		}
	}
	for len(queue) > 0 {
		cur := paths[queue[0]]
		queue = queue[1:]
		for _, e := range g.Into(cur.Principal.Role) {
			if done[e.From.ARN] {
				continue
			}
			done[e.From.ARN] = true
			p := Path{
				Principal: e.From,
				Via:       append([]*Principal{cur.Principal}, cur.Via...),
				Hops:      append([]Edge{e}, cur.Hops...),
				Final:     cur.Final,
				Unsure:    cur.Unsure || !e.Allowed,
			}
			paths = append(paths, p)
			if e.From.Role != nil {
				queue = append(queue, len(paths)-1)
			}
		}
	}
	return paths, nil
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
