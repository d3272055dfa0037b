package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListUserTags lists an IAM user's tags by key. The caller needs
// iam:ListUserTags on the user.
func (s *Service) ListUserTags(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:ListUserTags", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	page, info, err := paginate(c, tagList(t.rec.Tags), func(t Tag) string { return t.Key })
	if err != nil {
		return nil, err
	}
	return listTagsResult{Tags: page, pageInfo: info}, nil
}
