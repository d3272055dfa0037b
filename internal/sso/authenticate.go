package sso

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

// Rate limits of sign-in failures: a user name is locked after
// MaxUserFailures failed passwords or MFA codes within FailureWindow, an
// address after MaxAddrFailures, until the window ends.
const (
	MaxUserFailures = 5
	MaxAddrFailures = 20
	FailureWindow   = 15 * time.Minute
)

var (
	// ErrBadCredentials is a wrong user name, password or MFA code; it does
	// not say which.
	ErrBadCredentials = errors.New("the user name, password or MFA code is incorrect")
	// ErrThrottled is a sign-in refused for too many recent failures.
	ErrThrottled = errors.New("too many failed sign-in attempts: try again later")
)

// Authenticator signs people in against Identity Center's own directory: a
// password (argon2id) and a TOTP code.
type Authenticator struct {
	Store  store.Store
	Dir    Directory
	Master *creds.Sealer
	Clock  func() time.Time
	// Orgs gives the org's MFA policy (identityCenter.mfa); nil: the
	// defaults.
	Orgs Orgs
	// PublicURL is serve --public-url, the WebAuthn relying party's origin
	// ("" to use a loopback request's own host; webauthn.go).
	PublicURL string
}

// dummyHash makes a sign-in for an unknown user cost what a known user's
// does, so that timing does not tell which user names exist. It is
// HashPassword("warden: no such user") written out, so that every warden
// process (most never sign anyone in) does not pay a 19 MiB argon2id hash
// at start; TestDummyHashParameters keeps its parameters those of new
// hashes, which is what makes the costs equal.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$Nf/fjLx5voctK7TMXxIPTA$RCmZ/mryrnFnSUDqRKL6S1kyQ3J35wBdqw8p5cCJcOQ"

// TOTPSerial is the MFA device serial of the one authenticator app a
// person could have before several were allowed; such a device is read as
// the app named LegacyTOTPName. Newer apps' serials are TOTPDeviceSerial.
func TOTPSerial(userID string) string { return "identitycenter/totp/" + userID }

func (a *Authenticator) throttled(ctx context.Context, userKey, addr string, now time.Time) (bool, error) {
	n, err := a.Store.RateLimitCount(ctx, userKey, now, FailureWindow)
	if err != nil || n >= MaxUserFailures {
		return err == nil, err
	}
	n, err = a.Store.RateLimitCount(ctx, "addr:"+addr, now, FailureWindow)
	return err == nil && n >= MaxAddrFailures, err
}

func (a *Authenticator) fail(ctx context.Context, userKey, addr string, now time.Time) error {
	if _, err := a.Store.HitRateLimit(ctx, userKey, now, FailureWindow); err != nil {
		return err
	}
	if _, err := a.Store.HitRateLimit(ctx, "addr:"+addr, now, FailureWindow); err != nil {
		return err
	}
	return ErrBadCredentials
}

// Password checks a user's password from address addr. mustChange is set
// for a one-time password: the person must choose a new one before going on.
func (a *Authenticator) Password(ctx context.Context, userName, password, addr string) (u User, mustChange bool, err error) {
	now := a.Clock()
	key := "user:" + userName
	if t, err := a.throttled(ctx, key, addr, now); err != nil || t {
		if err == nil {
			err = ErrThrottled
		}
		return User{}, false, err
	}
	u, err = a.Dir.UserByName(ctx, userName)
	if errors.Is(err, ErrNoUser) {
		CheckPassword(dummyHash, password)
		return User{}, false, a.fail(ctx, key, addr, now)
	}
	if err != nil {
		return User{}, false, err
	}
	p, err := a.Store.SSOPassword(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(dummyHash, password)
		return User{}, false, a.fail(ctx, key, addr, now)
	}
	if err != nil {
		return User{}, false, err
	}
	if !CheckPassword(p.Hash, password) {
		return User{}, false, a.fail(ctx, key, addr, now)
	}
	return u, p.MustChange, nil
}

// ChangePassword sets a user's new password (after the current one was
// checked), which must meet the requirements and differ from the current.
func (a *Authenticator) ChangePassword(ctx context.Context, userID, newPassword string) error {
	if err := CheckPasswordStrength(newPassword); err != nil {
		return err
	}
	p, err := a.Store.SSOPassword(ctx, userID)
	if err != nil {
		return err
	}
	if CheckPassword(p.Hash, newPassword) {
		return errors.New("the new password must differ from the current one")
	}
	return a.Store.SetSSOPassword(ctx, store.SSOPassword{UserID: userID, Hash: HashPassword(newPassword), Updated: a.Clock().UTC()})
}

// InitialPasswords gives every user of the directory without a password a
// one-time password, and returns them by user name (only those it created:
// a user who has a password keeps it). With an external identity source it
// gives none: people sign in at the provider, and a password would be a
// second, unused way in.
func (a *Authenticator) InitialPasswords(ctx context.Context) (map[string]string, error) {
	if _, external, err := IdentitySource(ctx, a.Dir); err != nil || external {
		return nil, err
	}
	users, err := a.Dir.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, u := range users {
		pw := NewInitialPassword()
		err := a.Store.AddSSOPassword(ctx, store.SSOPassword{UserID: u.ID, Hash: HashPassword(pw), MustChange: true, Updated: a.Clock().UTC()})
		if errors.Is(err, store.ErrExists) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[u.UserName] = pw
	}
	return out, nil
}

// MFAAge is the aws:MultiFactorAuthAge of a session whose person passed MFA
// at authTime.
func MFAAge(now, authTime time.Time) string {
	return strconv.FormatInt(int64(now.Sub(authTime)/time.Second), 10)
}

// ResetPassword gives a directory user a new one-time password (to change
// at the next sign-in) and returns it; with resetMFA it also removes the
// user's authenticator, so the next sign-in enrolls a new one.
//
// With an external identity source no password is issued (the directory's
// passwords are off, as AWS turns them off): without resetMFA it is refused
// (ErrExternalSource); with it only the authenticator is removed, and the
// password returned is "".
func (a *Authenticator) ResetPassword(ctx context.Context, userName string, resetMFA bool) (User, string, error) {
	idp, external, err := IdentitySource(ctx, a.Dir)
	if err != nil {
		return User{}, "", err
	}
	if external && !resetMFA {
		return User{}, "", errors.Join(ErrExternalSource, errors.New("identity provider "+idp))
	}
	u, err := a.Dir.UserByName(ctx, userName)
	if err != nil {
		return User{}, "", err
	}
	if external {
		if err := a.ResetMFA(ctx, u.ID); err != nil {
			return User{}, "", err
		}
		return u, "", a.Store.ResetRateLimit(ctx, "user:"+u.ID)
	}
	pw := NewInitialPassword()
	p := store.SSOPassword{UserID: u.ID, Hash: HashPassword(pw), MustChange: true, Updated: a.Clock().UTC()}
	err = a.Store.SetSSOPassword(ctx, p)
	if errors.Is(err, store.ErrNotFound) {
		err = a.Store.AddSSOPassword(ctx, p)
	}
	if err != nil {
		return User{}, "", err
	}
	if resetMFA {
		if err := a.ResetMFA(ctx, u.ID); err != nil {
			return User{}, "", err
		}
	}
	if err := a.Store.ResetRateLimit(ctx, "user:"+u.ID); err != nil {
		return User{}, "", err
	}
	return u, pw, nil
}

// ResetMFA removes every second factor of a user (the authenticator app,
// security keys and passkeys, recovery codes), so that the next sign-in
// enrolls a new one.
func (a *Authenticator) ResetMFA(ctx context.Context, userID string) error {
	apps, err := a.TOTPDevices(ctx, userID)
	if err != nil {
		return err
	}
	for _, d := range apps {
		if _, err := a.RemoveTOTPDevice(ctx, userID, d.Serial); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	have, err := a.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return err
	}
	for _, c := range have {
		if _, err := a.RemoveWebAuthnCredential(ctx, userID, c.ID()); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return a.DeleteRecoveryCodes(ctx, userID)
}
