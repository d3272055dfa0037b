package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

type createSAMLProviderResult struct {
	SAMLProviderArn string `xml:"SAMLProviderArn"`
	Tags            []Tag  `xml:"Tags>member,omitempty"`
}

// CreateSAMLProvider creates a SAML provider in the caller's account from
// the identity provider's metadata document. The caller needs
// iam:CreateSAMLProvider on the provider's ARN, with the request's tags as
// condition keys.
func (s *Service) CreateSAMLProvider(ctx context.Context, c *api.Call) (any, error) {
	name, err := required(c, "Name")
	if err != nil {
		return nil, err
	}
	if !samlNameRE.MatchString(name) {
		return nil, validationf("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w._-]+", name)
	}
	doc, err := samlMetadataParam(c, true)
	if err != nil {
		return nil, err
	}
	if err := samlEncryptionParams(c); err != nil {
		return nil, err
	}
	tags, err := tagParams(c)
	if err != nil {
		return nil, err
	}
	req := call.Fields{"name": name}
	if len(tags) > 0 {
		req["tags"] = tags
	}
	c.RequestParameters = req
	acct := c.Identity.Account
	arn := samlProviderARN(acct, name)
	if err := s.Authz.Authorize(ctx, c, "iam:CreateSAMLProvider", arn, tagContext(tags, nil)); err != nil {
		return nil, err
	}
	o, err := s.State.Org(ctx)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, p := range o.Providers {
		if p.Type == "saml" && p.Account.ID == acct {
			if p.Name == name {
				return nil, awsproto.Errorf("EntityAlreadyExists", "SAMLProvider %s already exists.", name)
			}
			n++
		}
	}
	if n >= maxSAMLProviders {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for SAMLProvidersPerAccount: %d", maxSAMLProviders)
	}
	_, err = s.mutate(ctx, func(m *model) error {
		acctName, err := m.accountName(acct)
		if err != nil {
			return err
		}
		if m.Provider(acctName, "saml", name) != nil {
			return awsproto.Errorf("EntityAlreadyExists", "SAMLProvider %s already exists.", name)
		}
		def := &org.ProviderDef{Type: "saml", Name: name, Accounts: []string{acctName}, Metadata: doc}
		if len(tags) > 0 {
			def.Tags = tagMap(tags)
		}
		m.IdentityProviders = append(m.IdentityProviders, def)
		m.d.Meta.Created[arn] = c.Now.UTC()
		return nil
	})
	if err != nil {
		return nil, invalid(err, "InvalidInput", "The SAML provider cannot be created")
	}
	res := createSAMLProviderResult{SAMLProviderArn: arn, Tags: tags}
	c.ResponseElements = call.Fields{"sAMLProviderArn": arn}
	c.Resources = samlResource(arn, acct)
	return res, nil
}
