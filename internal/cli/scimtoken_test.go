package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/api/scim"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

// scim-token create prints the token once (stdout), stores only its hash,
// refuses a third, lists without secrets, deletes by ID; each change in the
// trail without the token.
func TestSCIMTokenCommands(t *testing.T) {
	ctx := context.Background()
	dir := seededDataDir(t)

	var secrets []string
	for i := 0; i < 2; i++ {
		out, stderr, code := run(t, "", "identity-center", "scim-token", "create", "--data", dir)
		secret := strings.TrimSpace(out)
		if code != 0 || !strings.HasPrefix(secret, "wscim_") || strings.Contains(stderr, secret) {
			t.Fatalf("create: exit %d, %q, %s", code, out, stderr)
		}
		secrets = append(secrets, secret)
	}
	if _, stderr, code := run(t, "", "identity-center", "scim-token", "create", "--data", dir); code != 1 || !strings.Contains(stderr, "two") {
		t.Errorf("third token: exit %d, %s", code, stderr)
	}
	out, _, code := run(t, "", "identity-center", "scim-token", "list", "--data", dir, "--format", "json")
	var listed struct {
		Tokens []struct{ ID, Status string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed.Tokens) != 2 || listed.Tokens[0].Status != "ACTIVE" {
		t.Fatalf("list: exit %d, %s", code, out)
	}
	text, _, _ := run(t, "", "identity-center", "scim-token", "list", "--data", dir)
	for _, s := range secrets {
		if strings.Contains(out+text, s) {
			t.Error("list shows a token")
		}
	}
	if !strings.Contains(text, listed.Tokens[1].ID) || !strings.Contains(text, "EXPIRES") {
		t.Errorf("text list:\n%s", text)
	}
	if _, stderr, code := run(t, "", "identity-center", "scim-token", "delete", "--data", dir, "--id", listed.Tokens[0].ID); code != 0 {
		t.Fatalf("delete: exit %d, %s", code, stderr)
	}
	if _, _, code := run(t, "", "identity-center", "scim-token", "delete", "--data", dir, "--id", listed.Tokens[0].ID); code != 1 {
		t.Errorf("deleting again: exit %d", code)
	}
	if _, _, code := run(t, "", "identity-center", "scim-token", "delete", "--data", dir); code != 2 {
		t.Errorf("delete without --id: exit %d", code)
	}
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := scim.ListTokens(ctx, st)
	st.Close()
	if err != nil || len(ts) != 1 || ts[0].ID != listed.Tokens[1].ID {
		t.Fatalf("stored tokens %+v %v", ts, err)
	}
	for _, name := range []string{"CreateScimAccessToken", "DeleteScimAccessToken"} {
		lookup, _, _ := run(t, "", "audit", "lookup", "--data", dir, "--event-name", name, "--format", "json")
		if !strings.Contains(lookup, `"eventSource":"sso-directory.amazonaws.com"`) || strings.Contains(lookup, secrets[0]) || strings.Contains(lookup, secrets[1]) {
			t.Errorf("trail of %s:\n%s", name, lookup)
		}
	}
}

// seededDataDir is a data directory (master key and SQLite store) seeded
// with the SecureCart landing zone at fixedNow.
func seededDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	key, err := creds.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := creds.NewSealer(key)
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := server.Bootstrap(context.Background(), st, sealer, landingzones.FS, landingzones.SecureCart, fixedNow()); err != nil {
		t.Fatal(err)
	}
	return dir
}
