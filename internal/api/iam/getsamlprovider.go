package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type getSAMLProviderResult struct {
	SAMLProviderUUID        string `xml:"SAMLProviderUUID"`
	SAMLMetadataDocument    string `xml:"SAMLMetadataDocument,omitempty"`
	CreateDate              string `xml:"CreateDate"`
	ValidUntil              string `xml:"ValidUntil,omitempty"`
	Tags                    []Tag  `xml:"Tags>member,omitempty"`
	AssertionEncryptionMode string `xml:"AssertionEncryptionMode"`
}

// GetSAMLProvider returns a SAML provider of the caller's account: its
// metadata document, creation date, the validity its metadata states, and
// its tags. The caller needs iam:GetSAMLProvider on it.
func (s *Service) GetSAMLProvider(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	t, err := s.targetSAMLProvider(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"sAMLProviderArn": t.arn}
	if err := s.Authz.Authorize(ctx, c, "iam:GetSAMLProvider", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	d, err := s.State.Doc(ctx)
	if err != nil {
		return nil, err
	}
	p := t.prov
	res := getSAMLProviderResult{SAMLProviderUUID: samlProviderUUID(p.ARN), SAMLMetadataDocument: p.Metadata,
		CreateDate: isoTime(s.created(ctx, d, p.ARN)), Tags: tagList(p.Tags), AssertionEncryptionMode: "Allowed"}
	if p.SAML != nil && !p.SAML.ValidUntil.IsZero() {
		res.ValidUntil = isoTime(p.SAML.ValidUntil)
	}
	c.Resources = samlResource(p.ARN, p.Account.ID)
	return res, nil
}
