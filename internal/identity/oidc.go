// Package identity verifies the identities that sign in without AWS
// credentials: OpenID Connect tokens of an account's IAM OIDC identity
// providers, for sts:AssumeRoleWithWebIdentity, and SAML 2.0 responses
// (saml.go: gosaml2 and goxmldsig, for sts:AssumeRoleWithSAML).
//
// A token is trusted when its issuer (https:// + the provider's name) signed
// it with a key of the issuer's published JWKS (OpenID Connect Discovery),
// it has not expired by the injected clock, and its audience includes one of
// the provider's client IDs
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html).
// A verified token's https://aws.amazon.com/tags claim is handed on as it
// stands; STS reads session tags from it.
package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Errors a caller maps to AWS's codes.
var (
	ErrMalformed   = errors.New("identity: the token is not a signed JWT")
	ErrExpired     = errors.New("identity: the token has expired")
	ErrAudience    = errors.New("identity: the token's audience is not a client ID of the provider")
	ErrInvalid     = errors.New("identity: the token's signature or claims are invalid")
	ErrUnreachable = errors.New("identity: the identity provider could not be reached")
)

// Claims are a verified token's claims that AWS uses.
type Claims struct {
	Issuer   string
	Subject  string
	Audience string // the audience that matched a client ID
	Expiry   time.Time
	// SessionTags is the verified token's https://aws.amazon.com/tags
	// claim as it stands (nil when absent), for STS to read session tags
	// from.
	SessionTags json.RawMessage
}

// OIDC verifies tokens, caching each issuer's discovery document (an hour)
// and keys (KeySet: an hour, and fetched again for a key ID they lack, at
// most every 30 seconds).
type OIDC struct {
	// Client fetches discovery documents and keys (default: 10-second
	// timeout over the system's roots).
	Client *http.Client
	// Clock drives the caches' lifetimes and the key set's rate limit
	// (nil: the wall clock).
	Clock func() time.Time

	mu        sync.Mutex
	providers map[string]*issuerKeys
	keySets   map[string]*KeySet
}

// issuerKeys is an issuer's discovery document, as read.
type issuerKeys struct {
	keys *KeySet
	algs []string
	at   time.Time
}

const discoveryLifetime = time.Hour

// Issuer returns a token's unverified issuer, to find its provider.
func Issuer(raw string) (string, error) {
	c, err := Unverified(raw)
	return c.Issuer, err
}

// Unverified returns a token's issuer, subject and first audience as the
// token states them, before any verification: to find its provider, and to
// say in the audit trail whose token a refused call presented.
func Unverified(raw string) (Claims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256})
	if err != nil {
		return Claims{}, ErrMalformed
	}
	var c jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&c); err != nil || c.Issuer == "" {
		return Claims{}, ErrMalformed
	}
	out := Claims{Issuer: c.Issuer, Subject: c.Subject}
	if len(c.Audience) > 0 {
		out.Audience = c.Audience[0]
	}
	return out, nil
}

// Stated returns the issuer, subject and first audience a compact JWT's
// payload states, whatever its header and signature (none, an algorithm
// no provider uses, a signature that is not there): only to say in the
// audit trail whose token a refused call presented; false when the
// payload is not a JSON object with an issuer.
func Stated(raw string) (Claims, bool) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return Claims{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Claims{}, false
	}
	var c struct {
		Issuer   string          `json:"iss"`
		Subject  string          `json:"sub"`
		Audience json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Issuer == "" {
		return Claims{}, false
	}
	out := Claims{Issuer: c.Issuer, Subject: c.Subject}
	var one string
	var many []string
	if json.Unmarshal(c.Audience, &one) == nil {
		out.Audience = one
	} else if json.Unmarshal(c.Audience, &many) == nil && len(many) > 0 {
		out.Audience = many[0]
	}
	return out, true
}

// Verify checks a token from issuer against its keys, the clock and the
// client IDs.
func (o *OIDC) Verify(ctx context.Context, issuer, raw string, clientIDs []string, now time.Time) (*Claims, error) {
	p, err := o.provider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	v := oidc.NewVerifier(issuer, p.keys, &oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: p.algs, Now: func() time.Time { return now }})
	tok, err := v.Verify(oidc.ClientContext(ctx, o.client()), raw)
	if err != nil {
		var exp *oidc.TokenExpiredError
		if errors.As(err, &exp) {
			return nil, ErrExpired
		}
		if strings.Contains(err.Error(), "fetching keys") {
			return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	for _, aud := range tok.Audience {
		for _, id := range clientIDs {
			if aud == id {
				var extra struct {
					Tags json.RawMessage `json:"https://aws.amazon.com/tags"`
				}
				if err := tok.Claims(&extra); err != nil {
					return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
				}
				return &Claims{Issuer: tok.Issuer, Subject: tok.Subject, Audience: aud, Expiry: tok.Expiry, SessionTags: extra.Tags}, nil
			}
		}
	}
	return nil, ErrAudience
}

func (o *OIDC) now() time.Time {
	if o.Clock != nil {
		return o.Clock()
	}
	return time.Now()
}

func (o *OIDC) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (o *OIDC) provider(ctx context.Context, issuer string) (*issuerKeys, error) {
	o.mu.Lock()
	p := o.providers[issuer]
	o.mu.Unlock()
	now := o.now()
	if p != nil && now.Sub(p.at) < discoveryLifetime && !now.Before(p.at) {
		return p, nil
	}
	d, err := Discover(ctx, o.client(), issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.providers == nil {
		o.providers, o.keySets = map[string]*issuerKeys{}, map[string]*KeySet{}
	}
	ks := o.keySets[d.JWKSURL]
	if ks == nil {
		ks = NewKeySet(d.JWKSURL, o.client(), o.Clock)
		o.keySets[d.JWKSURL] = ks
	}
	p = &issuerKeys{keys: ks, algs: d.Algs, at: now}
	o.providers[issuer] = p
	return p, nil
}

// Discovery is what an OpenID provider's discovery document says that
// verification needs.
type Discovery struct {
	Provider *oidc.Provider
	JWKSURL  string
	// Algs are the asymmetric algorithms it signs ID tokens with (RS256,
	// which every provider supports, when it names none).
	Algs []string
}

// Discover reads an issuer's discovery document
// (<issuer>/.well-known/openid-configuration), whose issuer must be the
// same, with an https:// jwks_uri and at least one asymmetric algorithm.
func Discover(ctx context.Context, client *http.Client, issuer string) (*Discovery, error) {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering the OpenID provider %s: %w", issuer, err)
	}
	var md struct {
		JWKS string   `json:"jwks_uri"`
		Algs []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := p.Claims(&md); err != nil {
		return nil, fmt.Errorf("the discovery document of %s: %w", issuer, err)
	}
	if !strings.HasPrefix(md.JWKS, "https://") {
		return nil, fmt.Errorf("the discovery document of %s names no https:// jwks_uri", issuer)
	}
	d := &Discovery{Provider: p, JWKSURL: md.JWKS}
	for _, a := range md.Algs {
		for _, ok := range IDTokenAlgs {
			if a == string(ok) {
				d.Algs = append(d.Algs, a)
			}
		}
	}
	if len(md.Algs) == 0 {
		d.Algs = []string{oidc.RS256}
	}
	if len(d.Algs) == 0 {
		return nil, fmt.Errorf("the OpenID provider %s signs ID tokens only with %s, which Warden refuses (asymmetric algorithms only)", issuer, strings.Join(md.Algs, ", "))
	}
	return d, nil
}
