package authz

import (
	"strconv"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/managed"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// ForCall builds the query of an API call: the caller, the context keys AWS
// sets for its request (CallContext) plus extra, and its session's policies.
// resourceAccount is "" to take it from the org or the resource's ARN.
func ForCall(o *org.Org, c *call.Call, action, resource, resourceAccount string, extra map[string][]string) (Query, error) {
	q := Query{Principal: c.Identity.ARN, Action: action, Resource: resource, ResourceAccount: resourceAccount, Context: CallContext(c)}
	for k, v := range extra {
		q.Context[k] = v
	}
	if s := c.Identity.Session; s != nil {
		sp, err := SessionPolicies(o, s)
		if err != nil {
			return Query{}, err
		}
		q.Session = sp
	}
	return q, nil
}

// CallContext returns the context keys AWS sets from the request itself
// (Assemble adds the principal's, the resource's and the time's).
func CallContext(c *call.Call) map[string][]string {
	ctx := map[string][]string{
		"aws:RequestedRegion":       {c.Region},
		"aws:SecureTransport":       {strconv.FormatBool(c.Secure)},
		"aws:ViaAWSService":         {"false"},
		"aws:PrincipalIsAWSService": {"false"},
	}
	if c.SourceIP != "" {
		ctx["aws:SourceIp"] = []string{c.SourceIP}
	}
	if c.UserAgent != "" {
		ctx["aws:UserAgent"] = []string{c.UserAgent}
	}
	id := c.Identity
	if id == nil {
		return ctx
	}
	if id.UserID != "" {
		ctx["aws:userid"] = []string{id.UserID}
	}
	if s := id.Session; s != nil {
		ctx["aws:TokenIssueTime"] = []string{s.Issued.UTC().Format(time.RFC3339)}
		ctx["aws:MultiFactorAuthPresent"] = []string{strconv.FormatBool(s.MFA)}
		if s.MFA {
			ctx["aws:MultiFactorAuthAge"] = []string{strconv.FormatInt(int64(c.Now.Sub(s.MFATime)/time.Second), 10)}
		}
		if s.SourceIdentity != "" {
			ctx["aws:SourceIdentity"] = []string{s.SourceIdentity}
		}
		if s.OnBehalfOf != nil {
			ctx["identitystore:UserId"] = []string{s.OnBehalfOf.UserID}
		}
		for k, v := range s.Tags {
			ctx["aws:PrincipalTag/"+k] = []string{v}
		}
		for k, v := range s.Federation {
			ctx[k] = v
		}
	}
	return ctx
}

// SessionPolicies compiles a session's inline and managed session policies.
func SessionPolicies(o *org.Org, s *creds.Session) ([]*policy.Policy, error) {
	var out []*policy.Policy
	if s.Policy != "" {
		p, err := policy.ParseAndCompile([]byte(s.Policy), "session policy", policy.Session, "session policy")
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	for _, arnStr := range s.PolicyARNs {
		p, ok := ManagedPolicy(o, arnStr)
		if !ok {
			continue // deleted since: it grants nothing
		}
		out = append(out, p)
	}
	if s.Kind == "federated-user" && len(out) == 0 {
		// A federated user session without a session policy has no
		// permissions; the engine knows, but say so with an empty list.
		return []*policy.Policy{}, nil
	}
	return out, nil
}

// ManagedPolicy finds a managed policy by its exact ARN, compiled: an AWS
// managed policy (from the one cache, internal/managed), or a customer
// managed policy of the org.
func ManagedPolicy(o *org.Org, arnStr string) (*policy.Policy, bool) {
	if p, err := managed.Policy(arnStr, policy.Identity); err == nil {
		return p, true
	}
	for _, p := range o.Policies {
		if p.Type != org.TypeManaged {
			continue
		}
		for _, a := range p.Accounts {
			if p.ARNIn(a) == arnStr {
				return p.Compiled, true
			}
		}
	}
	return nil, false
}
