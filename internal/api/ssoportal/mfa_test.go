package ssoportal_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

// mfaCondition is the condition block both policies use: MFA present, and
// done less than an hour ago
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthage).
const mfaCondition = `"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}`

// The credentials GetRoleCredentials issues carry the sign-in's MFA
// (aws:MultiFactorAuthPresent true, aws:MultiFactorAuthAge counting from
// when the person passed it), so that a trust policy and an identity policy
// that require recent MFA decide on them: alice's DeveloperAccess session
// may assume MfaGate in Dev (its trust and the permission set both ask for
// MFA less than an hour old) with credentials of a fresh sign-in, and is
// refused with credentials, still valid, of a sign-in 61 minutes old. (The
// server's clock starts 61 minutes back for the first sign-in, then moves
// to now: the SDK signs with the wall clock.)
func TestRoleCredentialsCarryMFA(t *testing.T) {
	e := startAt(t, time.Now().Add(-61*time.Minute))
	ctx := servertest.Ctx(t)
	dev := e.account(t, "Dev")
	if _, err := e.h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		for _, ps := range d.Org.IdentityCenter.PermissionSets {
			if ps.Name == "DeveloperAccess" {
				ps.InlinePolicy = org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
					"Resource": "arn:aws:iam::` + dev + `:role/MfaGate", ` + mfaCondition + `}]}`)
			}
		}
		d.Org.Roles = append(d.Org.Roles, &org.RoleDef{Name: "MfaGate", Accounts: []string{"Dev"},
			Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + dev + `:root"},
				"Action": "sts:AssumeRole", ` + mfaCondition + `}]}`)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	alice := &servertest.Person{UserName: "alice@securecart.example", Password: e.pws["alice@securecart.example"], NewPassword: "Alice-new-passw0rd"}
	signedIn := func() *sts.Client {
		t.Helper()
		tok, _ := e.signIn(t, alice)
		rc, err := e.portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(dev), RoleName: aws.String("DeveloperAccess")})
		if err != nil {
			t.Fatal(err)
		}
		c := rc.RoleCredentials
		return sts.NewFromConfig(e.h.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	}
	old := signedIn()
	e.h.Clock.Set(time.Now())
	fresh := signedIn()
	in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/MfaGate"), RoleSessionName: aws.String("gate")}
	if _, err := fresh.AssumeRole(ctx, in); err != nil {
		t.Fatalf("AssumeRole with MFA a few seconds old: %v", err)
	}
	if _, err := old.AssumeRole(ctx, in); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("AssumeRole with MFA 61 minutes old: %v, want AccessDenied", err)
	}
}

// Recovery codes at the device page: ten shown once after the first
// enrollment; one signs the person in in place of the TOTP code, once; the
// trail records the enrollment, the codes' creation and each use and
// failure with its credential type, never a code.
func TestRecoveryCodeSignIn(t *testing.T) {
	e := start(t)
	bob := &servertest.Person{UserName: "bob@securecart.example", Password: e.pws["bob@securecart.example"], NewPassword: "Bob-new-passw0rd"}
	e.signIn(t, bob)
	if len(bob.RecoveryCodes) != 10 {
		t.Fatalf("recovery codes shown after enrollment: %v", bob.RecoveryCodes)
	}
	code := bob.RecoveryCodes[0]
	useCode := func() servertest.Page {
		t.Helper()
		b := servertest.NewBrowser(e.h.URL)
		uc, _ := e.deviceCode(t)
		pg, err := b.Get(e.h.URL + "/device?user_code=" + url.QueryEscape(uc))
		if err == nil {
			pg, err = b.Post(pg, url.Values{"user_code": {uc}, "username": {bob.UserName}, "password": {bob.Password}})
		}
		if err != nil || pg.Title != "Enter your MFA code" || !strings.Contains(pg.Body, "Use a recovery code") {
			t.Fatalf("MFA page: %q %v", pg.Title, err)
		}
		pg, err = b.Post(pg, url.Values{"method": {"recovery"}, "recovery_code": {strings.ToUpper(code)}})
		if err != nil {
			t.Fatal(err)
		}
		return pg
	}
	if pg := useCode(); pg.Title != "Allow access?" || !strings.Contains(pg.Body, "Codes left: 9") {
		t.Fatalf("after a recovery code: %q %q", pg.Title, pg.Alert)
	}
	if pg := useCode(); pg.Title != "Enter your MFA code" || !strings.Contains(pg.Alert, "already used") {
		t.Errorf("the same recovery code again: %q %q", pg.Title, pg.Alert)
	}
	var types []string
	for _, r := range e.ev.Find("signin.amazonaws.com", "CredentialVerification") {
		ct := ""
		if m, ok := r.AdditionalEventData.(map[string]any); ok {
			ct, _ = m["CredentialType"].(string)
		}
		types = append(types, ct+"/"+map[bool]string{true: "ok", false: "failed"}[r.ErrorCode == ""])
	}
	want := "PASSWORD/ok TOTP/ok PASSWORD/ok RECOVERY_CODE/ok PASSWORD/ok RECOVERY_CODE/failed"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("CredentialVerification records %s, want %s (password and TOTP enrollment, then twice password and recovery code)", got, want)
	}
	for _, name := range []string{"CompleteVirtualMfaDeviceRegistration", "GenerateRecoveryCodes"} {
		// MFA management in the portal is an IdentityCenterUser's (AWS
		// Security Blog, "Modifications to AWS CloudTrail event data of IAM
		// Identity Center").
		if recs := e.ev.Find("sso-directory.amazonaws.com", name); len(recs) != 1 || recs[0].UserIdentity.Type != "IdentityCenterUser" ||
			recs[0].UserIdentity.OnBehalfOf == nil || recs[0].UserIdentity.OnBehalfOf.UserID != userIDOf(t, e.h, bob.UserName) {
			t.Errorf("%s records: %+v", name, recs)
		}
	}
	for _, ev := range e.ev.All() {
		for _, c := range bob.RecoveryCodes {
			if s := recordJSON(t, ev); strings.Contains(s, c) || strings.Contains(s, strings.ReplaceAll(c, "-", "")) {
				t.Fatalf("the trail holds a recovery code: %s", s)
			}
		}
		if s := recordJSON(t, ev); strings.Contains(s, bob.Seed) {
			t.Fatalf("the trail holds the TOTP seed: %s", s)
		}
	}
}

// recordJSON is an event's CloudTrail records as JSON.
func recordJSON(t *testing.T, ev *call.Event) string {
	t.Helper()
	b, err := json.Marshal(audit.Records(ev))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
