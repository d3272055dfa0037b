package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/jonboulle/clockwork"
	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"
)

const (
	testIssuer = "https://idp.securecart.test/metadata"
	testACS    = "https://sp.securecart.test/acs"
	testSP     = "https://sp.securecart.test/metadata"
)

var testNow = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// testSigner signs assertions as an identity provider, with goxmldsig.
type testSigner struct {
	ctx  *dsig.SigningContext
	cert *x509.Certificate
}

func newTestSigner(t testing.TB) *testSigner {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: testNow.Add(-24 * time.Hour), NotAfter: testNow.Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ctx, err := dsig.NewSigningContext(key, [][]byte{der})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	return &testSigner{ctx: ctx, cert: cert}
}

// assertionOpts vary the response the signer makes.
type assertionOpts struct {
	id, inResponseTo, audience, recipient string
	issued                                time.Time
}

// response returns a base64 Response with one signed Assertion.
func (s *testSigner) response(t testing.TB, o assertionOpts) string {
	t.Helper()
	if o.id == "" {
		o.id = "_a1"
	}
	if o.audience == "" {
		o.audience = testSP
	}
	if o.recipient == "" {
		o.recipient = testACS
	}
	if o.issued.IsZero() {
		o.issued = testNow
	}
	ts := func(d time.Duration) string { return o.issued.Add(d).Format(time.RFC3339) }
	irt := ""
	if o.inResponseTo != "" {
		irt = ` InResponseTo="` + o.inResponseTo + `"`
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + o.id + `" Version="2.0" IssueInstant="` + ts(0) + `">` +
		`<saml:Issuer>` + testIssuer + `</saml:Issuer>` +
		`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">alice@securecart.example</saml:NameID>` +
		`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData` + irt + ` NotOnOrAfter="` + ts(5*time.Minute) + `" Recipient="` + o.recipient + `"/></saml:SubjectConfirmation></saml:Subject>` +
		`<saml:Conditions NotBefore="` + ts(-time.Minute) + `" NotOnOrAfter="` + ts(5*time.Minute) + `"><saml:AudienceRestriction><saml:Audience>` + o.audience + `</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
		`<saml:AuthnStatement AuthnInstant="` + ts(0) + `" SessionNotOnOrAfter="` + ts(8*time.Hour) + `"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
		`<saml:AttributeStatement><saml:Attribute Name="groups"><saml:AttributeValue>engineering</saml:AttributeValue><saml:AttributeValue>oncall</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
		`</saml:Assertion>`); err != nil {
		t.Fatal(err)
	}
	signed, err := s.ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	resp := etree.NewDocument()
	if err := resp.ReadFromString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="` + ts(0) + `" Destination="` + o.recipient + `"` + irt + `>` +
		`<saml:Issuer>` + testIssuer + `</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`); err != nil {
		t.Fatal(err)
	}
	resp.Root().AddChild(signed)
	b, err := resp.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func (s *testSigner) trust() SAMLTrust {
	return SAMLTrust{EntityID: testIssuer, Certs: []*x509.Certificate{s.cert}}
}

func expect(now time.Time) SAMLExpect {
	return SAMLExpect{Recipient: func(u string) bool { return u == testACS }, Audience: func(a string) bool { return a == testSP }, Now: now}
}

func TestVerifySAML(t *testing.T) {
	s := newTestSigner(t)
	a, err := VerifySAML(s.response(t, assertionOpts{}), s.trust(), expect(testNow))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "_a1" || a.Issuer != testIssuer || a.NameID != "alice@securecart.example" || a.Recipient != testACS ||
		!a.NotOnOrAfter.Equal(testNow.Add(5*time.Minute)) || !a.SessionNotOnOrAfter.Equal(testNow.Add(8*time.Hour)) ||
		a.AuthnContext != "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport" ||
		strings.Join(a.Attributes["groups"], ",") != "engineering,oncall" {
		t.Errorf("assertion %+v", a)
	}

	// Times, with the 2-minute skew (SAMLSkew): NotBefore is a minute
	// before issue, NotOnOrAfter five minutes after.
	for _, tt := range []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"just within the skew before NotBefore", testNow.Add(-time.Minute - SAMLSkew + time.Second), true},
		{"beyond the skew before NotBefore", testNow.Add(-time.Minute - SAMLSkew - time.Second), false},
		{"just within the skew after NotOnOrAfter", testNow.Add(5*time.Minute + SAMLSkew - time.Second), true},
		{"at NotOnOrAfter plus the skew", testNow.Add(5*time.Minute + SAMLSkew), false},
	} {
		_, err := VerifySAML(s.response(t, assertionOpts{}), s.trust(), expect(tt.now))
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := VerifySAML(s.response(t, assertionOpts{}), s.trust(), expect(testNow.Add(time.Hour))); !errors.Is(err, ErrSAMLExpired) {
		t.Errorf("an hour later: %v, want ErrSAMLExpired", err)
	}

	// InResponseTo: an SP-initiated sign-in's response answers its request;
	// IdP-initiated responses are accepted only when no request is pending.
	want := expect(testNow)
	want.InResponseTo = "_req1"
	if _, err := VerifySAML(s.response(t, assertionOpts{inResponseTo: "_req1"}), s.trust(), want); err != nil {
		t.Errorf("the answer to _req1: %v", err)
	}
	for _, tt := range []struct {
		name, irt string
		want      SAMLExpect
	}{
		{"the answer to another request", "_req2", want},
		{"an unsolicited response while a request is pending", "", want},
		{"a solicited response where only IdP-initiated sign-in is accepted", "_req1", expect(testNow)},
	} {
		if _, err := VerifySAML(s.response(t, assertionOpts{inResponseTo: tt.irt}), s.trust(), tt.want); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if _, err := VerifySAML(s.response(t, assertionOpts{audience: "https://other.example/sp"}), s.trust(), expect(testNow)); !errors.Is(err, ErrSAMLAudience) {
		t.Errorf("another audience: %v, want ErrSAMLAudience", err)
	}
	if _, err := VerifySAML(s.response(t, assertionOpts{recipient: "https://other.example/acs"}), s.trust(), expect(testNow)); !errors.Is(err, ErrSAMLRecipient) {
		t.Errorf("another recipient: %v, want ErrSAMLRecipient", err)
	}
	if _, err := VerifySAML(s.response(t, assertionOpts{}), newTestSigner(t).trust(), expect(testNow)); err == nil {
		t.Error("a response verified with another provider's certificate")
	}
	if _, err := VerifySAML(s.response(t, assertionOpts{}), SAMLTrust{EntityID: testIssuer}, expect(testNow)); err == nil {
		t.Error("a response verified without trusted metadata")
	}
}

// BenchmarkVerifySAML measures SAML response verifications per second:
// VerifySAML (the library's verification plus Warden's checks) beside
// gosaml2's own RetrieveAssertionInfo on the same response, the peer.
func BenchmarkVerifySAML(b *testing.B) {
	s := newTestSigner(b)
	resp := s.response(b, assertionOpts{})
	trust := s.trust()
	b.Run("warden", func(b *testing.B) {
		for b.Loop() {
			if _, err := VerifySAML(resp, trust, expect(testNow)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gosaml2", func(b *testing.B) {
		for b.Loop() {
			sp := &saml2.SAMLServiceProvider{IdentityProviderIssuer: testIssuer, AssertionConsumerServiceURL: testACS, AudienceURI: testSP,
				IDPCertificateStore: &dsig.MemoryX509CertificateStore{Roots: trust.Certs}, Clock: dsig.NewFakeClock(fakeClock(testNow))}
			if _, err := sp.RetrieveAssertionInfo(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func fakeClock(t time.Time) clockwork.Clock { return clockwork.NewFakeClockAt(t) }

// FuzzVerifySAML: no input panics or is accepted unless a trusted key
// signed it (the fuzzer cannot sign).
func FuzzVerifySAML(f *testing.F) {
	s := newTestSigner(f)
	good := s.response(f, assertionOpts{})
	raw, _ := base64.StdEncoding.DecodeString(good)
	f.Add(raw)
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := VerifySAML(base64.StdEncoding.EncodeToString(doc), s.trust(), expect(testNow))
		if err == nil && string(doc) != string(raw) && a.NameID != "alice@securecart.example" {
			t.Errorf("accepted a response naming %q", a.NameID)
		}
	})
}
