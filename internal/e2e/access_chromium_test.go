package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
)

const prodAccount = "654827139045"

// portalPerson is one person signing in at /start in the browser.
type portalPerson struct {
	user, password, newPassword, seed string
	lastCode                          string
}

// signInAt signs a person in at /start: the one-time password and
// enrollment the first time, then the password and a fresh TOTP code (the
// next step's when the current one was used).
func signInAt(t *testing.T, w *webDriver, url string, p *portalPerson) {
	t.Helper()
	w.open(url + "/start")
	w.typeInto("#username", p.user)
	w.typeInto("#password", p.password)
	w.click("button[type=submit]")
	if w.text("h1") == "Choose a new password" {
		w.typeInto("#new_password", p.newPassword)
		w.typeInto("#confirm_password", p.newPassword)
		w.click("button[type=submit]")
		p.password = p.newPassword
	}
	switch w.text("h1") {
	case "Set up your authenticator":
		p.seed = w.text(".card p code")
	case "Enter your MFA code":
	default:
		t.Fatalf("signing %s in: %q", p.user, w.text("h1"))
	}
	w.typeInto("#code", p.code(t))
	w.click("button[type=submit]")
	if w.text("h1") == "Save your recovery codes" {
		// The first enrollment shows the recovery codes once.
		w.click("button[type=submit]")
	}
	if w.text("h1") != "Your AWS accounts" {
		t.Fatalf("after %s's MFA: %q", p.user, w.text("main"))
	}
}

// code is a TOTP code the person has not used yet.
func (p *portalPerson) code(t *testing.T) string {
	t.Helper()
	for d := time.Duration(0); d <= 30*time.Second; d += 30 * time.Second {
		c, err := creds.TOTPCode(p.seed, time.Now().Add(d))
		if err != nil {
			t.Fatal(err)
		}
		if c != p.lastCode {
			p.lastCode = c
			return c
		}
	}
	t.Fatal("no unused TOTP code")
	return ""
}

// pick clicks an element that does not leave the page (an option).
func (w *webDriver) pick(css string) {
	w.t.Helper()
	w.call("POST", "/element/"+w.find(css)+"/click", map[string]any{}, nil)
}

// TestTemporaryAccessInChromium drives time-boxed access in the portal in
// headless Chromium: Vera (a vendor) requests VendorSupport in Prod with a
// reason (refused first for a duration over the policy's maximum); Dave
// (DevOps) finds it waiting, is refused without the form's CSRF token and
// without his MFA code, approves with it; Vera opens the role, gets credentials that work with
// the aws CLI, gives the grant back, and the same credentials are refused
// at once (AccessDenied). Every page is photographed at laptop and phone
// widths (WARDEN_SCREENSHOT_DIR keeps them).
func TestTemporaryAccessInChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	w := startBrowser(t)
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir, "--org", directoryOrg(t))
	pws := readPasswords(t, dir)
	vera := &portalPerson{user: "vera@northwind-support.example", password: pws["vera@northwind-support.example"], newPassword: "Vera-0wn-password"}
	dave := &portalPerson{user: "dave@securecart.example", password: pws["dave@securecart.example"], newPassword: "Dave-0wn-password"}

	// Vera asks.
	signInAt(t, w, srv.URL, vera)
	w.click(`a[href="/start/access"]`)
	if w.text("h1") != "Temporary access" || w.has("#decide") {
		t.Fatalf("Vera's access page: %q (an approver's section: %v)", w.text("h1"), w.has("#decide"))
	}
	w.screenshots("access-empty")
	w.pick(`#target option[value="VendorSupport@` + prodAccount + `"]`)
	w.typeInto("#duration", "PT9H")
	w.typeInto("#reason", "NW-4411: checkout latency in Prod")
	w.click(`form[action="/start/access/request"] button`)
	if !strings.Contains(w.text("[role=alert]"), "longer than the policy VendorSupport allows") || w.text("#reason") != "NW-4411: checkout latency in Prod" {
		t.Errorf("a duration over the maximum: %q", w.text("main"))
	}
	w.screenshots("access-too-long")
	w.typeInto("#duration", "2h")
	w.click(`form[action="/start/access/request"] button`)
	if !strings.Contains(w.text("[role=status]"), "sent") || !strings.Contains(w.text("#mine"), "PENDING") {
		t.Fatalf("request: %q", w.text("main"))
	}
	id := regexp.MustCompile(`ar-[0-9a-f]{16}`).FindString(w.text("#mine"))
	w.screenshots("access-requested")
	w.click(".bar button")

	// Dave decides.
	signInAt(t, w, srv.URL, dave)
	w.open(srv.URL + "/start/access")
	if !strings.Contains(w.text("#decide"), vera.user) || !strings.Contains(w.text("#decide"), "NW-4411") {
		t.Fatalf("Dave's decisions: %q", w.text("main"))
	}
	w.screenshots("access-to-decide")
	// Negative twin: the approval form without its CSRF token.
	w.script(`document.querySelector('form[action="/start/access/approve"] input[name=csrf]').remove()`)
	w.click(`form[action="/start/access/approve"] button[type=submit]:not([formaction])`)
	if h := w.text("h1"); h != "Request refused" {
		t.Fatalf("approval without the CSRF token: %q", h)
	}
	w.open(srv.URL + "/start/access")
	w.click(`form[action="/start/access/approve"] button[type=submit]:not([formaction])`)
	if !strings.Contains(w.text("[role=alert]"), "requires MFA") {
		t.Errorf("approval without MFA: %q", w.text("main"))
	}
	w.screenshots("access-approve-no-mfa")
	w.typeInto("#code-"+id, dave.code(t))
	w.typeInto("#comment-"+id, "go ahead")
	w.click(`form[action="/start/access/approve"] button[type=submit]:not([formaction])`)
	if !strings.Contains(w.text("[role=status]"), "You approved") || !strings.Contains(w.text("#decide"), "until") {
		t.Fatalf("approval: %q", w.text("main"))
	}
	w.screenshots("access-approved")
	w.click(".bar button")

	// Vera uses it, then gives it back.
	signInAt(t, w, srv.URL, vera)
	if !w.has("#account-" + prodAccount) {
		t.Fatalf("Prod is not among Vera's accounts after the approval: %q", w.text("main"))
	}
	w.open(srv.URL + "/start/access")
	if !strings.Contains(w.text("#mine"), "ACTIVE") {
		t.Fatalf("Vera's grant: %q", w.text("#mine"))
	}
	w.screenshots("access-active")
	w.click("#mine a.button")
	w.click(`form[action="/start/credentials"] button`)
	if h := w.text("h1"); h != "Credentials for VendorSupport" {
		t.Fatalf("credentials page %q", h)
	}
	w.screenshots("access-credentials")
	snippet := w.text("#credentials-file")
	key := func(name string) string {
		m := regexp.MustCompile(name + ` = (\S+)`).FindStringSubmatch(snippet)
		if m == nil {
			t.Fatalf("no %s in %q", name, snippet)
		}
		return m[1]
	}
	home := t.TempDir()
	env := []string{"HOME=" + home, "AWS_PAGER=", "AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + home + "/config",
		"AWS_SHARED_CREDENTIALS_FILE=" + home + "/credentials",
		"AWS_ACCESS_KEY_ID=" + key("aws_access_key_id"), "AWS_SECRET_ACCESS_KEY=" + key("aws_secret_access_key"),
		"AWS_SESSION_TOKEN=" + key("aws_session_token")}
	if out, err := aws2(t, env, "--endpoint-url", srv.URL, "iam", "list-roles", "--max-items", "1"); err != nil {
		t.Fatalf("the grant's credentials: %v\n%s", err, out)
	}
	w.open(srv.URL + "/start/access")
	w.click(`#mine form[action="/start/access/revoke"] button`)
	if !strings.Contains(w.text("[role=status]"), "You gave back VendorSupport in Prod") || !strings.Contains(w.text("#mine"), "REVOKED") {
		t.Fatalf("giving it back: %q", w.text("main"))
	}
	w.screenshots("access-given-back")
	if out, err := aws2(t, env, "--endpoint-url", srv.URL, "iam", "list-roles", "--max-items", "1"); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Errorf("the revoked grant's credentials: %v\n%s; want AccessDenied", err, out)
	}
	w.open(srv.URL + "/start")
	if w.has("#account-" + prodAccount) {
		t.Errorf("Prod is still among Vera's accounts after she gave the grant back")
	}
}
