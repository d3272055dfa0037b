package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// authorizeAWSManaged authorizes a read of an AWS managed policy, whose ARN
// names no account (arn:aws:iam::aws:policy/...): as in AWS, the caller's
// own policies decide, as for a resource of its own account.
func (s *Service) authorizeAWSManaged(ctx context.Context, c *api.Call, action, resource string) error {
	return s.Authz.AuthorizeOwn(ctx, c, action, resource, nil)
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
