package sso

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/identity"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

// OIDCRP is Identity Center's OpenID Connect relying party, for an
// organization whose identity source is an external OpenID provider
// (identityCenter.externalIdentityProvider of type oidc: issuer, clientId,
// clientSecretEnv, scopes, userClaim):
//
//   - the provider is found by OpenID Connect Discovery
//     (<issuer>/.well-known/openid-configuration, whose issuer must equal the
//     configured one), kept for an hour; its keys (jwks_uri) for an hour,
//     fetched again at once for a key ID they lack (a rotation), at most
//     every 30 seconds (identity.KeySet);
//   - sign-in is the authorization code flow (OpenID Connect Core 3.1) with
//     PKCE (RFC 7636, S256), a random state and nonce; Begin returns the
//     authorization request's URL and the pending request, sealed with the
//     server's keys, for the caller to keep in a cookie of the browser that
//     started it; Finish accepts a response only with that cookie, a state
//     equal to the cookie's (constant-time) and not used before on any
//     replica (the store's UseOnce);
//   - the code is exchanged with the PKCE verifier (and the client secret
//     of a confidential client: sealed in the store by an administrator, or
//     from an environment variable, oidcsecret.go), and the ID token
//     verified: signature with
//     a key of the provider's set and an asymmetric algorithm (alg none and
//     HMAC refused), iss, aud (and azp), exp, iat (not in the future, not
//     older than 10 minutes, with a minute of skew), nonce;
//   - the user is the identity store's whose email address (or user name)
//     equals the configured claim (email by default; read from the
//     UserInfo endpoint when the ID token lacks it), as Identity Center
//     matches the identities a provider asserts; an email the provider
//     says is unverified is refused;
//   - the token's amr and acr claims are handed on, and weighed by the
//     org's MFA policy (TrustedIdPMFA): the provider's own MFA counts only
//     when the org trusts it and accepts the token's acr or an amr value.
type OIDCRP struct {
	Orgs    Orgs
	Store   store.Store
	Keyring *creds.Keyring
	// Client fetches discovery documents and keys and calls the token and
	// UserInfo endpoints (default: a 10-second timeout over the system's
	// roots).
	Client *http.Client
	Clock  func() time.Time
	// Base is the server's public URL, without a trailing slash.
	Base string
	// LookupEnv reads the client secret's environment variable (default
	// os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Master opens the client secret an administrator stored (sealed with
	// the master key); nil: only the environment variable is read.
	Master *creds.Sealer

	mu         sync.Mutex
	discovered map[string]*discovery
	keySets    map[string]*identity.KeySet
}

// discovery is an issuer's discovery document, as read.
type discovery struct {
	provider *oidc.Provider
	keys     *identity.KeySet
	algs     []string
	at       time.Time
}

// Errors of OIDC sign-in a page explains.
var (
	ErrNoOIDC = errors.New("the identity source is not an OpenID provider")
	// ErrOIDCState: the response does not belong to this browser's
	// sign-in (no or another pending request, or a state used before).
	ErrOIDCState  = errors.New("this sign-in response does not answer the sign-in this browser started, or it was already used")
	ErrOIDCNoUser = errors.New("no user of the identity store matches the identity the provider sent")
	// ErrOIDCDenied: the provider answered with an error (the person
	// cancelled, or is not assigned to the application).
	ErrOIDCDenied = errors.New("the identity provider did not sign you in")
	// ErrOIDCToken: the code exchange or the ID token failed.
	ErrOIDCToken = errors.New("the identity provider's answer could not be verified")
)

const (
	oidcPendingUse    = "oidc-pending:"
	discoveryLifetime = time.Hour
	// OIDCPendingLifetime is how long a person may take at the provider.
	OIDCPendingLifetime = 10 * time.Minute
	// OIDCSkew is the clock skew allowed on iat.
	OIDCSkew = time.Minute
	// maxIDTokenAge bounds iat: an ID token is used at once after the
	// code exchange that returned it.
	maxIDTokenAge = 10 * time.Minute
)

// RedirectURL is the RP's redirection endpoint (the callback registered at
// the provider).
func (rp *OIDCRP) RedirectURL() string { return rp.Base + "/oidc/callback" }

// Configured reports whether the identity source is an OpenID provider, and
// its name, without reaching it.
func (rp *OIDCRP) Configured(ctx context.Context) (string, bool) {
	x, err := rp.config(ctx)
	if err != nil {
		return "", false
	}
	return x.Name, true
}

func (rp *OIDCRP) config(ctx context.Context) (*org.ExternalIdP, error) {
	o, err := rp.Orgs.Org(ctx)
	if err != nil {
		return nil, err
	}
	if o.IdentityCenter == nil || o.IdentityCenter.ExternalIdP == nil || o.IdentityCenter.ExternalIdP.Type != "oidc" {
		return nil, ErrNoOIDC
	}
	return o.IdentityCenter.ExternalIdP, nil
}

func (rp *OIDCRP) client() *http.Client {
	if rp.Client != nil {
		return rp.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// secret returns the client secret ("" for a public client): the one an
// administrator stored, else the environment variable's (oidcsecret.go).
func (rp *OIDCRP) secret(ctx context.Context, x *org.ExternalIdP) (string, error) {
	s, _, err := OIDCClientSecret(ctx, rp.Store, rp.Master, x, rp.LookupEnv)
	return s, err
}

// discover returns the issuer's discovery document, read at most once an
// hour.
func (rp *OIDCRP) discover(ctx context.Context, issuer string) (*discovery, error) {
	now := rp.Clock()
	rp.mu.Lock()
	d := rp.discovered[issuer]
	rp.mu.Unlock()
	if d != nil && now.Sub(d.at) < discoveryLifetime && !now.Before(d.at) {
		return d, nil
	}
	id, err := identity.Discover(ctx, rp.client(), issuer)
	if err != nil {
		return nil, err
	}
	p := id.Provider
	if p.Endpoint().AuthURL == "" || p.Endpoint().TokenURL == "" {
		return nil, fmt.Errorf("the discovery document of %s lacks authorization_endpoint or token_endpoint", issuer)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.keySets == nil {
		rp.keySets, rp.discovered = map[string]*identity.KeySet{}, map[string]*discovery{}
	}
	ks := rp.keySets[id.JWKSURL]
	if ks == nil {
		ks = identity.NewKeySet(id.JWKSURL, rp.client(), rp.Clock)
		rp.keySets[id.JWKSURL] = ks
	}
	d = &discovery{provider: p, keys: ks, algs: id.Algs, at: now}
	rp.discovered[issuer] = d
	return d, nil
}

func (rp *OIDCRP) oauth(x *org.ExternalIdP, secret string, d *discovery) *oauth2.Config {
	ep := d.provider.Endpoint()
	if secret == "" {
		ep.AuthStyle = oauth2.AuthStyleInParams // a public client sends its ID only
	}
	return &oauth2.Config{ClientID: x.ClientID, ClientSecret: secret, Endpoint: ep, RedirectURL: rp.RedirectURL(), Scopes: x.Scopes}
}

// oidcPending is a sign-in sent to the provider, sealed into the browser's
// cookie.
type oidcPending struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Issuer   string    `json:"i"`
	ClientID string    `json:"c"`
	Bind     string    `json:"b,omitempty"`
	Next     string    `json:"x,omitempty"`
	Expires  time.Time `json:"e"`
}

// Begin starts a sign-in at the provider. bind and next are the caller's:
// an ID it keeps in its own session to recognize the result, and the page
// the result goes to; Finish returns them. It returns the authorization
// request's URL, to send the browser to, and the pending request, sealed,
// to keep in a cookie of that browser until Finish.
func (rp *OIDCRP) Begin(ctx context.Context, bind, next string) (authURL, pending string, err error) {
	x, err := rp.config(ctx)
	if err != nil {
		return "", "", err
	}
	secret, err := rp.secret(ctx, x)
	if err != nil {
		return "", "", err
	}
	d, err := rp.discover(ctx, x.Issuer)
	if err != nil {
		return "", "", err
	}
	p := oidcPending{State: creds.NewSecret(), Nonce: creds.NewSecret(), Verifier: oauth2.GenerateVerifier(), Issuer: x.Issuer,
		ClientID: x.ClientID, Bind: bind, Next: next, Expires: rp.Clock().Add(OIDCPendingLifetime)}
	data, _ := json.Marshal(p)
	if pending, err = rp.Keyring.SealBlob(oidcPendingUse, data); err != nil {
		return "", "", err
	}
	authURL = rp.oauth(x, secret, d).AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier))
	return authURL, pending, nil
}

// PendingBind returns the bind ID of a pending request (the cookie's
// value), "" when it is not one of Warden's: for the caller to name the
// sign-in an answer belongs to, also when Finish refuses the answer.
func (rp *OIDCRP) PendingBind(ctx context.Context, pending string) string {
	var p oidcPending
	data, err := rp.Keyring.OpenBlob(ctx, oidcPendingUse, pending)
	if pending == "" || err != nil || json.Unmarshal(data, &p) != nil {
		return ""
	}
	return p.Bind
}

// OIDCSignIn is a verified sign-in at the OpenID provider.
type OIDCSignIn struct {
	User    User
	IdP     string // the provider's name in the org file
	Issuer  string
	Subject string
	// AMR and ACR are the ID token's amr (RFC 8176 values such as pwd, otp,
	// mfa, hwk) and acr claims, as the provider states them, for the MFA
	// policy to weigh; AuthTime is auth_time (zero when absent).
	AMR      []string
	ACR      string
	AuthTime time.Time
	// MFA is whether the provider's own MFA stands for Warden's (the org
	// trusts it and accepts the token's acr or one of its amr values:
	// TrustedIdPMFA), done at MFATime.
	MFA     bool
	MFATime time.Time
	// Bind and Next are the caller's, from Begin.
	Bind, Next string
}

// Finish completes a sign-in: pending is the cookie's value, q the
// redirection's query (state, code, or error). It returns the verified
// user.
func (rp *OIDCRP) Finish(ctx context.Context, pending string, q url.Values) (*OIDCSignIn, error) {
	now := rp.Clock()
	var p oidcPending
	data, err := rp.Keyring.OpenBlob(ctx, oidcPendingUse, pending)
	if pending == "" || err != nil || json.Unmarshal(data, &p) != nil || !now.Before(p.Expires) {
		return nil, fmt.Errorf("%w (no sign-in pending in this browser, or it expired)", ErrOIDCState)
	}
	state := q.Get("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(p.State)) != 1 {
		return nil, fmt.Errorf("%w (state mismatch)", ErrOIDCState)
	}
	// The state is single use on every replica, whether the provider
	// answers with a code or an error.
	sum := sha256.Sum256([]byte(p.State))
	switch err := rp.Store.UseOnce(ctx, "oidc-state:"+hex.EncodeToString(sum[:]), now, p.Expires); {
	case errors.Is(err, store.ErrExists):
		return nil, fmt.Errorf("%w (state already used)", ErrOIDCState)
	case err != nil:
		return nil, err
	}
	// RFC 9207: a provider that names itself must be the one asked.
	if iss := q.Get("iss"); iss != "" && iss != p.Issuer {
		return nil, fmt.Errorf("%w: the response comes from %q, not %q", ErrOIDCToken, iss, p.Issuer)
	}
	if e := q.Get("error"); e != "" {
		return nil, newOIDCDenied(e, q.Get("error_description"))
	}
	code := q.Get("code")
	if code == "" {
		return nil, fmt.Errorf("%w: the response has no code", ErrOIDCToken)
	}
	x, err := rp.config(ctx)
	if err != nil {
		return nil, err
	}
	if x.Issuer != p.Issuer || x.ClientID != p.ClientID {
		return nil, fmt.Errorf("%w: the identity provider's configuration changed during sign-in", ErrOIDCState)
	}
	secret, err := rp.secret(ctx, x)
	if err != nil {
		return nil, err
	}
	d, err := rp.discover(ctx, x.Issuer)
	if err != nil {
		return nil, err
	}
	cctx := oidc.ClientContext(ctx, rp.client())
	tok, err := rp.oauth(x, secret, d).Exchange(cctx, code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" {
			return nil, fmt.Errorf("%w: the token endpoint refused the code: %s %s", ErrOIDCToken, re.ErrorCode, re.ErrorDescription)
		}
		return nil, fmt.Errorf("%w: exchanging the code: %v", ErrOIDCToken, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: the token response has no id_token", ErrOIDCToken)
	}
	v, err := rp.verify(ctx, d, x, raw, p.Nonce)
	if err != nil {
		return nil, err
	}
	if v.tok.AccessTokenHash != "" {
		if err := v.tok.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("%w: at_hash: %v", ErrOIDCToken, err)
		}
	}
	claims := v.claims
	if _, ok := claims[x.UserClaim]; !ok && d.provider.UserInfoEndpoint() != "" {
		// Providers that keep profile claims out of the ID token serve
		// them at UserInfo (OpenID Connect Core 5.3), for the same subject.
		ui, err := d.provider.UserInfo(cctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, fmt.Errorf("%w: UserInfo: %v", ErrOIDCToken, err)
		}
		if ui.Subject != v.tok.Subject {
			return nil, fmt.Errorf("%w: UserInfo answers for another subject", ErrOIDCToken)
		}
		claims = map[string]any{}
		if err := ui.Claims(&claims); err != nil {
			return nil, fmt.Errorf("%w: UserInfo: %v", ErrOIDCToken, err)
		}
	}
	u, err := rp.match(ctx, x, claims)
	if err != nil {
		return nil, err
	}
	in := &OIDCSignIn{User: u, IdP: x.Name, Issuer: v.tok.Issuer, Subject: v.tok.Subject, AMR: v.AMR, ACR: v.ACR,
		AuthTime: v.AuthTime, Bind: p.Bind, Next: p.Next}
	o, err := rp.Orgs.Org(ctx)
	if err != nil {
		return nil, err
	}
	in.MFA, in.MFATime = TrustedIdPMFA(o, IdPMFA{ACR: v.ACR, AMR: v.AMR, AuthTime: v.AuthTime}, now)
	return in, nil
}

// match finds the identity store's user the claims name.
func (rp *OIDCRP) match(ctx context.Context, x *org.ExternalIdP, claims map[string]any) (User, error) {
	val, _ := claims[x.UserClaim].(string)
	val = strings.TrimSpace(val)
	if val == "" {
		return User{}, fmt.Errorf("%w: the provider sent no %s claim", ErrOIDCNoUser, x.UserClaim)
	}
	if x.UserClaim == "email" {
		if ev, ok := claims["email_verified"].(bool); ok && !ev {
			return User{}, fmt.Errorf("%w: the provider says the email address %s is not verified", ErrOIDCNoUser, val)
		}
	}
	dir := OrgDirectory{Orgs: rp.Orgs}
	u, err := dir.UserByEmail(ctx, val)
	if errors.Is(err, ErrNoUser) {
		u, err = dir.UserByName(ctx, val)
	}
	if errors.Is(err, ErrNoUser) {
		return User{}, fmt.Errorf("%w (%s %s)", ErrOIDCNoUser, x.UserClaim, val)
	}
	return u, err
}

// VerifiedIDToken is an ID token whose signature and claims were checked.
type VerifiedIDToken struct {
	tok      *oidc.IDToken
	claims   map[string]any
	Subject  string
	AMR      []string
	ACR      string
	AuthTime time.Time
}

// VerifyIDToken verifies an ID token of the configured provider for the
// nonce of a sign-in: what Finish does after the code exchange.
func (rp *OIDCRP) VerifyIDToken(ctx context.Context, raw, nonce string) (*VerifiedIDToken, error) {
	x, err := rp.config(ctx)
	if err != nil {
		return nil, err
	}
	d, err := rp.discover(ctx, x.Issuer)
	if err != nil {
		return nil, err
	}
	return rp.verify(ctx, d, x, raw, nonce)
}

func (rp *OIDCRP) verify(ctx context.Context, d *discovery, x *org.ExternalIdP, raw, nonce string) (*VerifiedIDToken, error) {
	now := rp.Clock()
	ver := oidc.NewVerifier(x.Issuer, d.keys, &oidc.Config{ClientID: x.ClientID, SupportedSigningAlgs: d.algs, Now: rp.Clock})
	tok, err := ver.Verify(oidc.ClientContext(ctx, rp.client()), raw)
	if err != nil {
		var exp *oidc.TokenExpiredError
		if errors.As(err, &exp) {
			return nil, fmt.Errorf("%w: the ID token expired at %s", ErrOIDCToken, exp.Expiry.UTC().Format(time.RFC3339))
		}
		return nil, fmt.Errorf("%w: %v", ErrOIDCToken, strings.TrimPrefix(err.Error(), "oidc: "))
	}
	switch {
	case tok.IssuedAt.IsZero():
		return nil, fmt.Errorf("%w: the ID token has no iat", ErrOIDCToken)
	case tok.IssuedAt.After(now.Add(OIDCSkew)):
		return nil, fmt.Errorf("%w: the ID token's iat (%s) is in the future", ErrOIDCToken, tok.IssuedAt.UTC().Format(time.RFC3339))
	case tok.IssuedAt.Before(now.Add(-maxIDTokenAge - OIDCSkew)):
		return nil, fmt.Errorf("%w: the ID token was issued at %s, more than %s ago", ErrOIDCToken, tok.IssuedAt.UTC().Format(time.RFC3339), maxIDTokenAge)
	case subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(nonce)) != 1 || nonce == "":
		return nil, fmt.Errorf("%w: the ID token's nonce is not this sign-in's", ErrOIDCToken)
	}
	claims := map[string]any{}
	if err := tok.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOIDCToken, err)
	}
	// OpenID Connect Core 3.1.3.7: with several audiences azp must be
	// present, and when present it must be this client.
	azp, azpOK := claims["azp"].(string)
	if _, present := claims["azp"]; (present && (!azpOK || azp != x.ClientID)) || (len(tok.Audience) > 1 && !present) {
		return nil, fmt.Errorf("%w: the ID token was issued to another party (azp %q)", ErrOIDCToken, azp)
	}
	v := &VerifiedIDToken{tok: tok, claims: claims, Subject: tok.Subject}
	if acr, ok := claims["acr"]; ok {
		if v.ACR, ok = acr.(string); !ok {
			return nil, fmt.Errorf("%w: the acr claim is not a string", ErrOIDCToken)
		}
	}
	if amr, ok := claims["amr"]; ok && amr != nil {
		list, ok := amr.([]any)
		for _, m := range list {
			s, isStr := m.(string)
			if !isStr {
				ok = false
				break
			}
			if !slices.Contains(v.AMR, s) {
				v.AMR = append(v.AMR, s)
			}
		}
		if !ok {
			return nil, fmt.Errorf("%w: the amr claim is not a list of strings", ErrOIDCToken)
		}
	}
	if at, ok := claims["auth_time"].(float64); ok {
		v.AuthTime = time.Unix(int64(at), 0).UTC()
	}
	return v, nil
}

// OIDCDeniedError is the provider's error answer (OpenID Connect Core
// 3.1.2.6, RFC 6749 4.1.2.1): its error code (only RFC 6749's and OpenID
// Connect's characters kept) and description (at most 200 printable
// characters), as the provider sent them.
type OIDCDeniedError struct {
	Code, Description string
}

func newOIDCDenied(code, desc string) *OIDCDeniedError {
	clean := func(s string, max int, keep func(rune) bool) string {
		s = strings.Map(func(r rune) rune {
			if keep(r) {
				return r
			}
			return -1
		}, strings.TrimSpace(s))
		if r := []rune(s); len(r) > max {
			s = string(r[:max]) + "…"
		}
		return s
	}
	return &OIDCDeniedError{
		Code: clean(code, 64, func(r rune) bool {
			return r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		}),
		Description: clean(desc, 200, unicode.IsPrint),
	}
}

func (e *OIDCDeniedError) Error() string {
	s := ErrOIDCDenied.Error() + ": " + e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

func (e *OIDCDeniedError) Unwrap() error { return ErrOIDCDenied }

// Reason says what the error code means to the person signing in.
func (e *OIDCDeniedError) Reason() string {
	switch e.Code {
	case "access_denied":
		return "access was denied: you declined, or you are not allowed to use this application"
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		return "it needs you to sign in or to agree there first"
	case "temporarily_unavailable", "server_error":
		return "it is not available at the moment"
	}
	return "it answered with an error"
}
