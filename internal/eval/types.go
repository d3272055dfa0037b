package eval

import (
	"errors"
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/policy"
)

// Decision is the outcome of an evaluation. The zero value is ImplicitDeny,
// so that an unset decision fails closed.
type Decision uint8

const (
	ImplicitDeny Decision = iota
	ExplicitDeny
	Allow
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Layer is a kind of policy in the evaluation, as explanations name it.
type Layer uint8

const (
	LayerNone Layer = iota
	LayerSCP
	LayerRCP
	LayerEndpoint
	LayerResource
	LayerTrust // the resource policy of sts:AssumeRole*: the role's trust policy
	LayerIdentity
	LayerBoundary
	LayerSession
)

var layerNames = [...]string{"none", "scp", "rcp", "endpoint", "resource", "trust", "identity", "boundary", "session"}

func (l Layer) String() string {
	if int(l) < len(layerNames) {
		return layerNames[l]
	}
	return "?"
}

// PolicyType is the policy type of the layer as the simulate format names it
// (a trust policy is a resource policy there).
func (l Layer) PolicyType() string {
	if l == LayerTrust {
		return "resource"
	}
	return l.String()
}

// Level is one level of an organization's SCPs or RCPs: the root, an OU or
// the account, with the policies attached there.
type Level struct {
	Target   string
	Policies []*policy.Policy
}

// Inputs are every policy that applies to a request.
type Inputs struct {
	Identity []*policy.Policy // the caller's identity policies (a session's role's)
	Boundary []*policy.Policy // the caller's permissions boundary; none when empty
	Session  []*policy.Policy // the session policies of a role or federated session
	Resource []*policy.Policy // the resource's policy (bucket, key, trust policy, ...)
	// SCP lists the SCP levels of the caller's account from the root down. Nil
	// means the account is not under SCPs (standalone or management account).
	SCP []Level
	// RCP lists the RCP levels of the resource's account. Nil means none apply.
	RCP      []Level
	Endpoint []*policy.Policy // VPC endpoint policies the request passed
	// AssumeIdentityAllows takes the caller's own side as allowing: for a
	// principal of another organization, whose policies are unknown.
	AssumeIdentityAllows bool
}

// Request is a request prepared for evaluation: parse it once with
// NewRequest, evaluate it as often as needed.
type Request struct {
	Caller          policy.Caller
	ActionName      string
	Action          policy.Action
	Resource        arn.Value
	ResourceAccount string
	Context         condition.Context
	// NoResource marks an action that takes no resource (see TakesNoResource).
	NoResource bool
}

// TakesNoResource marks the request's action as one that the Service
// Authorization Reference lists with no resource type. AWS evaluates such an
// action against all resources, "*", whatever resource the request names, so
// that only a Resource of "*" grants or denies it: a service-wide pattern such
// as "arn:aws:s3:::*" does not
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html:
// s3:ListAllMyBuckets "requires the "*" resource";
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html:
// with no resource type, "you must specify all resources ("*")").
func (r *Request) TakesNoResource() {
	r.NoResource = true
	r.Resource = arn.SplitValue("*")
}

// NewRequest prepares a request. resourceAccount may be empty: it then comes
// from the resource's ARN, else it is the caller's account. The context keys
// are case-insensitive.
func NewRequest(principal, action, resource, resourceAccount string, ctx map[string][]string) (*Request, error) {
	c, err := policy.ParseCaller(principal)
	if err != nil {
		return nil, err
	}
	if action == "" {
		return nil, errors.New("the request has no action")
	}
	if !strings.Contains(action, ":") {
		return nil, fmt.Errorf("malformed action %q: want service:Action", action)
	}
	if resource == "" {
		resource = "*"
	}
	r := &Request{Caller: c, ActionName: action, Action: policy.NewAction(action), Resource: arn.SplitValue(resource), Context: condition.NewContext(ctx)}
	if c.IdentityPool != "" {
		// An identity pool's identity: its tokens' audience is the pool.
		const aud = policy.CognitoIdentity + ":aud"
		if v, ok := r.Context.Get(aud); ok && (len(v) != 1 || v[0] != c.IdentityPool) {
			return nil, fmt.Errorf("context key %s is %v, but the principal %s is an identity of the pool %s, whose tokens' audience is its ID", aud, v, principal, c.IdentityPool)
		}
		r.Context.SetDefault(aud, c.IdentityPool)
	}
	r.ResourceAccount = resourceAccount
	if r.ResourceAccount == "" && r.Resource.IsARN && r.Resource.Parts[4] != "aws" {
		// An ARN whose account is "aws" (an AWS managed policy) names no
		// account of its own: the request stays in the caller's.
		r.ResourceAccount = r.Resource.Parts[4]
	}
	if r.ResourceAccount == "" {
		r.ResourceAccount = c.Account
	}
	return r, nil
}

// Reason is one statement that took part in the decision.
type Reason struct {
	Layer       Layer
	Target      string // the SCP or RCP level's target
	PolicyIndex int    // the policy's index within its layer (or level)
	Policy      *policy.Policy
	Statement   *policy.CompiledStatement
	Effect      policy.Effect
}

// Explanation is a decision with what decided it.
type Explanation struct {
	Decision Decision
	// DeniedBy is the layer that decided a denial: for an explicit deny, the
	// first of scp, rcp, endpoint, resource/trust, identity, boundary, session
	// that denied; for an implicit deny, the layer that lacked an allow.
	DeniedBy Layer
	// DeniedTarget names the SCP level that lacked an allow.
	DeniedTarget string
	// Reasons are the deciding statements: every matching Deny for an explicit
	// deny; for an allow (and the allows found before an implicit deny), the
	// first matching Allow of each layer and level.
	Reasons []Reason
	// Note says, in a sentence, why when no statement tells it.
	Note string
	// Refusal names the rule, with its page, by which AWS refuses the
	// request whatever the policies say (reserved names and resources, see
	// reserved.go); "" when none applies. When the policies alone allow the
	// request, the decision is ImplicitDeny by none with this note.
	Refusal string
	// ServiceRefusal marks a refusal that the service answers with an error
	// of its own after authorization (UnmodifiableEntity, IMMUTABLE_POLICY,
	// InvalidInput, ...), rather than with AccessDenied.
	ServiceRefusal bool
}

// RefusedByService reports whether the policies allow the request and only a
// rule of its service refuses it, with an error of the service's own after
// authorization.
func (e *Explanation) RefusedByService() bool {
	return e.ServiceRefusal && e.Decision == ImplicitDeny && e.DeniedBy == LayerNone
}

// Denials returns the layers of the Deny statements among the reasons.
func (e *Explanation) Denials() []Layer {
	var out []Layer
	for _, r := range e.Reasons {
		if r.Effect == policy.Deny && !containsLayer(out, r.Layer) {
			out = append(out, r.Layer)
		}
	}
	return out
}

func containsLayer(ls []Layer, l Layer) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}
