package ssoportal_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
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
