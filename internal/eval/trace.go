package eval

import "github.com/securecart/warden/internal/policy"

// Step is one layer (or one SCP or RCP level) of a request's evaluation, with
// every statement of it that applies to the request, of either effect.
type Step struct {
	Layer  Layer
	Target string // the SCP or RCP level
	// Present is false when the request has no policy of this layer; Applies
	// is false when it has, but they do not apply to this caller (SCPs for a
	// service-linked role, identity policies for an anonymous caller).
	Present, Applies bool
	Matches          []Reason
	// Grant is how the resource policy names the caller (resource layer).
	Grant policy.MatchKind
}

// Trace lists every layer of the evaluation in AWS's order (RCPs, SCPs level
// by level, VPC endpoint, resource, identity, boundary, session) with all the
// statements that apply to the request, so that a person can see each layer's
// part in the decision that Evaluate makes.
func Trace(req *Request, in *Inputs) []Step {
	c := &req.Caller
	hasIdentity := c.Kind == policy.CallerRoot || c.Kind == policy.CallerUser || c.Kind == policy.CallerRole ||
		c.Kind == policy.CallerAssumedRole || c.Kind == policy.CallerFederatedUser
	var e Explanation
	ev := evaluator{req: req, in: in, e: &e}
	var steps []Step
	add := func(l Layer, target string, ps []*policy.Policy, present, applies, principals bool) {
		st := Step{Layer: l, Target: target, Present: present, Applies: applies}
		if applies {
			e.Reasons = e.Reasons[:0]
			ev.scanAll(l, target, ps, principals)
			st.Matches = append([]Reason(nil), e.Reasons...)
			if l == LayerResource || l == LayerTrust {
				e.Reasons = e.Reasons[:0]
				st.Grant = ev.resourceGrant(l)
			}
		}
		steps = append(steps, st)
	}
	rcp := in.RCP != nil && !c.ServiceLinked
	if in.RCP == nil {
		add(LayerRCP, "", nil, false, false, true)
	}
	for _, lv := range in.RCP {
		add(LayerRCP, lv.Target, lv.Policies, true, rcp, true)
	}
	scp := in.SCP != nil && hasIdentity && !c.ServiceLinked
	if in.SCP == nil {
		add(LayerSCP, "", nil, false, false, false)
	}
	for _, lv := range in.SCP {
		add(LayerSCP, lv.Target, lv.Policies, true, scp, false)
	}
	if len(in.Endpoint) > 0 {
		add(LayerEndpoint, "", in.Endpoint, true, true, true)
	}
	resLayer := LayerResource
	if ev.trustLike() {
		resLayer = LayerTrust
	}
	add(resLayer, "", in.Resource, len(in.Resource) > 0, len(in.Resource) > 0, true)
	add(LayerIdentity, "", in.Identity, len(in.Identity) > 0 || in.AssumeIdentityAllows, hasIdentity, false)
	add(LayerBoundary, "", in.Boundary, len(in.Boundary) > 0, hasIdentity && c.Kind != policy.CallerRoot, false)
	add(LayerSession, "", in.Session, len(in.Session) > 0, c.Kind == policy.CallerAssumedRole || c.Kind == policy.CallerFederatedUser, false)
	return steps
}

// scanAll records every statement of ps, of either effect, that applies to
// the request.
func (ev *evaluator) scanAll(l Layer, target string, ps []*policy.Policy, principals bool) {
	req := ev.req
	for pi, p := range ps {
		for _, eff := range [2]policy.Effect{policy.Deny, policy.Allow} {
			c := p.Candidates(&req.Action, eff)
			for _, list := range c.Lists[:c.N] {
				for _, s := range list {
					if !s.Matches(&req.Action, &req.Resource, req.Context) {
						continue
					}
					if principals && ev.principalKind(l, s) == policy.MatchNone {
						continue
					}
					ev.e.Reasons = append(ev.e.Reasons, Reason{Layer: l, Target: target, PolicyIndex: pi, Policy: p, Statement: s, Effect: eff})
				}
			}
		}
	}
}
