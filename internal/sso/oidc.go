package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Lifetimes, as AWS's SSO OIDC service uses them.
const (
	ClientLifetime      = 90 * 24 * time.Hour // clientSecretExpiresAt
	DeviceCodeLifetime  = 10 * time.Minute    // expiresIn of StartDeviceAuthorization
	DevicePollInterval  = 1                   // seconds
	AccessTokenLifetime = time.Hour
	// SignInLifetime is how long a sign-in lasts: its refresh tokens expire
	// then, and no refresh extends it (Identity Center's default session
	// duration, 8 hours).
	SignInLifetime = 8 * time.Hour
)

// Grant types of CreateToken.
const (
	GrantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	GrantRefreshToken = "refresh_token"
)

// OAuthError is an error of the OAuth 2.0 device flow (RFC 8628 section
// 3.5, RFC 6749 section 5.2), as SSO OIDC answers it: the exception name,
// the OAuth error code and a description.
type OAuthError struct {
	Exception   string // "AuthorizationPendingException"
	Code        string // "authorization_pending"
	Description string
	Status      int
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

func oauthErr(exception, code string, status int, format string, args ...any) *OAuthError {
	return &OAuthError{Exception: exception, Code: code, Status: status, Description: fmt.Sprintf(format, args...)}
}

var (
	errPending = func() error {
		return oauthErr("AuthorizationPendingException", "authorization_pending", 400, "Authorization is still pending: the user has not approved the device code yet.")
	}
	errSlowDown = func() error {
		return oauthErr("SlowDownException", "slow_down", 400, "The client is polling too often: wait the interval between polls (now 5 seconds longer).")
	}
	errExpired = func(what string) error {
		return oauthErr("ExpiredTokenException", "expired_token", 400, "The %s has expired.", what)
	}
	errDenied = func() error {
		return oauthErr("AccessDeniedException", "access_denied", 400, "The user denied the authorization request.")
	}
	errInvalidClient = func() error {
		return oauthErr("InvalidClientException", "invalid_client", 401, "The client ID or secret is invalid, or the client registration has expired.")
	}
	errInvalidGrant = func(format string, args ...any) error {
		return oauthErr("InvalidGrantException", "invalid_grant", 400, format, args...)
	}
	errInvalidRequest = func(format string, args ...any) error {
		return oauthErr("InvalidRequestException", "invalid_request", 400, format, args...)
	}
)

// OIDC is Identity Center's OIDC service: client registration, device
// authorization and tokens (RFC 8628, as AWS's SSO OIDC serves it).
type OIDC struct {
	Store store.Store
	Dir   Directory
	Clock func() time.Time
	// VerificationURI is the page where people approve device codes.
	VerificationURI string
	// Orgs gives Identity Center's session duration, which ends a device
	// sign-in's refresh tokens (nil: SignInLifetime).
	Orgs Orgs
}

func (s *OIDC) now() time.Time { return s.Clock().UTC() }

// Digest is the SHA-256 of a secret, as the store keeps it.
func Digest(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Client is a registration RegisterClient returns.
type Client struct {
	ID, Secret       string
	Issued, Expires  time.Time
	Scopes           []string
	Name, ClientType string
}

// Limits of the unauthenticated calls, per source address: registrations
// and device authorizations create state, so an address may start at most
// MaxStartsPerAddr of each within StartWindow.
const (
	MaxStartsPerAddr = 60
	StartWindow      = 10 * time.Minute
)

// limit counts one unauthenticated start of kind from addr and refuses it
// past the limit.
func (s *OIDC) limit(ctx context.Context, kind, addr string, refuse func() error) error {
	n, err := s.Store.HitRateLimit(ctx, "oidc-"+kind+":"+addr, s.now(), StartWindow)
	if err != nil {
		return err
	}
	if n > MaxStartsPerAddr {
		return refuse()
	}
	return nil
}

// RegisterClient registers a public client (a CLI or SDK) for a caller at
// addr.
func (s *OIDC) RegisterClient(ctx context.Context, addr, name, clientType string, scopes []string) (Client, error) {
	if name == "" {
		return Client{}, errInvalidRequest("clientName is required.")
	}
	if clientType != "public" {
		return Client{}, oauthErr("InvalidClientMetadataException", "invalid_client_metadata", 400, "clientType %q is not supported: only public clients register here.", clientType)
	}
	for _, sc := range scopes {
		if !validScope(sc) {
			return Client{}, oauthErr("InvalidScopeException", "invalid_scope", 400, "Invalid scope %q: Identity Center grants sso:account:access (and openid, aws, sso-portal scopes).", sc)
		}
	}
	if err := s.limit(ctx, "register", addr, func() error {
		return errInvalidRequest("Too many client registrations from %s: try again in %v.", addr, StartWindow)
	}); err != nil {
		return Client{}, err
	}
	now := s.now()
	c := Client{ID: randomToken("", 16), Secret: randomToken("", 48), Issued: now, Expires: now.Add(ClientLifetime),
		Scopes: scopes, Name: name, ClientType: clientType}
	err := s.Store.PutSSOClient(ctx, store.SSOClient{ID: c.ID, SecretHash: Digest(c.Secret), Name: name, Type: clientType,
		Scopes: strings.Join(scopes, " "), Created: now, Expires: c.Expires})
	return c, err
}

func validScope(sc string) bool {
	switch sc {
	case "sso:account:access", "openid", "aws", "sso-portal:*", "codewhisperer:completions", "codewhisperer:analysis":
		return true
	}
	return false
}

// client authenticates a client by ID and secret, in constant time.
func (s *OIDC) client(ctx context.Context, id, secret string) (store.SSOClient, error) {
	c, err := s.Store.SSOClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return c, errInvalidClient()
	}
	if err != nil {
		return c, err
	}
	if subtle.ConstantTimeCompare(Digest(secret), c.SecretHash) != 1 || !s.now().Before(c.Expires) {
		return c, errInvalidClient()
	}
	return c, nil
}

// DeviceAuthorization is what StartDeviceAuthorization returns.
type DeviceAuthorization struct {
	DeviceCode, UserCode                     string
	VerificationURI, VerificationURIComplete string
	ExpiresIn, Interval                      int
}

// userCodeAlphabet has no vowels (no words) and no look-alikes.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

func newUserCode() string {
	b := make([]byte, 9)
	for i := range b {
		if i == 4 {
			b[i] = '-'
			continue
		}
		b[i] = userCodeAlphabet[randIndex(len(userCodeAlphabet))]
	}
	return string(b)
}

// NormalizeUserCode puts a typed user code in its stored form (upper case,
// with the dash), so that "bcdf ghjk" finds BCDF-GHJK.
func NormalizeUserCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) != 8 {
		return s
	}
	return s[:4] + "-" + s[4:]
}

// StartDeviceAuthorization starts a device authorization for a client at
// addr.
func (s *OIDC) StartDeviceAuthorization(ctx context.Context, addr, clientID, secret, startURL string) (DeviceAuthorization, error) {
	if startURL == "" {
		return DeviceAuthorization{}, errInvalidRequest("startUrl is required.")
	}
	c, err := s.client(ctx, clientID, secret)
	if err != nil {
		return DeviceAuthorization{}, err
	}
	if err := s.limit(ctx, "start", addr, errSlowDown); err != nil {
		return DeviceAuthorization{}, err
	}
	now := s.now()
	for range 5 { // a user code clash is rare; try again with a new one
		d := DeviceAuthorization{DeviceCode: randomToken("", 32), UserCode: newUserCode(), VerificationURI: s.VerificationURI,
			ExpiresIn: int(DeviceCodeLifetime / time.Second), Interval: DevicePollInterval}
		d.VerificationURIComplete = s.VerificationURI + "?user_code=" + d.UserCode
		err := s.Store.PutDeviceAuth(ctx, store.DeviceAuth{CodeHash: Digest(d.DeviceCode), UserCode: d.UserCode, ClientID: c.ID,
			Scopes: c.Scopes, Created: now, Expires: now.Add(DeviceCodeLifetime), Interval: DevicePollInterval, Status: store.DevicePending})
		if errors.Is(err, store.ErrExists) {
			continue
		}
		return d, err
	}
	return DeviceAuthorization{}, errors.New("sso: no free user code after 5 tries")
}

// Tokens is what CreateToken returns.
type Tokens struct {
	AccessToken, RefreshToken string
	ExpiresIn                 int
	// UserID and GrantID name the person the tokens are for and the
	// sign-in (grant) they descend from: CreateToken's record is by this
	// user, with the grant as its credentialId.
	UserID, GrantID string
}

// CreateToken exchanges an approved device code, or a refresh token, for
// tokens.
func (s *OIDC) CreateToken(ctx context.Context, clientID, secret, grantType, deviceCode, refreshToken string) (Tokens, error) {
	c, err := s.client(ctx, clientID, secret)
	if err != nil {
		return Tokens{}, err
	}
	switch grantType {
	case GrantDeviceCode:
		if deviceCode == "" {
			return Tokens{}, errInvalidRequest("deviceCode is required for the device_code grant.")
		}
		return s.exchangeDeviceCode(ctx, c, deviceCode)
	case GrantRefreshToken:
		if refreshToken == "" {
			return Tokens{}, errInvalidRequest("refreshToken is required for the refresh_token grant.")
		}
		return s.refresh(ctx, c, refreshToken)
	case "authorization_code":
		return Tokens{}, oauthErr("UnauthorizedClientException", "unauthorized_client", 400, "The client is not authorized for the authorization_code grant: Warden serves the device flow.")
	}
	return Tokens{}, oauthErr("UnsupportedGrantTypeException", "unsupported_grant_type", 400, "Unsupported grant type %q.", grantType)
}

func (s *OIDC) exchangeDeviceCode(ctx context.Context, c store.SSOClient, deviceCode string) (Tokens, error) {
	now := s.now()
	h := Digest(deviceCode)
	d, err := s.Store.PollDeviceAuth(ctx, h, now)
	if errors.Is(err, store.ErrNotFound) {
		return Tokens{}, errInvalidGrant("The device code is invalid.")
	}
	if subtle.ConstantTimeCompare([]byte(d.ClientID), []byte(c.ID)) != 1 {
		return Tokens{}, errInvalidGrant("The device code was issued to another client.")
	}
	if !now.Before(d.Expires) {
		return Tokens{}, errExpired("device code")
	}
	if errors.Is(err, store.ErrConflict) {
		return Tokens{}, errSlowDown()
	}
	if err != nil {
		return Tokens{}, err
	}
	switch d.Status {
	case store.DevicePending:
		return Tokens{}, errPending()
	case store.DeviceDenied:
		return Tokens{}, errDenied()
	case store.DeviceUsed:
		return Tokens{}, errInvalidGrant("The device code has already been exchanged for tokens.")
	}
	if err := s.Store.ConsumeDeviceAuth(ctx, h); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Tokens{}, errInvalidGrant("The device code has already been exchanged for tokens.")
		}
		return Tokens{}, err
	}
	life, err := SessionLifetime(ctx, s.Orgs)
	if err != nil {
		return Tokens{}, err
	}
	grant := randomToken("g-", 12)
	if err := IndexSignIn(ctx, s.Store, SignIn{ID: grant, UserID: d.UserID, Kind: SignInDevice, Client: c.Name, Created: now, Expires: now.Add(life)}); err != nil {
		return Tokens{}, err
	}
	return s.issue(ctx, c, grant, d.UserID, d.AuthTime, now, now.Add(life))
}

// issue stores and returns an access token, and a refresh token (until
// signInEnd) when the client registered scopes, as AWS does for the
// sso-session flow.
func (s *OIDC) issue(ctx context.Context, c store.SSOClient, grant, userID string, authTime, now, signInEnd time.Time) (Tokens, error) {
	t := Tokens{AccessToken: randomToken("aoa", 48), UserID: userID, GrantID: grant}
	exp := now.Add(AccessTokenLifetime)
	if exp.After(signInEnd) {
		exp = signInEnd
	}
	t.ExpiresIn = int(exp.Sub(now) / time.Second)
	if err := s.Store.PutSSOToken(ctx, store.SSOToken{Hash: Digest(t.AccessToken), Kind: "access", GrantID: grant, ClientID: c.ID,
		UserID: userID, Created: now, Expires: exp, AuthTime: authTime}); err != nil {
		return Tokens{}, err
	}
	if c.Scopes != "" {
		t.RefreshToken = randomToken("aor", 48)
		if err := s.Store.PutSSOToken(ctx, store.SSOToken{Hash: Digest(t.RefreshToken), Kind: "refresh", GrantID: grant, ClientID: c.ID,
			UserID: userID, Created: now, Expires: signInEnd, AuthTime: authTime}); err != nil {
			return Tokens{}, err
		}
	}
	return t, nil
}

// refresh exchanges a refresh token, once, for new tokens of the same
// sign-in. A refresh token used twice revokes the whole sign-in (it was
// stolen, or the client is broken: RFC 9700 section 4.14.2).
func (s *OIDC) refresh(ctx context.Context, c store.SSOClient, refreshToken string) (Tokens, error) {
	now := s.now()
	h := Digest(refreshToken)
	t, err := s.Store.SSOToken(ctx, h)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.Kind != "refresh") {
		return Tokens{}, errInvalidGrant("The refresh token is invalid.")
	}
	if err != nil {
		return Tokens{}, err
	}
	if subtle.ConstantTimeCompare([]byte(t.ClientID), []byte(c.ID)) != 1 {
		return Tokens{}, errInvalidGrant("The refresh token was issued to another client.")
	}
	reused := func() (Tokens, error) {
		if _, err := s.Store.RevokeSSOGrant(ctx, t.GrantID, now); err != nil {
			return Tokens{}, err
		}
		if err := ForgetSignIn(ctx, s.Store, t.UserID, t.GrantID, now); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errInvalidGrant("The refresh token has already been used or revoked; the sign-in is revoked.")
	}
	if !t.Revoked.IsZero() {
		return reused()
	}
	if !now.Before(t.Expires) {
		return Tokens{}, errExpired("refresh token")
	}
	// A sign-out everywhere after the sign-in ends it (the portal's sign
	// out; the token is one of that sign-in's).
	if out, err := SignedOutSince(ctx, s.Store, t.UserID, t.Created); err != nil || out {
		if err != nil {
			return Tokens{}, err
		}
		if _, err := s.Store.RevokeSSOGrant(ctx, t.GrantID, now); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errInvalidGrant("The sign-in ended: the person signed out everywhere.")
	}
	if _, err := s.Dir.UserByID(ctx, t.UserID); err != nil {
		if errors.Is(err, ErrNoUser) {
			return Tokens{}, errInvalidGrant("The user of the refresh token no longer exists.")
		}
		return Tokens{}, err
	}
	if err := s.Store.RevokeSSOToken(ctx, h, now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return reused()
		}
		return Tokens{}, err
	}
	return s.issue(ctx, c, t.GrantID, t.UserID, t.AuthTime, now, t.Expires)
}

// ErrUnauthorized is an access token that is unknown, expired or revoked.
var ErrUnauthorized = errors.New("sso: the access token is invalid, expired or revoked")

// AccessToken authenticates an access token and returns it.
func (s *OIDC) AccessToken(ctx context.Context, token string) (store.SSOToken, error) {
	if token == "" {
		return store.SSOToken{}, ErrUnauthorized
	}
	h := Digest(token)
	t, err := s.Store.SSOToken(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return t, ErrUnauthorized
	}
	if err != nil {
		return t, err
	}
	if subtle.ConstantTimeCompare(t.Hash, h) != 1 || t.Kind != "access" || !t.Revoked.IsZero() || !s.now().Before(t.Expires) {
		return t, ErrUnauthorized
	}
	if out, err := SignedOutSince(ctx, s.Store, t.UserID, t.Created); err != nil || out {
		if err == nil {
			err = ErrUnauthorized
		}
		return t, err
	}
	return t, nil
}

// Logout revokes every token of the access token's sign-in.
func (s *OIDC) Logout(ctx context.Context, token string) error {
	t, err := s.AccessToken(ctx, token)
	if err != nil {
		return err
	}
	if _, err = s.Store.RevokeSSOGrant(ctx, t.GrantID, s.now()); err != nil {
		return err
	}
	return ForgetSignIn(ctx, s.Store, t.UserID, t.GrantID, s.now())
}

// PendingDevice returns a pending, unexpired device authorization by user
// code, for the verification page.
func (s *OIDC) PendingDevice(ctx context.Context, userCode string) (store.DeviceAuth, error) {
	d, err := s.Store.DeviceAuthByUserCode(ctx, NormalizeUserCode(userCode))
	if err != nil {
		return d, err
	}
	if d.Status != store.DevicePending || !s.now().Before(d.Expires) {
		return d, fmt.Errorf("device authorization %s is %s: %w", d.UserCode, d.Status, store.ErrNotFound)
	}
	return d, nil
}

// Decide approves or denies a device authorization for a signed-in user who
// passed MFA at authTime.
func (s *OIDC) Decide(ctx context.Context, userCode string, approve bool, userID string, authTime time.Time) error {
	if _, err := s.PendingDevice(ctx, userCode); err != nil {
		return err
	}
	status := store.DeviceDenied
	if approve {
		status = store.DeviceApproved
	}
	return s.Store.DecideDeviceAuth(ctx, NormalizeUserCode(userCode), status, userID, authTime)
}
