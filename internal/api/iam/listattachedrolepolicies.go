package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListAttachedRolePolicies lists the managed policies attached to a role
// whose path starts with PathPrefix. The caller needs
// iam:ListAttachedRolePolicies on the role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, c *api.Call) (any, error) {
	return s.listAttachedPolicies(ctx, c, roleKind, "iam:ListAttachedRolePolicies")
}
