package ssoportal_test

import (
	"errors"
	wcreds "github.com/securecart/warden/internal/creds"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/securecart/warden/internal/server/servertest"
)

// TestPasskeyInChromium drives the device page in headless Chromium with
// Chromium's virtual WebAuthn authenticator (through chromedriver's
// WebAuthn endpoints), at http://localhost (a relying party ID must be a
// host name): alice signs in with her one-time password, chooses her own,
// registers a passkey as her second factor (the QR code of the
// authenticator-app option is on the page too), sees her recovery codes
// once and approves the device; the SDK then gets tokens. A second sign-in
// uses the passkey alone ("Sign in with a passkey": discoverable, user
// verified); a third uses the password and the passkey as the second
// factor, and opens the manage page. Every page is screenshot (laptop and
// phone sizes) and checked not to be blank; the pages run no inline
// script (the CSP allows script only from the server).
func TestPasskeyInChromium(t *testing.T) {
	e := start(t)
	c := servertest.StartChromium(t)
	auth := c.AddVirtualAuthenticator()
	base := servertest.Localhost(e.h.URL)
	alice := &servertest.Person{UserName: "alice@securecart.example", Password: e.pws["alice@securecart.example"], NewPassword: "Alice-new-passw0rd"}
	const wait = 30 * time.Second
	shot := func(name string) { t.Helper(); c.ShootSizes("mfa-" + name) }

	// 1. Password, new password, passkey enrollment, recovery codes.
	code, poll := e.deviceCode(t)
	c.Open(base + "/device?user_code=" + url.QueryEscape(code))
	c.WaitTitle("Approve a sign-in request", wait)
	if !c.Has(`button[value="passkey"]`) {
		t.Fatal("no passkey button on the first page at localhost")
	}
	shot("signin")
	c.Type("#username", alice.UserName)
	c.Type("#password", alice.Password)
	c.Click(`button[type="submit"]:not([value])`)
	c.WaitTitle("Choose a new password", wait)
	c.Type("#new_password", alice.NewPassword)
	c.Type("#confirm_password", alice.NewPassword)
	c.Click(`button[type="submit"]`)
	c.WaitTitle("Set up your authenticator", wait)
	if !c.Has(`img.qr[src^="data:image/png;base64,"]`) || !strings.Contains(c.Text("main"), "Key:") {
		t.Error("the enrollment page lacks the QR code or the text key")
	}
	shot("enroll")
	c.Type("#key_name", "Laptop passkey")
	c.Click(`button[value="webauthn"]`)
	c.WaitTitle("Save your recovery codes", wait)
	codes := strings.Fields(c.Text("ol.codes"))
	if len(codes) != 10 {
		t.Errorf("recovery codes shown: %q", codes)
	}
	shot("recovery-codes")
	c.Click(`button[type="submit"]`)
	c.WaitTitle("Allow access?", wait)
	shot("approve")
	c.Click(`button[value="approve"]`)
	c.WaitTitle("Request approved", wait)
	e.token(t, poll)
	// Signing in made a portal session; sign out, so that the next device
	// code is approved by signing in again (a session would stand for it).
	c.Click(".bar button")
	c.WaitTitle("Signed out", wait)
	creds := auth.Credentials()
	if len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RPID != "localhost" {
		t.Fatalf("the virtual authenticator holds %+v, want one passkey for localhost", creds)
	}

	// 2. The passkey alone.
	code, poll = e.deviceCode(t)
	c.Open(base + "/device?user_code=" + url.QueryEscape(code))
	c.WaitTitle("Approve a sign-in request", wait)
	c.Click(`button[value="passkey"]`)
	c.WaitTitle("Allow access?", wait)
	c.Click(`button[value="approve"]`)
	c.WaitTitle("Request approved", wait)
	shot("approved")
	e.token(t, poll)
	c.Click(".bar button")
	c.WaitTitle("Signed out", wait)

	// 3. Password, then the passkey as the second factor; the manage page.
	code, poll = e.deviceCode(t)
	c.Open(base + "/device?user_code=" + url.QueryEscape(code))
	c.WaitTitle("Approve a sign-in request", wait)
	c.Type("#username", alice.UserName)
	c.Type("#password", alice.NewPassword)
	c.Click(`button[type="submit"]:not([value])`)
	c.WaitTitle("Enter your MFA code", wait)
	if c.Has("#code") {
		t.Error("the MFA page asks for a TOTP code, but alice has only a passkey")
	}
	shot("mfa")
	c.Click(`button[value="webauthn"]`)
	c.WaitTitle("Allow access?", wait)
	c.Click(`button[value="manage"]`)
	c.WaitTitle("Your MFA devices", wait)
	if txt := c.Text("main"); !strings.Contains(txt, "Laptop passkey") || !strings.Contains(txt, "10 unused") || c.Has(`button[value^="remove:"]`) {
		t.Errorf("manage page: %q (the only factor must not offer removal)", txt)
	}
	shot("manage")
	// Two authenticator apps beside the passkey (AWS allows two apps:
	// https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-mfa.html),
	// then no third is offered; each can be removed.
	for _, name := range []string{"Phone", "Tablet"} {
		c.Click(`button[value="add-totp"]`)
		c.WaitTitle("Set up your authenticator", wait)
		seed := strings.TrimSpace(c.Text("main p code"))
		totp, err := wcreds.TOTPCode(seed, time.Now())
		if err != nil {
			t.Fatalf("TOTP key on the page %q: %v", seed, err)
		}
		c.Type("#app_name", name)
		c.Type("#code", totp)
		c.Click(`button.wide[type="submit"]`)
		c.WaitTitle("Your MFA devices", wait)
		if txt := c.Text("main"); !strings.Contains(txt, "\u201c"+name+"\u201d is set up") {
			t.Errorf("after adding %s: %q", name, txt)
		}
	}
	if txt := c.Text("main"); !strings.Contains(txt, "Phone") || !strings.Contains(txt, "Tablet") || !strings.Contains(txt, "Authenticator app, added") ||
		c.Has(`button[value="add-totp"]`) || !c.Has(`button[value^="remove-app:"]`) || !c.Has(`button[value^="remove:"]`) {
		t.Errorf("manage page with two apps: %q (no third app offered; every factor removable)", txt)
	}
	shot("manage-apps")
	c.Click(`button[value^="remove-app:"]`)
	// The page after the removal has the same title: wait for its notice
	// (the click may return before the browser has the new page).
	for deadline := time.Now().Add(wait); !strings.Contains(c.Text("main"), "The authenticator is removed") && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	c.WaitTitle("Your MFA devices", wait)
	if txt := c.Text("main"); strings.Contains(txt, "Phone") || !strings.Contains(txt, "Tablet") || !c.Has(`button[value="add-totp"]`) {
		t.Errorf("after removing the first app: %q", txt)
	}
	// Renaming the app and the passkey (their serial and credential ID
	// stay: the app's codes and the passkey keep working below).
	waitNotice := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(wait); !strings.Contains(c.Text("main"), want); {
			if time.Now().After(deadline) {
				t.Fatalf("no %q on the manage page: %q", want, c.Text("main"))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	c.Click(`li:has(#name-app-1) details.rename summary`)
	c.Type("#name-app-1", "Work tablet")
	shot("manage-rename")
	c.Click(`li:has(#name-app-1) button[value="rename-app"]`)
	waitNotice("Renamed to \u201cWork tablet\u201d")
	c.Click(`li:has(#name-key-1) details.rename summary`)
	c.Type("#name-key-1", "Laptop (Touch ID)")
	c.Click(`li:has(#name-key-1) button[value="rename-key"]`)
	waitNotice("Renamed to \u201cLaptop (Touch ID)\u201d")
	if txt := c.Text("ul.keys"); !strings.Contains(txt, "Work tablet") || !strings.Contains(txt, "Laptop (Touch ID)") || strings.Contains(txt, "Laptop passkey") {
		t.Errorf("after the renames: %q", txt)
	}
	if n := len(e.ev.Find("sso-directory.amazonaws.com", "UpdateMfaDeviceForUser")); n != 2 {
		t.Errorf("%d UpdateMfaDeviceForUser records, want 2", n)
	}
	c.Click(`button[value="done"]`)
	c.WaitTitle("Allow access?", wait)
	c.Click(`button[value="approve"]`)
	c.WaitTitle("Request approved", wait)
	e.token(t, poll)
	if n := auth.Credentials()[0].SignCount; n < 2 {
		t.Errorf("the passkey signed %d times, want 2", n)
	}
	if src := c.Source(); strings.Contains(src, "<script>") {
		t.Error("a page has an inline script")
	}
	// The trail follows each sign-in by its AuthWorkflowID, with the
	// WebAuthn challenges and verifications as AWS writes them
	// (https://docs.aws.amazon.com/singlesignon/latest/userguide/understanding-sign-in-events.html).
	const a = "alice@securecart.example"
	wf, order := e.ev.SignInWorkflows(e.h.URL)
	want := [][]string{{
		// Password, new password, then a passkey enrolled where the app's
		// code was asked.
		"CredentialChallenge PASSWORD Success " + a + " UserName=" + a, "CredentialVerification PASSWORD Success " + a,
		"CredentialChallenge TOTP Success " + a, "CredentialChallenge WEBAUTHN Success " + a, "CredentialVerification WEBAUTHN Success " + a,
		"UserAuthentication PASSWORD Success " + a + " LoginTo=/device",
	}, {
		// The passkey alone.
		"CredentialChallenge WEBAUTHN Success " + a, "CredentialVerification WEBAUTHN Success " + a,
		"UserAuthentication WEBAUTHN Success " + a + " LoginTo=/device",
	}, {
		// Password, then the passkey as the second factor.
		"CredentialChallenge PASSWORD Success " + a + " UserName=" + a, "CredentialVerification PASSWORD Success " + a,
		"CredentialChallenge WEBAUTHN Success " + a, "CredentialVerification WEBAUTHN Success " + a,
		"UserAuthentication PASSWORD,WEBAUTHN Success " + a + " LoginTo=/device",
	}}
	if len(order) != len(want) {
		t.Fatalf("%d sign-in workflows, want %d: %q", len(order), len(want), wf)
	}
	for i, w := range order {
		if got := wf[w]; w == "" || strings.Join(got, "\n") != strings.Join(want[i], "\n") {
			t.Errorf("sign-in %d (AuthWorkflowID %q):\n%s\nwant\n%s", i+1, w, strings.Join(got, "\n"), strings.Join(want[i], "\n"))
		}
	}
}

// deviceCode starts a device authorization; it returns the user code and
// the CreateToken input.
func (e *env) deviceCode(t *testing.T) (string, *ssooidc.CreateTokenInput) {
	t.Helper()
	ctx := servertest.Ctx(t)
	reg, err := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("chromium"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(da.UserCode), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: da.DeviceCode}
}

// token exchanges an approved device code for tokens.
func (e *env) token(t *testing.T, in *ssooidc.CreateTokenInput) {
	t.Helper()
	e.h.Clock.Advance(2 * time.Second)
	tok, err := e.oidc.CreateToken(servertest.Ctx(t), in)
	var pending *oidctypes.AuthorizationPendingException
	if err != nil || aws.ToString(tok.AccessToken) == "" {
		t.Fatalf("CreateToken after approval: %v (pending %v)", err, errors.As(err, &pending))
	}
}
