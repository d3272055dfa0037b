package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

// reset-password gives a one-time password (printed once), removes the
// authenticator with --reset-mfa, and is recorded in the trail.
func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, sealer := openDataDir(t, dir)
	if _, _, err := server.Bootstrap(ctx, st, sealer, landingzones.FS, landingzones.SecureCart, fixedNow()); err != nil {
		t.Fatal(err)
	}
	auth := &sso.Authenticator{Store: st, Dir: sso.OrgDirectory{Orgs: state.New(st, fixedNow)}, Master: sealer, Clock: fixedNow}
	u, err := auth.Dir.UserByName(ctx, "sam@securecart.example")
	if err != nil {
		t.Fatal(err)
	}
	seed := creds.NewTOTPSeed()
	code, _ := creds.TOTPCode(seed, fixedNow())
	if err := auth.EnrollTOTP(ctx, u, seed, code, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out, stderr, code2 := run(t, "", "identity-center", "reset-password", "--data", dir, "--user", "sam@securecart.example", "--reset-mfa")
	if code2 != 0 {
		t.Fatalf("exit %d: %s", code2, stderr)
	}
	pw := strings.TrimSpace(out)
	if sso.CheckPasswordStrength(pw) != nil || strings.Contains(stderr, pw) {
		t.Errorf("password %q (stderr %q)", pw, stderr)
	}
	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	auth.Store = st
	auth.Dir = sso.OrgDirectory{Orgs: state.New(st, fixedNow)}
	if _, must, err := auth.Password(ctx, "sam@securecart.example", pw, "127.0.0.1"); err != nil || !must {
		t.Errorf("the new password: must change %v, %v", must, err)
	}
	if has, _ := auth.HasTOTP(ctx, u.ID); has {
		t.Errorf("the authenticator survived --reset-mfa")
	}
	lookup, _, _ := run(t, "", "audit", "lookup", "--data", dir, "--event-name", "UpdatePassword", "--format", "json")
	if !strings.Contains(lookup, `"eventSource":"sso-directory.amazonaws.com"`) || !strings.Contains(lookup, "sam@securecart.example") || strings.Contains(lookup, pw) {
		t.Errorf("trail:\n%s", lookup)
	}
	if _, stderr, code := run(t, "", "identity-center", "reset-password", "--data", dir, "--user", "nobody@x"); code != 2 || !strings.Contains(stderr, "no user") {
		t.Errorf("unknown user: exit %d, %s", code, stderr)
	}
}

// With an external identity source the directory's passwords are off (as
// AWS turns them off,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-change.html):
// no one-time password is written at the first start nor issued by
// reset-password; --reset-mfa alone still removes the authenticator.
func TestNoOneTimePasswordsWithExternalSource(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, sealer := openDataDir(t, dir)
	if _, _, err := server.Bootstrap(ctx, st, sealer, landingzones.FS, landingzones.SecureCart, fixedNow()); err != nil {
		t.Fatal(err)
	}
	m := state.New(st, fixedNow)
	if _, err := m.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = &org.ExternalIdPDef{Type: "oidc", Name: "Okta", Issuer: "https://securecart.okta.com", ClientID: "0oa1"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	pwPath := filepath.Join(dir, server.PasswordsFile)
	if n, err := server.WriteInitialPasswords(ctx, st, sealer, pwPath, "http://127.0.0.1:4566/device", fixedNow); n != 0 || err != nil {
		t.Errorf("WriteInitialPasswords with an external source = %d, %v; want none", n, err)
	}
	if _, err := os.Stat(pwPath); !os.IsNotExist(err) {
		t.Errorf("the passwords file was written: %v", err)
	}
	auth := &sso.Authenticator{Store: st, Dir: sso.OrgDirectory{Orgs: m}, Master: sealer, Clock: fixedNow}
	u, err := auth.Dir.UserByName(ctx, "sam@securecart.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SSOPassword(ctx, u.ID); err == nil {
		t.Errorf("sam has a directory password")
	}
	seed := creds.NewTOTPSeed()
	code, _ := creds.TOTPCode(seed, fixedNow())
	if err := auth.EnrollTOTP(ctx, u, seed, code, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out, stderr, exit := run(t, "", "identity-center", "reset-password", "--data", dir, "--user", "sam@securecart.example")
	if exit != 2 || out != "" || !strings.Contains(stderr, "no password was issued") {
		t.Errorf("reset-password with an external source: exit %d, stdout %q, stderr %s", exit, out, stderr)
	}
	out, stderr, exit = run(t, "", "identity-center", "reset-password", "--data", dir, "--user", "sam@securecart.example", "--reset-mfa")
	if exit != 0 || out != "" || !strings.Contains(stderr, "No password issued") {
		t.Errorf("reset-password --reset-mfa with an external source: exit %d, stdout %q, stderr %s", exit, out, stderr)
	}
	st, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	auth.Store = st
	if has, _ := auth.HasTOTP(ctx, u.ID); has {
		t.Errorf("the authenticator survived --reset-mfa")
	}
	if _, err := st.SSOPassword(ctx, u.ID); err == nil {
		t.Errorf("reset-password --reset-mfa gave sam a directory password")
	}
}
