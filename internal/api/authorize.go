package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// OrgSource gives the organization's current state.
type OrgSource interface {
	Org(ctx context.Context) (*org.Org, error)
}

// Authorizer decides calls with the engine.
type Authorizer struct {
	Orgs    OrgSource
	Keyring *creds.Keyring // seals encoded authorization messages
}

// UseAuthzMessage binds sealed authorization messages to their use.
const UseAuthzMessage = "authz-message:"

// Authorize decides whether the caller may perform action on resource, with
// the call's context plus extra keys. A denial is AWS's AccessDenied, saying
// which kind of policy denied it, with an encoded authorization message that
// sts:DecodeAuthorizationMessage explains.
func (a *Authorizer) Authorize(ctx context.Context, c *Call, action, resource string, extra map[string][]string) error {
	_, e, err := a.Decide(ctx, c, action, resource, extra)
	if err != nil {
		return err
	}
	if e.Decision == eval.Allow || e.RefusedByService() {
		// A call that AWS refuses whatever the policies say gets the
		// service's own error from its handler, after authorization.
		return nil
	}
	return a.Denied(ctx, c, action, resource, &e)
}

// AuthorizeOwn is Authorize of a resource that AWS decides as if it were the
// caller's own account's: the AWS managed policies (IAM's
// arn:aws:iam::aws:policy/..., Organizations' arn:aws:organizations::aws:...),
// whose ARNs name the account "aws", which the engine would otherwise take
// for another account whose resource policy must allow the call.
func (a *Authorizer) AuthorizeOwn(ctx context.Context, c *Call, action, resource string, extra map[string][]string) error {
	_, e, err := a.decide(ctx, c, action, resource, c.Identity.Account, extra)
	if err != nil {
		return err
	}
	if e.Decision == eval.Allow || e.RefusedByService() {
		// A call that AWS refuses whatever the policies say gets the
		// service's own error from its handler, after authorization.
		return nil
	}
	return a.Denied(ctx, c, action, resource, &e)
}

// Decide assembles the caller's situation (authz.ForCall) and evaluates it.
func (a *Authorizer) Decide(ctx context.Context, c *Call, action, resource string, extra map[string][]string) (*authz.Situation, eval.Explanation, error) {
	return a.decide(ctx, c, action, resource, "", extra)
}

func (a *Authorizer) decide(ctx context.Context, c *Call, action, resource, resourceAccount string, extra map[string][]string) (*authz.Situation, eval.Explanation, error) {
	o, err := a.Orgs.Org(ctx)
	if err != nil {
		return nil, eval.Explanation{}, err
	}
	q, err := authz.ForCall(o, c, action, resource, resourceAccount, extra)
	if err != nil {
		return nil, eval.Explanation{}, err
	}
	sit, e, err := authz.Decide(o, q, c.Now)
	if err != nil {
		// The caller's own role or user was deleted after its credentials
		// were issued: nothing allows it any more.
		return nil, eval.Explanation{Decision: eval.ImplicitDeny, DeniedBy: eval.LayerIdentity, Note: err.Error()}, nil
	}
	return sit, e, nil
}

// DecideFor decides a request of another principal than the caller, such as
// the OIDC provider of AssumeRoleWithWebIdentity, with the call's request
// context plus extra.
func (a *Authorizer) DecideFor(ctx context.Context, c *Call, principal, action, resource string, extra map[string][]string) (eval.Explanation, error) {
	o, err := a.Orgs.Org(ctx)
	if err != nil {
		return eval.Explanation{}, err
	}
	q := authz.Query{Principal: principal, Action: action, Resource: resource, Context: authz.CallContext(c)}
	for k, v := range extra {
		q.Context[k] = v
	}
	_, e, err := authz.Decide(o, q, c.Now)
	return e, err
}

// Denied makes AWS's AccessDenied for a decision.
func (a *Authorizer) Denied(ctx context.Context, c *Call, action, resource string, e *eval.Explanation) error {
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", c.Identity.ARN, action, resource)
	if why := denialPhrase(action, e); why != "" {
		msg += " " + why
	}
	if a.Keyring != nil {
		if enc, err := a.encode(c, action, resource, e); err == nil {
			msg += ". Encoded authorization failure message: " + enc
		}
	}
	return awsproto.Errorf("AccessDenied", "%s", msg)
}

// denialPhrase words the decision as AWS's messages do
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
func denialPhrase(action string, e *eval.Explanation) string {
	kind := map[eval.Layer]string{
		eval.LayerSCP: "a service control policy", eval.LayerRCP: "a resource control policy",
		eval.LayerEndpoint: "a VPC endpoint policy", eval.LayerResource: "a resource-based policy",
		eval.LayerTrust: "a resource-based policy", eval.LayerIdentity: "an identity-based policy",
		eval.LayerBoundary: "a permissions boundary", eval.LayerSession: "a session policy",
	}[e.DeniedBy]
	if kind == "" {
		return ""
	}
	if e.Decision == eval.ExplicitDeny {
		return "with an explicit deny in " + kind
	}
	if e.DeniedBy == eval.LayerTrust {
		return ""
	}
	return "because no " + strings.TrimPrefix(strings.TrimPrefix(kind, "a "), "an ") + " allows the " + action + " action"
}

// AuthzMessage is the decoded form of an encoded authorization message, in
// the shape sts:DecodeAuthorizationMessage returns
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html).
type AuthzMessage struct {
	Allowed           bool         `json:"allowed"`
	ExplicitDeny      bool         `json:"explicitDeny"`
	DeniedBy          string       `json:"deniedBy"`
	Note              string       `json:"note,omitempty"`
	MatchedStatements itemsOf[any] `json:"matchedStatements"`
	Failures          itemsOf[any] `json:"failures"`
	Context           msgContext   `json:"context"`
}

type itemsOf[T any] struct {
	Items []T `json:"items"`
}

type msgContext struct {
	Principal  map[string]string `json:"principal"`
	Action     string            `json:"action"`
	Resource   string            `json:"resource"`
	Conditions itemsOf[msgCond]  `json:"conditions"`
}

type msgCond struct {
	Key    string                     `json:"key"`
	Values itemsOf[map[string]string] `json:"values"`
}

type msgStatement struct {
	StatementID string `json:"statementId"`
	Effect      string `json:"effect"`
	PolicyType  string `json:"policyType"`
	Policy      string `json:"policy"`
	Position    string `json:"position,omitempty"`
}

func (a *Authorizer) encode(c *Call, action, resource string, e *eval.Explanation) (string, error) {
	m := AuthzMessage{
		Allowed: e.Decision == eval.Allow, ExplicitDeny: e.Decision == eval.ExplicitDeny,
		DeniedBy: e.DeniedBy.String(), Note: e.Note,
		MatchedStatements: itemsOf[any]{Items: []any{}}, Failures: itemsOf[any]{Items: []any{}},
		Context: msgContext{Principal: map[string]string{"id": c.Identity.UserID, "arn": c.Identity.ARN}, Action: action, Resource: resource,
			Conditions: itemsOf[msgCond]{Items: []msgCond{}}},
	}
	for _, r := range e.Reasons {
		pos := ""
		if r.Statement.Src.Pos.IsValid() {
			pos = r.Statement.Src.Pos.String()
		}
		m.MatchedStatements.Items = append(m.MatchedStatements.Items, msgStatement{
			StatementID: r.Statement.Src.Label(), Effect: r.Effect.String(), PolicyType: r.Layer.String(), Policy: r.Policy.Name, Position: pos})
	}
	for k, vs := range authz.CallContext(c) {
		mc := msgCond{Key: k, Values: itemsOf[map[string]string]{Items: []map[string]string{}}}
		for _, v := range vs {
			mc.Values.Items = append(mc.Values.Items, map[string]string{"value": v})
		}
		m.Context.Conditions.Items = append(m.Context.Conditions.Items, mc)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return a.Keyring.SealBlob(UseAuthzMessage, data)
}
