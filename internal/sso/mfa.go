package sso

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/url"
	"slices"
	"time"

	"github.com/pquerna/otp"

	"github.com/securecart/warden/internal/org"
)

// MFA for everyone: every sign-in, whatever the identity source, ends with
// a second factor before any device is approved or any portal page opens.
// The factors are Warden's own (a TOTP authenticator app, security keys
// and passkeys, recovery codes), or an external identity provider's own
// MFA, which counts only when both:
//
//   - the provider's assertion says it was done: a SAML response's
//     AuthnContextClassRef, an OIDC ID token's acr or one of its amr
//     values, is one of the org's identityCenter.mfa.acceptedAuthnContexts;
//   - the org allows it (identityCenter.mfa.trustIdentityProvider).
//
// Otherwise Warden asks its own MFA after the provider's sign-in.

// Credential types, as sign-in events' additionalEventData names them.
const (
	CredentialPassword     = "PASSWORD"
	CredentialTOTP         = "TOTP"
	CredentialWebAuthn     = "WEBAUTHN"
	CredentialRecoveryCode = "RECOVERY_CODE"
	CredentialExternalIdP  = "EXTERNAL_IDP"
)

// IdPMFA is what an external identity provider's assertion says of how
// the person authenticated.
type IdPMFA struct {
	AuthnContextClassRef string    // SAML
	ACR                  string    // OIDC acr
	AMR                  []string  // OIDC amr (RFC 8176)
	AuthTime             time.Time // SAML AuthnInstant, OIDC auth_time (zero: unknown)
}

// TrustedIdPMFA reports whether the provider's own MFA stands for
// Warden's under the org's policy, and when it was done (for
// aws:MultiFactorAuthAge): the assertion's time, or now when it gives none
// or one in the future.
func TrustedIdPMFA(o *org.Org, a IdPMFA, now time.Time) (bool, time.Time) {
	if o == nil || o.IdentityCenter == nil || o.IdentityCenter.MFA == nil || !o.IdentityCenter.MFA.TrustIdentityProvider {
		return false, time.Time{}
	}
	accepted := o.IdentityCenter.MFA.AcceptedAuthnContexts
	ok := a.AuthnContextClassRef != "" && slices.Contains(accepted, a.AuthnContextClassRef) ||
		a.ACR != "" && slices.Contains(accepted, a.ACR)
	for _, m := range a.AMR {
		ok = ok || m != "" && slices.Contains(accepted, m)
	}
	if !ok {
		return false, time.Time{}
	}
	at := a.AuthTime
	if at.IsZero() || at.After(now) {
		at = now
	}
	return true, at.UTC()
}

// TrustedIdPMFA applies the current org's policy (see the function).
func (a *Authenticator) TrustedIdPMFA(ctx context.Context, m IdPMFA) (bool, time.Time, error) {
	if a.Orgs == nil {
		return false, time.Time{}, nil
	}
	o, err := a.Orgs.Org(ctx)
	if err != nil {
		return false, time.Time{}, err
	}
	ok, at := TrustedIdPMFA(o, m, a.Clock())
	return ok, at, nil
}

// Factors is what second factors a person has.
type Factors struct {
	TOTP          bool         // at least one authenticator app
	Apps          []TOTPDevice // the authenticator apps
	WebAuthn      []WebAuthnCredential
	RecoveryCodes int // unused
}

// Any reports whether the person has a factor to sign in with (recovery
// codes alone do not count: they are for when the others are lost).
func (f Factors) Any() bool { return len(f.Apps) > 0 || len(f.WebAuthn) > 0 }

// Count is how many authenticators (MFA devices) the person has.
func (f Factors) Count() int { return len(f.Apps) + len(f.WebAuthn) }

// Factors returns a person's second factors.
func (a *Authenticator) Factors(ctx context.Context, userID string) (Factors, error) {
	var f Factors
	var err error
	if f.Apps, err = a.TOTPDevices(ctx, userID); err != nil {
		return f, err
	}
	f.TOTP = len(f.Apps) > 0
	if f.WebAuthn, err = a.WebAuthnCredentials(ctx, userID); err != nil {
		return f, err
	}
	f.RecoveryCodes, err = a.RecoveryCodesLeft(ctx, userID)
	return f, err
}

// TOTPURI is the otpauth:// URI of a seed (Google Authenticator's Key
// Uri Format), which authenticator apps read from a QR code.
func TOTPURI(issuer, account, seed string) string {
	if issuer == "" {
		issuer = "Warden"
	}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + url.Values{
		"secret": {seed}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}.Encode()
}

// TOTPQRCode renders an otpauth:// URI as a QR code, a PNG of size×size
// pixels, as a data: URL for an <img> (the pages' Content-Security-Policy
// allows img-src data:).
func TOTPQRCode(uri string, size int) (string, error) {
	k, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", err
	}
	img, err := k.Image(size, size)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
