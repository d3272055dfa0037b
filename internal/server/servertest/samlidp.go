package servertest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
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

// AWSSPMetadata is the service provider metadata AWS publishes for SAML
// federation (https://signin.aws.amazon.com/static/saml-metadata.xml), as
// an IdP imports it: entity ID urn:amazon:webservices, the sign-in
// endpoint as the assertion consumer service.
const AWSSPMetadata = `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:amazon:webservices">
  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAssertionsSigned="true">
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat>
    <AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://signin.aws.amazon.com/saml"/>
  </SPSSODescriptor>
</EntityDescriptor>`

// SAMLIdP is crewjam/saml's samlidp (a real SAML 2.0 identity provider)
// started on loopback for tests: users with passwords, AWS as a service
// provider (IdP-initiated shortcut "aws"), and the extra attributes (AWS's
// Role, RoleSessionName, tags) each user's assertions carry, as an Okta or
// Entra ID administrator configures them.
type SAMLIdP struct {
	Srv   *httptest.Server
	idp   *samlidp.Server
	mu    sync.Mutex
	attrs map[string][]saml.Attribute // by user email
	// NameIDFormat is the format of the NameIDs it issues (persistent by
	// default).
	NameIDFormat string
	// refused are the users whose sign-in it answers with a failed status
	// (by user name): the second-level status code and message.
	refused map[string][2]string
}

// sessionProvider is samlidp's own session handling (password sign-in,
// session cookie), with the user's extra attributes added.
type sessionProvider struct{ s *SAMLIdP }

func (p sessionProvider) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	r.ParseForm()
	sess := p.s.idp.GetSession(w, r, req)
	if sess == nil {
		return nil
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	sess.NameIDFormat = p.s.NameIDFormat
	sess.CustomAttributes = append(sess.CustomAttributes, p.s.attrs[sess.UserEmail]...)
	return sess
}

// NewSAMLIdP starts an IdP whose entity ID is its metadata URL.
func NewSAMLIdP(t testing.TB) *SAMLIdP { return NewSAMLIdPAs(t, "") }

// NewSAMLIdPAs starts an IdP with its own key whose entity ID is
// base+"/metadata" (its own URL when base is ""): given another IdP's URL,
// a forger that knows the issuer but not its key.
func NewSAMLIdPAs(t testing.TB, base string) *SAMLIdP {
	t.Helper()
	key, cert := selfSigned(t, "idp.securecart.test")
	s := &SAMLIdP{attrs: map[string][]saml.Attribute{}, NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"}
	mux := http.NewServeMux()
	s.Srv = httptest.NewServer(mux)
	t.Cleanup(s.Srv.Close)
	if base == "" {
		base = s.Srv.URL
	}
	u, _ := url.Parse(base)
	idp, err := samlidp.New(samlidp.Options{URL: *u, Key: key, Certificate: cert, Store: &samlidp.MemoryStore{},
		Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	idp.IDP.SignatureMethod = dsig.RSASHA256SignatureMethod
	idp.IDP.SessionProvider = sessionProvider{s}
	// Its SSO endpoint is this server's, whatever entity ID it claims.
	idp.IDP.SSOURL = *mustParse(s.Srv.URL + "/sso")
	// Its login form posts back to the SSO endpoint, with the request, so
	// that a browser's sign-in continues to the service provider (samlidp's
	// default, /login, answers a session as JSON and ends there).
	idp.IDP.LoginURL = idp.IDP.SSOURL
	s.idp = idp
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/sso" && s.refuse(w, r) {
			return
		}
		idp.ServeHTTP(w, r)
	}))
	s.PutService(t, "aws", AWSSPMetadata)
	s.put(t, "/shortcuts/aws", `{"name": "aws", "service_provider": "urn:amazon:webservices"}`)
	return s
}

func mustParse(u string) *url.URL {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	return p
}

func (s *SAMLIdP) put(t testing.TB, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, s.Srv.URL+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %s", path, resp.Status)
	}
}

// PutService registers a service provider by its metadata.
func (s *SAMLIdP) PutService(t testing.TB, id, metadata string) { s.put(t, "/services/"+id, metadata) }

// AddSP registers another service provider (entity ID and assertion
// consumer URL) and an IdP-initiated shortcut to it.
func (s *SAMLIdP) AddSP(t testing.TB, shortcut, entityID, acs string) {
	t.Helper()
	md := strings.NewReplacer(`entityID="urn:amazon:webservices"`, `entityID="`+entityID+`"`,
		`Location="https://signin.aws.amazon.com/saml"`, `Location="`+acs+`"`).Replace(AWSSPMetadata)
	s.PutService(t, shortcut, md)
	s.AddShortcut(t, shortcut, entityID)
}

// AddShortcut adds an IdP-initiated sign-in to a registered service
// provider.
func (s *SAMLIdP) AddShortcut(t testing.TB, shortcut, entityID string) {
	b, _ := json.Marshal(map[string]string{"name": shortcut, "service_provider": entityID})
	s.put(t, "/shortcuts/"+shortcut, string(b))
}

// AddUser adds a person with a password and the extra attributes their
// assertions carry (attribute name to values).
func (s *SAMLIdP) AddUser(t testing.TB, name, email, password string, attrs map[string][]string) {
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

// Metadata returns the IdP's metadata document, as an administrator
// downloads it.
func (s *SAMLIdP) Metadata(t testing.TB) string {
	t.Helper()
	resp, err := http.Get(s.Srv.URL + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var (
	reSAMLResponse = regexp.MustCompile(`name="SAMLResponse" value="([^"]+)"`)
	reRelayState   = regexp.MustCompile(`name="RelayState" value="([^"]*)"`)
	reFormAction   = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	reHidden       = regexp.MustCompile(`<input type="hidden" name="(SAMLRequest|RelayState)" value="([^"]*)"`)
)

// SignIn signs a person in with their password and returns the base64
// SAMLResponse of the IdP-initiated sign-in to AWS, as the browser posts it
// to https://signin.aws.amazon.com/saml.
func (s *SAMLIdP) SignIn(t testing.TB, user, password string) string {
	t.Helper()
	return s.SignInTo(t, "aws", user, password)
}

// SignInTo is SignIn to the service provider of a shortcut.
func (s *SAMLIdP) SignInTo(t testing.TB, shortcut, user, password string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.PostForm(s.Srv.URL+"/login", url.Values{"user": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IdP sign-in of %s: %s", user, resp.Status)
	}
	resp, err = hc.Get(s.Srv.URL + "/login/" + shortcut)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := reSAMLResponse.FindSubmatch(body)
	if m == nil {
		t.Fatalf("the IdP's answer has no SAMLResponse: %s", body)
	}
	return html.UnescapeString(string(m[1]))
}

// Authenticate follows a service provider's sign-in request (a redirect
// URL to the IdP's SSO endpoint) with hc, signs the person in at the login
// form, and returns where the IdP posts the response, the SAMLResponse
// and the RelayState, as the browser would post them.
func (s *SAMLIdP) Authenticate(t testing.TB, hc *http.Client, requestURL, user, password string) (acs, samlResponse, relayState string) {
	t.Helper()
	resp, err := hc.Get(requestURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{"user": {user}, "password": {password}}
	for _, m := range reHidden.FindAllSubmatch(body, -1) {
		form.Set(string(m[1]), html.UnescapeString(string(m[2])))
	}
	if form.Get("SAMLRequest") == "" {
		t.Fatalf("the IdP did not show its login form for the request (%s): %s", resp.Status, body)
	}
	resp, err = hc.PostForm(s.Srv.URL+"/sso", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	m, a := reSAMLResponse.FindSubmatch(body), reFormAction.FindSubmatch(body)
	if m == nil || a == nil {
		t.Fatalf("the IdP's answer has no SAMLResponse form (%s): %s", resp.Status, body)
	}
	if r := reRelayState.FindSubmatch(body); r != nil {
		relayState = html.UnescapeString(string(r[1]))
	}
	return html.UnescapeString(string(a[1])), html.UnescapeString(string(m[1])), relayState
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

// PostForm posts a form to a URL of any server (an IdP's form, the
// assertion consumer service) and reads the page it answers.
func (b *Browser) PostForm(u string, form url.Values) (Page, error) {
	return readPage(b.Client.PostForm(u, form))
}

// Refuse makes the IdP answer a sign-in of user (at its login form) with a
// Response whose status is Responder with the second-level code status
// (AuthnFailed, RequestDenied: urn:oasis:names:tc:SAML:2.0:status:…) and
// message, and no assertion (SAML 2.0 Core 3.2.2.2), posted to the
// requesting service provider's ACS as IdPs post their refusals (an
// account locked or disabled at the IdP, a failed MFA).
func (s *SAMLIdP) Refuse(user, status, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string][2]string{}
	}
	s.refused[user] = [2]string{status, message}
}

// refuse answers a login form of a refused user, and reports whether it
// did.
func (s *SAMLIdP) refuse(w http.ResponseWriter, r *http.Request) bool {
	if r.ParseForm() != nil {
		return false
	}
	s.mu.Lock()
	st, ok := s.refused[r.PostForm.Get("user")]
	s.mu.Unlock()
	if !ok {
		return false
	}
	req, err := saml.NewIdpAuthnRequest(&s.idp.IDP, r)
	if err != nil || req.Validate() != nil {
		return false
	}
	id := make([]byte, 16)
	rand.Read(id)
	esc := func(v string) string { return html.EscapeString(v) }
	doc := `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"` +
		` ID="id-` + hex.EncodeToString(id) + `" InResponseTo="` + esc(req.Request.ID) + `" Version="2.0" IssueInstant="` +
		time.Now().UTC().Format(time.RFC3339) + `" Destination="` + esc(req.ACSEndpoint.Location) + `">` +
		`<saml:Issuer>` + esc(s.idp.IDP.Metadata().EntityID) + `</saml:Issuer>` +
		`<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder">` +
		`<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:` + esc(st[0]) + `"/></samlp:StatusCode>` +
		`<samlp:StatusMessage>` + esc(st[1]) + `</samlp:StatusMessage></samlp:Status></samlp:Response>`
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<!DOCTYPE html><html><body><form method="post" action="`+esc(req.ACSEndpoint.Location)+`">`+
		`<input type="hidden" name="SAMLResponse" value="`+base64.StdEncoding.EncodeToString([]byte(doc))+`">`+
		`<input type="hidden" name="RelayState" value="`+esc(req.RelayState)+`">`+
		`<input type="submit" value="Continue"></form><script>document.forms[0].submit()</script></body></html>`)
	return true
}
