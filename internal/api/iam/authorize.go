package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
)

// authorizeAWSManaged authorizes a read of an AWS managed policy, whose ARN
// names no account (arn:aws:iam::aws:policy/...): as in AWS, the caller's
// own policies decide, as for a resource of its own account.
func (s *Service) authorizeAWSManaged(ctx context.Context, c *api.Call, action, resource string) error {
	o, err := s.State.Org(ctx)
	if err != nil {
		return err
	}
	q := authz.Query{Principal: c.Identity.ARN, Action: action, Resource: resource,
		ResourceAccount: c.Identity.Account, Context: api.CallContext(c)}
	if sess := c.Identity.Session; sess != nil {
		sp, err := api.SessionPolicies(o, sess)
		if err != nil {
			return err
		}
		q.Session = sp
	}
	_, e, err := authz.Decide(o, q, c.Now)
	if err != nil {
		e = eval.Explanation{Decision: eval.ImplicitDeny, DeniedBy: eval.LayerIdentity, Note: err.Error()}
	}
	if e.Decision == eval.Allow {
		return nil
	}
	return s.Authz.Denied(ctx, c, action, resource, &e)
}

// authorizePolicy authorizes an action on a managed policy. For an AWS
// managed policy the engine itself refuses every change: only AWS changes
// them.
func (s *Service) authorizePolicy(ctx context.Context, c *api.Call, action, arn string) error {
	if isAWSManaged(arn) {
		return s.authorizeAWSManaged(ctx, c, action, arn)
	}
	return s.Authz.Authorize(ctx, c, action, arn, nil)
}
