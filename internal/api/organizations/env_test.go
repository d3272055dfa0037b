package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

// The SecureCart landing zone's identifiers.
const (
	orgID        = "o-7kq2m9xw4c"
	rootID       = "r-4k7q"
	mgmtID       = "104729381562"
	securityID   = "218364950271"
	sharedID     = "327491058362"
	devID        = "436205817493"
	stagingID    = "545318026714"
	prodID       = "654827139045"
	securityOU   = "ou-4k7q-s3cur1ty"
	workloadsOU  = "ou-4k7q-w0rkl0ad"
	sharedOU     = "ou-4k7q-sh4red5v"
	arnPrefix    = "arn:aws:organizations::" + mgmtID + ":"
	denySCPAllow = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyQueues","Effect":"Deny","Action":"sqs:*","Resource":"*"}]}`
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// env is a service over a fresh SQLite store seeded with the SecureCart
// landing zone (as server.Bootstrap seeds it).
type env struct {
	t   *testing.T
	ctx context.Context
	svc *Service
	h   map[string]api.Handler
	now time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	doc, err := state.FromFiles(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, now: testNow}
	m := state.New(st, func() time.Time { return e.now })
	if ok, err := m.Seed(ctx, doc); err != nil || !ok {
		t.Fatalf("seed: %v %v", ok, err)
	}
	e.svc = &Service{State: m, Authz: &api.Authorizer{Orgs: m}}
	e.h = e.svc.Handlers()
	return e
}

// The callers.
var (
	mgmtRoot = &api.Identity{ARN: "arn:aws:iam::" + mgmtID + ":root", Account: mgmtID, UserID: mgmtID, Kind: policy.CallerRoot}
	// devAdmin is a session of Dev's OrganizationAccountAccessRole
	// (AdministratorAccess): the engine allows it, but it is a member account.
	devAdmin = roleSession(devID, "OrganizationAccountAccessRole")
	// devDeveloper is a session of Dev's DeveloperRole, which no policy lets
	// use Organizations.
	devDeveloper = roleSession(devID, "DeveloperRole")
	// outsider is an account outside the organization.
	outsider = &api.Identity{ARN: "arn:aws:iam::999988887777:root", Account: "999988887777", UserID: "999988887777", Kind: policy.CallerRoot}
)

func roleSession(account, role string) *api.Identity {
	arn := "arn:aws:sts::" + account + ":assumed-role/" + role + "/test"
	return &api.Identity{ARN: arn, Account: account, UserID: "AROATEST:test", Kind: policy.CallerAssumedRole,
		Session: &creds.Session{Kind: "assumed-role", Principal: arn, Account: account, UserID: "AROATEST:test",
			RoleARN: "arn:aws:iam::" + account + ":role/" + role, Issued: testNow.Add(-time.Minute), Expires: testNow.Add(time.Hour)}}
}

// call runs an operation as id with body (marshaled to JSON; a string or
// []byte is sent as is) and decodes the result into out, when given.
// params are a request's parameters, as the JSON body a client sends.
type params map[string]any

func (e *env) call(id *api.Identity, op string, body any, out any) (*api.Call, error) {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	c := &api.Call{Service: "organizations", Action: op, Region: "us-east-1", RequestID: "req", Now: e.now, Body: raw, Identity: id}
	h, ok := e.h[op]
	if !ok {
		e.t.Fatalf("no handler for %s", op)
	}
	res, err := h(e.ctx, c)
	if err != nil {
		return c, err
	}
	if out != nil {
		data, merr := json.Marshal(res)
		if merr != nil {
			e.t.Fatal(merr)
		}
		if uerr := json.Unmarshal(data, out); uerr != nil {
			e.t.Fatalf("%s result %s: %v", op, data, uerr)
		}
	}
	return c, nil
}

// ok runs an operation as the management account's root and fails the test
// on an error.
func (e *env) ok(op string, body any, out any) *api.Call {
	e.t.Helper()
	c, err := e.call(mgmtRoot, op, body, out)
	if err != nil {
		e.t.Fatalf("%s %v: %v", op, body, err)
	}
	return c
}

// fails runs an operation as id and checks its error code, and the reason
// when want has one ("Code/REASON").
func (e *env) fails(id *api.Identity, op string, body any, want string) error {
	e.t.Helper()
	_, err := e.call(id, op, body, nil)
	if err == nil {
		e.t.Fatalf("%s %v: no error, want %s", op, body, want)
	}
	if got := code(err); got != want {
		e.t.Fatalf("%s %v: error %s (%v), want %s", op, body, got, err, want)
	}
	return err
}

// code is an error's code, with its reason when it has one: "Code/REASON".
func code(err error) string {
	ae, ok := awsproto.As(err)
	if !ok {
		return "internal: " + err.Error()
	}
	var re *ReasonError
	if errors.As(err, &re) && re.Reason != "" {
		return ae.Code + "/" + re.Reason
	}
	return ae.Code
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// Shapes for decoding results.
type (
	accountsOut struct {
		Accounts  []Account
		NextToken *string
	}
	ousOut struct {
		OrganizationalUnits []OrganizationalUnit
		NextToken           *string
	}
	policiesOut struct {
		Policies  []PolicySummary
		NextToken *string
	}
	targetsOut struct {
		Targets   []PolicyTargetSummary
		NextToken *string
	}
	policyOut struct{ Policy Policy }
	statusOut struct{ CreateAccountStatus CreateAccountStatus }
)

func policyNames(ps []PolicySummary) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
