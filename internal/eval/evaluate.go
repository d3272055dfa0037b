package eval

import (
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// Evaluate decides the request and explains the decision.
func Evaluate(req *Request, in *Inputs) Explanation {
	var e Explanation
	EvaluateInto(req, in, &e)
	return e
}

// EvaluateInto is Evaluate writing into e and reusing its Reasons slice, so
// that a caller that keeps e evaluates without allocating.
func EvaluateInto(req *Request, in *Inputs, e *Explanation) Decision {
	e.Decision, e.DeniedBy, e.DeniedTarget, e.Note = ImplicitDeny, LayerNone, "", ""
	e.Refusal, e.ServiceRefusal = "", false
	e.Reasons = e.Reasons[:0]
	ev := evaluator{req: req, in: in, e: e}
	ev.run()
	if r, service := refused(req, in); r != "" {
		// AWS refuses the request whatever the policies say; when they
		// allow it, nothing but that rule denies it.
		e.Refusal, e.ServiceRefusal = r, service
		if e.Decision == Allow {
			e.Decision, e.DeniedBy, e.Note = ImplicitDeny, LayerNone, r
			e.Reasons = e.Reasons[:0]
		}
	}
	return e.Decision
}

type evaluator struct {
	req *Request
	in  *Inputs
	e   *Explanation
}

func (ev *evaluator) implicit(l Layer, note string) {
	ev.e.Decision, ev.e.DeniedBy, ev.e.Note = ImplicitDeny, l, note
}

func (ev *evaluator) run() {
	req, in, c := ev.req, ev.in, &ev.req.Caller

	if req.Action.Full == "sts:getcalleridentity" && c.Kind != policy.CallerAnonymous {
		ev.e.Decision = Allow
		ev.e.Note = "sts:GetCallerIdentity needs no permission: AWS allows it even when a policy denies it"
		return
	}

	hasIdentity := c.Kind == policy.CallerRoot || c.Kind == policy.CallerUser || c.Kind == policy.CallerRole ||
		c.Kind == policy.CallerAssumedRole || c.Kind == policy.CallerFederatedUser
	scp := in.SCP != nil && hasIdentity && !c.ServiceLinked
	rcp := in.RCP != nil && !c.ServiceLinked
	hasBoundary := len(in.Boundary) > 0 && hasIdentity && c.Kind != policy.CallerRoot
	// A federated user session always has a session policy: without one it has
	// no permissions (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).
	hasSession := (len(in.Session) > 0 && c.Kind == policy.CallerAssumedRole) || c.Kind == policy.CallerFederatedUser
	resLayer := LayerResource
	if ev.trustLike() {
		resLayer = LayerTrust
	}

	// 1. Explicit denies, anywhere.
	denied := LayerNone
	note := func(l Layer, found bool) {
		if found && denied == LayerNone {
			denied = l
		}
	}
	if scp {
		for i := range in.SCP {
			note(LayerSCP, ev.scanDeny(LayerSCP, in.SCP[i].Target, in.SCP[i].Policies, false))
		}
	}
	if rcp {
		for i := range in.RCP {
			note(LayerRCP, ev.scanDeny(LayerRCP, in.RCP[i].Target, in.RCP[i].Policies, true))
		}
	}
	note(LayerEndpoint, ev.scanDeny(LayerEndpoint, "", in.Endpoint, true))
	note(resLayer, ev.scanDeny(resLayer, "", in.Resource, true))
	if hasIdentity {
		note(LayerIdentity, ev.scanDeny(LayerIdentity, "", in.Identity, false))
	}
	if hasBoundary {
		note(LayerBoundary, ev.scanDeny(LayerBoundary, "", in.Boundary, false))
	}
	if hasSession {
		note(LayerSession, ev.scanDeny(LayerSession, "", in.Session, false))
	}
	if denied != LayerNone {
		ev.e.Decision, ev.e.DeniedBy = ExplicitDeny, denied
		return
	}

	// 2. SCPs: an Allow at every level.
	if scp {
		for i := range in.SCP {
			if !ev.scanAllow(LayerSCP, in.SCP[i].Target, in.SCP[i].Policies) {
				ev.implicit(LayerSCP, "no service control policy at "+levelName(in.SCP[i].Target)+" allows the action")
				ev.e.DeniedTarget = in.SCP[i].Target
				return
			}
		}
	}
	// 3. RCPs: RCPFullAWSAccess allows at every level; only denies matter.

	// 4. VPC endpoint policies must allow.
	for i, p := range in.Endpoint {
		if !ev.scanAllow(LayerEndpoint, "", in.Endpoint[i:i+1]) {
			ev.implicit(LayerEndpoint, "the VPC endpoint policy "+p.Name+" does not allow the request")
			return
		}
	}

	// 5-7. Resource and identity policies.
	grant := ev.resourceGrant(resLayer)
	if !hasIdentity {
		if grant != policy.MatchNone {
			ev.e.Decision = Allow
			return
		}
		ev.implicit(resLayer, "no resource-based policy allows this principal")
		return
	}
	sameAccount := c.Account != "" && c.Account == req.ResourceAccount
	if sameAccount && grant == policy.MatchDirect {
		// Within one account, a resource policy that names the caller itself
		// (or everyone) grants beyond the identity policies, boundary and
		// session policy: nothing else can change the decision.
		ev.e.Decision = Allow
		return
	}
	idAllow := c.Kind == policy.CallerRoot || in.AssumeIdentityAllows
	if !idAllow {
		idAllow = ev.scanAllow(LayerIdentity, "", in.Identity)
	} else if c.Kind == policy.CallerRoot && !in.AssumeIdentityAllows {
		ev.e.Note = "the root user has every permission in its own account"
	}
	bAllow := !hasBoundary || ev.scanAllow(LayerBoundary, "", in.Boundary)
	sAllow := !hasSession || ev.scanAllow(LayerSession, "", in.Session)
	identityPath := idAllow && bAllow && sAllow
	identityDenial := func() {
		switch {
		case !idAllow:
			ev.implicit(LayerIdentity, "no identity-based policy allows the action")
		case !bAllow:
			ev.implicit(LayerBoundary, "the permissions boundary does not allow the action")
		case len(in.Session) == 0:
			ev.implicit(LayerSession, "a federated user session has no permissions without a session policy")
		default:
			ev.implicit(LayerSession, "the session policy does not allow the action")
		}
	}

	if sameAccount {
		switch grant {
		case policy.MatchRole:
			if bAllow && sAllow {
				ev.e.Decision = Allow
				return
			}
			entity := "the role"
			if c.Kind == policy.CallerFederatedUser {
				entity = "the IAM user that created the federated session"
			}
			switch {
			case !bAllow:
				ev.implicit(LayerBoundary, "the resource-based policy names "+entity+", so its permissions boundary still applies, and the boundary does not allow the action")
			case len(in.Session) == 0:
				ev.implicit(LayerSession, "the resource-based policy names "+entity+", so the session policy still applies, and a federated user session has no permissions without one")
			default:
				ev.implicit(LayerSession, "the resource-based policy names "+entity+", so the session policy still applies, and it does not allow the action")
			}
			return
		}
		if grant == policy.MatchNone && resLayer == LayerTrust {
			ev.implicit(LayerTrust, ev.trustNote())
			return
		}
		if identityPath {
			ev.e.Decision = Allow
			return
		}
		identityDenial()
		return
	}

	// Cross-account: both sides must allow.
	if !identityPath {
		identityDenial()
		return
	}
	if grant == policy.MatchNone {
		if len(in.Resource) == 0 {
			ev.implicit(resLayer, "the resource belongs to another account and has no resource-based policy: cross-account access needs one that allows the caller")
		} else {
			ev.implicit(resLayer, "the resource belongs to another account and its resource-based policy does not allow the caller")
		}
		return
	}
	ev.e.Decision = Allow
}

// trustLike reports whether the resource policy must allow the caller
// explicitly, as role trust policies and KMS key policies must
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
func (ev *evaluator) trustLike() bool {
	for _, p := range ev.in.Resource {
		if p.Type == policy.Trust {
			return true
		}
	}
	a, r := &ev.req.Action, &ev.req.Resource
	if !r.IsARN {
		return false
	}
	switch a.Service {
	case "sts":
		return r.Parts[2] == "iam" && strings.HasPrefix(r.Parts[5], "role/")
	case "kms":
		return r.Parts[2] == "kms" && strings.HasPrefix(r.Parts[5], "key/")
	}
	return false
}

func (ev *evaluator) trustNote() string {
	if ev.req.Action.Service == "kms" {
		return "the key policy does not allow the caller: a KMS key policy must allow access explicitly (naming the account delegates to IAM policies)"
	}
	return "the role's trust policy does not allow the caller to assume it"
}

func levelName(target string) string {
	if target == "" {
		return "one level"
	}
	return target
}
