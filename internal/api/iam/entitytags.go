package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"
	"maps"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// The tags of roles and users: each helper serves the role action and the
// user action of its name.

type listTagsResult struct {
	Tags []Tag `xml:"Tags>member"`
	pageInfo
}

// tagEntity serves TagRole and TagUser.
func (s *Service) tagEntity(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	tags, err := requiredTags(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{k.param: e.name, "tags": tags}
	if err := e.authorizeChange(ctx, s, c, action, tagContext(tags, nil)); err != nil {
		return nil, err
	}
	return nil, e.apply(ctx, s, c, "InvalidInput", "The tags cannot be set", func(m *model) error {
		def, err := e.ownDef(m)
		if err != nil {
			return err
		}
		merged, err := mergeTags(def.Tags, tags, k.tagQuota)
		if err != nil {
			return err
		}
		def.SetTags(merged)
		return nil
	})
}

// untagEntity serves UntagRole and UntagUser.
func (s *Service) untagEntity(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	keys, err := tagKeysParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{k.param: e.name, "tagKeys": keys}
	if err := e.authorizeChange(ctx, s, c, action, map[string][]string{"aws:TagKeys": keys}); err != nil {
		return nil, err
	}
	return nil, e.apply(ctx, s, c, "InvalidInput", "The tags cannot be removed", func(m *model) error {
		def, err := e.ownDef(m)
		if err != nil {
			return err
		}
		def.SetTags(removeTags(def.Tags, keys))
		return nil
	})
}

// listEntityTags serves ListRoleTags and ListUserTags: the entity's tags by
// key, MaxItems at a time.
func (s *Service) listEntityTags(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	c.ReadOnly = true
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{k.param: e.name}
	if err := e.read(ctx, s, c, action); err != nil {
		return nil, err
	}
	page, info, err := paginate(c, tagList(e.rec.Tags), func(t Tag) string { return t.Key })
	if err != nil {
		return nil, err
	}
	return listTagsResult{Tags: page, pageInfo: info}, nil
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
	have = maps.Clone(have)
	if have == nil {
		have = map[string]string{}
	}
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
