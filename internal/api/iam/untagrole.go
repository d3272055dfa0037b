package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// UntagRole removes tags from a role; keys it does not have are ignored.
// The caller needs iam:UntagRole on the role, with aws:TagKeys.
func (s *Service) UntagRole(ctx context.Context, c *api.Call) (any, error) {
	return s.untagEntity(ctx, c, roleKind, "iam:UntagRole")
}
