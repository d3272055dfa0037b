package ssooidc_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/cli"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
)

// warden runs the warden command in-process beside the replicas, on their
// database and master key, with stdin.
func warden(t *testing.T, h *servertest.Harness, stdin string, args ...string) (string, string, int) {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(h.MasterKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := cli.Main(append(args, "--database", h.DatabaseURL, "--master-key-file", keyFile),
		cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Now: h.Clock.Now})
	return out.String(), errb.String(), code
}

// The OpenID provider's client secret, set and rotated by an administrator
// with `warden sso oidc-secret set` (standard input), sealed in the store of
// two replicas on one PostgreSQL database: it wins over the environment
// variable, a rotation takes effect on both replicas at once without a
// restart, and the secret is neither in the store in the clear nor in the
// trail nor in any output.
func TestOIDCClientSecretRotationOnTwoReplicas(t *testing.T) {
	const env = "WARDEN_TEST_ROTATED_OIDC_SECRET"
	const first, second = "first-client-secret-0123456789", "second-client-secret-9876543210"
	op := servertest.NewOIDCOP(t)
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{OIDCClient: op.Client, TrailOwner: "218364950271"})
	a, b := hs[0], hs[1]
	t.Setenv(env, first)
	op.AddClient("warden", first, a.URL+"/oidc/callback", b.URL+"/oidc/callback")
	op.AddUser(t, "alice", "alice@securecart.example", "correct horse", nil)
	if _, err := a.Server.State.Mutate(servertest.Ctx(t), func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = &org.ExternalIdPDef{Type: "oidc", Name: "Okta", Issuer: op.Issuer,
			ClientID: "warden", ClientSecretEnv: env}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// signIn signs alice in at the provider through replica h and reports
	// whether Warden's code exchange (with its client secret) succeeded.
	signIn := func(h *servertest.Harness) (servertest.Page, bool) {
		t.Helper()
		// The provider's ID tokens carry the wall clock's iat: the replica's
		// clock follows it, however long the test has run.
		h.Clock.Set(time.Now())
		e := &oidcEnv{samlEnv: samlEnv{h: h, oidc: startOIDCClient(h)}, op: op}
		code, _ := e.device(t)
		br, authURL := e.toOP(t, code)
		pg, err := br.Get(op.Authorize(t, authURL, "alice", "correct horse"))
		if err != nil {
			t.Fatal(err)
		}
		return pg, pg.Status == http.StatusOK && pg.Title == "Signed in as alice@securecart.example"
	}
	if _, ok := signIn(a); !ok {
		t.Fatal("sign-in with the environment variable's secret failed")
	}
	if out, _, code := warden(t, a, "", "sso", "oidc-secret", "status"); code != 0 || !strings.Contains(out, "from warden serve's environment variable "+env) {
		t.Errorf("status with the environment variable: exit %d\n%s", code, out)
	}

	// The provider rotates the secret: the environment's is refused.
	op.AddClient("warden", second, a.URL+"/oidc/callback", b.URL+"/oidc/callback")
	if pg, ok := signIn(b); ok || pg.Status != http.StatusForbidden {
		t.Fatalf("sign-in with the old secret: %d %q; want refused", pg.Status, pg.Title)
	}
	// Bad input: an argument, nothing, two lines.
	if _, errOut, code := warden(t, a, second+"\n", "sso", "oidc-secret", "set", second); code == 0 || !strings.Contains(errOut, "unknown command") && !strings.Contains(errOut, "accepts 0 arg") {
		t.Errorf("the secret as an argument: exit %d %s", code, errOut)
	}
	if _, errOut, code := warden(t, a, "", "sso", "oidc-secret", "set"); code != 2 || !strings.Contains(errOut, "standard input is empty") {
		t.Errorf("no secret: exit %d %s", code, errOut)
	}
	if _, errOut, code := warden(t, a, second+"\nsomething else\n", "sso", "oidc-secret", "set"); code != 2 || !strings.Contains(errOut, "more than one line") {
		t.Errorf("two lines: exit %d %s", code, errOut)
	}
	// The administrator sets the new one on A's machine: both replicas use
	// it at once, and it wins over the environment variable.
	out, errOut, code := warden(t, a, second+"\n", "sso", "oidc-secret", "set")
	if code != 0 || !strings.Contains(errOut, "overrides "+env) {
		t.Fatalf("set: exit %d %s", code, errOut)
	}
	for i, h := range hs {
		if pg, ok := signIn(h); !ok {
			t.Errorf("replica %d: sign-in after the rotation: %d %q %q", i, pg.Status, pg.Title, pg.Alert)
		}
	}
	status, _, _ := warden(t, b, "", "sso", "oidc-secret", "status")
	if !strings.Contains(status, "stored, sealed") || !strings.Contains(status, "wins over "+env) {
		t.Errorf("status after set:\n%s", status)
	}
	// Sealed at rest, in no output and not in the trail.
	rec, err := a.Store.Record(servertest.Ctx(t), sso.OIDCSecretNamespace, "current")
	if err != nil || bytes.Contains(rec.Doc, []byte(second)) || bytes.Contains(rec.Doc, []byte(base64.StdEncoding.EncodeToString([]byte(second)))) {
		t.Errorf("the stored record (%v) holds the secret in the clear:\n%s", err, rec.Doc)
	}
	trail, _, code := warden(t, a, "", "audit", "lookup", "--event-name", "PutOidcClientSecret", "--format", "json")
	if code != 0 || !strings.Contains(trail, "PutOidcClientSecret") || !strings.Contains(trail, op.Issuer) {
		t.Errorf("the trail lacks PutOidcClientSecret:\n%s", trail)
	}
	for _, s := range []string{out, errOut, status, trail} {
		if strings.Contains(s, second) || strings.Contains(s, first) {
			t.Errorf("a secret is in an output:\n%s", s)
		}
	}
	// Deleting the stored secret falls back to the environment variable
	// (the old secret, refused by the provider now).
	if _, errOut, code := warden(t, a, "", "sso", "oidc-secret", "delete"); code != 0 {
		t.Fatalf("delete: exit %d %s", code, errOut)
	}
	if _, ok := signIn(b); ok {
		t.Error("sign-in after deleting the stored secret: the environment's old secret still worked")
	}
	if _, errOut, code := warden(t, a, "", "sso", "oidc-secret", "delete"); code != 1 || !strings.Contains(errOut, "no client secret is stored") {
		t.Errorf("delete twice: exit %d %s", code, errOut)
	}
}
