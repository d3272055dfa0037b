package ssoportal_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/server/servertest"
)

// Sign-in at the device page is in the trail as CloudTrail records Identity
// Center's sign-in events (signin.amazonaws.com,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-sign-in-events.html):
// a failed password is a CredentialVerification with an error that names no
// user and holds no password; a full sign-in adds CredentialChallenge (MFA)
// and UserAuthentication for the person.
func TestSignInEvents(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	reg, _ := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public")})
	da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.Get(aws.ToString(da.VerificationUriComplete))
	if err != nil || !strings.Contains(pg.Body, `name="password"`) {
		t.Fatalf("device page with the directory as identity source: %v %q", err, pg.Title)
	}
	const wrong = "Not-the-passw0rd!"
	pg, _ = b.Post(pg, map[string][]string{"user_code": {aws.ToString(da.UserCode)}, "username": {"bob@securecart.example"}, "password": {wrong}})
	if pg.Alert != "The user name or password is incorrect." {
		t.Fatalf("wrong password: %q", pg.Alert)
	}
	recs := e.ev.Find("signin.amazonaws.com", "CredentialVerification")
	if len(recs) != 1 {
		t.Fatalf("%d CredentialVerification records after a failed password, want 1", len(recs))
	}
	r := recs[0]
	// Unknown, naming no one: no principalId nor userName in userIdentity,
	// the user name hidden in additionalEventData.UserName (AWS Security
	// Blog, "Modifications to AWS CloudTrail event data of IAM Identity
	// Center", in effect since July 14, 2025).
	if r.ErrorCode == "" || r.ErrorMessage != "Failed authentication" || r.UserIdentity.Type != "Unknown" || additionalUserName(r) != "HIDDEN_DUE_TO_SECURITY_REASONS" ||
		r.UserIdentity.UserName != "" || r.UserIdentity.PrincipalID != "" || r.RecipientAccountID != e.mgmt(t) {
		t.Errorf("failed password record: %+v, identity %+v", r, r.UserIdentity)
	}
	// In the instance's account, without onBehalfOf (IAM Identity Center
	// User Guide, "Example events for IAM Identity Center sign-in
	// scenarios": failed sign-in due to incorrect password).
	if r.UserIdentity.OnBehalfOf != nil || r.UserIdentity.AccountID != e.mgmt(t) {
		t.Errorf("failed password record's identity: %+v", r.UserIdentity)
	}
	for _, ev := range e.ev.All() {
		if strings.Contains(ev.Call.Action+ev.ErrorMessage, wrong) || strings.Contains(ev.Call.UserAgent, wrong) {
			t.Errorf("the password is in the trail: %+v", ev)
		}
	}

	// A full sign-in: the password, MFA (enrollment), approval.
	bob := &servertest.Person{UserName: "bob@securecart.example", Password: e.pws["bob@securecart.example"], NewPassword: "Bob-new-passw0rd"}
	e.signIn(t, bob)
	auth := e.ev.Find("signin.amazonaws.com", "UserAuthentication")
	// A successful sign-in is an IdentityCenterUser's: the instance's
	// account and onBehalfOf, no userName nor principalId (AWS Security
	// Blog, "Modifications to AWS CloudTrail event data of IAM Identity
	// Center").
	bobID := userIDOf(t, e.h, "bob@securecart.example")
	who := func(r *audit.Record) string {
		u := r.UserIdentity
		if u.Type == "IdentityCenterUser" && u.OnBehalfOf != nil && u.OnBehalfOf.UserID == bobID && u.UserName == "" {
			return "bob"
		}
		return u.Type + ":" + u.UserName + ":" + additionalUserName(r)
	}
	if len(auth) != 1 || auth[0].UserIdentity.Type != "IdentityCenterUser" || auth[0].UserIdentity.UserName != "" || auth[0].UserIdentity.PrincipalID != "" ||
		auth[0].UserIdentity.AccountID != e.mgmt(t) || auth[0].UserIdentity.OnBehalfOf == nil ||
		auth[0].UserIdentity.OnBehalfOf.UserID != bobID || auth[0].ErrorCode != "" {
		t.Fatalf("UserAuthentication records: %+v", auth)
	}
	// Challenges: the failed password's (hidden), then bob's password
	// and his MFA.
	var ch []string
	for _, r := range e.ev.Find("signin.amazonaws.com", "CredentialChallenge") {
		ch = append(ch, who(r)+"/"+r.AdditionalEventData.(map[string]any)["CredentialType"].(string))
	}
	if got, want := strings.Join(ch, " "), "Unknown::HIDDEN_DUE_TO_SECURITY_REASONS/PASSWORD bob/PASSWORD bob/TOTP"; got != want {
		t.Errorf("CredentialChallenge records %s, want %s", got, want)
	}
	ok := 0
	for _, r := range e.ev.Find("signin.amazonaws.com", "CredentialVerification") {
		if r.ErrorCode == "" && who(r) == "bob" {
			ok++
		}
	}
	if ok != 2 {
		t.Errorf("%d successful CredentialVerification records for bob, want 2 (password, TOTP)", ok)
	}
}
