package escalate

import (
	"github.com/securecart/warden/internal/analyze/reach"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/prove"
)

// assumeEdges adds the role-assumption edges of package reach's graph
// (every layer decided by the engine over every class of contexts): from
// the organization's roles, users and permission sets' roles, from the
// users of its identity providers (sts:AssumeRoleWithSAML,
// sts:AssumeRoleWithWebIdentity) and from principals outside it (another
// account, anyone) that a trust policy lets in. Root users are left out:
// they hold their account's whole power already. An edge reach could not
// decide exactly is counted in Unsure, not drawn: a path's every step is a
// request the engine allows.
func (a *analyzer) assumeEdges(g *reach.Graph, tick func()) {
	a.reach = g
	for _, r := range a.o.Roles {
		tick()
		to := a.byARN[r.ARN]
		if to == nil {
			continue
		}
		for _, e := range g.Into(r) {
			if !e.Allowed {
				if e.Unsure != "" {
					a.unsure++
				}
				continue
			}
			from := a.reachNode(e.From)
			if from == nil || from == to {
				continue
			}
			a.edge(from, to, KindAssumeRole, a.reachStep(e))
			a.edges[len(a.edges)-1].hop = &e
		}
	}
}

// reachNode is the node of a reach principal: the org's roles, users and
// providers are nodes already; an outside principal becomes one, starting
// paths only.
func (a *analyzer) reachNode(p *reach.Principal) *Node {
	if n, ok := a.byARN[p.ARN]; ok {
		return n
	}
	switch p.Kind {
	case reach.KindOutside, reach.KindAnyone, reach.KindFederated:
		n := &Node{ARN: p.ARN, Caller: p.Caller, Outside: true}
		a.add(n)
		return n
	}
	return nil
}

// reachStep is the step of an edge: the request as reach decided it (made
// as the role's session the edge needs by name, when a policy singles one
// out; else as the node's caller), the context keys whose class decided
// (and the keys AWS sets for an outside principal), the statements that
// allowed it.
func (a *analyzer) reachStep(e reach.Edge) Step {
	st := Step{Action: e.Action, Resource: e.To.Role.ARN, Principal: e.From.Caller}
	if n := a.byARN[e.From.ARN]; n != nil && n.Caller != "" {
		st.Principal = n.Caller
	}
	if e.SessionName != "" {
		st.Principal, st.SessionName = e.Caller(), e.SessionName
	}
	set := func(m *map[string]any, k string, v []string) {
		if *m == nil {
			*m = map[string]any{}
		}
		(*m)[k] = value(v)
	}
	for k, v := range e.From.Context {
		set(&st.Context, spelling(k), v)
	}
	for _, r := range e.Requires {
		if r.Values == nil {
			continue
		}
		k := spelling(r.Key)
		set(&st.Context, k, r.Values)
		if isRequirement(k) {
			set(&st.Requires, k, r.Values)
		}
	}
	for _, r := range e.Reasons {
		if r.Effect == policy.Allow {
			st.AllowedBy = append(st.AllowedBy, prove.Label(a.src, r))
		}
	}
	return st
}
