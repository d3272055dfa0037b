package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteRolePolicy deletes an inline policy of a role. The caller needs
// iam:DeleteRolePolicy on the role, with iam:PermissionsBoundary.
func (s *Service) DeleteRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.deleteInlinePolicy(ctx, c, roleKind, "iam:DeleteRolePolicy")
}
