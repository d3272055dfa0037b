package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DetachRolePolicy detaches a managed policy from a role. The caller needs
// iam:DetachRolePolicy on the role, with iam:PolicyARN and
// iam:PermissionsBoundary.
func (s *Service) DetachRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.detachPolicy(ctx, c, roleKind, "iam:DetachRolePolicy")
}
