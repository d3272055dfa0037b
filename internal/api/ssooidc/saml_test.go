package ssooidc_test

import (
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

var (
	reIdPLink    = regexp.MustCompile(`<a id="idp" href="([^"]+)"`)
	reSAMLResult = regexp.MustCompile(`name="saml_result" value="([^"]+)"`)
	reSeed       = regexp.MustCompile(`Key: <code>([A-Z2-7]+)</code>`)
)

// samlEnv is a server whose Identity Center identity source is a SAML IdP
// (crewjam/saml's samlidp on loopback) that imported Warden's service
// provider metadata.
type samlEnv struct {
	h    *servertest.Harness
	idp  *servertest.SAMLIdP
	oidc *ssooidc.Client
	ev   *servertest.Events
}

func startSAML(t *testing.T, allowIdPInitiated bool) *samlEnv {
	t.Helper()
	ev := &servertest.Events{}
	h := servertest.Start(t, servertest.Options{Audit: ev})
	ctx := servertest.Ctx(t)
	idp := servertest.NewSAMLIdP(t)
	idp.NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	idp.AddUser(t, "Alice Martin", "alice@securecart.example", "correct horse", nil)
	idp.AddUser(t, "Zed Nobody", "zed@securecart.example", "correct horse", nil) // not in the identity store
	md := idp.Metadata(t)
	if _, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = &org.ExternalIdPDef{Type: "saml", Name: "Okta", Metadata: md, AllowIdPInitiated: allowIdPInitiated}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(h.URL + "/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	spMD, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`entityID="` + h.URL + `/saml/metadata"`, `Location="` + h.URL + `/saml/acs"`, `use="signing"`, "X509Certificate"} {
		if !strings.Contains(string(spMD), want) {
			t.Fatalf("the SP metadata lacks %s:\n%s", want, spMD)
		}
	}
	if strings.Contains(string(spMD), `use="encryption"`) {
		t.Errorf("the SP metadata offers an encryption key, but encrypted assertions are refused")
	}
	idp.PutService(t, "warden", string(spMD))
	return &samlEnv{h: h, idp: idp, oidc: startOIDCClient(h), ev: ev}
}

// device starts a device authorization and returns its user code and the
// CreateToken input that polls it.
func (e *samlEnv) device(t *testing.T) (string, *ssooidc.CreateTokenInput) {
	t.Helper()
	ctx := servertest.Ctx(t)
	reg, err := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(e.h.URL + "/start")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(da.UserCode), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: da.DeviceCode}
}

// toIdP opens the device page with a user code, chooses the IdP, and
// returns the browser and the sign-in request's URL.
func (e *samlEnv) toIdP(t *testing.T, code string) (*servertest.Browser, string) {
	t.Helper()
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.Get(e.h.URL + "/device?user_code=" + url.QueryEscape(code))
	if err != nil || !strings.Contains(pg.Body, "Sign in with Okta") {
		t.Fatalf("device page: %v %s", err, pg.Body)
	}
	pg, err = b.Post(pg, url.Values{"user_code": {code}, "via": {"saml"}})
	m := reIdPLink.FindStringSubmatch(pg.Body)
	if err != nil || pg.Title != "Continue at Okta" || m == nil {
		t.Fatalf("after choosing Okta: %q %q %v", pg.Title, pg.Alert, err)
	}
	return b, html.UnescapeString(m[1])
}

// acs posts the IdP's response to the assertion consumer service.
func (e *samlEnv) acs(t *testing.T, b *servertest.Browser, acsURL, response, relayState string) servertest.Page {
	t.Helper()
	if acsURL != e.h.URL+"/saml/acs" {
		t.Fatalf("the IdP posts to %s, not Warden's ACS", acsURL)
	}
	pg, err := b.PostForm(acsURL, url.Values{"SAMLResponse": {response}, "RelayState": {relayState}})
	if err != nil {
		t.Fatal(err)
	}
	return pg
}

// finish posts the ACS's result to the device page, passes MFA (enrolling
// when asked) and approves; it returns the TOTP seed.
func (e *samlEnv) finish(t *testing.T, b *servertest.Browser, acsPage servertest.Page, seed, code string) string {
	t.Helper()
	m := reSAMLResult.FindStringSubmatch(acsPage.Body)
	if m == nil {
		t.Fatalf("ACS page %q: %q", acsPage.Title, acsPage.Alert)
	}
	return approveAfterIdP(t, e.h, b, url.Values{"saml_result": {html.UnescapeString(m[1])}}, seed, code)
}

// approveAfterIdP posts an identity provider's sealed result to the device
// page, passes MFA (enrolling when asked) and approves; it returns the
// TOTP seed.
func approveAfterIdP(t *testing.T, h *servertest.Harness, b *servertest.Browser, result url.Values, seed, code string) string {
	t.Helper()
	pg, err := b.PostForm(h.URL+"/device", result)
	for step := 0; err == nil && step < 5; step++ {
		switch pg.Title {
		case "Enter the code":
			pg, err = b.Post(pg, url.Values{"user_code": {code}})
		case "Set up your authenticator":
			seed = reSeed.FindStringSubmatch(pg.Body)[1]
			c, _ := creds.TOTPCode(seed, h.Clock.Now())
			pg, err = b.Post(pg, url.Values{"code": {c}})
		case "Save your recovery codes":
			pg, err = b.Post(pg, url.Values{})
		case "Enter your MFA code":
			c, _ := creds.TOTPCode(seed, h.Clock.Now())
			pg, err = b.Post(pg, url.Values{"code": {c}})
		case "Allow access?":
			pg, err = b.Post(pg, url.Values{"decision": {"approve"}})
		case "Request approved":
			return seed
		default:
			t.Fatalf("device page %q: %q", pg.Title, pg.Alert)
		}
	}
	if err != nil || pg.Title != "Request approved" {
		t.Fatalf("device page %q %q: %v", pg.Title, pg.Alert, err)
	}
	return seed
}

// A person signs in through the IdP (SP-initiated: a signed AuthnRequest,
// the response answering it), passes MFA, and approves the device; the
// SDK's CreateToken then gets tokens.
func TestDeviceSignInThroughSAML(t *testing.T) {
	e := startSAML(t, false)
	ctx := servertest.Ctx(t)
	code, poll := e.device(t)
	b, req := e.toIdP(t, code)
	if !strings.HasPrefix(req, e.idp.Srv.URL+"/sso?") || !strings.Contains(req, "SAMLRequest=") || !strings.Contains(req, "&Signature=") {
		t.Errorf("the sign-in request %s is not a signed HTTP-Redirect request to the IdP", req)
	}
	acsURL, resp, rs := e.idp.Authenticate(t, b.Client, req, "alice", "correct horse")
	pg := e.acs(t, b, acsURL, resp, rs)
	if pg.Title != "Signed in as alice@securecart.example" {
		t.Fatalf("ACS page %q: %q", pg.Title, pg.Alert)
	}
	e.finish(t, b, pg, "", code)
	e.h.Clock.Advance(2 * time.Second)
	tok, err := e.oidc.CreateToken(ctx, poll)
	if err != nil || aws.ToString(tok.AccessToken) == "" {
		t.Fatalf("CreateToken after the SAML sign-in: %v", err)
	}
	// The RelayState carried the sign-in's AuthWorkflowID to the ACS.
	if wf := signInWorkflows(t, e.ev, e.h.URL); !hasWorkflow(wf, externalSignIn...) {
		t.Errorf("the SAML sign-in's events: %q, want one workflow of %q", wf, externalSignIn)
	}

	// The same response again: refused.
	if pg := e.acs(t, b, acsURL, resp, rs); pg.Status != http.StatusForbidden || !strings.Contains(pg.Alert, "already used") {
		t.Errorf("replayed response: %d %q", pg.Status, pg.Alert)
	}
	// A person the identity store does not have.
	code2, _ := e.device(t)
	b2, req2 := e.toIdP(t, code2)
	a2, r2, s2 := e.idp.Authenticate(t, b2.Client, req2, "zed", "correct horse")
	if pg := e.acs(t, b2, a2, r2, s2); !strings.Contains(pg.Alert, "no Identity Center user") {
		t.Errorf("unknown person: %d %q", pg.Status, pg.Alert)
	}
	// A response that answers another browser's request: the ACS accepts
	// it, but the device page of this browser does not.
	code3, _ := e.device(t)
	b3, _ := e.toIdP(t, code3)
	b4, req4 := e.toIdP(t, code3)
	a4, r4, s4 := e.idp.Authenticate(t, b4.Client, req4, "alice", "correct horse")
	pg4 := e.acs(t, b4, a4, r4, s4)
	m := reSAMLResult.FindStringSubmatch(pg4.Body)
	if m == nil {
		t.Fatalf("ACS page %q %q", pg4.Title, pg4.Alert)
	}
	if pg, _ := b3.PostForm(e.h.URL+"/device", url.Values{"saml_result": {html.UnescapeString(m[1])}}); !strings.Contains(pg.Alert, "another sign-in request") {
		t.Errorf("another browser's response: %q %q", pg.Title, pg.Alert)
	}
	// IdP-initiated sign-in is refused unless the org allows it.
	e.idp.AddShortcut(t, "warden", e.h.URL+"/saml/metadata")
	if pg := e.acs(t, b, e.h.URL+"/saml/acs", e.idp.SignInTo(t, "warden", "alice", "correct horse"), ""); !strings.Contains(pg.Alert, "IdP-initiated") {
		t.Errorf("IdP-initiated response: %d %q", pg.Status, pg.Alert)
	}
}

// With allowIdpInitiated, a sign-in started at the IdP lands in the access
// portal after MFA, as AWS's does; the person then approves a device code
// from the portal's session (the code checked, no password).
func TestDeviceSignInIdPInitiated(t *testing.T) {
	e := startSAML(t, true)
	ctx := servertest.Ctx(t)
	e.idp.AddShortcut(t, "warden", e.h.URL+"/saml/metadata")
	code, poll := e.device(t)
	b := servertest.NewBrowser(e.h.URL)
	acs := e.acs(t, b, e.h.URL+"/saml/acs", e.idp.SignInTo(t, "warden", "alice", "correct horse"), "")
	m := reSAMLResult.FindStringSubmatch(acs.Body)
	if m == nil {
		t.Fatalf("ACS page %q: %q", acs.Title, acs.Alert)
	}
	pg, err := b.PostForm(e.h.URL+"/device", url.Values{"saml_result": {html.UnescapeString(m[1])}})
	if err != nil || pg.Title != "Set up your authenticator" {
		t.Fatalf("after the IdP-initiated response: %q %q %v", pg.Title, pg.Alert, err)
	}
	c, _ := creds.TOTPCode(reSeed.FindStringSubmatch(pg.Body)[1], e.h.Clock.Now())
	if pg, err = b.PostTo("/start/signin", pg, url.Values{"code": {c}}); err == nil && pg.Title == "Save your recovery codes" {
		pg, err = b.PostTo("/start/signin", pg, url.Values{})
	}
	if err != nil || pg.Title != "Your AWS accounts" {
		t.Fatalf("after MFA: %q %q %v", pg.Title, pg.Alert, err)
	}
	// No RelayState came with the response: the ACS began the sign-in's
	// AuthWorkflowID, which its MFA and UserAuthentication (to the access
	// portal) share.
	portalSignIn := append(append([]string(nil), externalSignIn[:3]...),
		"UserAuthentication EXTERNAL_IDP Success alice@securecart.example UserName=alice@securecart.example LoginTo=/start/")
	if wf := signInWorkflows(t, e.ev, e.h.URL); len(wf) != 1 || !hasWorkflow(wf, portalSignIn...) {
		t.Errorf("the IdP-initiated sign-in's events: %q, want one workflow of %q", wf, portalSignIn)
	}
	pg, _ = b.Get(e.h.URL + "/device?user_code=" + url.QueryEscape(code))
	if pg.Title != "Approve a sign-in request" || strings.Contains(pg.Body, "Sign in with Okta") {
		t.Fatalf("device page from the portal session: %q", pg.Title)
	}
	pg, _ = b.Post(pg, url.Values{"user_code": {code}})
	if pg, _ = b.Post(pg, url.Values{"decision": {"approve"}}); pg.Title != "Request approved" {
		t.Fatalf("approving: %q %q", pg.Title, pg.Alert)
	}
	e.h.Clock.Advance(2 * time.Second)
	var pending *oidctypes.AuthorizationPendingException
	if _, err := e.oidc.CreateToken(ctx, poll); err != nil {
		t.Fatalf("CreateToken: %v (pending: %v)", err, errors.As(err, &pending))
	}
}
