package tempaccess_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/api/identitycenter"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

const (
	vera = "vera@northwind-support.example" // Vendors
	dave = "dave@securecart.example"        // DevOps: approves VendorSupport
	alic = "alice@securecart.example"       // Developers: approves nothing
)

// env is a server with SecureCart's landing zone, signing people in with
// the directory's passwords.
type env struct {
	h      *servertest.Harness
	ev     *servertest.Events
	portal *sso.Client
	pws    map[string]string
	people map[string]*servertest.Person
}

func setUp(t *testing.T, h *servertest.Harness, ev *servertest.Events, seed bool) *env {
	t.Helper()
	if seed {
		if _, err := h.Server.State.Mutate(t.Context(), func(d *state.Doc) error {
			d.Org.IdentityCenter.ExternalIdentityProvider = nil
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{h: h, ev: ev, pws: map[string]string{}, people: map[string]*servertest.Person{}}
	if seed {
		sealer, err := creds.NewSealer(h.MasterKey)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(h.Dir, server.PasswordsFile)
		if _, err := server.WriteInitialPasswords(t.Context(), h.Store, sealer, path, h.URL+"/device", h.Clock.Now); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(data), "\n") {
			if u, pw, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
				e.pws[u] = pw
			}
		}
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(h.URL), Retryer: servertest.Retryer,
		Credentials: aws.AnonymousCredentials{}}
	e.portal = sso.NewFromConfig(cfg)
	return e
}

func start(t *testing.T) *env {
	ev := &servertest.Events{}
	return setUp(t, servertest.Start(t, servertest.Options{Audit: ev}), ev, true)
}

// signIn signs a person in with the device flow and returns the access
// token.
func (e *env) signIn(t *testing.T, user string) string {
	t.Helper()
	p := e.people[user]
	if p == nil {
		p = &servertest.Person{UserName: user, Password: e.pws[user], NewPassword: "N3w-passw0rd!" + user[:3]}
		e.people[user] = p
	}
	return e.h.SignInToken(t, p)
}

// code is a person's TOTP code of a step they have not used yet.
func (e *env) code(t *testing.T, user string) string {
	// The clock first moves to the start of the next step: the server
	// checks the code at the very time it was made (a code made at the
	// step's last second and checked 31 s later is two steps old, and
	// refused, which made this test fail 1 time in 30), and no earlier
	// code of this step was given.
	now := e.h.Clock.Now()
	e.h.Clock.Advance(creds.TOTPPeriod - now.Sub(now.Truncate(creds.TOTPPeriod)))
	c, err := creds.TOTPCode(e.people[user].Seed, e.h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// call makes one call of the access API at a server and decodes its answer.
func call(t *testing.T, base, token, method, path string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("x-amz-sso_bearer_token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
	var e struct {
		Type string `json:"__type"`
	}
	json.Unmarshal(data, &e)
	if resp.StatusCode != 200 {
		return resp.StatusCode, e.Type + ": " + string(data)
	}
	return 200, ""
}

type reqOut struct {
	AccessRequest access.Request `json:"accessRequest"`
}

func (e *env) request(t *testing.T, base, token, account, ps, duration string) (reqOut, int, string) {
	var out reqOut
	st, msg := call(t, base, token, "POST", "/access/requests", map[string]string{"accountId": account, "permissionSet": ps,
		"duration": duration, "reason": "ticket NW-4411: checkout latency in " + account}, &out)
	return out, st, msg
}

func (e *env) decide(t *testing.T, base, token, id, verb string, body map[string]string) (reqOut, int, string) {
	var out reqOut
	st, msg := call(t, base, token, "POST", "/access/requests/"+id+"/"+verb, body, &out)
	return out, st, msg
}

func wantRefused(t *testing.T, what string, st int, msg string, status int, code string) {
	t.Helper()
	if st != status || !strings.Contains(msg, code) {
		t.Errorf("%s: %d %s; want %d %s", what, st, msg, status, code)
	}
}

// awsCLI runs Debian's aws CLI with a session's credentials and returns its
// output and whether it succeeded.
func awsCLI(t *testing.T, url string, c aws.Credentials, args ...string) (string, bool) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command("/usr/bin/aws", append([]string{"--endpoint-url", url, "--output", "json"}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_PAGER=", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=" + c.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey, "AWS_SESSION_TOKEN=" + c.SessionToken,
		"AWS_MAX_ATTEMPTS=1"}
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func needCLI(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
}

// roleCreds gets a person's credentials of a permission set in an account.
func (e *env) roleCreds(t *testing.T, portal *sso.Client, token, account, ps string) (aws.Credentials, time.Time, error) {
	rc, err := portal.GetRoleCredentials(servertest.Ctx(t), &sso.GetRoleCredentialsInput{AccessToken: &token, AccountId: &account, RoleName: &ps})
	if err != nil {
		return aws.Credentials{}, time.Time{}, err
	}
	c := rc.RoleCredentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken)}, time.UnixMilli(c.Expiration), nil
}

// assigned lists the users a permission set is assigned to in an account,
// through sso-admin's ListAccountAssignments.
func assigned(t *testing.T, h *servertest.Harness, account, ps string) []string {
	return assignedAt(t, h, h.URL, account, ps)
}

// assignedAt is assigned, asking the server at url with h's administrator.
func assignedAt(t *testing.T, h *servertest.Harness, url, account, ps string) []string {
	t.Helper()
	o, err := h.Server.State.Fresh(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg := h.Config("", "", "")
	cfg.BaseEndpoint = aws.String(url)
	sa := ssoadmin.NewFromConfig(cfg)
	in := o.IdentityCenter.InstanceARN
	out, err := sa.ListAccountAssignments(servertest.Ctx(t), &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &in,
		PermissionSetArn: aws.String(identitycenter.PermissionSetARN(in, ps)), AccountId: &account})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range out.AccountAssignments {
		ids = append(ids, string(a.PrincipalType)+":"+aws.ToString(a.PrincipalId))
	}
	return ids
}

// await waits for a condition, up to a bound.
func await(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, bound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func accountID(t *testing.T, h *servertest.Harness, name string) string {
	o, err := h.Server.State.Org(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	a, ok := o.AccountByName(name)
	if !ok {
		t.Fatalf("no account %s", name)
	}
	return a.ID
}

// SecureCart's vendor access, end to end: Vera (Vendors) asks for
// VendorSupport in Prod; the negative twins are refused; Dave (DevOps)
// approves with MFA; Vera's credentials work with the aws CLI; at expiry the
// same credentials are refused at once (ExpiredToken, as AWS answers an
// expired session) and the assignment is gone from ListAccountAssignments
// within the sweep's bound; every step is in the trail.
func TestVendorAccessExpires(t *testing.T) {
	needCLI(t)
	e := start(t)
	prod := accountID(t, e.h, "Prod")
	tv, td, ta := e.signIn(t, vera), e.signIn(t, dave), e.signIn(t, alic)

	// Negative twins of the request.
	_, st, msg := e.request(t, e.h.URL, tv, prod, "VendorSupport", "PT5H")
	wantRefused(t, "duration over the maximum", st, msg, 400, "ValidationException")
	_, st, msg = e.request(t, e.h.URL, tv, prod, "AdministratorAccess", "PT1H")
	wantRefused(t, "permission set not requestable", st, msg, 403, "AccessDeniedException")
	_, st, msg = e.request(t, e.h.URL, tv, accountID(t, e.h, "Dev"), "VendorSupport", "PT1H")
	wantRefused(t, "account not covered", st, msg, 403, "AccessDeniedException")
	_, st, msg = e.request(t, e.h.URL, ta, prod, "VendorSupport", "PT1H")
	wantRefused(t, "requester not in Vendors", st, msg, 403, "AccessDeniedException")

	r, st, msg := e.request(t, e.h.URL, tv, "Prod", "VendorSupport", "PT2M")
	if st != 200 || r.AccessRequest.Status != access.Pending || r.AccessRequest.AccountID != prod || r.AccessRequest.DurationSeconds != 120 {
		t.Fatalf("request: %d %s %+v", st, msg, r)
	}
	id := r.AccessRequest.ID
	_, st, msg = e.request(t, e.h.URL, tv, prod, "VendorSupport", "PT1M")
	wantRefused(t, "a second open request", st, msg, 409, "ConflictException")
	// Nothing is usable before the approval.
	if _, _, err := e.roleCreds(t, e.portal, tv, prod, "VendorSupport"); err == nil {
		t.Fatal("credentials before the approval")
	}

	// Negative twins of the approval.
	_, st, msg = e.decide(t, e.h.URL, ta, id, "approve", map[string]string{"mfaCode": e.code(t, alic)})
	wantRefused(t, "approver not in the group", st, msg, 403, "AccessDeniedException")
	_, st, msg = e.decide(t, e.h.URL, tv, id, "approve", map[string]string{"mfaCode": e.code(t, vera)})
	wantRefused(t, "self-approval", st, msg, 403, "self-approval is forbidden")
	_, st, msg = e.decide(t, e.h.URL, td, id, "approve", nil)
	wantRefused(t, "approval without MFA", st, msg, 403, "requires MFA")
	_, st, msg = e.decide(t, e.h.URL, td, id, "approve", map[string]string{"mfaCode": "000000"})
	wantRefused(t, "approval with a wrong MFA code", st, msg, 403, "MFA failed")

	code := e.code(t, dave)
	ok, st, msg := e.decide(t, e.h.URL, td, id, "approve", map[string]string{"mfaCode": code, "comment": "go ahead"})
	if st != 200 || ok.AccessRequest.Status != access.Active || ok.AccessRequest.DecidedByName != dave || !ok.AccessRequest.ApproverMFA {
		t.Fatalf("approve: %d %s %+v", st, msg, ok)
	}
	expires := ok.AccessRequest.ExpiresAt
	if expires.Sub(ok.AccessRequest.StartsAt) != 2*time.Minute {
		t.Errorf("grant runs %v, want 2m", expires.Sub(ok.AccessRequest.StartsAt))
	}
	_, st, msg = e.decide(t, e.h.URL, td, id, "approve", map[string]string{"mfaCode": e.code(t, dave)})
	wantRefused(t, "double approval", st, msg, 409, "already approved")
	_, st, msg = e.decide(t, e.h.URL, td, id, "deny", nil)
	wantRefused(t, "deny after approval", st, msg, 409, "already approved")

	if got := assigned(t, e.h, prod, "VendorSupport"); len(got) != 1 || !strings.HasPrefix(got[0], "USER:") {
		t.Fatalf("assignments after approval: %v", got)
	}
	c, exp, err := e.roleCreds(t, e.portal, tv, prod, "VendorSupport")
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(expires) {
		t.Errorf("credentials expire at %v, want the grant's end %v (the set's session is an hour)", exp, expires)
	}
	out, ok2 := awsCLI(t, e.h.URL, c, "iam", "list-roles", "--max-items", "1")
	if !ok2 {
		t.Fatalf("aws iam list-roles with the grant's credentials: %s", out)
	}
	out, _ = awsCLI(t, e.h.URL, c, "sts", "get-caller-identity")
	if !strings.Contains(out, ":assumed-role/AWSReservedSSO_VendorSupport_") || !strings.Contains(out, vera) {
		t.Errorf("get-caller-identity: %s", out)
	}

	// The time comes: the same credentials are refused at once.
	e.h.Clock.Set(expires)
	out, ok2 = awsCLI(t, e.h.URL, c, "sts", "get-caller-identity")
	if ok2 || !strings.Contains(out, "ExpiredToken") {
		t.Errorf("after expiry: %s; want ExpiredToken", out)
	}
	// The sweep (every second) removes the assignment; the wait allows for
	// a machine loaded by the other tests.
	await(t, access.SweepInterval+15*time.Second, "the assignment removed at expiry", func() bool {
		return len(assigned(t, e.h, prod, "VendorSupport")) == 0
	})
	if _, _, err := e.roleCreds(t, e.portal, tv, prod, "VendorSupport"); err == nil {
		t.Error("new credentials after expiry")
	}
	var got reqOut
	if st, msg := call(t, e.h.URL, tv, "GET", "/access/requests/"+id, nil, &got); st != 200 || got.AccessRequest.Status != access.Expired {
		t.Errorf("after expiry: %d %s %+v", st, msg, got)
	}
	// Self-approval is refused even to a member of an approver group: Dave
	// (DevOps) joins Vendors, asks, and may not approve his own request.
	if _, err := e.h.Server.State.Mutate(t.Context(), func(d *state.Doc) error {
		return d.Org.IdentityCenter.AddMember(dave, "Vendors")
	}); err != nil {
		t.Fatal(err)
	}
	own, st, msg := e.request(t, e.h.URL, td, "Staging", "VendorSupport", "PT1H")
	if st != 200 {
		t.Fatalf("Dave's request: %d %s", st, msg)
	}
	_, st, msg = e.decide(t, e.h.URL, td, own.AccessRequest.ID, "approve", map[string]string{"mfaCode": e.code(t, dave)})
	wantRefused(t, "self-approval by an approver", st, msg, 403, "self-approval is forbidden")
	_, st, msg = e.decide(t, e.h.URL, td, own.AccessRequest.ID, "deny", nil)
	wantRefused(t, "self-denial by an approver", st, msg, 403, "self-approval is forbidden")

	// Revoking an expired grant is refused.
	_, st, msg = e.decide(t, e.h.URL, td, id, "revoke", map[string]string{"reason": "done"})
	wantRefused(t, "revoking an expired grant", st, msg, 409, "already expired")

	// The trail has every step, CloudTrail-format, with the person.
	for _, name := range []string{"CreateAccessRequest", "ApproveAccessRequest", "ExpireAccessGrant", "RevokeAccessGrant"} {
		recs := e.ev.Find(access.EventSource, name)
		if len(recs) == 0 {
			t.Errorf("no %s in the trail", name)
			continue
		}
		if name == "ExpireAccessGrant" {
			// Warden's own step: a service event of the access service,
			// its userIdentity the account and invokedBy (AWS CloudTrail
			// User Guide, "AWS service events").
			r := recs[0]
			got, _ := json.Marshal(r.UserIdentity)
			if want := `{"accountId":"` + r.RecipientAccountID + `","invokedBy":"` + access.EventSource + `"}`; string(got) != want || r.EventType != "AwsServiceEvent" || len(r.RecipientAccountID) != 12 {
				t.Errorf("ExpireAccessGrant record: userIdentity %s, eventType %s, account %q; want %s, AwsServiceEvent", got, r.EventType, r.RecipientAccountID, want)
			}
			// No request answered: no requestParameters, responseElements
			// nor requestID; the step in serviceEventDetails.
			details, _ := json.Marshal(r.ServiceEventDetails)
			if r.RequestParameters != nil || r.ResponseElements != nil || r.RequestID != "" ||
				!strings.Contains(string(details), `"requestId":"ar-`) || !strings.Contains(string(details), `"status":"EXPIRED"`) {
				t.Errorf("ExpireAccessGrant record: requestParameters %v, responseElements %v, requestID %q, serviceEventDetails %s",
					r.RequestParameters, r.ResponseElements, r.RequestID, details)
			}
		}
		if name == "ApproveAccessRequest" {
			var last *audit.Record
			for _, r := range recs {
				if r.ErrorCode == "" {
					last = r
				}
			}
			if last == nil || last.UserIdentity.UserName != dave || last.UserIdentity.OnBehalfOf == nil || len(last.Resources) != 1 {
				t.Errorf("ApproveAccessRequest record: %+v", last)
			}
			b, _ := json.Marshal(last.RequestParameters)
			if strings.Contains(string(b), code) {
				t.Errorf("the MFA code is in the trail: %s", b)
			}
		}
	}
}

// Revocation on one replica refuses the grant's sessions on the other at
// once (AccessDenied), chained role sessions included, and removes the
// assignment; a denial makes nothing. Two replicas on one PostgreSQL
// database.
func TestRevokeAcrossReplicas(t *testing.T) {
	needCLI(t)
	ev := &servertest.Events{}
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{Audit: ev})
	a := setUp(t, hs[0], ev, true)
	b := setUp(t, hs[1], ev, false)
	b.pws, b.people = a.pws, a.people
	prod := accountID(t, a.h, "Prod")
	staging := accountID(t, a.h, "Staging")
	tv, td := a.signIn(t, vera), a.signIn(t, dave)
	// The replicas' clocks move together.
	sync := func() { b.h.Clock.Set(a.h.Clock.Now()) }

	// A denial on B of a request made on A.
	r, st, msg := a.request(t, a.h.URL, tv, staging, "VendorSupport", "PT1H")
	if st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	sync()
	if d, st, msg := b.decide(t, b.h.URL, td, r.AccessRequest.ID, "deny", map[string]string{"comment": "no ticket"}); st != 200 || d.AccessRequest.Status != access.Denied {
		t.Fatalf("deny: %d %s %+v", st, msg, d)
	}
	_, st, msg = a.decide(t, a.h.URL, td, r.AccessRequest.ID, "approve", map[string]string{"mfaCode": a.code(t, dave)})
	wantRefused(t, "approval after denial", st, msg, 409, "already denied")
	if got := assigned(t, a.h, staging, "VendorSupport"); len(got) != 0 {
		t.Errorf("a denial made an assignment: %v", got)
	}

	// Request on A, approval on B.
	r, st, msg = a.request(t, a.h.URL, tv, prod, "VendorSupport", "PT4H")
	if st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	code := a.code(t, dave)
	sync()
	if ok, st, msg := b.decide(t, b.h.URL, td, r.AccessRequest.ID, "approve", map[string]string{"mfaCode": code}); st != 200 || ok.AccessRequest.Status != access.Active {
		t.Fatalf("approve on B: %d %s", st, msg)
	}
	c, _, err := a.roleCreds(t, a.portal, tv, prod, "VendorSupport")
	if err != nil {
		t.Fatal(err)
	}
	if out, ok := awsCLI(t, b.h.URL, c, "iam", "list-roles", "--max-items", "1"); !ok {
		t.Fatalf("the grant's credentials on B: %s", out)
	}
	// Vera lists her grant; Dave sees it among those he may revoke.
	var list struct {
		AccessRequests []access.Request `json:"accessRequests"`
	}
	if st, msg := call(t, b.h.URL, td, "GET", "/access/requests?scope=approvable&status=ACTIVE", nil, &list); st != 200 ||
		!slices.ContainsFunc(list.AccessRequests, func(x access.Request) bool { return x.ID == r.AccessRequest.ID }) {
		t.Errorf("approvable active: %d %s %+v", st, msg, list)
	}

	// Revocation on A: the credentials are refused on B at once.
	rv, st, msg := a.decide(t, a.h.URL, td, r.AccessRequest.ID, "revoke", map[string]string{"reason": "vendor finished"})
	if st != 200 || rv.AccessRequest.Status != access.Revoked || rv.AccessRequest.EndedByName != dave {
		t.Fatalf("revoke: %d %s %+v", st, msg, rv)
	}
	out, ok := awsCLI(t, b.h.URL, c, "iam", "list-roles", "--max-items", "1")
	if ok || !strings.Contains(out, "AccessDenied") {
		t.Errorf("the revoked grant's credentials on B: %s; want AccessDenied", out)
	}
	if got := assignedAt(t, a.h, b.h.URL, prod, "VendorSupport"); len(got) != 0 {
		t.Errorf("assignment after revocation, read on B: %v", got)
	}
	_, st, msg = b.decide(t, b.h.URL, td, r.AccessRequest.ID, "revoke", nil)
	wantRefused(t, "revoking twice", st, msg, 409, "already revoked")
	if len(ev.Find(access.EventSource, "RevokeAccessGrant")) < 2 || len(ev.Find(access.EventSource, "DenyAccessRequest")) != 1 {
		t.Errorf("trail: revocations %d, denials %d", len(ev.Find(access.EventSource, "RevokeAccessGrant")), len(ev.Find(access.EventSource, "DenyAccessRequest")))
	}
}

// An approver may give one of their recovery codes instead of a TOTP code
// (a lost phone must not stop approvals): it approves once and is then used
// up; a wrong recovery code is refused. Every attempt is in the trail,
// which names the factor but never holds the code.
func TestApproveWithRecoveryCode(t *testing.T) {
	e := start(t)
	prod := accountID(t, e.h, "Prod")
	tv, td := e.signIn(t, vera), e.signIn(t, dave)
	rc := e.people[dave].RecoveryCodes
	if len(rc) == 0 {
		t.Fatal("dave was shown no recovery codes at enrollment")
	}

	r, st, msg := e.request(t, e.h.URL, tv, prod, "VendorSupport", "PT10M")
	if st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	id := r.AccessRequest.ID
	_, st, msg = e.decide(t, e.h.URL, td, id, "approve", map[string]string{"mfaCode": "abcd-efgh-jkmn-pqrs"})
	wantRefused(t, "approval with a wrong recovery code", st, msg, 403, "MFA failed")
	// Given as people copy it: upper case, spaces around.
	ok, st, msg := e.decide(t, e.h.URL, td, id, "approve", map[string]string{"mfaCode": " " + strings.ToUpper(rc[0]) + " "})
	if st != 200 || ok.AccessRequest.Status != access.Active || !ok.AccessRequest.ApproverMFA || ok.AccessRequest.ApproverMFAMethod != access.MFARecoveryCode {
		t.Fatalf("approve with a recovery code: %d %s %+v", st, msg, ok)
	}

	// The same code is used up: Vera gives the grant back, asks again,
	// and Dave's used code no longer approves; another of his codes does.
	if _, st, msg = e.decide(t, e.h.URL, tv, id, "revoke", map[string]string{"reason": "done"}); st != 200 {
		t.Fatalf("give back: %d %s", st, msg)
	}
	r, st, msg = e.request(t, e.h.URL, tv, prod, "VendorSupport", "PT10M")
	if st != 200 {
		t.Fatalf("second request: %d %s", st, msg)
	}
	_, st, msg = e.decide(t, e.h.URL, td, r.AccessRequest.ID, "approve", map[string]string{"mfaCode": rc[0]})
	wantRefused(t, "approval with a used recovery code", st, msg, 403, "MFA failed")
	// A TOTP code of a step after every code Dave has given yet.
	e.h.Clock.Advance(61 * time.Second)
	if ok, st, msg = e.decide(t, e.h.URL, td, r.AccessRequest.ID, "approve", map[string]string{"mfaCode": e.code(t, dave)}); st != 200 || ok.AccessRequest.ApproverMFAMethod != access.MFATOTP {
		t.Fatalf("approve with a TOTP code after the refusals: %d %s %+v", st, msg, ok)
	}

	recs := e.ev.Find(access.EventSource, "ApproveAccessRequest")
	var failed, methods []string
	for _, rec := range recs {
		b, _ := json.Marshal(rec.RequestParameters)
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(rc[0])) || strings.Contains(string(b), "abcd-efgh") {
			t.Errorf("a recovery code is in the trail: %s", b)
		}
		var p struct {
			MFAMethod string `json:"mfaMethod"`
		}
		json.Unmarshal(b, &p)
		methods = append(methods, p.MFAMethod)
		if rec.ErrorCode != "" {
			failed = append(failed, rec.ErrorCode)
		}
	}
	if want := []string{access.MFARecoveryCode, access.MFARecoveryCode, access.MFARecoveryCode, access.MFATOTP}; !slices.Equal(methods, want) || len(failed) != 2 {
		t.Errorf("trail: methods %v, want %v; failures %v, want 2", methods, want, failed)
	}
}
