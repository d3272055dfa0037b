package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// PutRolePermissionsBoundary sets or replaces a role's permissions
// boundary: an AWS managed policy, or a customer managed policy of the
// caller's account. The caller needs iam:PutRolePermissionsBoundary on the
// role, with iam:PermissionsBoundary set to the new boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	return s.putPermissionsBoundary(ctx, c, roleKind, "iam:PutRolePermissionsBoundary")
}
