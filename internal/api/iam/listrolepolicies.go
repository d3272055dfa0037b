package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListRolePolicies lists the names of a role's inline policies. The caller
// needs iam:ListRolePolicies on the role.
func (s *Service) ListRolePolicies(ctx context.Context, c *api.Call) (any, error) {
	return s.listInlinePolicies(ctx, c, roleKind, "iam:ListRolePolicies")
}
