package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// PutRolePolicy adds or replaces an inline policy of a role. A role's
// inline policies together hold at most 10,240 characters (without white
// space). The caller needs iam:PutRolePolicy on the role, with
// iam:PermissionsBoundary (the role's boundary).
func (s *Service) PutRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.putInlinePolicy(ctx, c, roleKind, "iam:PutRolePolicy")
}
