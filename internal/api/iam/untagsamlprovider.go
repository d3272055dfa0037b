package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
)

// UntagSAMLProvider removes tags from a SAML provider by key. The caller
// needs iam:UntagSAMLProvider on it, with aws:TagKeys.
func (s *Service) UntagSAMLProvider(ctx context.Context, c *api.Call) (any, error) {
	t, err := s.targetSAMLProvider(ctx, c)
	if err != nil {
		return nil, err
	}
	keys, err := tagKeysParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"sAMLProviderArn": t.arn, "tagKeys": keys}
	if err := s.Authz.Authorize(ctx, c, "iam:UntagSAMLProvider", t.arn, t.context(map[string][]string{"aws:TagKeys": keys})); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	return s.editSAMLProvider(ctx, c, t, "The tags cannot be removed", func(have map[string]string) (map[string]string, error) {
		return removeTags(have, keys), nil
	})
}
