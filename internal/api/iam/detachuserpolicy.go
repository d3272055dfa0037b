package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DetachUserPolicy detaches a managed policy from an IAM user. The caller
// needs iam:DetachUserPolicy on the user, with iam:PolicyARN and
// iam:PermissionsBoundary.
func (s *Service) DetachUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.detachPolicy(ctx, c, userKind, "iam:DetachUserPolicy")
}
