package store

import (
	"context"
	"time"
)

// SignIn is the persistence of Identity Center sign-in: the clients that
// registered with SSO OIDC, their device authorizations, the access and
// refresh tokens issued to people, the passwords of Identity Center's own
// directory, and failure counters for rate limiting. TOTP devices of
// Identity Center users are MFA devices (PutMFADevice), so that their
// replay protection is the same atomic AdvanceMFAStep.
//
// Secrets are never stored: client secrets, device codes and tokens are
// stored as their SHA-256 (they are 256-bit random values, so the hash is
// as good as a password hash and lets the store look them up), passwords as
// an argon2id hash the caller computes.
type SignIn interface {
	// PutSSOClient stores a registered client; ErrExists if its ID is taken.
	PutSSOClient(ctx context.Context, c SSOClient) error
	// SSOClient returns a client; ErrNotFound.
	SSOClient(ctx context.Context, id string) (SSOClient, error)

	// PutDeviceAuth stores a new, pending device authorization; ErrExists if
	// its device code hash or its user code is taken.
	PutDeviceAuth(ctx context.Context, d DeviceAuth) error
	// DeviceAuthByUserCode returns the authorization a user code names;
	// ErrNotFound.
	DeviceAuthByUserCode(ctx context.Context, userCode string) (DeviceAuth, error)
	// DecideDeviceAuth approves (status "approved", with the user and the
	// time the user passed MFA) or denies ("denied") a pending
	// authorization; ErrConflict when it is no longer pending, ErrNotFound.
	DecideDeviceAuth(ctx context.Context, userCode, status, userID string, authTime time.Time) error
	// PollDeviceAuth records a poll of the client at now and returns the
	// authorization. When the previous poll was less than the interval ago
	// it adds 5 seconds to the interval (RFC 8628 section 3.5, slow_down) and
	// returns the authorization with an error wrapping ErrConflict.
	// ErrNotFound.
	PollDeviceAuth(ctx context.Context, codeHash []byte, now time.Time) (DeviceAuth, error)
	// ConsumeDeviceAuth moves an approved authorization to "used", once;
	// ErrConflict when it is not approved, ErrNotFound.
	ConsumeDeviceAuth(ctx context.Context, codeHash []byte) error

	// PutSSOToken stores an issued token; ErrExists if its hash is taken.
	PutSSOToken(ctx context.Context, t SSOToken) error
	// SSOToken returns a token by the hash of its value; ErrNotFound.
	SSOToken(ctx context.Context, hash []byte) (SSOToken, error)
	// RevokeSSOToken revokes one token at at, unless it is already revoked:
	// ErrConflict then (a refresh token is used once), ErrNotFound.
	RevokeSSOToken(ctx context.Context, hash []byte, at time.Time) error
	// RevokeSSOGrant revokes every token of a sign-in (the access and
	// refresh tokens that descend from one device authorization) not yet
	// revoked, and returns how many it revoked.
	RevokeSSOGrant(ctx context.Context, grantID string, at time.Time) (int64, error)

	// AddSSOPassword stores a user's first password; ErrExists if the user
	// has one.
	AddSSOPassword(ctx context.Context, p SSOPassword) error
	// SetSSOPassword replaces a user's password; ErrNotFound if there is
	// none.
	SetSSOPassword(ctx context.Context, p SSOPassword) error
	// SSOPassword returns a user's password; ErrNotFound.
	SSOPassword(ctx context.Context, userID string) (SSOPassword, error)

	// HitRateLimit counts one event of key at now, in a fixed window of the
	// given length that starts at the first event after the previous window
	// ended, and returns the count in the current window (1 for a new one).
	HitRateLimit(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// RateLimitCount returns the count of key's current window at now (0
	// when the window has ended or there is none).
	RateLimitCount(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// ResetRateLimit forgets key's count.
	ResetRateLimit(ctx context.Context, key string) error

	// UseOnce records that key was used, until expires (exclusive):
	// ErrExists when it was used before and that record has not expired at
	// now. Of concurrent
	// uses of one key, on any replica, exactly one succeeds (replay
	// protection of SAML assertions, by issuer and assertion ID).
	UseOnce(ctx context.Context, key string, now, expires time.Time) error

	// DeleteExpiredSignIn deletes clients, device authorizations, tokens
	// and used-once keys that expired before before, and returns how many
	// rows it deleted.
	DeleteExpiredSignIn(ctx context.Context, before time.Time) (int64, error)
}

// SSOClient is a client registered with SSO OIDC (RegisterClient).
type SSOClient struct {
	ID         string
	SecretHash []byte // SHA-256 of the client secret
	Name       string
	Type       string // "public"
	Scopes     string // space-separated
	Created    time.Time
	Expires    time.Time
}

// Device authorization states.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
	DeviceUsed     = "used"
)

// DeviceAuth is a device authorization (StartDeviceAuthorization).
type DeviceAuth struct {
	CodeHash []byte // SHA-256 of the device code
	UserCode string // what the person types: XXXX-XXXX
	ClientID string
	Scopes   string
	Created  time.Time
	Expires  time.Time
	Interval int       // seconds between polls
	LastPoll time.Time // zero before the first poll
	Status   string
	UserID   string    // the approving user (identity store user ID)
	AuthTime time.Time // when that user passed MFA
}

// SSOToken is an access or refresh token issued by CreateToken.
type SSOToken struct {
	Hash     []byte // SHA-256 of the token
	Kind     string // "access" or "refresh"
	GrantID  string // the sign-in the token descends from
	ClientID string
	UserID   string
	Created  time.Time
	Expires  time.Time
	AuthTime time.Time // when the user passed MFA at sign-in
	Revoked  time.Time // zero while valid
}

// SSOPassword is a password of Identity Center's directory.
type SSOPassword struct {
	UserID     string
	Hash       string // argon2id, in the PHC string format
	MustChange bool   // a one-time password: the next sign-in sets a new one
	Updated    time.Time
}
