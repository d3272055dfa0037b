package iam

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// TagRole adds tags to a role, replacing the values of keys it has (keys
// ignore case). A role has at most 50 tags. The caller needs iam:TagRole on
// the role, with the request's tags as condition keys.
func (s *Service) TagRole(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	tags, err := requiredTags(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]any{"roleName": t.name, "tags": tags}
	if err := s.Authz.Authorize(ctx, c, "iam:TagRole", t.arn, t.context(tagContext(tags, nil))); err != nil {
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
		merged, err := mergeTags(tagsOf(def["tags"]), tags, "TagsPerRole")
		if err != nil {
			return err
		}
		def["tags"] = tagField(merged)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "InvalidInput", "The tags cannot be set")
	}
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return nil, nil
}

// requiredTags reads a Tags parameter that must list at least one tag.
func requiredTags(c *api.Call) ([]Tag, error) {
	tags, err := tagParams(c)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	return tags, nil
}

// mergeTags adds tags to an entity's, a key replacing the value of the same
// key in any case; quota names the quota in LimitExceeded.
func mergeTags(have map[string]string, add []Tag, quota string) (map[string]string, error) {
	for _, t := range add {
		for k := range have {
			if strings.EqualFold(k, t.Key) {
				delete(have, k)
			}
		}
		have[t.Key] = t.Value
	}
	if len(have) > maxTags {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for %s: %d", quota, maxTags)
	}
	return have, nil
}

// tagKeysParam reads TagKeys: 1 to 50 keys.
func tagKeysParam(c *api.Call) ([]string, error) {
	keys := c.Params.List("TagKeys")
	if len(keys) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	if len(keys) > maxTags {
		return nil, validationf("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to %d", maxTags)
	}
	for _, k := range keys {
		if err := checkTagKey("tagKeys.member", k); err != nil {
			if e, ok := err.(*awsproto.Error); ok && e.Code == "InvalidInput" {
				continue // removing an aws: key is a no-op, not an error
			}
			return nil, err
		}
	}
	return keys, nil
}

// removeTags removes keys (ignoring case) from tags.
func removeTags(have map[string]string, keys []string) map[string]string {
	for _, key := range keys {
		for k := range have {
			if strings.EqualFold(k, key) {
				delete(have, k)
			}
		}
	}
	return have
}
