package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteSAMLProvider deletes a SAML provider of the caller's account. Roles
// that trust it stay, as in AWS, and no assertion of the provider is
// accepted any more. The caller needs iam:DeleteSAMLProvider on it.
func (s *Service) DeleteSAMLProvider(ctx context.Context, c *api.Call) (any, error) {
	t, err := s.targetSAMLProvider(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"sAMLProviderArn": t.arn}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteSAMLProvider", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := t.ownDef(m, acct)
		if err != nil {
			return err
		}
		m.RemoveProvider(def)
		delete(m.d.Meta.Created, t.arn)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "InvalidInput", "The SAML provider cannot be deleted")
	}
	c.Resources = samlResource(t.arn, acct)
	return nil, nil
}
