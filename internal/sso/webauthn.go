package sso

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

// WebAuthn security keys and passkeys (W3C Web Authentication Level 3,
// with go-webauthn as the relying party):
//
//   - The relying party ID is the host of serve --public-url and the only
//     origin accepted is that URL's origin. Without a public URL (or with
//     a loopback one, as serve's default listening address), the
//     request's own host is used, but only for a request over loopback (a
//     server on a laptop) and only when it is a host name: browsers refuse
//     IP addresses as relying party IDs, so http://127.0.0.1 offers no
//     security keys and the page says to open http://localhost instead.
//   - A person may register several authenticators, each with a name, and
//     remove any but the last factor. Credentials are stored per user in
//     the store's records (namespace sso/webauthn, key USER/CREDENTIAL-ID,
//     and sso/webauthn-ids by credential ID alone, so that an ID is
//     registered once in the whole directory and a passkey's user is
//     found without a user name).
//   - Each challenge is accepted once, on any replica (the store's
//     UseOnce), even when the authenticator keeps no signature counter.
//   - The signature counter must grow (clone detection, section 6.1.1): an
//     assertion whose counter did not is refused and recorded; the stored
//     counter is updated with the record's version, so that two replicas
//     accepting assertions of one counter at once cannot both succeed.
//   - User verification (a PIN or biometric) follows the org's
//     identityCenter.mfa.webauthnUserVerification (preferred by default);
//     a passkey that signs a person in without a password must verify the
//     user (required), being both factors at once.
//   - Attestation is not asked for ("none"): the org does not restrict
//     authenticator models.
const (
	webauthnNS    = "sso/webauthn"
	webauthnIDsNS = "sso/webauthn-ids"
	// MaxWebAuthnCredentials is how many security keys and passkeys one
	// person may register: AWS IAM Identity Center's six FIDO
	// authenticators (https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-mfa.html).
	MaxWebAuthnCredentials = 6
	maxCredentialName      = 64
	ceremonyTimeout        = 5 * time.Minute
)

// Errors of WebAuthn a page explains.
var (
	// ErrWebAuthnUnavailable: the server cannot be a relying party for this
	// request (no public URL and not a loopback host name).
	ErrWebAuthnUnavailable = errors.New("security keys need the server's public URL (serve --public-url) or a loopback host name such as http://localhost")
	// ErrNoWebAuthn: the person has no security key or passkey.
	ErrNoWebAuthn = errors.New("no security key or passkey is registered")
	// ErrTooManyCredentials: the person registered the most authenticators.
	ErrTooManyCredentials = fmt.Errorf("at most %d security keys and passkeys per person (and %d MFA devices in all): remove one first", MaxWebAuthnCredentials, MaxMFADevices)
)

// WebAuthnCredential is a registered security key or passkey.
type WebAuthnCredential struct {
	UserID     string              `json:"userId"`
	Name       string              `json:"name"`
	Credential webauthn.Credential `json:"credential"`
	Created    time.Time           `json:"created"`
	LastUsed   time.Time           `json:"lastUsed,omitzero"`
	version    int64
}

// ID is the credential ID, base64url.
func (c WebAuthnCredential) ID() string { return base64.RawURLEncoding.EncodeToString(c.Credential.ID) }

// Passkey reports a discoverable credential that may be synced (backup
// eligible): what browsers call a passkey.
func (c WebAuthnCredential) Passkey() bool { return c.Credential.Flags.BackupEligible }

// Ceremony is a begun registration or authentication: Options go to the
// browser (navigator.credentials), State stays with the server (the
// caller keeps it sealed, as the device page's cookie) until the browser
// answers.
type Ceremony struct {
	Options string // JSON: {"publicKey": {...}}
	State   string // JSON of go-webauthn's SessionData
}

// waUser is a person as go-webauthn sees one.
type waUser struct {
	u     User
	creds []WebAuthnCredential
}

func (w waUser) WebAuthnID() []byte   { return []byte(w.u.ID) }
func (w waUser) WebAuthnName() string { return w.u.UserName }
func (w waUser) WebAuthnDisplayName() string {
	if w.u.DisplayName != "" {
		return w.u.DisplayName
	}
	return w.u.UserName
}
func (w waUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(w.creds))
	for i, c := range w.creds {
		out[i] = c.Credential
	}
	return out
}

// Site is where a browser runs a WebAuthn ceremony, as the server sees
// the request: its Host, whether it came over TLS, and the peer's address.
// Without a public URL the relying party is taken from it (see above).
type Site struct {
	Host     string
	TLS      bool
	RemoteIP string // the peer's IP address (a port after it is ignored)
}

// SiteOf is the site of an HTTP request.
func SiteOf(r *http.Request) Site {
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	return Site{Host: r.Host, TLS: r.TLS != nil, RemoteIP: ip}
}

// relyingParty returns the relying party for a request (see above).
func (a *Authenticator) relyingParty(r *http.Request) (*webauthn.WebAuthn, error) {
	return a.relyingPartyAt(SiteOf(r))
}

// relyingPartyAt returns the relying party for a site.
func (a *Authenticator) relyingPartyAt(s Site) (*webauthn.WebAuthn, error) {
	var origin, host string
	if a.PublicURL != "" && !loopbackURL(a.PublicURL) {
		u, err := url.Parse(a.PublicURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("the public URL %q: %w", a.PublicURL, ErrWebAuthnUnavailable)
		}
		origin, host = u.Scheme+"://"+u.Host, u.Hostname()
	} else {
		if ip := net.ParseIP(strings.Trim(s.RemoteIP, "[]")); ip == nil || !ip.IsLoopback() {
			return nil, ErrWebAuthnUnavailable
		}
		scheme := "http"
		if s.TLS {
			scheme = "https"
		}
		origin = scheme + "://" + s.Host
		host = s.Host
		if h, _, err := net.SplitHostPort(s.Host); err == nil {
			host = h
		}
	}
	if host == "" || net.ParseIP(strings.Trim(host, "[]")) != nil {
		return nil, ErrWebAuthnUnavailable
	}
	return webauthn.New(&webauthn.Config{RPID: host, RPDisplayName: "Warden", RPOrigins: []string{origin},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
		}})
}

// loopbackURL reports a URL on a loopback address or localhost: the
// server's own listening address (serve without --public-url), which
// stands for whatever loopback name the browser uses.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	return h == "localhost" || ip != nil && ip.IsLoopback()
}

// WebAuthnAvailable reports whether security keys can be used for this
// request, and why not.
func (a *Authenticator) WebAuthnAvailable(r *http.Request) error {
	_, err := a.relyingParty(r)
	return err
}

// userVerification is the org's policy for security keys used as a second
// factor.
func (a *Authenticator) userVerification(ctx context.Context) (protocol.UserVerificationRequirement, error) {
	p, err := a.mfaPolicy(ctx)
	if err != nil {
		return "", err
	}
	switch p.WebAuthnUserVerification {
	case "required":
		return protocol.VerificationRequired, nil
	case "discouraged":
		return protocol.VerificationDiscouraged, nil
	}
	return protocol.VerificationPreferred, nil
}

// mfaPolicy is the org's identityCenter.mfa (the defaults without one).
func (a *Authenticator) mfaPolicy(ctx context.Context) (org.MFAPolicy, error) {
	if a.Orgs == nil {
		return org.MFAPolicy{}, nil
	}
	o, err := a.Orgs.Org(ctx)
	if err != nil {
		return org.MFAPolicy{}, err
	}
	if o.IdentityCenter == nil || o.IdentityCenter.MFA == nil {
		return org.MFAPolicy{}, nil
	}
	return *o.IdentityCenter.MFA, nil
}

// WebAuthnCredentials lists a person's security keys and passkeys, oldest
// first.
func (a *Authenticator) WebAuthnCredentials(ctx context.Context, userID string) ([]WebAuthnCredential, error) {
	recs, err := store.AllRecords(ctx, a.Store, webauthnNS, userID+"/")
	if err != nil {
		return nil, err
	}
	out := make([]WebAuthnCredential, 0, len(recs))
	for _, r := range recs {
		var c WebAuthnCredential
		if err := json.Unmarshal(r.Doc, &c); err != nil {
			return nil, fmt.Errorf("the stored credential %s: %w", r.Key, err)
		}
		c.version = r.Version
		out = append(out, c)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Created.Before(out[j-1].Created); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

func marshalCeremony(options any, s *webauthn.SessionData) (Ceremony, error) {
	o, err := json.Marshal(options)
	if err != nil {
		return Ceremony{}, err
	}
	st, err := json.Marshal(s)
	return Ceremony{Options: string(o), State: string(st)}, err
}

// BeginWebAuthnRegistration starts registering a new authenticator for
// u: a passkey where the authenticator can keep one (resident key
// preferred), and never one already registered (excludeCredentials).
func (a *Authenticator) BeginWebAuthnRegistration(ctx context.Context, r *http.Request, u User) (Ceremony, error) {
	rp, err := a.relyingParty(r)
	if err != nil {
		return Ceremony{}, err
	}
	have, err := a.WebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return Ceremony{}, err
	}
	if err := a.roomForKey(ctx, u.ID, len(have)); err != nil {
		return Ceremony{}, err
	}
	uv, err := a.userVerification(ctx)
	if err != nil {
		return Ceremony{}, err
	}
	user := waUser{u: u, creds: have}
	opts, sess, err := rp.BeginRegistration(user,
		webauthn.WithExclusions(webauthn.Credentials(user.WebAuthnCredentials()).CredentialDescriptors()),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: uv}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return Ceremony{}, err
	}
	return marshalCeremony(opts, sess)
}

// FinishWebAuthnRegistration verifies the browser's answer to a
// registration and stores the credential under the name the person gave.
func (a *Authenticator) FinishWebAuthnRegistration(ctx context.Context, r *http.Request, u User, state, response, name string) (WebAuthnCredential, error) {
	rp, err := a.relyingParty(r)
	if err != nil {
		return WebAuthnCredential{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Security key"
	}
	if utf8.RuneCountInString(name) > maxCredentialName {
		return WebAuthnCredential{}, fmt.Errorf("%w: the name has more than %d characters", ErrBadCredentials, maxCredentialName)
	}
	var sess webauthn.SessionData
	if err := json.Unmarshal([]byte(state), &sess); err != nil || sess.Challenge == "" {
		return WebAuthnCredential{}, fmt.Errorf("%w: no registration was begun", ErrBadCredentials)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(response))
	if err != nil {
		return WebAuthnCredential{}, fmt.Errorf("%w: %s", ErrBadCredentials, describeWebAuthnError(err))
	}
	have, err := a.WebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return WebAuthnCredential{}, err
	}
	if err := a.roomForKey(ctx, u.ID, len(have)); err != nil {
		return WebAuthnCredential{}, err
	}
	cred, err := rp.CreateCredential(waUser{u: u, creds: have}, sess, parsed)
	if err != nil {
		return WebAuthnCredential{}, fmt.Errorf("%w: %s", ErrBadCredentials, describeWebAuthnError(err))
	}
	if err := a.useChallenge(ctx, sess.Challenge); err != nil {
		return WebAuthnCredential{}, err
	}
	now := a.Clock().UTC()
	c := WebAuthnCredential{UserID: u.ID, Name: name, Credential: *cred, Created: now}
	doc, err := json.Marshal(c)
	if err != nil {
		return WebAuthnCredential{}, err
	}
	idx, _ := json.Marshal(map[string]string{"userId": u.ID})
	// The key with its slot, in one transaction (slots.go).
	registered := fmt.Errorf("%w: this authenticator's credential is already registered", ErrBadCredentials)
	err = a.withSlot(ctx, u.ID, slotWebAuthn, c.ID(), func(op store.RecordOp) error {
		_, err := a.Store.ApplyRecords(ctx, []store.RecordOp{op,
			{Namespace: webauthnIDsNS, Key: c.ID(), Doc: idx, At: now},
			{Namespace: webauthnNS, Key: u.ID + "/" + c.ID(), Doc: doc, At: now},
		})
		if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			if _, ierr := a.Store.Record(ctx, webauthnIDsNS, c.ID()); ierr == nil {
				return registered
			}
			return errSlotRace
		}
		return err
	})
	if err != nil {
		return WebAuthnCredential{}, err
	}
	return c, nil
}

// useChallenge accepts a ceremony's challenge once, on any replica.
func (a *Authenticator) useChallenge(ctx context.Context, challenge string) error {
	now := a.Clock()
	err := a.Store.UseOnce(ctx, "webauthn-challenge:"+challenge, now, now.Add(2*ceremonyTimeout))
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%w: this answer was already used", ErrBadCredentials)
	}
	return err
}

// assertionInputs is what a request for an assertion of u's authenticators
// needs: u's registered credentials (ErrNoWebAuthn without any) and the user
// verification the directory asks for. Sign-in and step-up ask alike.
func (a *Authenticator) assertionInputs(ctx context.Context, u User) ([]WebAuthnCredential, protocol.UserVerificationRequirement, error) {
	have, err := a.WebAuthnCredentials(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	if len(have) == 0 {
		return nil, "", ErrNoWebAuthn
	}
	uv, err := a.userVerification(ctx)
	if err != nil {
		return nil, "", err
	}
	return have, uv, nil
}

// BeginWebAuthnLogin asks u's registered authenticators for an assertion
// (the second factor after a password or an identity provider).
func (a *Authenticator) BeginWebAuthnLogin(ctx context.Context, r *http.Request, u User) (Ceremony, error) {
	rp, err := a.relyingParty(r)
	if err != nil {
		return Ceremony{}, err
	}
	have, uv, err := a.assertionInputs(ctx, u)
	if err != nil {
		return Ceremony{}, err
	}
	opts, sess, err := rp.BeginLogin(waUser{u: u, creds: have}, webauthn.WithUserVerification(uv))
	if err != nil {
		return Ceremony{}, err
	}
	return marshalCeremony(opts, sess)
}

// FinishWebAuthnLogin verifies an assertion of one of u's authenticators:
// the challenge (once), the origin and relying party ID, the signature,
// user presence and (as the policy asks) verification, and a growing
// signature counter. Failures count towards the rate limits as a wrong
// code does; the error wraps ErrBadCredentials with a reason fit for the
// trail (never a secret).
func (a *Authenticator) FinishWebAuthnLogin(ctx context.Context, r *http.Request, u User, state, response, addr string) (WebAuthnCredential, error) {
	now := a.Clock()
	key := "user:" + u.ID
	if t, err := a.throttled(ctx, key, addr, now); err != nil || t {
		if err == nil {
			err = ErrThrottled
		}
		return WebAuthnCredential{}, err
	}
	c, reason, err := a.finishLogin(ctx, SiteOf(r), &u, state, response, false)
	if err != nil {
		return WebAuthnCredential{}, err
	}
	if reason != "" {
		return WebAuthnCredential{}, a.failWith(ctx, key, addr, now, reason)
	}
	return c, a.Store.ResetRateLimit(ctx, key)
}

// failWith counts a failure and returns ErrBadCredentials with a reason.
func (a *Authenticator) failWith(ctx context.Context, key, addr string, now time.Time, reason string) error {
	if err := a.fail(ctx, key, addr, now); !errors.Is(err, ErrBadCredentials) {
		return err
	}
	return fmt.Errorf("%w: %s", ErrBadCredentials, reason)
}

// BeginPasskeyLogin asks the browser for any passkey of this relying
// party (a discoverable credential), with user verification required: a
// passkey signs a person in without a user name or password.
func (a *Authenticator) BeginPasskeyLogin(ctx context.Context, r *http.Request) (Ceremony, error) {
	rp, err := a.relyingParty(r)
	if err != nil {
		return Ceremony{}, err
	}
	opts, sess, err := rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return Ceremony{}, err
	}
	return marshalCeremony(opts, sess)
}

// FinishPasskeyLogin verifies a passkey's assertion and returns its
// person. Failures count towards the address's rate limit (and the
// person's, once known).
func (a *Authenticator) FinishPasskeyLogin(ctx context.Context, r *http.Request, state, response, addr string) (User, WebAuthnCredential, error) {
	now := a.Clock()
	if n, err := a.Store.RateLimitCount(ctx, "addr:"+addr, now, FailureWindow); err != nil || n >= MaxAddrFailures {
		if err == nil {
			err = ErrThrottled
		}
		return User{}, WebAuthnCredential{}, err
	}
	var u User
	c, reason, err := a.finishLogin(ctx, SiteOf(r), &u, state, response, true)
	if err != nil {
		return User{}, WebAuthnCredential{}, err
	}
	if reason != "" && u.ID == "" {
		// No person known: the address's failure only.
		if _, err := a.Store.HitRateLimit(ctx, "addr:"+addr, now, FailureWindow); err != nil {
			return User{}, WebAuthnCredential{}, err
		}
		return User{}, WebAuthnCredential{}, fmt.Errorf("%w: %s", ErrBadCredentials, reason)
	}
	key := "user:" + u.ID
	if reason != "" {
		return User{}, WebAuthnCredential{}, a.failWith(ctx, key, addr, now, reason)
	}
	if t, err := a.throttled(ctx, key, addr, now); err != nil || t {
		if err == nil {
			err = ErrThrottled
		}
		return User{}, WebAuthnCredential{}, err
	}
	return u, c, a.Store.ResetRateLimit(ctx, key)
}

// finishLogin verifies an assertion. For a passkey (discoverable) *u is
// filled from the credential's user handle. A refused assertion returns
// a reason; err is kept for the store's failures.
func (a *Authenticator) finishLogin(ctx context.Context, site Site, u *User, state, response string, discoverable bool) (WebAuthnCredential, string, error) {
	rp, err := a.relyingPartyAt(site)
	if err != nil {
		return WebAuthnCredential{}, "", err
	}
	var sess webauthn.SessionData
	if err := json.Unmarshal([]byte(state), &sess); err != nil || sess.Challenge == "" {
		return WebAuthnCredential{}, "no sign-in with a security key was begun", nil
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(response))
	if err != nil {
		return WebAuthnCredential{}, describeWebAuthnError(err), nil
	}
	var have []WebAuthnCredential
	if discoverable {
		// The user handle names the person; the credential must be theirs.
		rec, err := a.Store.Record(ctx, webauthnIDsNS, base64.RawURLEncoding.EncodeToString(parsed.RawID))
		if errors.Is(err, store.ErrNotFound) {
			return WebAuthnCredential{}, "the passkey is not registered", nil
		}
		if err != nil {
			return WebAuthnCredential{}, "", err
		}
		var idx struct {
			UserID string `json:"userId"`
		}
		if err := json.Unmarshal(rec.Doc, &idx); err != nil {
			return WebAuthnCredential{}, "", err
		}
		if string(parsed.Response.UserHandle) != idx.UserID {
			return WebAuthnCredential{}, "the passkey's user handle is not its owner's", nil
		}
		found, err := a.Dir.UserByID(ctx, idx.UserID)
		if errors.Is(err, ErrNoUser) {
			return WebAuthnCredential{}, "the passkey's user no longer exists", nil
		}
		if err != nil {
			return WebAuthnCredential{}, "", err
		}
		*u = found
	}
	if have, err = a.WebAuthnCredentials(ctx, u.ID); err != nil {
		return WebAuthnCredential{}, "", err
	}
	user := waUser{u: *u, creds: have}
	var cred *webauthn.Credential
	if discoverable {
		cred, err = rp.ValidateDiscoverableLogin(func(_, _ []byte) (webauthn.User, error) { return user, nil }, sess, parsed)
	} else {
		cred, err = rp.ValidateLogin(user, sess, parsed)
	}
	if err != nil {
		return WebAuthnCredential{}, describeWebAuthnError(err), nil
	}
	var c WebAuthnCredential
	for _, h := range have {
		if string(h.Credential.ID) == string(cred.ID) {
			c = h
		}
	}
	if c.UserID == "" {
		return WebAuthnCredential{}, "the credential is not the person's", nil
	}
	if cred.Authenticator.CloneWarning {
		return c, fmt.Sprintf("the signature counter of %q did not grow (%d, stored %d): the authenticator may be cloned", c.Name,
			parsed.Response.AuthenticatorData.Counter, c.Credential.Authenticator.SignCount), nil
	}
	if err := a.useChallenge(ctx, sess.Challenge); err != nil {
		if errors.Is(err, ErrBadCredentials) {
			return c, "the answer was already used", nil
		}
		return WebAuthnCredential{}, "", err
	}
	now := a.Clock().UTC()
	c.Credential, c.LastUsed = *cred, now
	doc, err := json.Marshal(c)
	if err != nil {
		return WebAuthnCredential{}, "", err
	}
	_, err = a.Store.PutRecord(ctx, webauthnNS, c.UserID+"/"+c.ID(), doc, c.version, now)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return c, "the authenticator was used at the same time elsewhere, or removed", nil
	}
	if err != nil {
		return WebAuthnCredential{}, "", err
	}
	return c, "", nil
}

// RemoveWebAuthnCredential removes one of a person's authenticators (id is
// the credential ID, base64url), and returns it.
func (a *Authenticator) RemoveWebAuthnCredential(ctx context.Context, userID, id string) (WebAuthnCredential, error) {
	have, err := a.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return WebAuthnCredential{}, err
	}
	for _, c := range have {
		if c.ID() == id {
			now := a.Clock().UTC()
			_, err := a.Store.ApplyRecords(ctx, []store.RecordOp{
				{Namespace: webauthnNS, Key: userID + "/" + id, Delete: true, Expect: store.AnyVersion, At: now},
				{Namespace: webauthnIDsNS, Key: id, Delete: true, Expect: store.AnyVersion, At: now},
			})
			if err != nil {
				return WebAuthnCredential{}, err
			}
			return c, a.releaseSlot(ctx, userID, slotWebAuthn, id)
		}
	}
	return WebAuthnCredential{}, store.ErrNotFound
}

// RenameWebAuthnCredential gives one of a person's security keys or
// passkeys a new name (id is the credential ID, base64url), and returns it
// as it was (store.ErrNotFound when they have no such key).
func (a *Authenticator) RenameWebAuthnCredential(ctx context.Context, userID, id, name string) (WebAuthnCredential, error) {
	name, err := cleanDeviceName(name, "the security key's name", "Security key")
	if err != nil {
		return WebAuthnCredential{}, err
	}
	have, err := a.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return WebAuthnCredential{}, err
	}
	for _, c := range have {
		if c.ID() != id {
			continue
		}
		was := c
		c.Name = name
		doc, err := json.Marshal(c)
		if err != nil {
			return WebAuthnCredential{}, err
		}
		_, err = a.Store.PutRecord(ctx, webauthnNS, userID+"/"+id, doc, c.version, a.Clock())
		if errors.Is(err, store.ErrConflict) {
			return WebAuthnCredential{}, fmt.Errorf("the security key was used or changed meanwhile: try again: %w", err)
		}
		return was, err
	}
	return WebAuthnCredential{}, store.ErrNotFound
}

// describeWebAuthnError is go-webauthn's reason for refusing a response,
// for the trail: its details name the check that failed (origin, challenge,
// signature, flags), never key material.
func describeWebAuthnError(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		s := pe.Details
		if pe.DevInfo != "" {
			s += ": " + pe.DevInfo
		}
		if s != "" {
			return truncate(s, 300)
		}
	}
	return truncate(err.Error(), 300)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
