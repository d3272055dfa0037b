package sso_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/identity"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
)

const (
	rpClient = "warden-rp"
	rpSecret = "rp-client-secret-0123456789"
	rpEnv    = "WARDEN_TEST_OIDC_CLIENT_SECRET"
)

// rpFixture is a relying party in front of the real OpenID provider
// (zitadel/oidc's, on loopback over TLS from a test CA), for the
// SecureCart organization whose identity source it is.
type rpFixture struct {
	op    *servertest.OIDCOP
	rp    *sso.OIDCRP
	clock servertest.Clock
}

func (f *rpFixture) advance(d time.Duration) { f.clock.Advance(d) }

func newRP(t testing.TB) *rpFixture {
	t.Helper()
	op := servertest.NewOIDCOP(t)
	// No services: the RP needs the server's organization state and store
	// only (and no background work competes with the benchmark).
	h := servertest.Start(t, servertest.Options{Services: []api.Factory{}})
	ctx := servertest.Ctx(t)
	op.AddClient(rpClient, rpSecret, h.URL+"/oidc/callback")
	op.AddUser(t, "alice", "alice@securecart.example", "correct horse", nil)
	op.AddUser(t, "zed", "zed@securecart.example", "correct horse", nil)
	if _, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = &org.ExternalIdPDef{Type: "oidc", Name: "Okta", Issuer: op.Issuer,
			ClientID: rpClient, ClientSecretEnv: rpEnv}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sealer, err := creds.NewSealer(h.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := creds.NewKeyring(ctx, h.Store, sealer, creds.PurposeSessionToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := &rpFixture{op: op}
	f.clock.Set(time.Now())
	f.rp = &sso.OIDCRP{Orgs: h.Server.State, Store: h.Store, Keyring: kr, Client: op.Client, Clock: f.clock.Now, Base: h.URL,
		LookupEnv: func(k string) (string, bool) {
			if k == rpEnv {
				return rpSecret, true
			}
			return "", false
		}}
	return f
}

// signIn runs a sign-in through the provider and returns Finish's answer.
func (f *rpFixture) signIn(t testing.TB, user string) (*sso.OIDCSignIn, error) {
	t.Helper()
	ctx := servertest.Ctx(t)
	authURL, pending, err := f.rp.Begin(ctx, "bind-1", "/device")
	if err != nil {
		t.Fatal(err)
	}
	return f.rp.Finish(ctx, pending, f.callback(t, authURL, user))
}

// callback signs user in at the provider and returns the redirection's
// query.
func (f *rpFixture) callback(t testing.TB, authURL, user string) url.Values {
	t.Helper()
	loc, err := url.Parse(f.op.Authorize(t, authURL, user, "correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != f.rp.RedirectURL() {
		t.Fatalf("the provider sends the person to %s, not the RP's redirection endpoint", got)
	}
	return loc.Query()
}

// A person signs in: authorization code flow with PKCE (S256), state and
// nonce; the user is the identity store's whose email the ID token names,
// and the provider's amr is handed on.
func TestOIDCSignIn(t *testing.T) {
	f := newRP(t)
	ctx := servertest.Ctx(t)
	authURL, pending, err := f.rp.Begin(ctx, "bind-1", "/device")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": rpClient, "code_challenge_method": "S256",
		"redirect_uri": f.rp.RedirectURL(), "scope": "openid email profile"} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 40 {
			t.Errorf("authorization request %s = %q: want a random value of 40 characters or more", k, q.Get(k))
		}
	}
	if strings.Contains(pending, q.Get("state")) || strings.Contains(pending, q.Get("nonce")) {
		t.Error("the pending request is not sealed: it shows the state or nonce")
	}
	in, err := f.rp.Finish(ctx, pending, f.callback(t, authURL, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if in.User.UserName != "alice@securecart.example" || in.IdP != "Okta" || in.Issuer != f.op.Issuer || in.Bind != "bind-1" || in.Next != "/device" {
		t.Errorf("signed in as %+v", in)
	}
	if len(in.AMR) != 1 || in.AMR[0] != "pwd" || in.AuthTime.IsZero() {
		t.Errorf("amr %v, auth_time %v: want the provider's [pwd] and its authentication time", in.AMR, in.AuthTime)
	}
}

// The negative twins of the callback: state, replay, code replay, PKCE.
func TestOIDCStateAndCode(t *testing.T) {
	f := newRP(t)
	ctx := servertest.Ctx(t)
	authURL, pending, _ := f.rp.Begin(ctx, "b", "/device")
	q := f.callback(t, authURL, "alice")

	// Another state than the pending request's.
	bad := url.Values{"state": {q.Get("state") + "x"}, "code": {q.Get("code")}}
	if _, err := f.rp.Finish(ctx, pending, bad); !errors.Is(err, sso.ErrOIDCState) {
		t.Errorf("state mismatch: %v", err)
	}
	// No pending request (another browser, or the cookie lost).
	if _, err := f.rp.Finish(ctx, "", q); !errors.Is(err, sso.ErrOIDCState) {
		t.Errorf("no pending request: %v", err)
	}
	if _, err := f.rp.Finish(ctx, pending, q); err != nil {
		t.Fatalf("the sign-in itself: %v", err)
	}
	// The same answer again, with the same cookie: the state is used.
	if _, err := f.rp.Finish(ctx, pending, q); !errors.Is(err, sso.ErrOIDCState) || !strings.Contains(err.Error(), "already used") {
		t.Errorf("replayed answer: %v", err)
	}
	// The used code under a new sign-in's state: the provider refuses it.
	authURL2, pending2, _ := f.rp.Begin(ctx, "b", "/device")
	u2, _ := url.Parse(authURL2)
	replay := url.Values{"state": {u2.Query().Get("state")}, "code": {q.Get("code")}}
	if _, err := f.rp.Finish(ctx, pending2, replay); !errors.Is(err, sso.ErrOIDCToken) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("replayed code: %v", err)
	}
	// A pending request expires.
	authURL3, pending3, _ := f.rp.Begin(ctx, "b", "/device")
	q3 := f.callback(t, authURL3, "alice")
	f.advance(sso.OIDCPendingLifetime + time.Second)
	if _, err := f.rp.Finish(ctx, pending3, q3); !errors.Is(err, sso.ErrOIDCState) {
		t.Errorf("expired pending request: %v", err)
	}
	// The provider's error answer (the person is not assigned to the
	// application): refused, and its state used.
	f.advance(-sso.OIDCPendingLifetime - time.Second)
	authURL4, pending4, _ := f.rp.Begin(ctx, "b", "/device")
	u4, _ := url.Parse(authURL4)
	denied := url.Values{"state": {u4.Query().Get("state")}, "error": {"access_denied"}, "error_description": {"User is not assigned to the client application."}}
	if _, err := f.rp.Finish(ctx, pending4, denied); !errors.Is(err, sso.ErrOIDCDenied) || !strings.Contains(err.Error(), "not assigned") {
		t.Errorf("error answer: %v", err)
	}
}

// The code is bound to the PKCE challenge: exchanging it without the
// verifier, or with another, is refused by the provider (RFC 7636 4.6).
func TestOIDCPKCERequired(t *testing.T) {
	f := newRP(t)
	ctx := servertest.Ctx(t)
	authURL, _, _ := f.rp.Begin(ctx, "b", "/device")
	q := f.callback(t, authURL, "alice")
	for name, verifier := range map[string]string{"missing verifier": "", "wrong verifier": strings.Repeat("v", 50)} {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {f.rp.RedirectURL()}}
		if verifier != "" {
			form.Set("code_verifier", verifier)
		}
		req, _ := http.NewRequest(http.MethodPost, f.op.Issuer+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(rpClient, rpSecret)
		resp, err := f.op.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: the provider answered %s", name, resp.Status)
		}
	}
}

// ID tokens that must be refused, each made from the provider's real one.
func TestOIDCIDTokenRefused(t *testing.T) {
	f := newRP(t)
	forger := servertest.NewOIDCOP(t) // another provider's key
	now := time.Now()
	cases := []struct {
		name, alg, want string
		edit            func(c map[string]any)
		key             []byte
		forged          bool
	}{
		{name: "alg none", alg: "none", want: "signature algorithm \"none\""},
		{name: "HS256 keyed with the client secret", alg: "HS256", key: []byte(rpSecret), want: "signature algorithm \"HS256\""},
		{name: "wrong issuer", alg: "RS256", want: "different provider", edit: func(c map[string]any) { c["iss"] = "https://evil.example" }},
		{name: "wrong audience", alg: "RS256", want: "audience", edit: func(c map[string]any) { c["aud"] = []string{"other-client"} }},
		{name: "another party (azp)", alg: "RS256", want: "azp", edit: func(c map[string]any) { c["aud"] = []string{rpClient, "x"}; c["azp"] = "x" }},
		{name: "expired", alg: "RS256", want: "expired", edit: func(c map[string]any) {
			c["exp"] = now.Add(-time.Minute).Unix()
			c["iat"] = now.Add(-5 * time.Minute).Unix()
		}},
		{name: "issued in the future", alg: "RS256", want: "future", edit: func(c map[string]any) { c["iat"] = now.Add(5 * time.Minute).Unix() }},
		{name: "issued long ago", alg: "RS256", want: "more than", edit: func(c map[string]any) { c["iat"] = now.Add(-time.Hour).Unix() }},
		{name: "no iat", alg: "RS256", want: "no iat", edit: func(c map[string]any) { delete(c, "iat") }},
		{name: "nonce mismatch", alg: "RS256", want: "nonce", edit: func(c map[string]any) { c["nonce"] = "another-sign-in" }},
		{name: "no nonce", alg: "RS256", want: "nonce", edit: func(c map[string]any) { delete(c, "nonce") }},
		{name: "signed by another provider's key", alg: "RS256", want: "no key", forged: true},
		{name: "unverified email", alg: "RS256", want: "not verified", edit: func(c map[string]any) { c["email_verified"] = false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.op.RewriteIDToken(func(raw string) string {
				c := servertest.Claims(t, raw)
				if tc.edit != nil {
					tc.edit(c)
				}
				if tc.forged {
					return forger.Sign(t, c, tc.alg, tc.key)
				}
				return f.op.Sign(t, c, tc.alg, tc.key)
			})
			defer f.op.RewriteIDToken(nil)
			_, err := f.signIn(t, "alice")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
			if !errors.Is(err, sso.ErrOIDCToken) && !errors.Is(err, sso.ErrOIDCNoUser) {
				t.Errorf("%v is neither ErrOIDCToken nor ErrOIDCNoUser", err)
			}
		})
	}
	// The provider's own token, re-signed unchanged with its key: accepted
	// (the rewriting itself breaks nothing).
	f.op.RewriteIDToken(func(raw string) string {
		c := servertest.Claims(t, raw)
		c["amr"] = []string{"pwd", "mfa"}
		c["acr"] = "urn:okta:loa:2fa:any"
		return f.op.Sign(t, c, "RS256", nil)
	})
	in, err := f.signIn(t, "alice")
	if err != nil || strings.Join(in.AMR, " ") != "pwd mfa" || in.ACR != "urn:okta:loa:2fa:any" {
		t.Fatalf("re-signed token: %v %+v", err, in)
	}
}

// Users are matched by the email claim; one the store lacks is refused;
// a provider that serves email only at UserInfo works too.
func TestOIDCUserMatching(t *testing.T) {
	f := newRP(t)
	if _, err := f.signIn(t, "zed"); !errors.Is(err, sso.ErrOIDCNoUser) {
		t.Errorf("a person the identity store lacks: %v", err)
	}
	f.op.EmailInUserInfoOnly()
	in, err := f.signIn(t, "alice")
	if err != nil || in.User.UserName != "alice@securecart.example" {
		t.Fatalf("email from UserInfo: %v", err)
	}
}

// Key rotation: a token signed by the provider's new key is accepted once
// the key set is fetched again; a key ID the cached set lacks fetches it,
// at most every 30 seconds however many such tokens come.
func TestOIDCKeyRotation(t *testing.T) {
	f := newRP(t)
	if _, err := f.signIn(t, "alice"); err != nil {
		t.Fatal(err)
	}
	fetches := f.op.KeyFetches()
	f.op.Rotate(t, true)
	for i := 0; i < 3; i++ {
		if _, err := f.signIn(t, "alice"); err == nil || !strings.Contains(err.Error(), "no key") {
			t.Fatalf("new key within 30 seconds of the last fetch: %v", err)
		}
	}
	if got := f.op.KeyFetches() - fetches; got != 0 {
		t.Errorf("the key set was fetched %d times within the rate limit", got)
	}
	f.advance(31 * time.Second)
	if _, err := f.signIn(t, "alice"); err != nil {
		t.Fatalf("token of the new key after the rate limit: %v", err)
	}
	if got := f.op.KeyFetches() - fetches; got != 1 {
		t.Errorf("the key set was fetched %d times, want once", got)
	}
	// A rotation that keeps the old key published: the new key ID fetches
	// at once when the last fetch is older than the limit.
	f.advance(31 * time.Second)
	f.op.Rotate(t, false)
	if _, err := f.signIn(t, "alice"); err != nil {
		t.Fatalf("after a second rotation: %v", err)
	}
}

// The RP needs its client secret from the environment it names.
func TestOIDCClientSecretMissing(t *testing.T) {
	f := newRP(t)
	f.rp.LookupEnv = func(string) (string, bool) { return "", false }
	if _, _, err := f.rp.Begin(context.Background(), "b", "/device"); err == nil || !strings.Contains(err.Error(), rpEnv) {
		t.Errorf("Begin without the secret: %v", err)
	}
}

// BenchmarkVerifyIDToken measures ID token verifications per second: the
// RP's (signature with the kept key set, iss, aud, azp, exp, iat, nonce,
// amr) beside go-oidc's own verifier with its remote key set (the peer:
// the library alone) and STS's AssumeRoleWithWebIdentity verification
// (identity.OIDC), on one RS256 token of the real provider.
func BenchmarkVerifyIDToken(b *testing.B) {
	// The example provider logs every request to the default logger.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f := newRP(b)
	var raw string
	f.op.RewriteIDToken(func(tok string) string { raw = tok; return tok })
	if _, err := f.signIn(b, "alice"); err != nil {
		b.Fatal(err)
	}
	f.op.RewriteIDToken(nil)
	ctx := context.Background()
	nonce, _ := servertest.Claims(b, raw)["nonce"].(string)
	b.Run("warden", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			if _, err := f.rp.VerifyIDToken(ctx, raw, nonce); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	})
	b.Run("go-oidc", func(b *testing.B) {
		p, err := oidc.NewProvider(oidc.ClientContext(ctx, f.op.Client), f.op.Issuer)
		if err != nil {
			b.Fatal(err)
		}
		v := p.Verifier(&oidc.Config{ClientID: rpClient, Now: f.clock.Now})
		cctx := oidc.ClientContext(ctx, f.op.Client)
		cpu := cpuTime()
		for b.Loop() {
			if _, err := v.Verify(cctx, raw); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	})
	b.Run("sts", func(b *testing.B) {
		o := &identity.OIDC{Client: f.op.Client, Clock: f.clock.Now}
		cpu := cpuTime()
		for b.Loop() {
			if _, err := o.Verify(ctx, f.op.Issuer, raw, []string{rpClient}, f.clock.Now()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	})
}

// cpuTime is the CPU time the process used (user and system): the machine
// is shared, so wall time per operation includes waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
