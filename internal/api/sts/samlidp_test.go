package sts_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"html"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlidp"
	dsig "github.com/russellhaering/goxmldsig"
)

// awsSPMetadata is the service provider metadata AWS publishes for SAML
// federation (https://signin.aws.amazon.com/static/saml-metadata.xml), as
// an IdP imports it: entity ID urn:amazon:webservices, the sign-in
// endpoint as the assertion consumer service.
const awsSPMetadata = `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:amazon:webservices">
  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAssertionsSigned="true">
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat>
    <AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://signin.aws.amazon.com/saml"/>
  </SPSSODescriptor>
</EntityDescriptor>`

// samlIdP is crewjam/saml's samlidp started on loopback: users with
// passwords, AWS as a service provider, and the AWS attributes (Role,
// RoleSessionName, tags) each user's assertions carry, as an Okta or Entra
// ID administrator configures them.
type samlIdP struct {
	srv   *httptest.Server
	idp   *samlidp.Server
	key   *rsa.PrivateKey
	cert  *x509.Certificate
	mu    sync.Mutex
	attrs map[string][]saml.Attribute // by user email
}

// sessionProvider is samlidp's own session handling (password sign-in,
// session cookie), with the user's AWS attributes added.
type sessionProvider struct{ s *samlIdP }

func (p sessionProvider) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	r.ParseForm()
	sess := p.s.idp.GetSession(w, r, req)
	if sess == nil {
		return nil
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	sess.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	sess.CustomAttributes = append(sess.CustomAttributes, p.s.attrs[sess.UserEmail]...)
	return sess
}

func newSAMLIdP(t *testing.T) *samlIdP { return newSAMLIdPAs(t, "") }

// newSAMLIdPAs starts an IdP with its own key whose entity ID is
// base+"/metadata" (its own URL when base is ""): given another IdP's URL,
// a forger that knows the issuer but not its key.
func newSAMLIdPAs(t *testing.T, base string) *samlIdP {
	t.Helper()
	key, cert := selfSigned(t, "idp.securecart.test")
	s := &samlIdP{key: key, cert: cert, attrs: map[string][]saml.Attribute{}}
	mux := http.NewServeMux()
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	if base == "" {
		base = s.srv.URL
	}
	u, _ := url.Parse(base)
	idp, err := samlidp.New(samlidp.Options{URL: *u, Key: key, Certificate: cert, Store: &samlidp.MemoryStore{},
		Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	idp.IDP.SignatureMethod = dsig.RSASHA256SignatureMethod
	idp.IDP.SessionProvider = sessionProvider{s}
	s.idp = idp
	mux.Handle("/", idp)
	s.put(t, "/services/aws", awsSPMetadata)
	s.put(t, "/shortcuts/aws", `{"name": "aws", "service_provider": "urn:amazon:webservices"}`)
	return s
}

// addSP registers another service provider (entity ID and assertion
// consumer URL) and an IdP-initiated shortcut to it.
func (s *samlIdP) addSP(t *testing.T, shortcut, entityID, acs string) {
	t.Helper()
	md := strings.NewReplacer(`entityID="urn:amazon:webservices"`, `entityID="`+entityID+`"`,
		`Location="https://signin.aws.amazon.com/saml"`, `Location="`+acs+`"`).Replace(awsSPMetadata)
	s.put(t, "/services/"+shortcut, md)
	b, _ := json.Marshal(map[string]string{"name": shortcut, "service_provider": entityID})
	s.put(t, "/shortcuts/"+shortcut, string(b))
}

func (s *samlIdP) put(t *testing.T, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, s.srv.URL+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %s", path, resp.Status)
	}
}

// addUser adds a person with a password and the AWS attributes their
// assertions carry (attribute name to values).
func (s *samlIdP) addUser(t *testing.T, name, email, password string, attrs map[string][]string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"name": name, "email": email, "password": password,
		"given_name": strings.Split(name, " ")[0], "groups": []string{"engineering"}})
	s.put(t, "/users/"+strings.Split(email, "@")[0], string(b))
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, vals := range attrs {
		a := saml.Attribute{Name: n, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}
		for _, v := range vals {
			a.Values = append(a.Values, saml.AttributeValue{Type: "xs:string", Value: v})
		}
		s.attrs[email] = append(s.attrs[email], a)
	}
}

// metadata returns the IdP's metadata document, as an administrator
// downloads it to create the IAM SAML provider.
func (s *samlIdP) metadata(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(s.srv.URL + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var samlResponseField = regexp.MustCompile(`name="SAMLResponse" value="([^"]+)"`)

// signIn signs a person in with their password and returns the base64
// SAMLResponse of the IdP-initiated sign-in to AWS, as the browser posts it
// to https://signin.aws.amazon.com/saml.
func (s *samlIdP) signIn(t *testing.T, user, password string) string {
	t.Helper()
	return s.signInTo(t, "aws", user, password)
}

// signInTo is signIn to the service provider of a shortcut.
func (s *samlIdP) signInTo(t *testing.T, shortcut, user, password string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.PostForm(s.srv.URL+"/login", url.Values{"user": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IdP sign-in of %s: %s", user, resp.Status)
	}
	resp, err = hc.Get(s.srv.URL + "/login/" + shortcut)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := samlResponseField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("the IdP's answer has no SAMLResponse: %s", body)
	}
	return html.UnescapeString(string(m[1]))
}

// selfSigned returns a key and a self-signed certificate valid for a day.
func selfSigned(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}
