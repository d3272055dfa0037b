package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListRoleTags lists a role's tags by key, MaxItems at a time. The caller
// needs iam:ListRoleTags on the role.
func (s *Service) ListRoleTags(ctx context.Context, c *api.Call) (any, error) {
	return s.listEntityTags(ctx, c, roleKind, "iam:ListRoleTags")
}
