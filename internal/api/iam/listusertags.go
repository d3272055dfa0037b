package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListUserTags lists an IAM user's tags by key. The caller needs
// iam:ListUserTags on the user.
func (s *Service) ListUserTags(ctx context.Context, c *api.Call) (any, error) {
	return s.listEntityTags(ctx, c, userKind, "iam:ListUserTags")
}
