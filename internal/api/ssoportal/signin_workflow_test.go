package ssoportal_test

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
)

// signInRecord is what a test reads of a sign-in event's CloudTrail record.
type signInRecord struct {
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	EventType    string `json:"eventType"`
	ReadOnly     bool   `json:"readOnly"`
	ErrorMessage string `json:"errorMessage"`
	Recipient    string `json:"recipientAccountId"`
	UserIdentity struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		UserName    string `json:"userName"`
		OnBehalfOf  struct {
			UserID string `json:"userId"`
		} `json:"onBehalfOf"`
	} `json:"userIdentity"`
	Additional map[string]string `json:"additionalEventData"`
	Details    map[string]string `json:"serviceEventDetails"`
}

var reUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Every sign-in event carries additionalEventData as AWS IAM Identity
// Center writes it (Understanding IAM Identity Center sign-in events,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/understanding-sign-in-events.html;
// Username in sign-in CloudTrail events,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/username-sign-in-cloudtrail-events.html):
// one AuthWorkflowID for every event of one sign-in, the CredentialType
// challenged or verified, LoginTo on UserAuthentication, UserName on the
// password's challenge, and serviceEventDetails naming the step's outcome.
// The aws CLI reads them back with `aws cloudtrail lookup-events`, and one
// sign-in is followed by its AuthWorkflowID: a failed password then a full
// first sign-in (new password, authenticator enrollment), and a second
// sign-in with a wrong TOTP code then the right one.
func TestSignInWorkflowWithTheAWSCLI(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	e := startWith(t, servertest.Options{TrailOwner: "218364950271"})
	ctx := servertest.Ctx(t)
	bob := &servertest.Person{UserName: "bob@securecart.example", Password: e.pws["bob@securecart.example"], NewPassword: "Bob-new-passw0rd"}
	verification := func() string {
		reg, err := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public")})
		if err != nil {
			t.Fatal(err)
		}
		da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("x")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(da.VerificationUriComplete)
	}

	// Sign-in 1: a wrong password, then the password, a new one, the
	// authenticator's enrollment, the recovery codes, approval.
	const wrong = "Not-the-passw0rd!"
	b := servertest.NewBrowser(e.h.URL)
	vu := verification()
	pg, err := b.Get(vu)
	if err == nil {
		u, _ := url.Parse(vu)
		pg, err = b.Post(pg, url.Values{"user_code": {u.Query().Get("user_code")}, "username": {bob.UserName}, "password": {wrong}})
	}
	if err != nil || pg.Alert != "The user name or password is incorrect." {
		t.Fatalf("wrong password: %q %v", pg.Alert, err)
	}
	if pg, err := b.Approve(vu, bob, e.h.Clock.Now, true); err != nil || pg.Title != "Request approved" {
		t.Fatalf("first sign-in: %q %v", pg.Title, err)
	}

	// Sign-in 2, a TOTP step later: the password, a wrong code, the right
	// code (made at the instant the server checks it).
	e.h.Clock.Advance(creds.TOTPPeriod - time.Duration(e.h.Clock.Now().UnixNano())%creds.TOTPPeriod)
	b = servertest.NewBrowser(e.h.URL)
	vu = verification()
	u, _ := url.Parse(vu)
	pg, err = b.Get(vu)
	if err == nil {
		pg, err = b.Post(pg, url.Values{"user_code": {u.Query().Get("user_code")}, "username": {bob.UserName}, "password": {bob.Password}})
	}
	if err != nil || pg.Title != "Enter your MFA code" {
		t.Fatalf("second sign-in's password: %q %q %v", pg.Title, pg.Alert, err)
	}
	now := e.h.Clock.Now()
	good, _ := creds.TOTPCode(bob.Seed, now)
	// A wrong code: none of the steps around now's.
	near := map[string]bool{}
	for _, d := range []time.Duration{-2, -1, 0, 1, 2} {
		c, _ := creds.TOTPCode(bob.Seed, now.Add(d*creds.TOTPPeriod))
		near[c] = true
	}
	bad := []byte(good)
	for near[string(bad)] {
		bad[0] = '0' + (bad[0]-'0'+1)%10
	}
	if pg, err = b.Post(pg, url.Values{"code": {string(bad)}}); err != nil || pg.Title != "Enter your MFA code" || pg.Alert == "" {
		t.Fatalf("a wrong code: %q %q %v", pg.Title, pg.Alert, err)
	}
	if pg, err = b.Post(pg, url.Values{"code": {good}}); err != nil || pg.Title != "Allow access?" {
		t.Fatalf("the right code: %q %q %v", pg.Title, pg.Alert, err)
	}

	// The aws CLI reads the sign-in events back, as the security account
	// (the trail's owner) does.
	sec, err := sts.NewFromConfig(e.h.Config(e.h.AdminKeyID, e.h.AdminSecret, "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::218364950271:role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	lookup := func(attr string) []byte {
		t.Helper()
		cmd := exec.Command("/usr/bin/aws", "--endpoint-url", e.h.URL, "--output", "json", "cloudtrail", "lookup-events",
			"--lookup-attributes", attr)
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_PAGER=", "AWS_REGION=us-east-1",
			"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
			"AWS_ACCESS_KEY_ID=" + aws.ToString(sec.Credentials.AccessKeyId), "AWS_SECRET_ACCESS_KEY=" + aws.ToString(sec.Credentials.SecretAccessKey),
			"AWS_SESSION_TOKEN=" + aws.ToString(sec.Credentials.SessionToken)}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws cloudtrail lookup-events %s: %v\n%s", attr, err, out)
		}
		return out
	}
	out := lookup("AttributeKey=EventSource,AttributeValue=signin.amazonaws.com")
	var res struct {
		Events []struct{ EventName, Username, CloudTrailEvent string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), wrong) || strings.Contains(string(out), bob.Password) || strings.Contains(string(out), good) {
		t.Fatalf("a password or code is in the trail:\n%s", out)
	}
	byWorkflow := map[string][]string{}
	var order []string // workflows, oldest first
	for i := len(res.Events) - 1; i >= 0; i-- {
		ev := res.Events[i]
		var r signInRecord
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &r); err != nil {
			t.Fatalf("CloudTrailEvent: %v\n%s", err, ev.CloudTrailEvent)
		}
		// As CloudTrail writes every sign-in event: a service event of the
		// Identity Center instance's account, its outcome in
		// serviceEventDetails, an error message on a failure.
		outcome := map[bool]string{true: "Success", false: "Failure"}[r.ErrorMessage == ""]
		if r.EventSource != "signin.amazonaws.com" || r.EventType != "AwsServiceEvent" || r.ReadOnly || r.Recipient != e.mgmt(t) ||
			len(r.Details) != 1 || r.Details[r.EventName] != outcome || ev.EventName != r.EventName {
			t.Errorf("record: %s", ev.CloudTrailEvent)
		}
		w := r.Additional["AuthWorkflowID"]
		if !reUUID.MatchString(w) {
			t.Errorf("AuthWorkflowID %q is not a UUID: %s", w, ev.CloudTrailEvent)
		}
		// A successful step of a known user is an IdentityCenterUser's
		// (onBehalfOf, no userName), any other step Unknown's (AWS Security
		// Blog, "Modifications to AWS CloudTrail event data of IAM Identity
		// Center": sign-in events "limited to successful authentications").
		// Neither has principalId or userName in userIdentity since July
		// 14, 2025: an Unknown step names its user (or
		// HIDDEN_DUE_TO_SECURITY_REASONS) in additionalEventData.UserName.
		who := r.UserIdentity.Type
		if r.UserIdentity.UserName != "" || r.UserIdentity.PrincipalID != "" {
			t.Errorf("userIdentity with a userName or principalId: %s", ev.CloudTrailEvent)
		}
		if r.UserIdentity.Type == "IdentityCenterUser" && r.UserIdentity.OnBehalfOf.UserID == "" {
			t.Errorf("IdentityCenterUser without onBehalfOf: %s", ev.CloudTrailEvent)
		}
		if r.UserIdentity.Type == "Unknown" && r.Additional["UserName"] == "" {
			t.Errorf("Unknown sign-in event without additionalEventData.UserName: %s", ev.CloudTrailEvent)
		}
		// LookupEvents' Username is the user name the event gives, or the
		// identity store's name of the user it names by ID alone.
		wantName := r.Additional["UserName"]
		if r.UserIdentity.Type == "IdentityCenterUser" {
			wantName = "bob@securecart.example"
		}
		if ev.Username != wantName {
			t.Errorf("Username %q, want %q: %s", ev.Username, wantName, ev.CloudTrailEvent)
		}
		step := r.EventName + " " + r.Additional["CredentialType"] + " " + outcome + " " + who
		if n := r.Additional["UserName"]; n != "" {
			step += " UserName=" + n
		}
		if l := r.Additional["LoginTo"]; l != "" {
			step += " LoginTo=" + strings.TrimPrefix(l, e.h.URL)
		}
		if _, ok := byWorkflow[w]; !ok {
			order = append(order, w)
		}
		byWorkflow[w] = append(byWorkflow[w], step)
	}
	const hidden = "Unknown UserName=HIDDEN_DUE_TO_SECURITY_REASONS"
	want := [][]string{{
		"CredentialChallenge PASSWORD Success " + hidden,
		"CredentialVerification PASSWORD Failure " + hidden,
		"CredentialChallenge PASSWORD Success IdentityCenterUser UserName=bob@securecart.example",
		"CredentialVerification PASSWORD Success IdentityCenterUser",
		"CredentialChallenge TOTP Success IdentityCenterUser",
		"CredentialVerification TOTP Success IdentityCenterUser",
		"UserAuthentication PASSWORD Success IdentityCenterUser LoginTo=/device",
	}, {
		"CredentialChallenge PASSWORD Success IdentityCenterUser UserName=bob@securecart.example",
		"CredentialVerification PASSWORD Success IdentityCenterUser",
		"CredentialChallenge TOTP Success IdentityCenterUser",
		"CredentialVerification TOTP Failure Unknown UserName=bob@securecart.example",
		"CredentialVerification TOTP Success IdentityCenterUser",
		"UserAuthentication PASSWORD,TOTP Success IdentityCenterUser LoginTo=/device",
	}}
	if len(order) != len(want) {
		t.Fatalf("%d sign-in workflows in the trail, want %d: %q", len(order), len(want), byWorkflow)
	}
	for i, w := range order {
		got := slices.Clone(byWorkflow[w])
		// Events of one second come back in no set order: compare the
		// steps, not their sequence.
		slices.Sort(got)
		exp := slices.Clone(want[i])
		slices.Sort(exp)
		if !slices.Equal(got, exp) {
			t.Errorf("sign-in %d (AuthWorkflowID %s):\n%s\nwant\n%s", i+1, w, strings.Join(got, "\n"), strings.Join(exp, "\n"))
		}
	}

	// LookupEvents by Username finds bob's events: those that name him
	// (additionalEventData.UserName), and those that name him by his
	// identity store user ID alone (IdentityCenterUser: the successful
	// steps, his MFA device's registration), and nothing of the hidden
	// user's.
	var byUser struct {
		Events []struct{ EventName, EventSource, Username string }
	}
	if err := json.Unmarshal(lookup("AttributeKey=Username,AttributeValue=bob@securecart.example"), &byUser); err != nil {
		t.Fatal(err)
	}
	var names, others []string
	for _, ev := range byUser.Events {
		if ev.Username != "bob@securecart.example" {
			t.Errorf("Username lookup of bob returned %q's %s", ev.Username, ev.EventName)
		}
		if ev.EventSource == "signin.amazonaws.com" {
			names = append(names, ev.EventName)
		} else {
			others = append(others, ev.EventName)
		}
	}
	slices.Sort(names)
	wantNames := []string{"CredentialChallenge", "CredentialChallenge", "CredentialChallenge", "CredentialChallenge",
		"CredentialVerification", "CredentialVerification", "CredentialVerification", "CredentialVerification", "CredentialVerification",
		"UserAuthentication", "UserAuthentication"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("Username lookup of bob's sign-in events: %q, want %q", names, wantNames)
	}
	if !slices.Contains(others, "CompleteVirtualMfaDeviceRegistration") {
		t.Errorf("Username lookup of bob: no registration of his authenticator among %q", others)
	}
}
