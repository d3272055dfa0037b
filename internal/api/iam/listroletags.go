package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listTagsResult struct {
	Tags []Tag `xml:"Tags>member"`
	pageInfo
}

// ListRoleTags lists a role's tags by key, MaxItems at a time. The caller
// needs iam:ListRoleTags on the role.
func (s *Service) ListRoleTags(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:ListRoleTags", t.arn, t.context(nil)); err != nil {
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
