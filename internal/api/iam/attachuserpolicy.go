package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// AttachUserPolicy attaches a managed policy to an IAM user; at most 10 per
// user. The caller needs iam:AttachUserPolicy on the user, with
// iam:PolicyARN and iam:PermissionsBoundary.
func (s *Service) AttachUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.attachPolicy(ctx, c, userKind, "iam:AttachUserPolicy")
}
