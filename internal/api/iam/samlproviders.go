package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
)

// IAM SAML providers
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html):
// an account's trust in a SAML 2.0 identity provider, described by the
// provider's metadata document (org.ParseSAMLMetadata: its entity ID and
// signing certificates), which AssumeRoleWithSAML verifies assertions
// with. They are stored in the org document as identityProviders of type
// saml with their metadata and tags. Identity Center's own providers
// (AWSSSO_..._DO_NOT_DELETE), which Warden derives from the permission
// sets provisioned into an account, are read-only.
//
// Warden keeps no private keys of providers: encrypted assertions are not
// accepted, so AssertionEncryptionMode is Allowed and AddPrivateKey is
// refused.

var samlNameRE = regexp.MustCompile(`^[\w._-]{1,128}$`)

// maxSAMLProviders is IAM's quota of SAML providers per account.
const maxSAMLProviders = 100

// samlProviderARN is the ARN of an account's SAML provider.
func samlProviderARN(acct, name string) string {
	return "arn:aws:iam::" + acct + ":saml-provider/" + name
}

// samlTarget is the provider a SAMLProviderArn parameter names: found in
// the caller's account, or nil.
type samlTarget struct {
	arn, name string
	prov      *org.Provider
}

// targetSAMLProvider reads SAMLProviderArn.
func (s *Service) targetSAMLProvider(ctx context.Context, c *api.Call) (*samlTarget, error) {
	a, err := required(c, "SAMLProviderArn")
	if err != nil {
		return nil, err
	}
	if len(a) < 20 || len(a) > 2048 {
		return nil, validationf("1 validation error detected: Value '%s' at 'sAMLProviderArn' failed to satisfy constraint: Member must have length between 20 and 2048", a)
	}
	pa, perr := arn.Parse(a)
	name, ok := strings.CutPrefix(pa.Resource, "saml-provider/")
	if perr != nil || pa.Service != "iam" || !ok || !samlNameRE.MatchString(name) {
		return nil, awsproto.Errorf("InvalidInput", "ARN %s is not valid.", a)
	}
	t := &samlTarget{arn: a, name: name}
	o, err := s.State.Org(ctx)
	if err != nil {
		return nil, err
	}
	if pa.Account == c.Identity.Account {
		for _, p := range o.Providers {
			if p.Type == "saml" && p.ARN == a {
				t.prov = p
			}
		}
	}
	return t, nil
}

// context returns the condition keys of a call on the provider: its tags.
func (t *samlTarget) context(extra map[string][]string) map[string][]string {
	if extra == nil {
		extra = map[string][]string{}
	}
	if t.prov != nil {
		for k, v := range t.prov.Tags {
			extra["aws:ResourceTag/"+k] = []string{v}
		}
	}
	return extra
}

// found returns NoSuchEntity for a provider that does not exist.
func (t *samlTarget) found() error {
	if t.prov == nil {
		return noSuchEntity("SAML provider not found for arn %s", t.arn)
	}
	return nil
}

// ownDef returns the provider's definition for the caller's account alone;
// UnmodifiableEntity for a provider Identity Center manages.
func (t *samlTarget) ownDef(m *model, acct string) (*org.ProviderDef, error) {
	def := m.OwnProvider(m.AccountName(acct), "saml", t.name)
	if def == nil {
		if t.prov != nil {
			return nil, awsproto.Errorf("UnmodifiableEntity", "Cannot perform the operation on the SAML provider %s: IAM Identity Center manages it", t.name)
		}
		return nil, noSuchEntity("SAML provider not found for arn %s", t.arn)
	}
	return def, nil
}

// samlMetadataParam reads and validates a SAMLMetadataDocument parameter.
func samlMetadataParam(c *api.Call, requiredParam bool) (string, error) {
	if !requiredParam && !c.Params.Has("SAMLMetadataDocument") {
		return "", nil
	}
	doc, err := required(c, "SAMLMetadataDocument")
	if err != nil {
		return "", err
	}
	if len(doc) < org.MinSAMLMetadata || len(doc) > org.MaxSAMLMetadata {
		return "", validationf("1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length between %d and %d", org.MinSAMLMetadata, org.MaxSAMLMetadata)
	}
	if _, err := org.ParseSAMLMetadata(doc); err != nil {
		return "", awsproto.Errorf("InvalidInput", "Could not parse metadata: %v", err)
	}
	return doc, nil
}

// samlEncryptionParams refuses what needs a private key of the provider.
func samlEncryptionParams(c *api.Call) error {
	if c.Params.Has("AddPrivateKey") {
		return awsproto.Errorf("InvalidInput", "AddPrivateKey: Warden keeps no private keys for SAML providers and accepts no encrypted assertions.")
	}
	if c.Params.Has("RemovePrivateKey") {
		return awsproto.Errorf("InvalidInput", "RemovePrivateKey: the SAML provider has no private keys.")
	}
	switch m := c.Params.Get("AssertionEncryptionMode"); m {
	case "", "Allowed":
		return nil
	case "Required":
		return awsproto.Errorf("InvalidInput", "AssertionEncryptionMode Required needs a private key, which Warden does not keep: encrypted assertions are not accepted.")
	default:
		return validationf("1 validation error detected: Value '%s' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]", m)
	}
}

// samlProviderUUID is the provider's stable UUID (SAMLProviderUUID),
// derived from its ARN, in the form of a version 4 UUID.
func samlProviderUUID(arn string) string {
	sum := sha256.Sum256([]byte("saml-provider-uuid:" + arn))
	sum[6] = sum[6]&0x0f | 0x40
	sum[8] = sum[8]&0x3f | 0x80
	id := hex.EncodeToString(sum[:16])
	return id[0:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32]
}

// samlResource is the trail's record of a SAML provider.
func samlResource(arn, acct string) []api.Resource {
	return []api.Resource{{ARN: arn, Type: "AWS::IAM::SAMLProvider", Account: acct}}
}
