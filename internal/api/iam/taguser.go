package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// TagUser adds tags to an IAM user, replacing the values of keys it has; at
// most 50. The caller needs iam:TagUser on the user, with the request's
// tags.
func (s *Service) TagUser(ctx context.Context, c *api.Call) (any, error) {
	return s.tagEntity(ctx, c, userKind, "iam:TagUser")
}
