package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListAttachedUserPolicies lists the managed policies attached to an IAM
// user whose path starts with PathPrefix. The caller needs
// iam:ListAttachedUserPolicies on the user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, c *api.Call) (any, error) {
	return s.listAttachedPolicies(ctx, c, userKind, "iam:ListAttachedUserPolicies")
}
