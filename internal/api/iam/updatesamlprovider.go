package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
)

type updateSAMLProviderResult struct {
	SAMLProviderArn string `xml:"SAMLProviderArn"`
}

// UpdateSAMLProvider replaces a SAML provider's metadata document (new
// signing certificates, as when the identity provider rotates its key):
// assertions are verified with the new document at once. The caller needs
// iam:UpdateSAMLProvider on the provider.
func (s *Service) UpdateSAMLProvider(ctx context.Context, c *api.Call) (any, error) {
	t, err := s.targetSAMLProvider(ctx, c)
	if err != nil {
		return nil, err
	}
	doc, err := samlMetadataParam(c, false)
	if err != nil {
		return nil, err
	}
	if err := samlEncryptionParams(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"sAMLProviderArn": t.arn}
	if err := s.Authz.Authorize(ctx, c, "iam:UpdateSAMLProvider", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	if doc != "" {
		_, err = s.mutate(ctx, func(m *model) error {
			def, err := t.ownDef(m, acct)
			if err != nil {
				return err
			}
			def.Metadata = doc
			return nil
		})
		if err != nil {
			return nil, invalid(err, "InvalidInput", "The SAML provider cannot be updated")
		}
	}
	c.ResponseElements = call.Fields{"sAMLProviderArn": t.arn}
	c.Resources = samlResource(t.arn, acct)
	return updateSAMLProviderResult{SAMLProviderArn: t.arn}, nil
}
