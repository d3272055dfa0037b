package cli

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

// serveOnce runs serve with args until it serves (then stops it) or exits,
// and returns its exit status and log.
func serveOnce(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(append([]string{"serve", "--listen", "127.0.0.1:0"}, args...),
			Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs, Now: time.Now, Context: ctx})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case code := <-done:
			return code, logs.String()
		default:
		}
		if strings.Contains(logs.String(), "msg=serving") {
			cancel()
			return <-done, logs.String()
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve %v neither served nor exited within 20s; log:\n%s", args, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// copyLandingZone writes the embedded SecureCart landing zone to a
// directory, to be edited.
func copyLandingZone(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "org")
	err := fs.WalkDir(landingzones.FS, landingzones.SecureCart, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(landingzones.FS, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dir, strings.TrimPrefix(p, landingzones.SecureCart))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stateOf opens the store of a data directory (serve is not running) and
// returns its state manager and what closes it.
func stateOf(t *testing.T, data string) (*state.Manager, func() error) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	return state.New(st, time.Now), st.Close
}

// addRole adds a role to Dev in the store, as CreateRole would.
func addRole(t *testing.T, data, name string) {
	t.Helper()
	trust := org.PolicyDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	m, done := stateOf(t, data)
	defer done()
	if _, err := m.Mutate(context.Background(), func(d *state.Doc) error {
		d.Org.Roles = append(d.Org.Roles, &org.RoleDef{Name: name, Accounts: []string{"Dev"}, Path: "/", Trust: trust})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// storedRole reads a role's maximum session duration from the store.
func storedRole(t *testing.T, data, account, name string) int {
	t.Helper()
	m, done := stateOf(t, data)
	defer done()
	o, err := m.Org(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.User(o.Management.ID, "warden-admin"); !ok {
		t.Errorf("the store's organization lost warden-admin")
	}
	r, ok := o.Role(account, name)
	if !ok {
		t.Fatalf("no role %s in %s", name, account)
	}
	return r.MaxSessionDuration
}

// `serve --org DIR` on an existing store: the same organization serves; a
// different one is refused with the differences and what to do, and is
// applied with --replace-org, which keeps the bootstrap administrator.
func TestServeOrgOnAnExistingStore(t *testing.T) {
	const dev = "436205817493"
	data := filepath.Join(t.TempDir(), "data")
	orgDir := copyLandingZone(t)
	if code, log := serveOnce(t, "--data", data, "--org", orgDir); code != 0 {
		t.Fatalf("first start: exit %d\n%s", code, log)
	}
	if code, log := serveOnce(t, "--data", data, "--org", orgDir); code != 0 || !strings.Contains(log, "the store holds the organization of --org") {
		t.Fatalf("the same org again: exit %d\n%s", code, log)
	}

	// A role made through the APIs; a restart with the same files keeps it.
	addRole(t, data, "MadeThroughIAM")
	if code, log := serveOnce(t, "--data", data, "--org", orgDir); code != 0 || !strings.Contains(log, "the store keeps the changes made through the APIs since") {
		t.Fatalf("the same org after an API change: exit %d\n%s", code, log)
	}
	if storedRole(t, data, dev, "MadeThroughIAM") != 3600 {
		t.Errorf("the role made through the APIs is gone")
	}

	roles := filepath.Join(orgDir, "roles.yaml")
	editFile(t, roles, "maxSessionDuration: 3600\n    tags: {team: engineering, env: dev}", "maxSessionDuration: 7200\n    tags: {team: engineering, env: dev}")
	code, log := serveOnce(t, "--data", data, "--org", orgDir)
	if code != 2 {
		t.Fatalf("a changed org: exit %d, want 2\n%s", code, log)
	}
	for _, want := range []string{"already holds an organization, which differs", "~ roles DeveloperRole (Dev): maxSessionDuration", "--replace-org", "new\n--data directory"} {
		if !strings.Contains(log, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, log)
		}
	}
	if !strings.Contains(log, "- roles MadeThroughIAM (Dev)") {
		t.Errorf("the refusal does not say the role made through the APIs would go:\n%s", log)
	}
	if strings.Contains(log, "DeveloperRole (Staging)") {
		t.Errorf("the refusal names an unchanged role:\n%s", log)
	}
	if got := storedRole(t, data, dev, "DeveloperRole"); got != 3600 {
		t.Errorf("after the refusal DeveloperRole lasts %d s, want 3600 (unchanged)", got)
	}

	code, log = serveOnce(t, "--data", data, "--org", orgDir, "--replace-org")
	if code != 0 || !strings.Contains(log, `change="~ roles DeveloperRole (Dev): maxSessionDuration"`) {
		t.Fatalf("--replace-org: exit %d\n%s", code, log)
	}
	if got := storedRole(t, data, dev, "DeveloperRole"); got != 7200 {
		t.Errorf("after --replace-org DeveloperRole lasts %d s, want 7200", got)
	}
	if code, log := serveOnce(t, "--data", data, "--org", orgDir); code != 0 {
		t.Errorf("the replaced org again: exit %d\n%s", code, log)
	}

	// The management account's ID cannot change under the store's keys.
	editFile(t, filepath.Join(orgDir, "organization.yaml"), `id: "104729381562"`, `id: "104729381563"`)
	code, log = serveOnce(t, "--data", data, "--org", orgDir, "--replace-org")
	if code != 2 || !strings.Contains(log, "the management account is 104729381563") {
		t.Errorf("another management account: exit %d\n%s", code, log)
	}

	if code, log := serveOnce(t, "--data", data, "--replace-org"); code != 2 || !strings.Contains(log, "--replace-org needs --org") {
		t.Errorf("--replace-org alone: exit %d\n%s", code, log)
	}
}
