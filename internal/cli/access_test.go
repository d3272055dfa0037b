package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store/sqlite"
)

// warden access against a running server, as Vera (the vendor) and Dave
// (an approver) signed in with warden login, and on the store as an
// operator: text and JSON output, and exit codes 0, 1 (refused) and 2
// (usage, no sign-in).
func TestAccessCommands(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	key, err := creds.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := servertest.Start(t, servertest.Options{Store: st, MasterKey: key, TrailOwner: "104729381562"})
	if _, err := h.Server.State.Mutate(t.Context(), func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sealer, _ := creds.NewSealer(key)
	pwFile := filepath.Join(dir, server.PasswordsFile)
	if _, err := server.WriteInitialPasswords(t.Context(), st, sealer, pwFile, h.URL+"/device", h.Clock.Now); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(pwFile)
	pws := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if u, pw, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			pws[u] = pw
		}
	}
	vera := &servertest.Person{UserName: "vera@northwind-support.example", Password: pws["vera@northwind-support.example"], NewPassword: "Vera-n3w-passw0rd"}
	dave := &servertest.Person{UserName: "dave@securecart.example", Password: pws["dave@securecart.example"], NewPassword: "Dave-n3w-passw0rd"}
	tokens := map[*servertest.Person]string{vera: h.SignInToken(t, vera), dave: h.SignInToken(t, dave)}
	// as caches a person's sign-in for the endpoint, as warden login does.
	as := func(p *servertest.Person) {
		path, err := tokenPath(h.URL)
		if err != nil {
			t.Fatal(err)
		}
		if err := writePrivate(path, cachedToken{Endpoint: h.URL, AccessToken: tokens[p], ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	wardenAt := func(args ...string) (string, string, int) {
		t.Helper()
		var out, errb bytes.Buffer
		code := Main(args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: h.Clock.Now})
		return out.String(), errb.String(), code
	}
	ep := []string{"--endpoint", h.URL}

	// No sign-in yet: 2.
	if _, stderr, code := wardenAt(append([]string{"access", "list"}, ep...)...); code != 2 || !strings.Contains(stderr, "not signed in") {
		t.Errorf("list before warden login: %d %s", code, stderr)
	}
	as(vera)
	req := append([]string{"access", "request", "--account", "Prod", "--permission-set", "VendorSupport", "--reason", "NW-4411"}, ep...)
	out, stderr, code := wardenAt(append(req, "--duration", "PT1H", "--format", "json")...)
	var r access.Request
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Status != access.Pending || r.PermissionSet != "VendorSupport" {
		t.Fatalf("request: %d %s %s", code, out, stderr)
	}
	// Refused by the server: 1; bad input: 2.
	if _, stderr, code := wardenAt(append(req, "--duration", "PT1H")...); code != 1 || !strings.Contains(stderr, "ConflictException") {
		t.Errorf("second request: %d %s", code, stderr)
	}
	if _, stderr, code := wardenAt(append(req, "--duration", "PT9H")...); code != 1 || !strings.Contains(stderr, "longer than the policy VendorSupport allows") {
		t.Errorf("too long: %d %s", code, stderr)
	}
	if _, stderr, code := wardenAt(append(req, "--duration", "forever")...); code != 2 || !strings.Contains(stderr, "--duration") {
		t.Errorf("bad duration: %d %s", code, stderr)
	}
	if _, _, code := wardenAt(append([]string{"access", "list", "--format", "yaml"}, ep...)...); code != 2 {
		t.Errorf("--format yaml: %d", code)
	}
	if out, _, code := wardenAt(append([]string{"access", "list"}, ep...)...); code != 0 || !strings.Contains(out, r.ID) || !strings.Contains(out, "PENDING") ||
		!strings.HasPrefix(out, "ID ") {
		t.Errorf("vera's list: %d\n%s", code, out)
	}

	as(dave)
	if out, _, code := wardenAt(append([]string{"access", "list", "--scope", "approvable", "--status", "PENDING"}, ep...)...); code != 0 || !strings.Contains(out, r.ID) {
		t.Errorf("dave's approvable list: %d\n%s", code, out)
	}
	if _, stderr, code := wardenAt(append([]string{"access", "approve", r.ID}, ep...)...); code != 1 || !strings.Contains(stderr, "requires MFA") {
		t.Errorf("approve without a code: %d %s", code, stderr)
	}
	c, _ := creds.TOTPCode(dave.Seed, h.Clock.Now())
	out, stderr, code = wardenAt(append([]string{"access", "approve", r.ID, "--mfa-code", c, "--comment", "ok"}, ep...)...)
	if code != 0 || !strings.Contains(out, "Status     ACTIVE") || !strings.Contains(out, "by dave@securecart.example (with MFA)") {
		t.Fatalf("approve: %d\n%s%s", code, out, stderr)
	}

	// The operator, on the store: every request, and a revocation.
	t.Setenv("USER", "")
	store := []string{"--store", "--data", dir}
	if out, stderr, code := wardenAt(append([]string{"access", "list", "--format", "json"}, store...)...); code != 0 || !strings.Contains(out, `"status": "ACTIVE"`) {
		t.Errorf("operator list: %d %s %s", code, out, stderr)
	}
	if _, stderr, code := wardenAt(append([]string{"access", "revoke", r.ID}, store...)...); code != 2 || !strings.Contains(stderr, "--operator") {
		t.Errorf("operator revoke without a name: %d %s", code, stderr)
	}
	out, stderr, code = wardenAt(append([]string{"access", "revoke", r.ID, "--operator", "oncall", "--reason", "incident over"}, store...)...)
	if code != 0 || !strings.Contains(out, "REVOKED") || !strings.Contains(out, "by oncall") {
		t.Fatalf("operator revoke: %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := wardenAt(append([]string{"access", "revoke", r.ID, "--operator", "oncall"}, store...)...); code != 1 || !strings.Contains(stderr, "already revoked") {
		t.Errorf("second revoke: %d %s", code, stderr)
	}
	// The operator's revocation is in the trail.
	out, stderr, code = wardenAt("audit", "lookup", "--data", dir, "--event-name", "RevokeAccessGrant", "--format", "json")
	if code != 0 || strings.Count(out, "warden access (operator oncall)") != 1 || !strings.Contains(out, access.EventSource) {
		t.Errorf("the operator's revocation in the trail: %d %s\n%s", code, stderr, out)
	}
	o, err := h.Server.State.Org(t.Context())
	if err != nil || o.Management == nil {
		t.Fatalf("the org: %v", err)
	}
	mgmt := o.Management.ID
	// By no AWS identity: Unknown in the management account, with the
	// operator's name, not the anonymous principal (CloudTrail userIdentity
	// element: Unknown, "an identity type that CloudTrail cannot
	// determine"); found by that name.
	if want := `"userIdentity":{"type":"Unknown","accountId":"` + mgmt + `","userName":"oncall"}`; !strings.Contains(out, want) || strings.Contains(out, "ANONYMOUS_PRINCIPAL") {
		t.Errorf("the operator's revocation's userIdentity, want\n%s\n%s", want, out)
	}
	out, stderr, code = wardenAt("audit", "lookup", "--data", dir, "--username", "oncall", "--format", "json")
	if code != 0 || strings.Count(out, `"eventName":"RevokeAccessGrant"`) != 1 {
		t.Errorf("lookup --username oncall: %d %s\n%s", code, stderr, out)
	}
}
