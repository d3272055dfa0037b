package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// UntagUser removes tags from an IAM user. The caller needs iam:UntagUser
// on the user, with aws:TagKeys.
func (s *Service) UntagUser(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	keys, err := tagKeysParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]any{"userName": t.name, "tagKeys": keys}
	if err := s.Authz.Authorize(ctx, c, "iam:UntagUser", t.arn, t.context(map[string][]string{"aws:TagKeys": keys})); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownUser(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		left := removeTags(tagsOf(def["tags"]), keys)
		if len(left) == 0 {
			delete(def, "tags")
		} else {
			def["tags"] = tagField(left)
		}
		return nil
	})
	if err != nil {
		return nil, invalid(err, "InvalidInput", "The tags cannot be removed")
	}
	c.Resources = userResource(t.arn, c.Identity.Account)
	return nil, nil
}
