package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// UntagUser removes tags from an IAM user. The caller needs iam:UntagUser
// on the user, with aws:TagKeys.
func (s *Service) UntagUser(ctx context.Context, c *api.Call) (any, error) {
	return s.untagEntity(ctx, c, userKind, "iam:UntagUser")
}
