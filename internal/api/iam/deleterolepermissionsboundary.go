package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteRolePermissionsBoundary removes a role's permissions boundary. The
// caller needs iam:DeleteRolePermissionsBoundary on the role, with
// iam:PermissionsBoundary (the boundary removed).
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	return s.deletePermissionsBoundary(ctx, c, roleKind, "iam:DeleteRolePermissionsBoundary")
}
