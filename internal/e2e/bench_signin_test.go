package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/securecart/warden/internal/server/servertest"
)

// TestBenchGetRoleCredentials measures the SSO portal's GetRoleCredentials
// beside STS AssumeRole, in one run against one `warden serve` on SQLite,
// at 16 clients (BENCHMARKS.md). It runs only with WARDEN_BENCH_SSO=1:
//
//	WARDEN_BENCH_SSO=1 go test ./internal/e2e -run TestBenchGetRoleCredentials -v
func TestBenchGetRoleCredentials(t *testing.T) {
	if os.Getenv("WARDEN_BENCH_SSO") == "" {
		t.Skip("set WARDEN_BENCH_SSO=1 to measure")
	}
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir, "--org", directoryOrg(t))
	pws := readPasswords(t, dir)
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "DISPLAY="}
	alice := &servertest.Person{UserName: "alice@securecart.example", Password: pws["alice@securecart.example"], NewPassword: "Alice-0wn-password"}
	login(t, srv.URL, env, alice, "--account", "Dev", "--permission-set", "DeveloperAccess")
	dur := "10s"
	for _, args := range [][]string{
		{"--action", "AssumeRole", "--role-arn", devAdminARN, "--credentials", filepath.Join(dir, "credentials")},
		{"--action", "GetRoleCredentials", "--account", devAccount, "--role-name", "DeveloperAccess"},
	} {
		cmd := exec.Command(wardenBin, append([]string{"loadtest", "--endpoint", srv.URL, "--concurrency", "16", "--duration", dur, "--format", "json"}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("loadtest %v: %v\n%s", args, err, out)
		}
		t.Logf("%s", out)
	}
}
