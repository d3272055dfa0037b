package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// AttachRolePolicy attaches a managed policy (AWS managed, or customer
// managed in the caller's account) to a role; at most 10 per role. The
// caller needs iam:AttachRolePolicy on the role, with iam:PolicyARN and
// iam:PermissionsBoundary.
func (s *Service) AttachRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.attachPolicy(ctx, c, roleKind, "iam:AttachRolePolicy")
}
