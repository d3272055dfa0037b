package escalate

import (
	"sort"
	"sync"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/managed"
	"github.com/securecart/warden/internal/policy"
)

// AdministratorAccessARN is the AWS managed policy that allows everything.
const AdministratorAccessARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// probeAction stands for every action: only "*" and NotAction patterns
// match it.
const probeAction = "warden-escalation-probe:AnyAction"

// change is a hypothetical change to a principal's policies (a grant), with
// a key for the cache of admin answers.
type change struct {
	key   string
	apply func(in *eval.Inputs)
	// policies are those the change brings (whose tests of a session's
	// keys a session decides).
	policies []*policy.Policy
}

type adminKey struct {
	n   *Node
	key string
}

func adminAccess() *policy.Policy {
	p, err := managed.Policy(AdministratorAccessARN, policy.Identity)
	if err != nil {
		panic("escalate: " + err.Error())
	}
	return p
}

// ideal gives a principal AdministratorAccess and no boundary: what it
// could do if nothing but the organization's policies (SCPs, RCPs,
// resource policies) held it back.
var ideal = func(in *eval.Inputs) {
	in.Identity = []*policy.Policy{adminAccess()}
	in.Boundary = nil
	in.Session = nil
}

var universe = sync.OnceValue(func() []string {
	var out []string
	for _, p := range awsdata.Services() {
		s, _ := awsdata.LookupService(p)
		for _, a := range s.Actions() {
			out = append(out, a.String())
		}
	}
	return append(out, probeAction)
})

// adminOf decides whether a principal, after a change (nil: as it is), is
// administrator-equivalent in its account: for every class of actions
// (AWS's reference split by the statements of its identity policies,
// boundary and SCPs, and one action no statement names), on every
// resource ("*"), whenever the principal with AdministratorAccess and no
// boundary would be allowed under some context, it is allowed under some
// context too. So its identity policies and boundary take nothing away
// that the organization's guardrails leave: SCP denies bind every admin
// alike, and a principal an SCP singles out is not admin.
func (a *analyzer) adminOf(n *Node, ch *change) *AdminProof { return a.adminIn(n, ch, nil) }

// adminIn is adminOf in a session (nil: any): the requests of the
// principal are made in it, while what AdministratorAccess would allow is
// still decided over every context (a session without MFA does not make
// admin a principal whose every power needs MFA).
func (a *analyzer) adminIn(n *Node, ch *change, s *sess) *AdminProof {
	k := adminKey{n, ""}
	if ch != nil {
		k.key = ch.key
	}
	if s != nil {
		k.key += "\x00" + s.key
	}
	if p, ok := a.admin[k]; ok {
		return p
	}
	p := a.decideAdmin(n, ch, s)
	a.admin[k] = p
	return p
}

func (a *analyzer) decideAdmin(n *Node, ch *change, sess *sess) *AdminProof {
	probe := policy.NewAction(probeAction)
	if ch == nil && (!anyMatch(n.allows, &probe) || n.bound != nil && !anyMatch(n.bound, &probe)) {
		return nil
	}
	s, err := authz.Assemble(a.o, authz.Query{Principal: n.Caller, Action: "sts:GetCallerIdentity"}, a.now)
	if err != nil || s.Missing != "" {
		return nil
	}
	in := cloneInputs(&s.Inputs)
	var apply func(*eval.Inputs)
	if ch != nil {
		ch.apply(in)
		apply = ch.apply
	}
	if !anyMatch(allowsOf(in.Identity), &probe) || len(in.Boundary) > 0 && !anyMatch(allowsOf(in.Boundary), &probe) {
		return nil
	}
	var ps []*policy.Policy
	ps = append(ps, in.Identity...)
	ps = append(ps, in.Boundary...)
	for _, l := range in.SCP {
		ps = append(ps, l.Policies...)
	}
	proof := &AdminProof{Principal: n.ARN}
	by := map[string]bool{}
	// The classes of actions, and whether AdministratorAccess would be
	// allowed each, are the principal's (and change's) in every session:
	// decided once.
	k := adminKey{n, ""}
	if ch != nil {
		k.key = ch.key
	}
	ic := a.idealReps[k]
	if ic == nil {
		ic = &idealClasses{ok: map[string]bool{}}
		for _, c := range analyze.ActionClasses(analyze.StatementsOf(ps...), universe()) {
			ic.reps = append(ic.reps, c.Rep)
		}
		a.idealReps[k] = ic
	}
	for _, rep := range ic.reps {
		ok, known := ic.ok[rep]
		if !known {
			ok = a.decide(n, request{action: rep, resource: "*", change: ideal}) != nil
			ic.ok[rep] = ok
		}
		if !ok {
			continue
		}
		st := a.decide(n, request{action: rep, resource: "*", change: apply, sess: sess})
		if st == nil {
			return nil
		}
		for _, l := range st.AllowedBy {
			by[l] = true
		}
		for k, v := range st.Requires {
			if proof.Requires == nil {
				proof.Requires = map[string]any{}
			}
			proof.Requires[k] = v
		}
	}
	if sess != nil {
		// The session's keys that its power tests are what it requires
		// of the session (MFA, a source identity, a tag).
		for k, v := range sess.ctx {
			if analyze.TestsKey(a.sessionStmts(n, ch), k) {
				if proof.Requires == nil {
					proof.Requires = map[string]any{}
				}
				proof.Requires[spelling(k)] = value(v)
			}
		}
	}
	for l := range by {
		proof.AllowedBy = append(proof.AllowedBy, l)
	}
	sort.Strings(proof.AllowedBy)
	return proof
}

// withPolicies is the change that adds identity policies.
func withPolicies(key string, ps ...*policy.Policy) *change {
	return &change{key: key, policies: ps, apply: func(in *eval.Inputs) {
		in.Identity = append(append([]*policy.Policy(nil), in.Identity...), ps...)
	}}
}

// withBoundary is the change that replaces the boundary (nil: removes it).
func withBoundary(key string, b *policy.Policy) *change {
	var ps []*policy.Policy
	if b != nil {
		ps = []*policy.Policy{b}
	}
	return &change{key: key, policies: ps, apply: func(in *eval.Inputs) {
		in.Boundary = nil
		if b != nil {
			in.Boundary = []*policy.Policy{b}
		}
	}}
}

// idealClasses are a principal's classes of actions (with a change) and,
// as decided, whether AdministratorAccess would be allowed each.
type idealClasses struct {
	reps []string
	ok   map[string]bool
}
