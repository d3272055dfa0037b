package sso

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// fakeDir is a Directory of two users.
type fakeDir struct{}

var alice = User{ID: "u-alice", UserName: "alice@example.com", DisplayName: "Alice"}
var bob = User{ID: "u-bob", UserName: "bob@example.com", DisplayName: "Bob"}

func (fakeDir) Instance(context.Context) (Instance, error) {
	return Instance{InstanceARN: "arn:aws:sso:::instance/ssoins-0123456789abcdef", IdentityStoreID: "d-0123456789", Account: "111111111111"}, nil
}
func (fakeDir) UserByName(_ context.Context, n string) (User, error) {
	for _, u := range []User{alice, bob} {
		if u.UserName == n {
			return u, nil
		}
	}
	return User{}, ErrNoUser
}
func (fakeDir) UserByID(_ context.Context, id string) (User, error) {
	for _, u := range []User{alice, bob} {
		if u.ID == id {
			return u, nil
		}
	}
	return User{}, ErrNoUser
}
func (fakeDir) Roles(context.Context, string) ([]Role, error) { return nil, nil }
func (fakeDir) Users(context.Context) ([]User, error)         { return []User{alice, bob}, nil }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	st    store.Store
	clk   *clock
	oidc  *OIDC
	auth  *Authenticator
	cl    Client
	other Client
}

func newFixture(t *testing.T) *fixture {
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	master, _ := creds.NewSealer(creds.NewKey())
	clk := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	f := &fixture{st: st, clk: clk,
		oidc: &OIDC{Store: st, Dir: fakeDir{}, Clock: clk.now, VerificationURI: "http://127.0.0.1:4566/device"},
		auth: &Authenticator{Store: st, Dir: fakeDir{}, Master: master, Clock: clk.now}}
	f.cl, err = f.oidc.RegisterClient(t.Context(), "127.0.0.1", "warden-login", "public", []string{"sso:account:access"})
	if err != nil {
		t.Fatal(err)
	}
	f.other, err = f.oidc.RegisterClient(t.Context(), "127.0.0.1", "other", "public", nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func oauthCode(err error) string {
	var oe *OAuthError
	if errors.As(err, &oe) {
		return oe.Code
	}
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// https://datatracker.ietf.org/doc/html/rfc8628#section-3.5
func TestDeviceFlow(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.oidc.StartDeviceAuthorization(ctx, "127.0.0.1", f.cl.ID, "wrong", "https://start"); oauthCode(err) != "invalid_client" {
		t.Errorf("wrong client secret: got %s, want invalid_client", oauthCode(err))
	}
	d, err := f.oidc.StartDeviceAuthorization(ctx, "127.0.0.1", f.cl.ID, f.cl.Secret, "https://start")
	if err != nil {
		t.Fatal(err)
	}
	if d.VerificationURIComplete != "http://127.0.0.1:4566/device?user_code="+d.UserCode || d.ExpiresIn != 600 || d.Interval != 1 || len(d.UserCode) != 9 {
		t.Errorf("device authorization = %+v", d)
	}
	poll := func(c Client) error {
		_, err := f.oidc.CreateToken(ctx, c.ID, c.Secret, GrantDeviceCode, d.DeviceCode, "")
		return err
	}
	if got := oauthCode(poll(f.cl)); got != "authorization_pending" {
		t.Errorf("first poll: %s, want authorization_pending", got)
	}
	if got := oauthCode(poll(f.cl)); got != "slow_down" {
		t.Errorf("immediate second poll: %s, want slow_down", got)
	}
	f.clk.add(6 * time.Second) // interval is now 1+5 s
	if got := oauthCode(poll(f.other)); got != "invalid_grant" {
		t.Errorf("another client's poll: %s, want invalid_grant", got)
	}
	f.clk.add(6 * time.Second)
	// The typed code is normalized.
	if err := f.oidc.Decide(ctx, strings.ToLower(strings.ReplaceAll(d.UserCode, "-", " ")), true, alice.ID, f.clk.now()); err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if err := f.oidc.Decide(ctx, d.UserCode, false, bob.ID, f.clk.now()); err == nil {
		t.Errorf("second decision accepted")
	}
	tok, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantDeviceCode, d.DeviceCode, "")
	if err != nil {
		t.Fatalf("CreateToken after approval: %v", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "aoa") || tok.RefreshToken == "" || tok.ExpiresIn != 3600 {
		t.Errorf("tokens = %+v", tok)
	}
	f.clk.add(7 * time.Second)
	if got := oauthCode(poll(f.cl)); got != "invalid_grant" {
		t.Errorf("device code exchanged twice: %s, want invalid_grant", got)
	}
	at, err := f.oidc.AccessToken(ctx, tok.AccessToken)
	if err != nil || at.UserID != alice.ID {
		t.Errorf("AccessToken = %+v, %v", at, err)
	}

	// Refresh: once; the second use revokes the sign-in.
	if _, err := f.oidc.CreateToken(ctx, f.other.ID, f.other.Secret, GrantRefreshToken, "", tok.RefreshToken); oauthCode(err) != "invalid_grant" {
		t.Errorf("refresh by another client: %s, want invalid_grant", oauthCode(err))
	}
	tok2, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantRefreshToken, "", tok.RefreshToken)
	if err != nil || tok2.AccessToken == tok.AccessToken || tok2.RefreshToken == "" {
		t.Fatalf("refresh: %+v, %v", tok2, err)
	}
	if _, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantRefreshToken, "", tok.RefreshToken); oauthCode(err) != "invalid_grant" {
		t.Errorf("refresh token reused: %s, want invalid_grant", oauthCode(err))
	}
	for _, at := range []string{tok.AccessToken, tok2.AccessToken} {
		if _, err := f.oidc.AccessToken(ctx, at); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("access token after refresh-token reuse: %v, want ErrUnauthorized", err)
		}
	}
	if _, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantRefreshToken, "", tok2.RefreshToken); oauthCode(err) != "invalid_grant" {
		t.Errorf("refresh of a revoked sign-in: %s, want invalid_grant", oauthCode(err))
	}
	if _, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, "password", "", ""); oauthCode(err) != "unsupported_grant_type" {
		t.Errorf("password grant: %s", oauthCode(err))
	}
}

func TestDeviceFlowDeniedAndExpired(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	d1, _ := f.oidc.StartDeviceAuthorization(ctx, "127.0.0.1", f.cl.ID, f.cl.Secret, "https://start")
	d2, _ := f.oidc.StartDeviceAuthorization(ctx, "127.0.0.1", f.cl.ID, f.cl.Secret, "https://start")
	if err := f.oidc.Decide(ctx, d1.UserCode, false, alice.ID, f.clk.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantDeviceCode, d1.DeviceCode, ""); oauthCode(err) != "access_denied" {
		t.Errorf("denied: %s, want access_denied", oauthCode(err))
	}
	f.clk.add(DeviceCodeLifetime)
	if err := f.oidc.Decide(ctx, d2.UserCode, true, alice.ID, f.clk.now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("approving an expired code: %v, want ErrNotFound", err)
	}
	if _, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantDeviceCode, d2.DeviceCode, ""); oauthCode(err) != "expired_token" {
		t.Errorf("expired: %s, want expired_token", oauthCode(err))
	}
}

func signIn(t *testing.T, f *fixture) Tokens {
	t.Helper()
	ctx := t.Context()
	d, err := f.oidc.StartDeviceAuthorization(ctx, "127.0.0.1", f.cl.ID, f.cl.Secret, "https://start")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.oidc.Decide(ctx, d.UserCode, true, alice.ID, f.clk.now()); err != nil {
		t.Fatal(err)
	}
	tok, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantDeviceCode, d.DeviceCode, "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTokenExpiryAndLogout(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	tok := signIn(t, f)
	f.clk.add(AccessTokenLifetime)
	if _, err := f.oidc.AccessToken(ctx, tok.AccessToken); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("expired access token: %v", err)
	}
	// The refresh token outlives it, but not the sign-in.
	tok2, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantRefreshToken, "", tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh after the access token expired: %v", err)
	}
	f.clk.add(SignInLifetime - AccessTokenLifetime - 30*time.Minute)
	tok3, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantRefreshToken, "", tok2.RefreshToken)
	if err != nil || tok3.ExpiresIn != 1800 {
		t.Errorf("refresh 30 minutes before the sign-in ends: expires in %d, %v; want 1800", tok3.ExpiresIn, err)
	}
	if err := f.oidc.Logout(ctx, tok3.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := f.oidc.AccessToken(ctx, tok3.AccessToken); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("access token after logout: %v", err)
	}
	if _, err := f.oidc.CreateToken(ctx, f.cl.ID, f.cl.Secret, GrantRefreshToken, "", tok3.RefreshToken); oauthCode(err) != "invalid_grant" {
		t.Errorf("refresh after logout: %s", oauthCode(err))
	}
	if _, err := f.oidc.AccessToken(ctx, "aoa"+strings.Repeat("A", 64)); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("made-up token: %v", err)
	}
}

func TestPasswords(t *testing.T) {
	h := HashPassword("Correct-horse-1")
	if !CheckPassword(h, "Correct-horse-1") || CheckPassword(h, "Correct-horse-2") {
		t.Errorf("CheckPassword does not tell the right password from a wrong one")
	}
	if h2 := HashPassword("Correct-horse-1"); h2 == h {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=1,p=1$AA$AA", strings.Replace(h, "argon2id", "argon2i", 1)} {
		if CheckPassword(bad, "Correct-horse-1") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
	// https://docs.aws.amazon.com/singlesignon/latest/userguide/password-requirements.html
	for pw, ok := range map[string]bool{"Aa1!aaaa": true, "Aa1!aaa": false, "aa1!aaaa": false, "AA1!AAAA": false, "Aaa!aaaa": false, "Aa1aaaaa": false,
		"Aa1!" + strings.Repeat("a", 60): true, "Aa1!" + strings.Repeat("a", 61): false} {
		if got := CheckPasswordStrength(pw) == nil; got != ok {
			t.Errorf("CheckPasswordStrength(%q) ok = %v, want %v", pw, got, ok)
		}
	}
	for range 20 {
		if pw := NewInitialPassword(); CheckPasswordStrength(pw) != nil || len(pw) != 20 {
			t.Errorf("initial password %q breaks the requirements", pw)
		}
	}
}

func TestAuthenticator(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	pws, err := f.auth.InitialPasswords(ctx)
	if err != nil || len(pws) != 2 {
		t.Fatalf("InitialPasswords = %d, %v", len(pws), err)
	}
	if again, _ := f.auth.InitialPasswords(ctx); len(again) != 0 {
		t.Errorf("InitialPasswords twice gave %d new passwords, want none", len(again))
	}
	u, must, err := f.auth.Password(ctx, alice.UserName, pws[alice.UserName], "10.0.0.1")
	if err != nil || !must || u.ID != alice.ID {
		t.Fatalf("initial password: %+v must=%v %v", u, must, err)
	}
	if err := f.auth.ChangePassword(ctx, alice.ID, "short"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("weak new password: %v", err)
	}
	if err := f.auth.ChangePassword(ctx, alice.ID, pws[alice.UserName]); err == nil {
		t.Errorf("new password equal to the one-time password accepted")
	}
	if err := f.auth.ChangePassword(ctx, alice.ID, "New-passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if _, must, err := f.auth.Password(ctx, alice.UserName, "New-passw0rd!", "10.0.0.1"); err != nil || must {
		t.Errorf("new password: must=%v %v", must, err)
	}
	if _, _, err := f.auth.Password(ctx, alice.UserName, pws[alice.UserName], "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old one-time password after the change: %v", err)
	}

	// TOTP: enrolment proves the seed; a code is accepted once.
	if has, _ := f.auth.HasTOTP(ctx, alice.ID); has {
		t.Errorf("HasTOTP before enrolment")
	}
	seed := creds.NewTOTPSeed()
	if err := f.auth.EnrollTOTP(ctx, alice, seed, "000000", "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("enrolment with a wrong code: %v", err)
	}
	code, _ := creds.TOTPCode(seed, f.clk.now())
	if err := f.auth.EnrollTOTP(ctx, alice, seed, code, "10.0.0.1"); err != nil {
		t.Fatalf("EnrollTOTP: %v", err)
	}
	if err := f.auth.TOTP(ctx, alice, code, "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("the enrolment code replayed at sign-in: %v, want ErrBadCredentials", err)
	}
	f.clk.add(30 * time.Second)
	code, _ = creds.TOTPCode(seed, f.clk.now())
	if err := f.auth.TOTP(ctx, alice, code, "10.0.0.1"); err != nil {
		t.Errorf("fresh code: %v", err)
	}
	if err := f.auth.TOTP(ctx, alice, code, "10.0.0.2"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("code reused: %v, want ErrBadCredentials", err)
	}
}

func TestRateLimits(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	pws, _ := f.auth.InitialPasswords(ctx)
	for i := range MaxUserFailures {
		if _, _, err := f.auth.Password(ctx, bob.UserName, "wrong", "10.0.0.9"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if _, _, err := f.auth.Password(ctx, bob.UserName, pws[bob.UserName], "10.0.0.10"); !errors.Is(err, ErrThrottled) {
		t.Errorf("right password after %d failures: %v, want ErrThrottled", MaxUserFailures, err)
	}
	if _, _, err := f.auth.Password(ctx, alice.UserName, pws[alice.UserName], "10.0.0.10"); err != nil {
		t.Errorf("another user is not locked: %v", err)
	}
	f.clk.add(FailureWindow)
	if _, _, err := f.auth.Password(ctx, bob.UserName, pws[bob.UserName], "10.0.0.10"); err != nil {
		t.Errorf("after the window: %v", err)
	}
	// Per address: unknown user names count too, and the answer is the same.
	for i := range MaxAddrFailures {
		if _, _, err := f.auth.Password(ctx, "nobody"+string(rune('a'+i))+"@example.com", "x", "10.6.6.6"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("unknown user %d: %v", i, err)
		}
	}
	if _, _, err := f.auth.Password(ctx, alice.UserName, pws[alice.UserName], "10.6.6.6"); !errors.Is(err, ErrThrottled) {
		t.Errorf("from a throttled address: %v, want ErrThrottled", err)
	}
}

// Unauthenticated starts are limited per address.
func TestStartLimits(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for i := range MaxStartsPerAddr {
		if _, err := f.oidc.StartDeviceAuthorization(ctx, "10.9.9.9", f.cl.ID, f.cl.Secret, "https://start"); err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
	}
	if _, err := f.oidc.StartDeviceAuthorization(ctx, "10.9.9.9", f.cl.ID, f.cl.Secret, "https://start"); oauthCode(err) != "slow_down" {
		t.Errorf("start past the limit: %s, want slow_down", oauthCode(err))
	}
	if _, err := f.oidc.StartDeviceAuthorization(ctx, "10.9.9.10", f.cl.ID, f.cl.Secret, "https://start"); err != nil {
		t.Errorf("another address: %v", err)
	}
	for range MaxStartsPerAddr - 2 { // the fixture registered two clients
		if _, err := f.oidc.RegisterClient(ctx, "127.0.0.1", "c", "public", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.oidc.RegisterClient(ctx, "127.0.0.1", "c", "public", nil); oauthCode(err) != "invalid_request" {
		t.Errorf("registration past the limit: %s, want invalid_request", oauthCode(err))
	}
	f.clk.add(StartWindow)
	if _, err := f.oidc.RegisterClient(ctx, "127.0.0.1", "c", "public", nil); err != nil {
		t.Errorf("registration after the window: %v", err)
	}
}
