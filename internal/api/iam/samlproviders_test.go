package iam_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/securecart/warden/internal/server/servertest"
)

// idpMetadata returns an identity provider's SAML 2.0 metadata with a new
// signing certificate, valid until validUntil (none when zero).
func idpMetadata(t *testing.T, entityID string, validUntil time.Time) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: entityID},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	vu := ""
	if !validUntil.IsZero() {
		vu = ` validUntil="` + validUntil.UTC().Format(time.RFC3339) + `"`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entityID + `"` + vu + `>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + entityID + `/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
}

// SAML providers through the IAM API, as the aws CLI and SDKs call it
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
// and its siblings).
func TestClientSAMLProviders(t *testing.T) {
	h := startServer(t)
	ctx := servertest.Ctx(t)
	c := iamClient(h, "", "", "")
	until := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	md := idpMetadata(t, "http://www.okta.com/exk1securecart", until)
	out, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(md),
		Tags: []types.Tag{{Key: aws.String("Team"), Value: aws.String("Security")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::" + mgmt + ":saml-provider/Okta"
	if aws.ToString(out.SAMLProviderArn) != arn || len(out.Tags) != 1 {
		t.Errorf("CreateSAMLProvider = %s %v", aws.ToString(out.SAMLProviderArn), out.Tags)
	}
	get, err := c.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(get.SAMLMetadataDocument) != md || !get.ValidUntil.Equal(until) || !get.CreateDate.Equal(h.Clock.Now()) ||
		len(aws.ToString(get.SAMLProviderUUID)) != 36 || get.AssertionEncryptionMode != types.AssertionEncryptionModeTypeAllowed ||
		len(get.Tags) != 1 || aws.ToString(get.Tags[0].Key) != "Team" {
		t.Errorf("GetSAMLProvider = uuid %s, valid until %v, created %v, mode %s, tags %v, metadata equal %v",
			aws.ToString(get.SAMLProviderUUID), get.ValidUntil, get.CreateDate, get.AssertionEncryptionMode, get.Tags, aws.ToString(get.SAMLMetadataDocument) == md)
	}
	if _, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(md)}); err == nil {
		t.Error("a second provider named Okta was created")
	} else if code, _ := apiCode(t, err); code != "EntityAlreadyExists" {
		t.Errorf("duplicate: %s", code)
	}

	list, err := c.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ours *types.SAMLProviderListEntry
	var sso []string
	for i, p := range list.SAMLProviderList {
		switch a := aws.ToString(p.Arn); {
		case a == arn:
			ours = &list.SAMLProviderList[i]
		case strings.Contains(a, ":saml-provider/AWSSSO_"):
			sso = append(sso, a)
		}
	}
	if ours == nil || !ours.ValidUntil.Equal(until) || len(sso) != 1 {
		t.Fatalf("ListSAMLProviders = %+v: want Okta and Identity Center's provider", list.SAMLProviderList)
	}

	// A rotated certificate: the new document replaces the old.
	md2 := idpMetadata(t, "http://www.okta.com/exk1securecart", time.Time{})
	if _, err := c.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(md2)}); err != nil {
		t.Fatal(err)
	}
	get, _ = c.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	if aws.ToString(get.SAMLMetadataDocument) != md2 || get.ValidUntil != nil {
		t.Errorf("after UpdateSAMLProvider: valid until %v, new document %v", get.ValidUntil, aws.ToString(get.SAMLMetadataDocument) == md2)
	}

	// Tags.
	if _, err := c.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("identity")}, {Key: aws.String("Env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagSAMLProvider(ctx, &awsiam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"Env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListSAMLProviderTags(ctx, &awsiam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" || aws.ToString(tags.Tags[0].Value) != "identity" {
		t.Errorf("ListSAMLProviderTags = %v %v; want team=identity (the key in any case replaced Team)", tags, err)
	}

	refused := []struct {
		name, code, msg string
		call            func() error
	}{
		{"metadata that is not SAML", "InvalidInput", "Could not parse metadata", func() error {
			_, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Bad"),
				SAMLMetadataDocument: aws.String("<html>" + strings.Repeat("x", 1000) + "</html>")})
			return err
		}},
		{"metadata without a signing certificate", "InvalidInput", "no signing certificate", func() error {
			noCert := md[:strings.Index(md, "<md:KeyDescriptor")] + strings.Repeat(" ", 1000) + md[strings.Index(md, "</md:KeyDescriptor>")+len("</md:KeyDescriptor>"):]
			_, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Bad"), SAMLMetadataDocument: aws.String(noCert)})
			return err
		}},
		{"metadata with a DOCTYPE", "InvalidInput", "DOCTYPE", func() error {
			_, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Bad"),
				SAMLMetadataDocument: aws.String(`<!DOCTYPE x [<!ENTITY a "b">]>` + md[strings.Index(md, "<md:EntityDescriptor"):])})
			return err
		}},
		{"a malformed name", "ValidationError", "name", func() error {
			_, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Okta Prod"), SAMLMetadataDocument: aws.String(md)})
			return err
		}},
		{"encryption required", "InvalidInput", "private key", func() error {
			_, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("Enc"), SAMLMetadataDocument: aws.String(md),
				AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired})
			return err
		}},
		{"a provider that does not exist", "NoSuchEntity", "not found", func() error {
			_, err := c.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + mgmt + ":saml-provider/Nope")})
			return err
		}},
		{"Identity Center's provider", "UnmodifiableEntity", "Identity Center", func() error {
			_, err := c.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(sso[0])})
			return err
		}},
	}
	for _, tt := range refused {
		err := tt.call()
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if code, msg := apiCode(t, err); code != tt.code || !strings.Contains(msg, tt.msg) {
			t.Errorf("%s: %s %q; want %s saying %q", tt.name, code, msg, tt.code, tt.msg)
		}
	}

	if _, err := c.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err == nil {
		t.Error("GetSAMLProvider after DeleteSAMLProvider succeeded")
	}
}
