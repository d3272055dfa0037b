package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/server/servertest"
)

// readPasswords reads the one-time passwords file of a first start.
func readPasswords(t *testing.T, dir string) map[string]string {
	t.Helper()
	path := filepath.Join(dir, "identity-center-passwords")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("first start wrote no passwords file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	pws := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if u, pw, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			pws[u] = pw
		}
	}
	return pws
}

var reVerification = regexp.MustCompile(`\(or open (http\S+)\)`)

// login runs `warden login` for a person, approving its code at the device
// page as the person would in a browser.
func login(t *testing.T, url string, env []string, p *servertest.Person, args ...string) string {
	t.Helper()
	cmd := boundedCommand(t, wardenBin, append([]string{"login", "--endpoint", url, "--no-browser"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, _ := cmd.StderrPipe()
	var stdout lockedBuffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var out strings.Builder
	approved := false
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if m := reVerification.FindStringSubmatch(sc.Text()); m != nil && !approved {
			approved = true
			if pg, err := servertest.NewBrowser(url).Approve(m[1], p, time.Now, true); err != nil || pg.Title != "Request approved" {
				t.Errorf("device page: %q, %v", pg.Title, err)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("warden login: %v\n%s%s", err, out.String(), stdout.String())
	}
	return stdout.String()
}

func aws2(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := boundedCommand(t, "/usr/bin/aws", args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// subprocessLimit bounds each client a test runs (the aws CLI, warden
// login): one that hangs is killed and its test fails with what it printed,
// instead of stalling the package until go test's own timeout.
const subprocessLimit = 2 * time.Minute

func boundedCommand(t *testing.T, name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(t.Context(), subprocessLimit)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 5 * time.Second // output pipes held by a grandchild (credential_process) close too
	return cmd
}

// TestLoginAndCredentialProcess signs a SecureCart developer in with
// `warden login` against `warden serve`, through the device page (new
// password, TOTP enrollment), and uses the profile it writes with the aws
// CLI (credential_process = warden credentials): the calls are decided by
// the provisioned AWSReservedSSO_DeveloperAccess role. `warden logout` ends it.
func TestLoginAndCredentialProcess(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir, "--org", directoryOrg(t))
	pws := readPasswords(t, dir)
	if len(pws) != 7 {
		t.Fatalf("passwords for %d users, want SecureCart's 7", len(pws))
	}
	for u, pw := range pws {
		if strings.Contains(srv.Stderr.String(), pw) {
			t.Errorf("the one-time password of %s is in the server's log", u)
		}
	}
	home := t.TempDir()
	cfg := filepath.Join(home, "config")
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "HOME=" + home, "AWS_PAGER=", "DISPLAY="}
	alice := &servertest.Person{UserName: "alice@securecart.example", Password: pws["alice@securecart.example"], NewPassword: "Alice-0wn-password"}
	out := login(t, srv.URL, env, alice, "--account", "Dev", "--permission-set", "DeveloperAccess")
	if !strings.Contains(out, `Profile "Dev-DeveloperAccess"`) {
		t.Errorf("warden login said:\n%s", out)
	}
	data, _ := os.ReadFile(cfg)
	if !strings.Contains(string(data), "[profile Dev-DeveloperAccess]") || !strings.Contains(string(data), "credential_process = "+wardenBin+" credentials --endpoint "+srv.URL+" --account "+devAccount+" --permission-set DeveloperAccess") {
		t.Errorf("config file:\n%s", data)
	}

	prof := []string{"--profile", "Dev-DeveloperAccess", "--endpoint-url", srv.URL, "--output", "json"}
	got, err := aws2(t, env, append(prof, "sts", "get-caller-identity")...)
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, got)
	}
	var who struct{ Arn string }
	json.Unmarshal([]byte(got), &who)
	if !regexp.MustCompile(`^arn:aws:sts::` + devAccount + `:assumed-role/AWSReservedSSO_DeveloperAccess_[0-9a-f]{16}/alice@securecart.example$`).MatchString(who.Arn) {
		t.Errorf("caller = %q", who.Arn)
	}
	// ViewOnlyAccess lets the developer list roles, but not create a user.
	if got, err := aws2(t, env, append(prof, "iam", "list-roles")...); err != nil {
		t.Errorf("aws iam list-roles: %v\n%s", err, got)
	}
	if got, err := aws2(t, env, append(prof, "iam", "create-user", "--user-name", "mallory")...); err == nil || !strings.Contains(got, "AccessDenied") {
		t.Errorf("aws iam create-user: %v\n%s; want AccessDenied", err, got)
	}
	// The credentials are cached, mode 0600.
	caches, _ := filepath.Glob(filepath.Join(home, "cache", "warden", "sso", "*.json"))
	if len(caches) != 2 {
		t.Errorf("cache files %v, want a token and one set of credentials", caches)
	}
	for _, c := range caches {
		if fi, _ := os.Stat(c); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", c, fi.Mode().Perm())
		}
	}

	// warden logout revokes the sign-in and removes the cache.
	cmd := exec.Command(wardenBin, "logout", "--endpoint", srv.URL)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Signed out") {
		t.Fatalf("warden logout: %v\n%s", err, out)
	}
	if caches, _ := filepath.Glob(filepath.Join(home, "cache", "warden", "sso", "*.json")); len(caches) != 0 {
		t.Errorf("cache after logout: %v", caches)
	}
	if got, err := aws2(t, env, append(prof, "sts", "get-caller-identity")...); err == nil {
		t.Errorf("aws after logout succeeded:\n%s", got)
	}
}
