package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// PutUserPolicy adds or replaces an inline policy of an IAM user; a user's
// inline policies together hold at most 2,048 characters (without white
// space). The caller needs iam:PutUserPolicy on the user, with
// iam:PermissionsBoundary.
func (s *Service) PutUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.putInlinePolicy(ctx, c, userKind, "iam:PutUserPolicy")
}
