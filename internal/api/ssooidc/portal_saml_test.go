package ssooidc_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
)

// The access portal signs people in through a SAML identity source: no
// password form at /start, "Sign in with Okta" sends a signed
// AuthnRequest, the ACS's result comes back into the portal's sign-in,
// MFA follows (enrollment), and the person lands on the accounts page.
func TestPortalSignInThroughSAML(t *testing.T) {
	e := startSAML(t, false)
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.Get(e.h.URL + "/start")
	if err != nil || pg.Title != "Sign in" || strings.Contains(pg.Body, `name="password"`) || !strings.Contains(pg.Body, "Sign in with Okta") ||
		!strings.Contains(pg.Body, `action="/start/signin"`) {
		t.Fatalf("portal sign-in with a SAML source: %q %v\n%s", pg.Title, err, pg.Body)
	}
	pg, err = b.PostTo("/start/signin", pg, url.Values{"via": {"saml"}})
	m := reIdPLink.FindStringSubmatch(pg.Body)
	if err != nil || pg.Title != "Continue at Okta" || m == nil {
		t.Fatalf("after choosing Okta: %q %q %v", pg.Title, pg.Alert, err)
	}
	acsURL, resp, rs := e.idp.Authenticate(t, b.Client, html.UnescapeString(m[1]), "alice", "correct horse")
	acs := e.acs(t, b, acsURL, resp, rs)
	r := reSAMLResult.FindStringSubmatch(acs.Body)
	if r == nil {
		t.Fatalf("ACS page %q: %q", acs.Title, acs.Alert)
	}
	pg, err = b.PostForm(e.h.URL+"/device", url.Values{"saml_result": {html.UnescapeString(r[1])}})
	if err != nil || pg.Title != "Set up your authenticator" || !strings.Contains(pg.Body, `action="/start/signin"`) {
		t.Fatalf("after the IdP: %q %q %v", pg.Title, pg.Alert, err)
	}
	seed := reSeed.FindStringSubmatch(pg.Body)[1]
	c, _ := creds.TOTPCode(seed, e.h.Clock.Now())
	pg, err = b.PostTo("/start/signin", pg, url.Values{"code": {c}})
	if err == nil && pg.Title == "Save your recovery codes" {
		pg, err = b.PostTo("/start/signin", pg, url.Values{})
	}
	if err != nil || pg.Title != "Your AWS accounts" || !strings.Contains(pg.Body, "DeveloperAccess") || !strings.Contains(pg.Body, "alice@securecart.example") {
		t.Fatalf("after MFA: %q %q %v", pg.Title, pg.Alert, err)
	}
	if n := len(e.ev.Find("signin.amazonaws.com", "UserAuthentication")); n != 1 {
		t.Errorf("%d UserAuthentication records, want 1", n)
	}
}
