package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteUserPermissionsBoundary removes an IAM user's permissions boundary.
// The caller needs iam:DeleteUserPermissionsBoundary on the user, with
// iam:PermissionsBoundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	return s.deletePermissionsBoundary(ctx, c, userKind, "iam:DeleteUserPermissionsBoundary")
}
