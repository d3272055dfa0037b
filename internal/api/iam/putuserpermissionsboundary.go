package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// PutUserPermissionsBoundary sets or replaces an IAM user's permissions
// boundary. The caller needs iam:PutUserPermissionsBoundary on the user,
// with iam:PermissionsBoundary set to the new boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	return s.putPermissionsBoundary(ctx, c, userKind, "iam:PutUserPermissionsBoundary")
}
