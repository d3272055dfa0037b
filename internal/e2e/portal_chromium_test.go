package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
)

// TestPortalInChromium drives the access portal of `warden serve` in
// headless Chromium, as a person would: sign in at /start with the one-time
// password, choose a new one, enroll TOTP (the code computed from the key
// the page shows; a wrong code first), save the recovery codes, see the
// accounts, approve `warden login`'s device code from the portal session
// (the code confirmed, no password) and use the profile it writes, search,
// open
// DeveloperAccess in Dev, get credentials, copy the credentials-file
// snippet and use it with the aws CLI. Negative twins in the browser: a
// form posted without its CSRF token is refused, a reused TOTP code is
// refused, and a session ended by "sign out everywhere" shows the sign-in
// again. Every page is photographed at laptop and phone widths
// (WARDEN_SCREENSHOT_DIR keeps them). The cookie's flags are those of
// loopback HTTP: HttpOnly, SameSite=Lax, Path=/, not Secure.
func TestPortalInChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	w := startBrowser(t)
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir, "--org", directoryOrg(t))
	pws := readPasswords(t, dir)
	start := time.Now()

	// Sign in.
	w.open(srv.URL + "/start")
	if w.text("h1") != "Sign in" {
		t.Fatalf("the portal opens on %q", w.text("h1"))
	}
	// The stylesheet is applied under the CSP (the bar is dark navy).
	if bg := w.css(".bar", "background-color"); bg != "rgb(17, 26, 46)" && bg != "rgba(17, 26, 46, 1)" {
		t.Errorf("the stylesheet is not applied: .bar background %q", bg)
	}
	w.screenshots("sign-in")
	w.typeInto("#username", "alice@securecart.example")
	w.typeInto("#password", "not her password")
	w.click("button[type=submit]")
	if !strings.Contains(w.text("[role=alert]"), "incorrect") {
		t.Errorf("a wrong password: %q", w.text("[role=alert]"))
	}
	w.screenshots("sign-in-error")
	w.typeInto("#username", "alice@securecart.example")
	w.typeInto("#password", pws["alice@securecart.example"])
	w.click("button[type=submit]")
	if w.text("h1") != "Choose a new password" {
		t.Fatalf("after the one-time password: %q", w.text("h1"))
	}
	w.screenshots("new-password")
	w.typeInto("#new_password", "Alice-0wn-password")
	w.typeInto("#confirm_password", "Alice-0wn-password")
	w.click("button[type=submit]")
	if w.text("h1") != "Set up your authenticator" {
		t.Fatalf("after the new password: %q", w.text("h1"))
	}
	seed := w.text(".card p code")
	if !regexp.MustCompile(`^[A-Z2-7]{16,}$`).MatchString(seed) {
		t.Fatalf("TOTP key on the page: %q", seed)
	}
	w.screenshots("enroll")
	code, _ := creds.TOTPCode(seed, time.Now())
	wrong := map[bool]string{true: "123456", false: "654321"}[code != "123456"]
	w.typeInto("#code", wrong)
	w.click("button[type=submit]")
	if !strings.Contains(w.text("[role=alert]"), "not correct") {
		t.Errorf("a wrong TOTP code: %q", w.text("[role=alert]"))
	}
	w.typeInto("#code", code)
	w.click("button[type=submit]")
	if w.text("h1") != "Save your recovery codes" {
		t.Fatalf("after MFA: %q (%s)", w.text("h1"), w.url())
	}
	if n := len(strings.Fields(w.text("ol.codes"))); n != 10 {
		t.Errorf("%d recovery codes shown, want 10", n)
	}
	w.screenshots("recovery-codes")
	w.click("button[type=submit]")
	if w.text("h1") != "Your AWS accounts" {
		t.Fatalf("after the recovery codes: %q (%s)", w.text("h1"), w.url())
	}
	w.screenshots("accounts")
	var session *webCookie
	for _, c := range w.cookies() {
		if c.Name == "warden-session" {
			session = &c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != "Lax" || session.Path != "/" || session.Secure {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over loopback HTTP", session)
	}

	// warden login's device code, approved from the portal session: the
	// code is confirmed, then allowed, without a password; the profile it
	// writes works with the aws CLI.
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "AWS_PAGER=", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=",
		"AWS_SESSION_TOKEN=", "AWS_PROFILE=", "AWS_DEFAULT_REGION=us-east-1", "DISPLAY="}
	cmd := boundedCommand(t, wardenBin, "login", "--endpoint", srv.URL, "--no-browser", "--account", "Dev", "--permission-set", "DeveloperAccess")
	cmd.Env = append(os.Environ(), env...)
	stderr, _ := cmd.StderrPipe()
	var loginOut lockedBuffer
	cmd.Stdout = &loginOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	verification := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			loginOut.Write([]byte(sc.Text() + "\n"))
			if m := reVerification.FindStringSubmatch(sc.Text()); m != nil {
				verification <- m[1]
			}
		}
		close(verification)
	}()
	u, ok := <-verification
	if !ok {
		t.Fatalf("warden login printed no verification URL:\n%s", loginOut.String())
	}
	w.open(u)
	if h := w.text("h1"); h != "Approve a sign-in request" || w.has("#password") {
		t.Fatalf("the device page from the portal session: %q", h)
	}
	w.screenshots("device-code")
	w.click(`main form[action="/device"] button`)
	if h := w.text("h1"); h != "Allow access?" {
		t.Fatalf("after confirming the code: %q %q", h, w.text("main"))
	}
	w.screenshots("device-allow")
	w.click(`button[value=approve]`)
	if h := w.text("h1"); h != "Request approved" {
		t.Fatalf("after allowing: %q", h)
	}
	w.screenshots("device-approved")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("warden login: %v\n%s", err, loginOut.String())
	}
	if out, err := aws2(t, env, "--profile", "Dev-DeveloperAccess", "--endpoint-url", srv.URL, "--output", "json", "sts", "get-caller-identity"); err != nil ||
		!strings.Contains(out, "AWSReservedSSO_DeveloperAccess_") {
		t.Errorf("the profile warden login wrote: %v\n%s", err, out)
	}

	// Search, open DeveloperAccess in Dev, get credentials.
	w.open(srv.URL + "/start")
	w.typeInto("#q", "dev")
	w.click(".search button")
	if !strings.Contains(w.url(), "/start?q=dev") || !w.has("#account-"+devAccount) {
		t.Fatalf("search: %s", w.url())
	}
	w.screenshots("search")
	w.click("#account-" + devAccount + " a.primary")
	if h := w.text("h1"); h != "DeveloperAccess in Dev" {
		t.Fatalf("role page %q", h)
	}
	w.screenshots("role")

	// Negative twin: the same form without its CSRF token.
	w.script(`document.querySelector('form[action="/start/credentials"] input[name=csrf]').remove()`)
	w.click(`form[action="/start/credentials"] button`)
	if h := w.text("h1"); h != "Request refused" || w.has("#credentials-file") {
		t.Fatalf("credentials without the CSRF token: %q", h)
	}
	w.screenshots("csrf-refused")
	w.open(srv.URL + "/start/role?account=" + devAccount + "&role=DeveloperAccess")
	w.click(`form[action="/start/credentials"] button`)
	if h := w.text("h1"); h != "Credentials for DeveloperAccess" {
		t.Fatalf("credentials page %q", h)
	}
	w.screenshots("credentials")
	snippet := w.text("#credentials-file")
	if who := callerWithSnippet(t, srv, snippet); !regexp.MustCompile(`^arn:aws:sts::` + devAccount + `:assumed-role/AWSReservedSSO_DeveloperAccess_[0-9a-f]{16}/alice@securecart.example$`).MatchString(who) {
		t.Errorf("caller = %q", who)
	}
	// The secret is in no log line of the server, nor in a URL.
	secret := regexp.MustCompile(`aws_secret_access_key = (\S+)`).FindStringSubmatch(snippet)
	if secret == nil || strings.Contains(srv.Stderr.String(), secret[1]) || strings.Contains(w.url(), secret[1]) {
		t.Error("the secret access key is in the server's log or the URL")
	}

	// Sign out, then a reused TOTP code is refused at the next sign-in.
	w.click(".bar button")
	if h := w.text("h1"); h != "Signed out" {
		t.Fatalf("after signing out: %q", h)
	}
	w.screenshots("signed-out")
	w.open(srv.URL + "/start")
	w.typeInto("#username", "alice@securecart.example")
	w.typeInto("#password", "Alice-0wn-password")
	w.click("button[type=submit]")
	if w.text("h1") != "Enter your MFA code" {
		t.Fatalf("second sign-in: %q", w.text("h1"))
	}
	w.screenshots("mfa")
	w.typeInto("#code", code)
	w.click("button[type=submit]")
	if !strings.Contains(w.text("[role=alert]"), "already used") {
		t.Errorf("a reused TOTP code: %q", w.text("[role=alert]"))
	}
	w.screenshots("mfa-reused")
	next, _ := creds.TOTPCode(seed, time.Now().Add(30*time.Second)) // the next step's code: within the accepted window, never used
	w.typeInto("#code", next)
	w.click("button[type=submit]")
	if w.text("h1") != "Your AWS accounts" {
		t.Fatalf("after a fresh code: %q %q", w.text("h1"), w.text("main"))
	}

	// Sign out everywhere; the browser's session is over.
	w.click(`input[name=everywhere] + button`)
	if !strings.Contains(w.text("main"), "signed out everywhere") {
		t.Errorf("sign out everywhere: %q", w.text("main"))
	}
	w.open(srv.URL + "/start?q=dev")
	if w.text("h1") != "Sign in" {
		t.Errorf("after signing out everywhere: %q", w.text("h1"))
	}
	t.Logf("the browser test took %v (a timing, not a test: speed is measured by benchmarks)", time.Since(start).Round(time.Millisecond))
}
