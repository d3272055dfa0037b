package iam_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/iam"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

// The SecureCart landing zone's accounts.
const (
	mgmt     = "104729381562"
	security = "218364950271"
	dev      = "436205817493"
	staging  = "545318026714"
	prod     = "654827139045"
)

var start = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// fixture is an IAM service over a new SQLite store seeded with the
// SecureCart landing zone.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	st       store.Store
	mgr      *state.Manager
	sealer   *creds.Sealer
	svc      *iam.Service
	handlers map[string]api.Handler
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := creds.NewSealer(creds.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := server.Bootstrap(ctx, st, sealer, landingzones.FS, landingzones.SecureCart, start); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, st: st, sealer: sealer, now: start}
	f.mgr = state.New(st, func() time.Time { return f.now })
	kr, err := creds.NewKeyring(ctx, st, sealer, creds.PurposeSessionToken, start)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &iam.Service{State: f.mgr, Authz: &api.Authorizer{Orgs: f.mgr, Keyring: kr}, Store: st, Master: sealer}
	f.handlers = f.svc.Handlers()
	return f
}

// rootOf is the root user of an account.
func rootOf(acct string) *api.Identity {
	return &api.Identity{ARN: "arn:aws:iam::" + acct + ":root", Account: acct, UserID: acct, Kind: policy.CallerRoot}
}

// sessionOf is a session of a role of an account.
func (f *fixture) sessionOf(acct, role, name string) *api.Identity {
	roleARN := "arn:aws:iam::" + acct + ":role/" + role
	s := &creds.Session{AccessKeyID: creds.NewAccessKeyID(creds.PrefixTemporary, acct), Kind: "assumed-role",
		Principal: "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + name, Account: acct,
		UserID: creds.StableID("AROA", roleARN) + ":" + name, RoleARN: roleARN, Issued: f.now, Expires: f.now.Add(time.Hour)}
	return &api.Identity{ARN: s.Principal, Account: acct, UserID: s.UserID, Kind: policy.CallerAssumedRole, AccessKeyID: s.AccessKeyID, Session: s}
}

// userOf is an IAM user calling with a long-term key.
func userOf(acct, path, name string) *api.Identity {
	arn := "arn:aws:iam::" + acct + ":user" + path + name
	return &api.Identity{ARN: arn, Account: acct, UserID: creds.StableID("AIDA", arn), Kind: policy.CallerUser}
}

// call runs an action; kv are parameter names and values.
func (f *fixture) call(id *api.Identity, action string, kv ...string) (*api.Call, any, error) {
	f.t.Helper()
	h, ok := f.handlers[action]
	if !ok {
		f.t.Fatalf("no handler for %s", action)
	}
	params := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		params.Add(kv[i], kv[i+1])
	}
	c := &api.Call{Service: "iam", Action: action, Region: "us-east-1", RequestID: "req-1", Now: f.now,
		Params: awsproto.Params(params), Identity: id, SourceIP: "192.0.2.10", UserAgent: "test"}
	res, err := h(f.ctx, c)
	return c, res, err
}

// ok runs an action that must succeed and returns its XML reply.
func (f *fixture) ok(id *api.Identity, action string, kv ...string) []byte {
	f.t.Helper()
	_, res, err := f.call(id, action, kv...)
	if err != nil {
		f.t.Fatalf("%s: %v", action, err)
	}
	rec := httptest.NewRecorder()
	awsproto.WriteQueryResult(rec, iam.Namespace, action, "req-1", res)
	return rec.Body.Bytes()
}

// fail runs an action that must fail with the code and returns the error.
func (f *fixture) fail(id *api.Identity, action, code string, kv ...string) *awsproto.Error {
	f.t.Helper()
	_, _, err := f.call(id, action, kv...)
	if err == nil {
		f.t.Fatalf("%s: succeeded, want %s", action, code)
	}
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		f.t.Fatalf("%s: %v, want an AWS error %s", action, err, code)
	}
	if ae.Code != code {
		f.t.Fatalf("%s: %s: %s, want %s", action, ae.Code, ae.Message, code)
	}
	return ae
}

// decode decodes an XML reply into v, a struct for <ActionResult>.
func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("no result element in %s", data)
		}
		if se, ok := tok.(xml.StartElement); ok && strings.HasSuffix(se.Name.Local, "Result") {
			if err := dec.DecodeElement(v, &se); err != nil {
				t.Fatalf("decoding %s: %v", data, err)
			}
			return
		}
	}
}

// unescape decodes a URL-encoded document.
func unescape(t *testing.T, s string) string {
	t.Helper()
	out, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", s, err)
	}
	return out
}

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const readS3 = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadBuckets",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": "*"
        }
    ]
}`

// Reply shapes, as AWS's SDKs read them.

type xTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

type xRole struct {
	Path                     string     `xml:"Path"`
	RoleName                 string     `xml:"RoleName"`
	RoleID                   string     `xml:"RoleId"`
	Arn                      string     `xml:"Arn"`
	CreateDate               string     `xml:"CreateDate"`
	AssumeRolePolicyDocument string     `xml:"AssumeRolePolicyDocument"`
	Description              string     `xml:"Description"`
	MaxSessionDuration       int        `xml:"MaxSessionDuration"`
	PermissionsBoundary      *xBoundary `xml:"PermissionsBoundary"`
	Tags                     []xTag     `xml:"Tags>member"`
}

type xPolicy struct {
	PolicyName                    string `xml:"PolicyName"`
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string `xml:"Arn"`
	Path                          string `xml:"Path"`
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int    `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int    `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `xml:"IsAttachable"`
	Description                   string `xml:"Description"`
	CreateDate                    string `xml:"CreateDate"`
}

type xUser struct {
	Path                string     `xml:"Path"`
	UserName            string     `xml:"UserName"`
	UserID              string     `xml:"UserId"`
	Arn                 string     `xml:"Arn"`
	CreateDate          string     `xml:"CreateDate"`
	PermissionsBoundary *xBoundary `xml:"PermissionsBoundary"`
	Tags                []xTag     `xml:"Tags>member"`
}

type xPage struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker"`
}
