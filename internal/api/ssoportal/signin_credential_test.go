package ssoportal_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sso"
)

// A sign-in's events are in the trail as IAM Identity Center writes them
// (IAM Identity Center User Guide, "Example events for IAM Identity Center
// sign-in scenarios",
// https://docs.aws.amazon.com/singlesignon/latest/userguide/sign-in-events-examples.html):
// every successful step of the person, from the first CredentialChallenge
// to UserAuthentication, is an IdentityCenterUser's with the instance's
// account, onBehalfOf and one credentialId, the credential the sign-in
// establishes, which the portal's calls of the session it starts carry
// too; UserAuthentication's CredentialType lists the factors verified
// ("PASSWORD,TOTP"), and a sign-in that had to register an MFA device says
// DeviceEnrollmentRequired beside "PASSWORD". An administrator revokes the
// session by that ID.
func TestSignInCredentialID(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	alice := alice(e)
	aliceID := userIDOf(t, e.h, alice.UserName)
	mgmt := e.mgmt(t)
	in, err := sso.OrgDirectory{Orgs: e.h.Server.State}.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	identity := func(credential string) string {
		return `{"type":"IdentityCenterUser","accountId":"` + mgmt + `","onBehalfOf":{"userId":"` + aliceID + `","identityStoreArn":"` +
			in.IdentityStoreARN() + `"},"credentialId":"` + credential + `"}`
	}
	// signIn signs alice in with a new browser and returns the browser,
	// the sign-in's records and its UserAuthentication.
	signIn := func() (*servertest.Browser, []*audit.Record, *audit.Record) {
		t.Helper()
		before := len(e.ev.All())
		b := servertest.NewBrowser(e.h.URL)
		if _, err := b.SignIn(alice, e.h.Clock.Now); err != nil {
			t.Fatalf("portal sign-in: %v", err)
		}
		var steps []*audit.Record
		var auth *audit.Record
		for _, ev := range e.ev.All()[before:] {
			for _, r := range audit.Records(ev) {
				if r.EventSource != "signin.amazonaws.com" {
					continue
				}
				steps = append(steps, r)
				if r.EventName == "UserAuthentication" {
					auth = r
				}
			}
		}
		if auth == nil || len(steps) < 4 {
			t.Fatalf("sign-in records %d, UserAuthentication %v", len(steps), auth)
		}
		return b, steps, auth
	}
	check := func(steps []*audit.Record, auth *audit.Record, wantCred string, enrolled bool) string {
		t.Helper()
		cred := auth.UserIdentity.CredentialID
		if len(cred) != len("ps-")+24 || cred[:3] != "ps-" {
			t.Fatalf("UserAuthentication credentialId %q", cred)
		}
		for _, r := range steps {
			got, _ := json.Marshal(r.UserIdentity)
			if r.ErrorCode != "" || string(got) != identity(cred) {
				t.Errorf("%s %v: userIdentity %s (error %q)\nwant %s", r.EventName, r.AdditionalEventData, got, r.ErrorCode, identity(cred))
			}
		}
		x, _ := auth.AdditionalEventData.(map[string]any)
		if x["CredentialType"] != wantCred || (x["DeviceEnrollmentRequired"] == "true") != enrolled || (x["DeviceEnrollmentRequired"] != nil && !enrolled) {
			t.Errorf("UserAuthentication additionalEventData %v, want CredentialType %s, DeviceEnrollmentRequired %v", x, wantCred, enrolled)
		}
		return cred
	}

	// The first sign-in: a one-time password, a new one, and the
	// authenticator the person must register.
	_, steps, auth := signIn()
	first := check(steps, auth, "PASSWORD", true)
	// Then password and TOTP, a new credential.
	e.h.Clock.Advance(time.Minute)
	b, steps, auth := signIn()
	second := check(steps, auth, "PASSWORD,TOTP", false)
	if first == second {
		t.Errorf("two sign-ins with one credentialId %s", first)
	}
	// The session's portal calls carry its sign-in's credentialId.
	la := e.ev.Find("sso.amazonaws.com", "ListAccounts")
	if len(la) != 2 || la[0].UserIdentity.CredentialID != first || la[1].UserIdentity.CredentialID != second {
		t.Fatalf("ListAccounts records: %d, credentialIds %v, want %s then %s", len(la), la, first, second)
	}
	// The administrator sees and revokes the second sign-in by that ID:
	// its session ends.
	ss, err := sso.SignIns(ctx, e.h.Store, aliceID, e.h.Clock.Now())
	if err != nil || len(ss) != 2 || ss[0].ID != first || ss[1].ID != second {
		t.Fatalf("alice's sign-ins %+v, %v; want %s and %s", ss, err, first, second)
	}
	if _, err := sso.RevokeSignIns(ctx, e.h.Store, aliceID, second, e.h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if pg, err := b.Get(e.h.URL + "/start"); err != nil || pg.Title != "Sign in" {
		t.Errorf("the revoked sign-in's session still opens the portal: %q %v", pg.Title, err)
	}
	if ss, err := sso.SignIns(ctx, e.h.Store, aliceID, e.h.Clock.Now()); err != nil || len(ss) != 1 || ss[0].ID != first {
		t.Errorf("alice's sign-ins after revoking %s: %+v, %v", second, ss, err)
	}
}

// A sign-in's last step counts once: the form sent again (a second click,
// or a copy of the browser's cookies replayed) while the sign-in's session
// lives is refused, so that one sign-in ID names one session and revoking
// it ends the person's access (before, a second session under the same ID
// replaced the first in the index and outlived the revocation, hidden).
func TestSignInCompletedOnce(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	alice := alice(e)
	aliceID := userIDOf(t, e.h, alice.UserName)
	if _, err := servertest.NewBrowser(e.h.URL).SignIn(alice, e.h.Clock.Now); err != nil { // the first: enrollment
		t.Fatal(err)
	}
	e.h.Clock.Advance(time.Minute)
	b1 := servertest.NewBrowser(e.h.URL)
	pg, err := b1.Get(e.h.URL + "/start")
	if err != nil {
		t.Fatal(err)
	}
	mfa, err := b1.PostTo("/start/signin", pg, url.Values{"username": {alice.UserName}, "password": {alice.Password}})
	if err != nil || mfa.Title != "Enter your MFA code" {
		t.Fatalf("after the password: %q %v", mfa.Title, err)
	}
	// A second and a third browser with the first's cookies, at the same
	// step.
	b2, b3 := servertest.NewBrowser(e.h.URL), servertest.NewBrowser(e.h.URL)
	u, _ := url.Parse(e.h.URL + "/start")
	b2.Client.Jar.SetCookies(u, b1.Client.Jar.Cookies(u))
	b3.Client.Jar.SetCookies(u, b1.Client.Jar.Cookies(u))
	code, _ := creds.TOTPCode(alice.Seed, e.h.Clock.Now())
	if pg, err := b1.PostTo("/start/signin", mfa, url.Values{"code": {code}}); err != nil || pg.Title != "Your AWS accounts" {
		t.Fatalf("the MFA code: %q %q %v", pg.Title, pg.Alert, err)
	}
	e.h.Clock.Advance(31 * time.Second)
	code, _ = creds.TOTPCode(alice.Seed, e.h.Clock.Now())
	if pg, err := b2.PostTo("/start/signin", mfa, url.Values{"code": {code}}); err != nil || pg.Title == "Your AWS accounts" || !strings.Contains(pg.Alert+pg.Body, "completed already") {
		t.Errorf("the last step sent again: %q %q %v; want it refused", pg.Title, pg.Alert, err)
	}
	if pg, err := b2.Get(e.h.URL + "/start"); err != nil || pg.Title != "Sign in" {
		t.Errorf("the second browser opens the portal: %q %v", pg.Title, err)
	}
	ss, err := sso.SignIns(ctx, e.h.Store, aliceID, e.h.Clock.Now())
	if err != nil || len(ss) != 2 {
		t.Fatalf("alice's sign-ins %+v, %v; want the enrollment's and this one", ss, err)
	}
	if _, err := sso.RevokeSignIns(ctx, e.h.Store, aliceID, ss[1].ID, e.h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for i, b := range []*servertest.Browser{b1, b2} {
		if pg, err := b.Get(e.h.URL + "/start"); err != nil || pg.Title != "Sign in" {
			t.Errorf("browser %d after the revocation of %s: %q %v", i+1, ss[1].ID, pg.Title, err)
		}
	}
	// The last step sent again after the revocation: whatever session it
	// gives ends with the revoked sign-in.
	e.h.Clock.Advance(31 * time.Second)
	code, _ = creds.TOTPCode(alice.Seed, e.h.Clock.Now())
	if pg, err := b3.PostTo("/start/signin", mfa, url.Values{"code": {code}}); err != nil || pg.Title == "Your AWS accounts" {
		t.Errorf("the last step sent again after the revocation: %q %q %v; want no portal", pg.Title, pg.Alert, err)
	}
	if pg, err := b3.Get(e.h.URL + "/start"); err != nil || pg.Title != "Sign in" {
		t.Errorf("the third browser after the revocation: %q %v", pg.Title, err)
	}
}
