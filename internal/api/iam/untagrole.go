package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// UntagRole removes tags from a role; keys it does not have are ignored.
// The caller needs iam:UntagRole on the role, with aws:TagKeys.
func (s *Service) UntagRole(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	keys, err := tagKeysParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]any{"roleName": t.name, "tagKeys": keys}
	if err := s.Authz.Authorize(ctx, c, "iam:UntagRole", t.arn, t.context(map[string][]string{"aws:TagKeys": keys})); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownRoleIn(m, c.Identity.Account, t.name)
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
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return nil, nil
}
