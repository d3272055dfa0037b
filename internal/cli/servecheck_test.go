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
	for _, name := range []string{"master.key", "credentials"} {
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

// serve warns when it listens beyond loopback without TLS, and not on
// loopback.
func TestServeWarnsPlainNonLoopback(t *testing.T) {
	dir := t.TempDir()
	code, log := serveOnce(t, "--data", dir, "--listen", "0.0.0.0:0")
	if code != 0 || !strings.Contains(log, "WARNING: listening on a non-loopback address without TLS") {
		t.Errorf("serve on 0.0.0.0 without TLS: exit %d, log:\n%s", code, log)
	}
	code, log = serveOnce(t, "--data", dir)
	if code != 0 || strings.Contains(log, "non-loopback") {
		t.Errorf("serve on 127.0.0.1: exit %d, log:\n%s", code, log)
	}
}
