package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serve refuses a master key or credentials file others can read, unless
// told to go on (then it says so loudly).
func TestServeRefusesOpenSecretFiles(t *testing.T) {
	dir := t.TempDir()
	if code, log := serveOnce(t, "--data", dir); code != 0 || strings.Contains(log, "WARNING") {
		t.Fatalf("first start: exit %d, log:\n%s", code, log)
	}
	for _, name := range []string{"master.key", "credentials", "identity-center-passwords"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Chmod(path, 0o600)
			code, log := serveOnce(t, "--data", dir)
			if code != 2 || !strings.Contains(log, path+" (mode 0644)") || !strings.Contains(log, "--allow-open-permissions") {
				t.Errorf("serve with %s mode 0644: exit %d, log:\n%s\nwant exit 2 naming the file", name, code, log)
			}
			code, log = serveOnce(t, "--data", dir, "--allow-open-permissions")
			if code != 0 || !strings.Contains(log, "level=ERROR msg=\"WARNING: other users can read or change "+path) {
				t.Errorf("serve --allow-open-permissions with %s mode 0644: exit %d, log:\n%s\nwant a logged WARNING", name, code, log)
			}
		})
	}
}

// A master key given by --master-key-file, outside the data directory, is
// checked as well, also when only the group can read it.
func TestServeRefusesOpenMasterKeyFile(t *testing.T) {
	dir := t.TempDir()
	if code, log := serveOnce(t, "--data", dir); code != 0 {
		t.Fatalf("first start: exit %d, log:\n%s", code, log)
	}
	key := filepath.Join(t.TempDir(), "warden.key")
	data, err := os.ReadFile(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, data, 0o640); err != nil {
		t.Fatal(err)
	}
	code, log := serveOnce(t, "--data", dir, "--master-key-file", key)
	if code != 2 || !strings.Contains(log, key+" (mode 0640)") {
		t.Errorf("serve --master-key-file with mode 0640: exit %d, log:\n%s\nwant exit 2 naming the file", code, log)
	}
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, log := serveOnce(t, "--data", dir, "--master-key-file", key); code != 0 || strings.Contains(log, "WARNING") {
		t.Errorf("serve --master-key-file with mode 0600: exit %d, log:\n%s", code, log)
	}
}

// serve warns when it listens beyond loopback without TLS, and not on
// loopback.
func TestServeWarnsPlainNonLoopback(t *testing.T) {
	dir := t.TempDir()
	code, log := serveOnce(t, "--data", dir, "--listen", "0.0.0.0:0")
	if code != 0 || !strings.Contains(log, "WARNING: listening on a non-loopback address without TLS") {
		t.Errorf("serve on 0.0.0.0 without TLS: exit %d, log:\n%s", code, log)
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		code, log = serveOnce(t, "--data", dir, "--listen", addr)
		if code != 0 || strings.Contains(log, "non-loopback") {
			t.Errorf("serve on %s: exit %d, log:\n%s", addr, code, log)
		}
	}
}

// serve refuses a data directory, database or trail file other users can
// change (whoever changes the database controls every account; whoever
// writes in the directory can replace the master key), unless told to go
// on; readable by the group is not refused.
func TestServeRefusesWritableStore(t *testing.T) {
	dir := t.TempDir()
	if code, log := serveOnce(t, "--data", dir); code != 0 || strings.Contains(log, "WARNING") {
		t.Fatalf("first start: exit %d, log:\n%s", code, log)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "trail", "*.seg"))
	if len(segs) == 0 {
		t.Fatal("no trail segment after the first start")
	}
	for _, tc := range []struct {
		path string
		mode os.FileMode
	}{
		{dir, 0o777}, {dir, 0o720}, {filepath.Join(dir, "warden.db"), 0o666}, {filepath.Join(dir, "trail"), 0o757}, {segs[0], 0o620},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(tc.path, tc.mode); err != nil {
			t.Fatal(err)
		}
		code, log := serveOnce(t, "--data", dir)
		if want := tc.path + " (mode " + fmt.Sprintf("%04o", tc.mode) + ")"; code != 2 || !strings.Contains(log, want) || !strings.Contains(log, "run chmod go-w") {
			t.Errorf("serve with %s mode %04o: exit %d, log:\n%s\nwant exit 2 naming it", tc.path, tc.mode, code, log)
		}
		code, log = serveOnce(t, "--data", dir, "--allow-open-permissions")
		if code != 0 || !strings.Contains(log, "WARNING: other users can change "+tc.path) {
			t.Errorf("serve --allow-open-permissions with %s mode %04o: exit %d, log:\n%s\nwant a logged WARNING", tc.path, tc.mode, code, log)
		}
		if err := os.Chmod(tc.path, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	// Readable by the group and others, written by the owner only: served.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, log := serveOnce(t, "--data", dir); code != 0 || strings.Contains(log, "WARNING") {
		t.Errorf("serve with the data directory mode 0755: exit %d, log:\n%s", code, log)
	}
}
