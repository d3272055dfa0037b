package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteUserPolicy deletes an inline policy of an IAM user. The caller
// needs iam:DeleteUserPolicy on the user, with iam:PermissionsBoundary.
func (s *Service) DeleteUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.deleteInlinePolicy(ctx, c, userKind, "iam:DeleteUserPolicy")
}
