package identity

import (
	"encoding/base64"
	"testing"
)

// The subject a response states is read for the trail only from its
// assertion's Subject, and never from a document with a DOCTYPE.
func TestUnverifiedSAMLSubject(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	const ns = `xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"`
	for _, tc := range []struct{ name, in, want string }{
		{"the assertion's subject", b64(`<samlp:Response ` + ns + `><saml:Issuer>idp</saml:Issuer><saml:Assertion><saml:Issuer>idp</saml:Issuer>` +
			`<saml:Subject><saml:NameID> mallory@example.com </saml:NameID></saml:Subject></saml:Assertion></samlp:Response>`), "mallory@example.com"},
		{"a NameID outside the assertion's subject", b64(`<samlp:Response ` + ns + `><saml:NameID>x</saml:NameID><saml:Assertion>` +
			`<saml:Conditions><saml:NameID>y</saml:NameID></saml:Conditions></saml:Assertion></samlp:Response>`), ""},
		{"a DOCTYPE", b64(`<!DOCTYPE r [<!ENTITY e "eve">]><samlp:Response ` + ns + `><saml:Assertion><saml:Subject><saml:NameID>&e;</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>`), ""},
		{"not base64", "%%%", ""},
		{"not XML", b64("mallory"), ""},
	} {
		if got := UnverifiedSAMLSubject(tc.in); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
