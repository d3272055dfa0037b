package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
)

// TagSAMLProvider adds tags to a SAML provider, replacing the values of
// keys it has (keys ignore case); at most 50. The caller needs
// iam:TagSAMLProvider on it, with the request's tags as condition keys.
func (s *Service) TagSAMLProvider(ctx context.Context, c *api.Call) (any, error) {
	t, err := s.targetSAMLProvider(ctx, c)
	if err != nil {
		return nil, err
	}
	tags, err := requiredTags(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"sAMLProviderArn": t.arn, "tags": tags}
	if err := s.Authz.Authorize(ctx, c, "iam:TagSAMLProvider", t.arn, t.context(tagContext(tags, nil))); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	return s.editSAMLProvider(ctx, c, t, "The tags cannot be set", func(def map[string]string) (map[string]string, error) {
		return mergeTags(def, tags, "TagsPerSAMLProvider")
	})
}

// editSAMLProvider changes the tags of the caller's account's provider.
func (s *Service) editSAMLProvider(ctx context.Context, c *api.Call, t *samlTarget, what string, edit func(map[string]string) (map[string]string, error)) (any, error) {
	acct := c.Identity.Account
	_, err := s.mutate(ctx, func(m *model) error {
		def, err := t.ownDef(m, acct)
		if err != nil {
			return err
		}
		tags, err := edit(def.Tags)
		if err != nil {
			return err
		}
		def.Tags = tags
		if len(tags) == 0 {
			def.Tags = nil
		}
		return nil
	})
	if err != nil {
		return nil, invalid(err, "InvalidInput", what)
	}
	c.Resources = samlResource(t.arn, acct)
	return nil, nil
}
