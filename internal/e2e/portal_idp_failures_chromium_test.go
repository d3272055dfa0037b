package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/server/servertest"
)

// Failures at the identity provider, in headless Chromium (issue 13's
// follow-up, item 4): what a person sees when the provider does not sign
// them in, photographed at laptop and phone widths (WARDEN_SCREENSHOT_DIR
// keeps them).

// TestPortalOIDCFailuresInChromium: at the OpenID provider's own login
// page (zitadel's, over TLS), bob, whom the provider refuses
// (error=access_denied, as Okta answers for a person not assigned to the
// application), lands on a portal page that names the provider and the
// reason, with no session; alice types a wrong password (the provider's
// page says so, Warden hears nothing), then the right one, and reaches
// her accounts.
func TestPortalOIDCFailuresInChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	op := servertest.NewOIDCOP(t)
	w := startBrowser(t, "--ignore-certificate-errors-spki-list="+spkiPin(t, op))
	op.AddUser(t, "alice", "alice@securecart.example", "correct horse", nil)
	op.AddUser(t, "bob", "bob@securecart.example", "battery staple", nil)
	op.Deny("bob", "User is not assigned to the client application.")
	op.RewriteIDToken(func(raw string) string {
		c := servertest.Claims(t, raw)
		c["amr"] = []string{"pwd", "mfa"}
		return op.Sign(t, c, "RS256", nil)
	})
	const secretEnv = "WARDEN_TEST_PORTAL_OIDC_SECRET"
	secret := "portal-client-secret-0123456789"
	srv := startServer(t, []string{"SSL_CERT_FILE=" + op.CAFile, secretEnv + "=" + secret},
		"--data", t.TempDir(), "--org", identitySourceOrg(t, `  externalIdentityProvider:
    type: oidc
    name: Okta
    issuer: `+op.Issuer+`
    clientId: warden
    clientSecretEnv: `+secretEnv+`
  mfa:
    trustIdentityProvider: true
    acceptedAuthnContexts: [mfa]
`))
	op.AddClient("warden", secret, srv.URL+"/oidc/callback")
	toProvider := func() {
		t.Helper()
		w.open(srv.URL + "/start")
		w.click(`button[name=via][value=oidc]`)
		waitFor(t, w, `input[name=id]`) // the provider's login form
	}
	login := func(user, password string) {
		t.Helper()
		w.typeInto("#username", user)
		w.typeInto("#password", password)
		w.click(`button[type=submit]`)
		waitFor(t, w, "h1, #username")
	}

	// The provider refuses bob: a clear page, no session.
	toProvider()
	login("bob", "battery staple")
	if h := w.text("h1"); h != "Sign-in failed" {
		t.Fatalf("after the provider's access_denied: %q at %s", h, w.url())
	}
	msg := w.text(`p[role=alert]`)
	for _, want := range []string{"Okta did not sign you in", "not allowed to use this application", "access_denied",
		"User is not assigned to the client application."} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal page says %q, without %q", msg, want)
		}
	}
	if p := w.text(".card p:last-child"); !strings.HasPrefix(p, "You are not signed in.") {
		t.Errorf("the refusal page's advice: %q", p)
	}
	w.screenshots("oidc-access-denied")
	w.click(`a[href="/start"]`)
	if h := w.text("h1"); h != "Sign in" {
		t.Errorf("Start again after the refusal: %q (a session was started?)", h)
	}

	// alice mistypes her password at the provider, then types it right.
	toProvider()
	login("alice", "wrong horse")
	if !w.has("#username") || !strings.Contains(w.text("form p"), "wrong") || !strings.HasPrefix(w.url(), op.Issuer) {
		t.Fatalf("after a wrong password the provider's page shows %q at %s", w.text("form p"), w.url())
	}
	w.screenshots("oidc-op-wrong-password")
	login("alice", "correct horse")
	if h := w.text("h1"); h != "Signed in as alice@securecart.example" {
		t.Fatalf("after the right password: %q at %s", h, w.url())
	}
	w.click("button[type=submit]")
	if h := w.text("h1"); h != "Your AWS accounts" {
		t.Fatalf("after the provider's sign-in: %q", h)
	}
	w.screenshots("oidc-after-retry")
	if strings.Contains(srv.Stderr.String(), secret) {
		t.Error("the OIDC client secret is in the server's log")
	}
}

// TestPortalSAMLFailureInChromium: the SAML IdP (crewjam's) answers the
// sign-in with a failed status (Responder / AuthnFailed, its message, no
// assertion), posted to Warden's ACS: the page names the IdP and the
// reason, and no session starts.
func TestPortalSAMLFailureInChromium(t *testing.T) {
	w := startBrowser(t)
	idp := servertest.NewSAMLIdP(t)
	idp.NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	idp.AddUser(t, "Alice Martin", "alice@securecart.example", "correct horse", nil)
	idp.Refuse("alice", "AuthnFailed", "Your account is locked. Contact the help desk.")
	md := strings.ReplaceAll(strings.TrimSpace(idp.Metadata(t)), "\n", "\n      ")
	srv := startServer(t, nil, "--data", t.TempDir(), "--org", identitySourceOrg(t, `  externalIdentityProvider:
    type: saml
    name: Okta
    metadata: |
      `+md+"\n"))
	idp.PutService(t, "warden", httpGet(t, srv.URL+"/saml/metadata"))
	w.open(srv.URL + "/start")
	w.click(`button[name=via][value=saml]`)
	waitFor(t, w, `input[name=SAMLRequest]`)
	w.typeInto(`input[name=user]`, "alice")
	w.typeInto(`input[name=password]`, "correct horse")
	w.click(`input[type=submit]`) // the IdP's refusal posts itself to /saml/acs
	waitFor(t, w, "h1")
	if h := w.text("h1"); h != "Sign-in failed" || !strings.HasPrefix(w.url(), srv.URL+"/saml/acs") {
		t.Fatalf("after the IdP's AuthnFailed: %q at %s", h, w.url())
	}
	msg := w.text(`p[role=alert]`)
	for _, want := range []string{"Okta did not sign you in", "could not authenticate you (AuthnFailed)",
		"Your account is locked. Contact the help desk."} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal page says %q, without %q", msg, want)
		}
	}
	if p := w.text(".card p:last-child"); !strings.HasPrefix(p, "You are not signed in.") {
		t.Errorf("the refusal page's advice: %q", p)
	}
	w.screenshots("saml-authn-failed")
	w.click(`a[href="/start"]`)
	if h := w.text("h1"); h != "Sign in" {
		t.Errorf("Start again after the refusal: %q (a session was started?)", h)
	}
}
