package e2e

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
)

// The access portal in headless Chromium with an external identity source
// (issue 13 item 4): the person opens /start, clicks "Sign in with Okta",
// signs in at the real provider's own page (crewjam/saml's IdP; zitadel's
// OpenID provider over TLS from a test CA), comes back, passes MFA,
// chooses DeveloperAccess in Dev, copies the credentials-file snippet and
// uses it with the aws CLI against `warden serve`. The provider's pages
// and Warden's pages of the round trip are photographed at laptop and
// phone widths (WARDEN_SCREENSHOT_DIR keeps them).

// TestPortalSAMLIdPInChromium: SAML 2.0, SP-initiated (Warden's
// AuthnRequest, the IdP's POST binding back to /saml/acs). The org does
// not trust the IdP's MFA, so Warden asks its own: TOTP enrollment, the
// code computed from the key the page shows.
func TestPortalSAMLIdPInChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	w := startBrowser(t)
	start := time.Now()
	idp := servertest.NewSAMLIdP(t)
	idp.NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	idp.AddUser(t, "Alice Martin", "alice@securecart.example", "correct horse", nil)
	md := strings.ReplaceAll(strings.TrimSpace(idp.Metadata(t)), "\n", "\n      ")
	srv := startServer(t, nil, "--data", t.TempDir(), "--org", identitySourceOrg(t, `  externalIdentityProvider:
    type: saml
    name: Okta
    metadata: |
      `+md+"\n"))
	// The IdP imports Warden's SP metadata, as an Okta administrator does.
	idp.PutService(t, "warden", httpGet(t, srv.URL+"/saml/metadata"))

	idpRoundTrip(t, w, srv.URL, "saml", func() {
		waitFor(t, w, `input[name=SAMLRequest]`) // crewjam's login form, holding Warden's AuthnRequest
		if !strings.HasPrefix(w.url(), idp.Srv.URL+"/sso") {
			t.Fatalf("the browser is at %s, not the IdP's SSO endpoint", w.url())
		}
		w.screenshots("saml-idp-login")
		w.typeInto(`input[name=user]`, "alice")
		w.typeInto(`input[name=password]`, "correct horse")
		w.click(`input[type=submit]`) // the IdP's response form posts itself to /saml/acs
	})
	if h := w.text("h1"); h != "Set up your authenticator" {
		t.Fatalf("after the IdP, an org that does not trust its MFA: %q (%s)", h, w.url())
	}
	seed := w.text(".card p code")
	if !regexp.MustCompile(`^[A-Z2-7]{16,}$`).MatchString(seed) {
		t.Fatalf("TOTP key on the page: %q", seed)
	}
	w.screenshots("saml-enroll")
	code, _ := creds.TOTPCode(seed, time.Now())
	w.typeInto("#code", code)
	w.click("button[type=submit]")
	if h := w.text("h1"); h != "Save your recovery codes" {
		t.Fatalf("after MFA: %q (%s)", h, w.url())
	}
	w.click("button[type=submit]")
	credentialsFromPortal(t, w, srv)
	t.Logf("the browser test took %v (a timing, not a test: speed is measured by benchmarks)", time.Since(start).Round(time.Millisecond))
}

// TestPortalOIDCIdPInChromium: OpenID Connect, authorization code flow
// with PKCE. Chromium trusts the provider's certificate by its key alone
// (--ignore-certificate-errors-spki-list with the SHA-256 of the leaf's
// SubjectPublicKeyInfo), not by ignoring certificate errors; warden serve
// trusts the test CA (SSL_CERT_FILE). The org trusts the provider's MFA
// (identityCenter.mfa accepts amr "mfa"), and the provider's ID token says
// the person passed it (amr [pwd, mfa], signed with the provider's own key:
// zitadel's example provider has no MFA step of its own), so Warden asks
// none and the person lands on the accounts.
func TestPortalOIDCIdPInChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	op := servertest.NewOIDCOP(t)
	w := startBrowser(t, "--ignore-certificate-errors-spki-list="+spkiPin(t, op))
	start := time.Now()
	op.AddUser(t, "alice", "alice@securecart.example", "correct horse", nil)
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

	idpRoundTrip(t, w, srv.URL, "oidc", func() {
		waitFor(t, w, `input[name=id]`) // zitadel's login form of this authorization request
		u := w.url()
		if !strings.HasPrefix(u, op.Issuer+"/login/username") {
			t.Fatalf("the browser is at %s, not the provider's login page", u)
		}
		if strings.Contains(u, secret) {
			t.Error("the client secret is in the provider's URL")
		}
		w.screenshots("oidc-op-login")
		w.typeInto("#username", "alice")
		w.typeInto("#password", "correct horse")
		w.click(`button[type=submit]`) // the provider redirects to /oidc/callback
	})
	credentialsFromPortal(t, w, srv)
	if strings.Contains(srv.Stderr.String(), secret) {
		t.Error("the OIDC client secret is in the server's log")
	}
	t.Logf("the browser test took %v (a timing, not a test: speed is measured by benchmarks)", time.Since(start).Round(time.Millisecond))
}

// idpRoundTrip opens /start, chooses the provider, signs in at its page
// (signIn), and continues from Warden's "Signed in as" page.
func idpRoundTrip(t *testing.T, w *webDriver, base, via string, signIn func()) {
	t.Helper()
	w.open(base + "/start")
	if h := w.text("h1"); h != "Sign in" || w.has("#password") {
		t.Fatalf("the portal with an external identity source opens on %q (password form: %v)", h, w.has("#password"))
	}
	if b := w.text(`button[name=via]`); b != "Sign in with Okta" {
		t.Fatalf("the sign-in button says %q", b)
	}
	w.screenshots(via + "-sign-in")
	w.click(`button[name=via][value=` + via + `]`) // "Continue at Okta", which sends the browser on at once
	signIn()
	waitFor(t, w, "h1")
	if h := w.text("h1"); h != "Signed in as alice@securecart.example" || !strings.HasPrefix(w.url(), base) {
		t.Fatalf("back from the provider: %q at %s", h, w.url())
	}
	if p := w.text(".card p"); !strings.HasPrefix(p, "Okta confirmed who you are.") {
		t.Errorf("the page after the provider does not name it: %q", p)
	}
	w.screenshots(via + "-back")
	w.click("button[type=submit]")
}

// credentialsFromPortal goes from the accounts page to DeveloperAccess in
// Dev, gets credentials, and uses the credentials-file snippet with the aws
// CLI: the caller is alice's DeveloperAccess role session.
func credentialsFromPortal(t *testing.T, w *webDriver, srv *server) {
	t.Helper()
	if h := w.text("h1"); h != "Your AWS accounts" {
		t.Fatalf("after MFA: %q (%s) %q", h, w.url(), w.text("main"))
	}
	w.screenshots("idp-accounts")
	w.click("#account-" + devAccount + " a.primary")
	if h := w.text("h1"); h != "DeveloperAccess in Dev" {
		t.Fatalf("role page %q", h)
	}
	w.click(`form[action="/start/credentials"] button`)
	if h := w.text("h1"); h != "Credentials for DeveloperAccess" {
		t.Fatalf("credentials page %q", h)
	}
	who := callerWithSnippet(t, srv, w.text("#credentials-file"))
	if !regexp.MustCompile(`^arn:aws:sts::` + devAccount + `:assumed-role/AWSReservedSSO_DeveloperAccess_[0-9a-f]{16}/alice@securecart.example$`).MatchString(who) {
		t.Errorf("caller = %q", who)
	}
}

// callerWithSnippet writes the portal's credentials-file snippet to a
// fresh credentials file and returns the ARN that
// `aws sts get-caller-identity` with its profile answers.
func callerWithSnippet(t *testing.T, srv *server, snippet string) string {
	t.Helper()
	home := t.TempDir()
	credsFile := filepath.Join(home, "credentials")
	if err := os.WriteFile(credsFile, []byte(snippet+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	profile := strings.Trim(strings.SplitN(snippet, "\n", 2)[0], "[]")
	env := []string{"HOME=" + home, "AWS_SHARED_CREDENTIALS_FILE=" + credsFile, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_PAGER=", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=", "AWS_DEFAULT_REGION=us-east-1"}
	out, err := aws2(t, env, "--profile", profile, "--endpoint-url", srv.URL, "--output", "json", "sts", "get-caller-identity")
	if err != nil {
		t.Fatalf("aws sts get-caller-identity with the copied credentials (profile %q): %v\n%s", profile, err, out)
	}
	var who struct{ Arn string }
	if err := json.Unmarshal([]byte(out), &who); err != nil {
		t.Fatalf("get-caller-identity's answer: %v: %s", err, out)
	}
	return who.Arn
}

// identitySourceOrg is SecureCart's landing zone with block (YAML at
// identityCenter's indentation: externalIdentityProvider, mfa) added to
// identity-center.yaml.
func identitySourceOrg(t *testing.T, block string) string {
	t.Helper()
	dir := directoryOrg(t)
	p := filepath.Join(dir, "identity-center.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^  identityStoreId: .*\n`)
	if !re.Match(data) {
		t.Fatal("identity-center.yaml has no identityStoreId line")
	}
	data = re.ReplaceAllFunc(data, func(m []byte) []byte { return append(append([]byte{}, m...), block...) }) // a copy: m shares data's array
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// spkiPin is the base64 SHA-256 of the provider's leaf certificate's
// SubjectPublicKeyInfo, read over a TLS connection that verifies it with the
// test CA.
func spkiPin(t *testing.T, op *servertest.OIDCOP) string {
	t.Helper()
	cfg := op.Client.Transport.(*http.Transport).TLSClientConfig.Clone()
	conn, err := tls.Dial("tcp", strings.TrimPrefix(op.Issuer, "https://"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// waitFor waits (60 s at most) until a CSS selector finds an element: after
// redirections and self-posting forms, whose end no click can wait for.
func waitFor(t *testing.T, w *webDriver, css string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !w.has(css) {
		if time.Now().After(deadline) {
			var src string
			w.call("GET", "/source", nil, &src)
			t.Fatalf("no %q within 60 s at %s:\n%s", css, w.url(), src)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func httpGet(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	return string(b)
}
