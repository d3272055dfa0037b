package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Bounds of an OpenID provider's key set.
const (
	// jwksMaxAge: keys older than this are fetched again on next use.
	jwksMaxAge = time.Hour
	// jwksRefetchInterval: a token naming a key ID the set does not hold
	// (a rotation) fetches the set again, at most this often, so that
	// tokens with made-up key IDs cannot make Warden hammer the provider.
	jwksRefetchInterval = 30 * time.Second
	maxJWKSBody         = 1 << 20
)

// IDTokenAlgs are the signature algorithms an ID token may use: asymmetric
// only. "none" and the HMAC algorithms (HS256, HS384, HS512) are refused
// before any key is looked at: an HMAC "signature" keyed with a provider's
// public key or the client secret proves nothing about the provider.
var IDTokenAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// KeySet is an OpenID provider's key set (its jwks_uri), implementing
// go-oidc's KeySet: kept for an hour, and fetched again at once when a
// token names a key ID it does not hold (the provider rotated its keys),
// at most every 30 seconds by the clock, so that tokens with made-up key
// IDs cannot make Warden hammer the provider. Symmetric keys in a
// published set are ignored.
type KeySet struct {
	url    string
	client *http.Client
	clock  func() time.Time

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetched   time.Time // last successful fetch
	attempted time.Time // last fetch, successful or not
}

// NewKeySet returns the key set at url, fetched with client; clock drives
// its lifetime and rate limit (nil: the wall clock).
func NewKeySet(url string, client *http.Client, clock func() time.Time) *KeySet {
	if clock == nil {
		clock = time.Now
	}
	return &KeySet{url: url, client: client, clock: clock}
}

// VerifySignature implements oidc.KeySet: it returns the payload of a
// token signed with one of the provider's keys.
func (k *KeySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, IDTokenAlgs)
	if err != nil {
		return nil, fmt.Errorf("the token is not signed with an asymmetric algorithm (%s): %v", algNames(), err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("the token must carry exactly one signature")
	}
	h := jws.Signatures[0].Header
	keys, err := k.get(ctx, h.KeyID)
	if err != nil {
		return nil, err
	}
	for _, key := range keys {
		if h.KeyID != "" && key.KeyID != h.KeyID {
			continue
		}
		if key.Algorithm != "" && key.Algorithm != h.Algorithm {
			continue
		}
		if payload, err := jws.Verify(key.Key); err == nil {
			return payload, nil
		}
	}
	if h.KeyID != "" {
		return nil, fmt.Errorf("no key of the provider's key set (%s) with key ID %q verifies the token's %s signature", k.url, h.KeyID, h.Algorithm)
	}
	return nil, fmt.Errorf("no key of the provider's key set (%s) verifies the token's %s signature", k.url, h.Algorithm)
}

func algNames() string {
	s := ""
	for i, a := range IDTokenAlgs {
		if i > 0 {
			s += ", "
		}
		s += string(a)
	}
	return s
}

// get returns the keys, fetching them when they are missing or old, or
// when kid is not among them and the last fetch is not too recent.
func (k *KeySet) get(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.clock()
	stale := k.fetched.IsZero() || now.Sub(k.fetched) >= jwksMaxAge
	unknown := kid != "" && !hasKey(k.keys, kid)
	mayFetch := k.attempted.IsZero() || now.Sub(k.attempted) >= jwksRefetchInterval || now.Before(k.attempted)
	if (stale || unknown) && mayFetch {
		k.attempted = now
		keys, err := k.fetch(ctx)
		switch {
		case err == nil:
			k.keys, k.fetched = keys, now
		case len(k.keys) == 0 || now.Sub(k.fetched) >= 24*time.Hour:
			return nil, err
		}
	}
	if len(k.keys) == 0 {
		return nil, fmt.Errorf("the provider's key set (%s) could not be read recently; try again in %s", k.url, jwksRefetchInterval)
	}
	return k.keys, nil
}

func hasKey(keys []jose.JSONWebKey, kid string) bool {
	for _, k := range keys {
		if k.KeyID == kid {
			return true
		}
	}
	return false
}

// fetch reads the key set, keeping the public signature keys of
// asymmetric types (a symmetric "oct" key in a published set is dropped).
func (k *KeySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the provider's keys from %s: %w", k.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the provider's keys from %s: %s", k.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBody+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the provider's keys from %s: %w", k.url, err)
	}
	if len(body) > maxJWKSBody {
		return nil, fmt.Errorf("the provider's key set at %s is larger than %d bytes", k.url, maxJWKSBody)
	}
	// Keys go-jose cannot read (an unknown kty or curve) are passed over
	// one by one rather than failing the whole set.
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("the provider's key set at %s is not a JWK set: %v", k.url, err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if key.UnmarshalJSON(raw) != nil || (key.Use != "" && key.Use != "sig") {
			continue
		}
		switch key.Key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("the provider's key set at %s holds no public signature key", k.url)
	}
	return keys, nil
}
