package cli

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	var errOut bytes.Buffer
	env := Env{Stderr: &errOut}
	i, err := choose(env, bufio.NewReader(strings.NewReader("7\nx\n2\n")), "Account", []string{"Dev (1)", "Staging (2)"})
	if err != nil || i != 1 {
		t.Errorf("choose = %d, %v; want 1 after two invalid answers", i, err)
	}
	if !strings.Contains(errOut.String(), "  2) Staging (2)") || strings.Count(errOut.String(), "Account [1-2]: ") != 3 {
		t.Errorf("prompt:\n%s", errOut.String())
	}
	if _, err := choose(env, bufio.NewReader(strings.NewReader("")), "Account", []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "name it with a flag") {
		t.Errorf("choose at end of input: %v", err)
	}
}

func TestWriteProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aws", "config")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("[default]\nregion = eu-west-1\n\n[profile Dev-DeveloperAccess]\ncredential_process = old\n\n[profile other]\noutput = json\n"), 0o600)
	if err := writeProfile(path, "Dev-DeveloperAccess", map[string]string{"credential_process": "warden credentials --account 1", "region": "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "[default]\nregion = eu-west-1\n\n[profile other]\noutput = json\n\n[profile Dev-DeveloperAccess]\ncredential_process = warden credentials --account 1\nregion = us-east-1\n"
	if string(got) != want {
		t.Errorf("config:\n%s\nwant:\n%s", got, want)
	}
	fresh := filepath.Join(t.TempDir(), "new", "config")
	if err := writeProfile(fresh, "p", map[string]string{"region": "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o600 {
		t.Errorf("new config file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestCacheFilesArePrivate(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	p, err := tokenPath("http://127.0.0.1:4566")
	if err != nil {
		t.Fatal(err)
	}
	if err := writePrivate(p, cachedToken{Endpoint: "x", AccessToken: "aoa"}); err != nil {
		t.Fatal(err)
	}
	var tok cachedToken
	if err := readPrivate(p, &tok); err != nil || tok.AccessToken != "aoa" {
		t.Fatalf("readPrivate = %+v, %v", tok, err)
	}
	os.Chmod(p, 0o644)
	if err := readPrivate(p, &tok); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("a world-readable cache file: %v, want it refused", err)
	}
	if err := removeEndpointCache("http://127.0.0.1:4566"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("token file after removeEndpointCache: %v", err)
	}
}
