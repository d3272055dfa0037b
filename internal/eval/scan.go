package eval

import "github.com/securecart/warden/internal/policy"

// scanDeny records every Deny statement of ps that applies to the request and
// reports whether there was one. principals says whether statements carry a
// Principal element to match.
func (ev *evaluator) scanDeny(l Layer, target string, ps []*policy.Policy, principals bool) bool {
	found := false
	for pi, p := range ps {
		c := p.Candidates(&ev.req.Action, policy.Deny)
		for k := 0; k < c.N; k++ {
			if ev.denyList(l, target, pi, p, c.Lists[k], principals) {
				found = true
			}
		}
	}
	return found
}

func (ev *evaluator) denyList(l Layer, target string, pi int, p *policy.Policy, list []*policy.CompiledStatement, principals bool) bool {
	req := ev.req
	found := false
	for _, s := range list {
		// Cheapest first: action, resource, principal, then conditions.
		if !s.MatchesAction(&req.Action) || !s.MatchesResource(&req.Resource, req.Context) {
			continue
		}
		if principals && ev.principalKind(l, s) == policy.MatchNone {
			continue
		}
		if !s.MatchesConditions(req.Context) {
			continue
		}
		ev.e.Reasons = append(ev.e.Reasons, Reason{Layer: l, Target: target, PolicyIndex: pi, Policy: p, Statement: s, Effect: policy.Deny})
		found = true
	}
	return found
}

// scanAllow records the first Allow statement of ps that applies to the
// request and reports whether there was one. Principals are matched only in
// the endpoint layer (the resource layer uses resourceGrant).
func (ev *evaluator) scanAllow(l Layer, target string, ps []*policy.Policy) bool {
	for pi, p := range ps {
		c := p.Candidates(&ev.req.Action, policy.Allow)
		for k := 0; k < c.N; k++ {
			if s := ev.firstAllow(l, c.Lists[k]); s != nil {
				ev.e.Reasons = append(ev.e.Reasons, Reason{Layer: l, Target: target, PolicyIndex: pi, Policy: p, Statement: s, Effect: policy.Allow})
				return true
			}
		}
	}
	return false
}

func (ev *evaluator) firstAllow(l Layer, list []*policy.CompiledStatement) *policy.CompiledStatement {
	req := ev.req
	for _, s := range list {
		if !s.Matches(&req.Action, &req.Resource, req.Context) {
			continue
		}
		if l == LayerEndpoint && ev.principalKind(l, s) == policy.MatchNone {
			continue
		}
		return s
	}
	return nil
}

// resourceGrant finds the strongest way in which an Allow of the resource
// policy names the caller, and records that statement.
func (ev *evaluator) resourceGrant(l Layer) policy.MatchKind {
	req := ev.req
	best := policy.MatchNone
	var bestReason Reason
	for pi, p := range ev.in.Resource {
		c := p.Candidates(&req.Action, policy.Allow)
		for k := 0; k < c.N; k++ {
			for _, s := range c.Lists[k] {
				if !s.MatchesAction(&req.Action) || !s.MatchesResource(&req.Resource, req.Context) {
					continue
				}
				if mk := ev.principalKind(l, s); mk > best && s.MatchesConditions(req.Context) {
					best = mk
					bestReason = Reason{Layer: l, PolicyIndex: pi, Policy: p, Statement: s, Effect: policy.Allow}
				}
			}
		}
	}
	if best != policy.MatchNone {
		ev.e.Reasons = append(ev.e.Reasons, bestReason)
	}
	return best
}

// principalKind matches a statement's Principal or NotPrincipal element. A
// resource or RCP statement without one names no one; an endpoint policy
// statement without one applies to everyone.
func (ev *evaluator) principalKind(l Layer, s *policy.CompiledStatement) policy.MatchKind {
	c := &ev.req.Caller
	if s.Principal == nil {
		if l == LayerEndpoint {
			return policy.MatchDirect
		}
		return policy.MatchNone
	}
	if s.NotPrincipal {
		if s.Principal.Excludes(c, ev.req.ResourceAccount, len(ev.in.Boundary) > 0) {
			return policy.MatchNone
		}
		return policy.MatchDirect
	}
	return s.Principal.Match(c)
}
