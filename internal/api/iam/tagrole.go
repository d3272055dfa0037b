package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// TagRole adds tags to a role, replacing the values of keys it has (keys
// ignore case). A role has at most 50 tags. The caller needs iam:TagRole on
// the role, with the request's tags as condition keys.
func (s *Service) TagRole(ctx context.Context, c *api.Call) (any, error) {
	return s.tagEntity(ctx, c, roleKind, "iam:TagRole")
}
