package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListUserPolicies lists the names of an IAM user's inline policies. The
// caller needs iam:ListUserPolicies on the user.
func (s *Service) ListUserPolicies(ctx context.Context, c *api.Call) (any, error) {
	return s.listInlinePolicies(ctx, c, userKind, "iam:ListUserPolicies")
}
