package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// TagUser adds tags to an IAM user, replacing the values of keys it has; at
// most 50. The caller needs iam:TagUser on the user, with the request's
// tags.
func (s *Service) TagUser(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	tags, err := requiredTags(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]any{"userName": t.name, "tags": tags}
	if err := s.Authz.Authorize(ctx, c, "iam:TagUser", t.arn, t.context(tagContext(tags, nil))); err != nil {
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
		merged, err := mergeTags(tagsOf(def["tags"]), tags, "TagsPerUser")
		if err != nil {
			return err
		}
		def["tags"] = tagField(merged)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "InvalidInput", "The tags cannot be set")
	}
	c.Resources = userResource(t.arn, c.Identity.Account)
	return nil, nil
}
