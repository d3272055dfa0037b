package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListSAMLProviderTags lists a SAML provider's tags by key, MaxItems at a
// time. The caller needs iam:ListSAMLProviderTags on it.
func (s *Service) ListSAMLProviderTags(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	t, err := s.targetSAMLProvider(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"sAMLProviderArn": t.arn}
	if err := s.Authz.Authorize(ctx, c, "iam:ListSAMLProviderTags", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	page, info, err := paginate(c, tagList(t.prov.Tags), func(t Tag) string { return t.Key })
	if err != nil {
		return nil, err
	}
	return listTagsResult{Tags: page, pageInfo: info}, nil
}
