package cli

import (
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
