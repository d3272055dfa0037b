package ssoportal_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/cli"
	"github.com/securecart/warden/internal/server/servertest"
)

// wardenCLI runs `warden ARGS --database URL --master-key-file F` in-process
// beside the replicas, and returns stdout, stderr and the exit status.
func wardenCLI(t *testing.T, h *servertest.Harness, args ...string) (string, string, int) {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(h.MasterKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := cli.Main(append(args, "--database", h.DatabaseURL, "--master-key-file", keyFile),
		cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: h.Clock.Now})
	return out.String(), errb.String(), code
}

// An administrator lists a person's active sessions and revokes them
// (AWS IAM Identity Center's console: Users > Active sessions > Delete
// session, https://docs.aws.amazon.com/singlesignon/latest/userguide/end-active-sessions.html)
// with `warden sso sessions`, beside two replicas on one PostgreSQL
// database: revoking one sign-in (warden login's) ends its tokens and the
// role credentials it got on both replicas at once, and leaves the portal
// session and its credentials; revoking all ends the rest; each revocation
// is in the trail.
func TestAdminRevokesSessionsOnTwoReplicas(t *testing.T) {
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{TrailOwner: "218364950271"})
	a, b := hs[0], hs[1]
	ctx := servertest.Ctx(t)
	p, aliceID := aliceOnReplicas(t, a)

	// A portal session on A, and its role credentials.
	br := servertest.NewBrowser(a.URL)
	if _, err := br.SignIn(p, a.Clock.Now); err != nil {
		t.Fatalf("portal sign-in on A: %v", err)
	}
	pg, _ := br.Get(a.URL + "/start?q=dev+developeraccess")
	m := reLink.FindStringSubmatch(pg.Body)
	if m == nil {
		t.Fatalf("no Open link for Dev:\n%s", pg.Body)
	}
	pg, _ = br.Get(a.URL + html.UnescapeString(m[1]))
	acct := regexp.MustCompile(`name="account" value="(\d{12})"`).FindStringSubmatch(pg.Body)
	if acct == nil {
		t.Fatalf("role page %q", pg.Title)
	}
	cp, err := br.PostTo("/start/credentials", pg, url.Values{"account": {acct[1]}, "role": {"DeveloperAccess"}})
	if err != nil {
		t.Fatal(err)
	}
	pc := credentialsFile(t, cp)

	// warden login's sign-in on B (its TOTP code a step later), and the
	// role credentials the SDK gets with its token on B.
	b.Clock.Set(a.Clock.Now().Add(31 * time.Second))
	a.Clock.Set(b.Clock.Now())
	token := b.SignInToken(t, p)
	portal := sso.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(b.URL), Credentials: aws.AnonymousCredentials{},
		Retryer: servertest.Retryer})
	rc, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: aws.String(token), AccountId: aws.String(acct[1]), RoleName: aws.String("DeveloperAccess")})
	if err != nil {
		t.Fatalf("GetRoleCredentials on B: %v", err)
	}
	a.Clock.Set(b.Clock.Now())
	whoami := func(h *servertest.Harness, key, secret, tok string) error {
		_, err := sts.NewFromConfig(h.Config(key, secret, tok)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}
	device := func(h *servertest.Harness) error {
		return whoami(h, aws.ToString(rc.RoleCredentials.AccessKeyId), aws.ToString(rc.RoleCredentials.SecretAccessKey), aws.ToString(rc.RoleCredentials.SessionToken))
	}
	portalCreds := func(h *servertest.Harness) error {
		return whoami(h, pc["aws_access_key_id"], pc["aws_secret_access_key"], pc["aws_session_token"])
	}
	for _, h := range hs {
		if err := device(h); err != nil {
			t.Fatalf("the SDK's role credentials before any revocation: %v", err)
		}
		if err := portalCreds(h); err != nil {
			t.Fatalf("the portal's role credentials before any revocation: %v", err)
		}
	}

	// The administrator lists alice's sessions.
	type listed struct {
		UserID   string
		Sessions []struct{ ID, Kind, Source, Client string }
	}
	list := func() listed {
		t.Helper()
		out, errOut, code := wardenCLI(t, a, "sso", "sessions", "list", "alice@securecart.example", "--format", "json")
		var l listed
		if code != 0 || json.Unmarshal([]byte(out), &l) != nil {
			t.Fatalf("sessions list: exit %d\n%s%s", code, out, errOut)
		}
		return l
	}
	l := list()
	// Oldest first: the browser's portal session, then warden login's
	// device sign-in and the portal session its approval started.
	var portalID, deviceID string
	for _, s := range l.Sessions {
		switch {
		case s.Kind == "portal" && portalID == "":
			portalID = s.ID
		case s.Kind == "device":
			deviceID = s.ID
		}
	}
	if l.UserID != aliceID || len(l.Sessions) != 3 || l.Sessions[0].ID != portalID || !strings.HasPrefix(portalID, "ps-") || !strings.HasPrefix(deviceID, "g-") {
		t.Fatalf("alice's sessions: %+v; want two portal sessions and a device sign-in", l)
	}
	if out, _, _ := wardenCLI(t, a, "sso", "sessions", "list", "alice@securecart.example"); !strings.Contains(out, portalID) || !strings.Contains(out, deviceID) {
		t.Errorf("sessions list (text):\n%s", out)
	}
	if _, errOut, code := wardenCLI(t, a, "sso", "sessions", "revoke", "alice@securecart.example", "--session", "g-nothing"); code != 1 || !strings.Contains(errOut, "no active session g-nothing") {
		t.Errorf("revoking an unknown session: exit %d %s", code, errOut)
	}
	if _, errOut, code := wardenCLI(t, a, "sso", "sessions", "list", "nobody@securecart.example"); code != 2 || !strings.Contains(errOut, "no user") {
		t.Errorf("an unknown user: exit %d %s", code, errOut)
	}

	// Revoking warden login's sign-in: its token and its role credentials
	// are refused on both replicas at once; the portal's are not.
	if _, errOut, code := wardenCLI(t, a, "sso", "sessions", "revoke", "alice@securecart.example", "--session", deviceID); code != 0 {
		t.Fatalf("revoke %s: exit %d %s", deviceID, code, errOut)
	}
	var unauth *ssotypes.UnauthorizedException
	if _, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String(token)}); !errors.As(err, &unauth) {
		t.Errorf("the revoked sign-in's access token on B: %v, want UnauthorizedException", err)
	}
	for i, h := range hs {
		if err := device(h); err == nil || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), "revoked") {
			t.Errorf("replica %d: the revoked sign-in's role credentials: %v, want AccessDenied", i, err)
		}
		if err := portalCreds(h); err != nil {
			t.Errorf("replica %d: the portal's role credentials after another session's revocation: %v", i, err)
		}
	}
	if pg, _ := (&servertest.Browser{Client: br.Client, Base: b.URL}).Get(b.URL + "/start"); pg.Title != "Your AWS accounts" {
		t.Errorf("the portal session on B after another session's revocation: %q", pg.Title)
	}
	if l := list(); len(l.Sessions) != 2 || l.Sessions[0].ID != portalID || l.Sessions[1].Kind != "portal" {
		t.Errorf("sessions after revoking %s: %+v", deviceID, l.Sessions)
	}

	// Revoking all: the portal session on both replicas, its credentials.
	if _, errOut, code := wardenCLI(t, a, "sso", "sessions", "revoke", "alice@securecart.example"); code != 0 || !strings.Contains(errOut, "2 active session(s)") {
		t.Fatalf("revoke all: exit %d %s", code, errOut)
	}
	for i, h := range hs {
		if pg, _ := (&servertest.Browser{Client: br.Client, Base: h.URL}).Get(h.URL + "/start"); pg.Title != "Sign in" {
			t.Errorf("replica %d: the portal session after revoking all: %q", i, pg.Title)
		}
		if err := portalCreds(h); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
			t.Errorf("replica %d: the portal's role credentials after revoking all: %v", i, err)
		}
	}
	if l := list(); len(l.Sessions) != 0 {
		t.Errorf("sessions after revoking all: %+v", l.Sessions)
	}
	// The person signs in again: a new session works.
	a.Clock.Advance(31 * time.Second)
	b.Clock.Set(a.Clock.Now())
	if pg, err := servertest.NewBrowser(a.URL).SignIn(p, a.Clock.Now); err != nil || pg.Title != "Your AWS accounts" {
		t.Errorf("signing in again after the revocation: %q %v", pg.Title, err)
	}

	// The trail holds both revocations, naming the sessions.
	out, errOut, code := wardenCLI(t, a, "audit", "lookup", "--event-name", "RevokeUserSessions", "--format", "json")
	if code != 0 {
		t.Fatalf("audit lookup: exit %d %s", code, errOut)
	}
	if n := strings.Count(out, `"eventName": "RevokeUserSessions"`) + strings.Count(out, `"eventName":"RevokeUserSessions"`); n != 2 ||
		!strings.Contains(out, deviceID) || !strings.Contains(out, portalID) || !strings.Contains(out, aliceID) {
		t.Errorf("RevokeUserSessions records (%d):\n%s", n, out)
	}
	// By the operator on the store, no authenticated person: Unknown in
	// the Identity Center instance's account, as Identity Center writes
	// what no authenticated user did (AWS Security Blog, "Modifications to
	// AWS CloudTrail event data of IAM Identity Center": "for
	// unauthenticated users, the userIdentity type will remain Unknown").
	if want := `"userIdentity":{"type":"Unknown","accountId":"` + mgmtOf(t, a) + `"}`; strings.Count(out, want) != 2 {
		t.Errorf("RevokeUserSessions records' userIdentity, want %s twice:\n%s", want, out)
	}
}
