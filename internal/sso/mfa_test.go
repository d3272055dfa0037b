package sso

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso/ssotest"
)

// request is a browser's request to the device page over loopback at
// http://localhost:4566.
func request() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://localhost:4566/device", nil)
	r.RemoteAddr = "127.0.0.1:50000"
	return r
}

// register registers a new software key for u and returns it.
func register(t *testing.T, f *fixture, u User, flags byte) *ssotest.SoftKey {
	t.Helper()
	ctx := t.Context()
	c, err := f.auth.BeginWebAuthnRegistration(ctx, request(), u)
	if err != nil {
		t.Fatal(err)
	}
	k := &ssotest.SoftKey{Origin: "http://localhost:4566", Flags: flags}
	resp, err := k.Register(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.FinishWebAuthnRegistration(ctx, request(), u, c.State, resp, "YubiKey"); err != nil {
		t.Fatal(err)
	}
	return k
}

// assert runs an authentication ceremony with k and returns its result.
func assert(t *testing.T, f *fixture, u User, k *ssotest.SoftKey) error {
	t.Helper()
	c, err := f.auth.BeginWebAuthnLogin(t.Context(), request(), u)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := k.Assert(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.auth.FinishWebAuthnLogin(t.Context(), request(), u, c.State, resp, "127.0.0.1")
	return err
}

// TestWebAuthnCeremonies registers two security keys for a person and
// signs in with each (WebAuthn Level 3 sections 7.1 and 7.2), then the
// negative twins: an assertion collected at another origin, one whose
// signature counter went backwards (a cloned authenticator, section
// 6.1.1), one replayed with its challenge, one from another person's key,
// and user verification the policy requires but the key did not do.
func TestWebAuthnCeremonies(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	k1 := register(t, f, alice, ssotest.FlagUP|ssotest.FlagUV)
	k2 := register(t, f, alice, ssotest.FlagUP)
	have, err := f.auth.WebAuthnCredentials(ctx, alice.ID)
	if err != nil || len(have) != 2 || have[0].Name != "YubiKey" || have[0].UserID != alice.ID {
		t.Fatalf("credentials %+v, %v", have, err)
	}
	for _, k := range []*ssotest.SoftKey{k1, k2, k1} {
		if err := assert(t, f, alice, k); err != nil {
			t.Fatalf("sign-in with a registered key: %v", err)
		}
	}
	have, _ = f.auth.WebAuthnCredentials(ctx, alice.ID)
	for _, c := range have {
		if want := map[bool]uint32{true: 2, false: 1}[bytes.Equal(c.Credential.ID, k1.ID)]; c.Credential.Authenticator.SignCount != want || c.LastUsed.IsZero() {
			t.Errorf("stored counter %d, last used %v: want %d and a time", c.Credential.Authenticator.SignCount, c.LastUsed, want)
		}
	}

	// Wrong origin: the answer was collected by a page of another site.
	k1.Origin = "http://evil.localhost:4566"
	if err := assert(t, f, alice, k1); !errors.Is(err, ErrBadCredentials) || !strings.Contains(strings.ToLower(err.Error()), "origin") {
		t.Errorf("wrong origin: %v", err)
	}
	k1.Origin = "http://localhost:4566"

	// Cloned: a copy of the key signs with a counter the original passed.
	k1.Counter = 1 // next assertion carries 2, the stored value
	if err := assert(t, f, alice, k1); !errors.Is(err, ErrBadCredentials) || !strings.Contains(err.Error(), "cloned") {
		t.Errorf("counter not growing: %v", err)
	}
	k1.Counter = 10

	// Replay: the same state and answer twice.
	c, _ := f.auth.BeginWebAuthnLogin(ctx, request(), alice)
	resp, _ := k2.Assert(c.Options)
	if _, err := f.auth.FinishWebAuthnLogin(ctx, request(), alice, c.State, resp, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.FinishWebAuthnLogin(ctx, request(), alice, c.State, resp, "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("replayed assertion: %v", err)
	}

	// Another person's key answers alice's ceremony.
	kb := register(t, f, bob, ssotest.FlagUP)
	if err := assert(t, f, alice, kb); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("bob's key for alice: %v", err)
	}

	// A state of a registration (or none) is not an authentication.
	if _, err := f.auth.FinishWebAuthnLogin(ctx, request(), alice, "", resp, "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("no ceremony: %v", err)
	}
	f.auth.Store.ResetRateLimit(ctx, "user:"+alice.ID)

	// The org requires user verification: k2 does none.
	f.auth.Orgs = policyOrg(&org.MFAPolicy{WebAuthnUserVerification: "required"})
	if err := assert(t, f, alice, k2); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("no user verification under required: %v", err)
	}
	if err := assert(t, f, alice, k1); err != nil {
		t.Errorf("verified key under required: %v", err)
	}
}

// TestWebAuthnRateLimitAndRemoval: failed assertions count towards the
// person's lock as wrong codes do; a removed key no longer signs in; a
// credential ID is registered once.
func TestWebAuthnRateLimitAndRemoval(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	k := register(t, f, alice, ssotest.FlagUP)
	k.Origin = "http://other.example"
	for i := 0; i < MaxUserFailures; i++ {
		if err := assert(t, f, alice, k); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	k.Origin = "http://localhost:4566"
	if err := assert(t, f, alice, k); !errors.Is(err, ErrThrottled) {
		t.Errorf("after %d failures: %v, want throttled", MaxUserFailures, err)
	}
	f.clk.add(FailureWindow)
	if err := assert(t, f, alice, k); err != nil {
		t.Errorf("after the window: %v", err)
	}
	have, _ := f.auth.WebAuthnCredentials(ctx, alice.ID)
	if _, err := f.auth.RemoveWebAuthnCredential(ctx, alice.ID, have[0].ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.BeginWebAuthnLogin(ctx, request(), alice); !errors.Is(err, ErrNoWebAuthn) {
		t.Errorf("after removal: %v", err)
	}
}

// TestPasskeySignIn signs in with a discoverable credential without a
// user name (the user handle names the person), which requires user
// verification.
func TestPasskeySignIn(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	k := register(t, f, bob, ssotest.FlagUP|ssotest.FlagUV|ssotest.FlagBE)
	c, err := f.auth.BeginPasskeyLogin(ctx, request())
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := k.Assert(c.Options)
	u, cred, err := f.auth.FinishPasskeyLogin(ctx, request(), c.State, resp, "127.0.0.1")
	if err != nil || u.ID != bob.ID || !cred.Passkey() {
		t.Fatalf("passkey sign-in: %+v %v", u, err)
	}
	// Without user verification a passkey is one factor only.
	k.Flags = ssotest.FlagUP | ssotest.FlagBE
	c, _ = f.auth.BeginPasskeyLogin(ctx, request())
	resp, _ = k.Assert(c.Options)
	if _, _, err := f.auth.FinishPasskeyLogin(ctx, request(), c.State, resp, "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("passkey without user verification: %v", err)
	}
	// A user handle that is not the credential's owner's.
	k.Flags = ssotest.FlagUP | ssotest.FlagUV | ssotest.FlagBE
	k.UserHandle = []byte(alice.ID)
	c, _ = f.auth.BeginPasskeyLogin(ctx, request())
	resp, _ = k.Assert(c.Options)
	if _, _, err := f.auth.FinishPasskeyLogin(ctx, request(), c.State, resp, "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("passkey with another user's handle: %v", err)
	}
}

// TestRelyingParty: the RP ID is the public URL's host; without one, a
// loopback request's host name; never an IP address (browsers refuse
// them) nor a remote request's Host header.
func TestRelyingParty(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := request()
	r.Host = "127.0.0.1:4566"
	if _, err := f.auth.BeginWebAuthnRegistration(ctx, r, alice); !errors.Is(err, ErrWebAuthnUnavailable) {
		t.Errorf("IP host: %v", err)
	}
	r = request()
	r.RemoteAddr = "203.0.113.9:40000"
	if _, err := f.auth.BeginWebAuthnRegistration(ctx, r, alice); !errors.Is(err, ErrWebAuthnUnavailable) {
		t.Errorf("remote request without a public URL: %v", err)
	}
	// serve's default public URL, its loopback listening address, stands
	// for the browser's loopback host name.
	f.auth.PublicURL = "http://127.0.0.1:4566"
	if _, err := f.auth.BeginWebAuthnRegistration(ctx, request(), alice); err != nil {
		t.Errorf("loopback public URL, localhost request: %v", err)
	}
	f.auth.PublicURL = "https://warden.securecart.example"
	c, err := f.auth.BeginWebAuthnRegistration(ctx, r, alice)
	if err != nil || !strings.Contains(c.Options, `"id":"warden.securecart.example"`) {
		t.Fatalf("public URL: %s %v", c.Options, err)
	}
	k := &ssotest.SoftKey{Origin: "http://localhost:4566", Flags: ssotest.FlagUP}
	resp, _ := k.Register(c.Options)
	if _, err := f.auth.FinishWebAuthnRegistration(ctx, r, alice, c.State, resp, "key"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("registration from another origin than the public URL's: %v", err)
	}
	k.Origin = "https://warden.securecart.example"
	resp, _ = k.Register(c.Options)
	if _, err := f.auth.FinishWebAuthnRegistration(ctx, r, alice, c.State, resp, "key"); err != nil {
		t.Errorf("registration at the public URL: %v", err)
	}
}

// TestRecoveryCodes: ten codes, each accepted once (in any case and
// spacing), a wrong one counted as a failure, a new set invalidating the
// old one; an administrator's MFA reset removes them with the security
// keys.
func TestRecoveryCodes(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	codes, err := f.auth.NewRecoveryCodes(ctx, alice.ID)
	if err != nil || len(codes) != RecoveryCodeCount {
		t.Fatalf("%v %v", codes, err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || seen[c] {
			t.Errorf("code %q", c)
		}
		seen[c] = true
	}
	left, err := f.auth.UseRecoveryCode(ctx, alice, " "+strings.ToUpper(codes[3])+" ", "127.0.0.1")
	if err != nil || left != RecoveryCodeCount-1 {
		t.Fatalf("first use: %d %v", left, err)
	}
	if _, err := f.auth.UseRecoveryCode(ctx, alice, codes[3], "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("reused code: %v", err)
	}
	if _, err := f.auth.UseRecoveryCode(ctx, bob, codes[4], "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("alice's code for bob: %v", err)
	}
	if n, _ := f.st.RateLimitCount(ctx, "user:"+alice.ID, f.clk.now(), FailureWindow); n != 1 {
		t.Errorf("failures counted %d, want 1", n)
	}
	fresh, err := f.auth.NewRecoveryCodes(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.UseRecoveryCode(ctx, alice, codes[5], "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("a code of the replaced set: %v", err)
	}
	if left, err := f.auth.UseRecoveryCode(ctx, alice, strings.ReplaceAll(fresh[0], "-", ""), "127.0.0.1"); err != nil || left != RecoveryCodeCount-1 {
		t.Errorf("a new code: %d %v", left, err)
	}
	register(t, f, alice, ssotest.FlagUP)
	if err := f.auth.ResetMFA(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if fs, err := f.auth.Factors(ctx, alice.ID); err != nil || fs.Any() || fs.RecoveryCodes != 0 {
		t.Errorf("after an MFA reset alice has %+v (%v), want nothing", fs, err)
	}
}

type staticOrgs struct{ o *org.Org }

func (s staticOrgs) Org(context.Context) (*org.Org, error) { return s.o, nil }

func policyOrg(p *org.MFAPolicy) Orgs {
	return staticOrgs{&org.Org{IdentityCenter: &org.IdentityCenter{MFA: p}}}
}

// TestTrustedIdPMFA: a provider's MFA counts only when the org trusts it
// and the assertion names an accepted context; its age counts from the
// provider's authentication.
func TestTrustedIdPMFA(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	entra := "http://schemas.microsoft.com/claims/multipleauthn"
	trusting := &org.Org{IdentityCenter: &org.IdentityCenter{MFA: &org.MFAPolicy{TrustIdentityProvider: true, AcceptedAuthnContexts: []string{entra, "mfa"}}}}
	for _, c := range []struct {
		name string
		o    *org.Org
		a    IdPMFA
		want bool
	}{
		{"no policy", &org.Org{IdentityCenter: &org.IdentityCenter{}}, IdPMFA{AuthnContextClassRef: entra}, false},
		{"not trusted", &org.Org{IdentityCenter: &org.IdentityCenter{MFA: &org.MFAPolicy{AcceptedAuthnContexts: []string{entra}}}}, IdPMFA{AuthnContextClassRef: entra}, false},
		{"SAML accepted", trusting, IdPMFA{AuthnContextClassRef: entra}, true},
		{"SAML password only", trusting, IdPMFA{AuthnContextClassRef: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}, false},
		{"OIDC amr", trusting, IdPMFA{AMR: []string{"pwd", "mfa"}}, true},
		{"OIDC amr without mfa", trusting, IdPMFA{AMR: []string{"pwd"}}, false},
		{"OIDC acr", trusting, IdPMFA{ACR: "mfa"}, true},
		{"nothing said", trusting, IdPMFA{}, false},
	} {
		got, at := TrustedIdPMFA(c.o, c.a, now)
		if got != c.want || got && !at.Equal(now) {
			t.Errorf("%s: %v at %v, want %v", c.name, got, at, c.want)
		}
	}
	_, at := TrustedIdPMFA(trusting, IdPMFA{AMR: []string{"mfa"}, AuthTime: now.Add(-20 * time.Minute)}, now)
	if !at.Equal(now.Add(-20 * time.Minute)) {
		t.Errorf("MFA time %v, want the provider's auth_time", at)
	}
	_, at = TrustedIdPMFA(trusting, IdPMFA{AMR: []string{"mfa"}, AuthTime: now.Add(time.Hour)}, now)
	if !at.Equal(now) {
		t.Errorf("a future auth_time gives %v, want now", at)
	}
}

// TestTOTPQRCode renders the otpauth:// URI as a PNG QR code in a data:
// URL.
func TestTOTPQRCode(t *testing.T) {
	uri := TOTPURI("Warden", "alice@example.com", "JBSWY3DPEHPK3PXP")
	if !strings.HasPrefix(uri, "otpauth://totp/Warden:alice@example.com?") || !strings.Contains(uri, "secret=JBSWY3DPEHPK3PXP") {
		t.Errorf("uri %s", uri)
	}
	d, err := TOTPQRCode(uri, 200)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(d, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 200 || img.Bounds().Dy() != 200 {
		t.Fatalf("QR code image: %v %v", img.Bounds(), err)
	}
	dark := 0
	for y := 0; y < 200; y += 4 {
		for x := 0; x < 200; x += 4 {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				dark++
			}
		}
	}
	if dark < 300 || dark > 2200 {
		t.Errorf("%d dark samples of 2500: not a QR code", dark)
	}
}
