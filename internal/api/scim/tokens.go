package scim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Bearer tokens of the SCIM endpoint, as IAM Identity Center's access
// tokens for automatic provisioning: an administrator creates one (shown
// once), at most MaxTokens exist at a time (so that a token can be rotated:
// create the new one, give it to the identity provider, delete the old
// one), each expires TokenLifetime after its creation. Only a token's
// SHA-256 is stored; a presented token is compared with each stored hash
// in constant time.

const (
	// TokensNamespace is the store.Records namespace of the tokens: one
	// record, tokensKey, lists them all, so that the limit holds when
	// administrators create tokens at once on several replicas.
	TokensNamespace = "identitystore-scim/tokens"
	tokensKey       = "tokens"
	// MaxTokens is how many tokens may exist at a time (AWS: two).
	MaxTokens = 2
	// TokenLifetime is a token's validity (AWS: one year).
	TokenLifetime = 365 * 24 * time.Hour
	// tokenPrefix starts every token, so that a leaked one is recognizable.
	tokenPrefix = "wscim_"
)

// ErrTooManyTokens is CreateToken's refusal when MaxTokens exist.
var ErrTooManyTokens = fmt.Errorf("there are already %d SCIM access tokens: delete one first (AWS allows two at a time)", MaxTokens)

// ErrNoToken is DeleteToken's answer for an unknown token ID.
var ErrNoToken = errors.New("no SCIM access token has that ID")

// Token is a stored token, without its secret.
type Token struct {
	ID      string    `json:"id"`
	Hash    string    `json:"sha256"` // hex SHA-256 of the token
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// Expired reports whether the token has expired at now.
func (t Token) Expired(now time.Time) bool { return !now.Before(t.Expires) }

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// readTokens reads the token list and its version (0 when none).
func readTokens(ctx context.Context, r store.Records) ([]Token, int64, error) {
	rec, err := r.Record(ctx, TokensNamespace, tokensKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var ts []Token
	if err := json.Unmarshal(rec.Doc, &ts); err != nil {
		return nil, 0, fmt.Errorf("SCIM access tokens: stored record %s/%s: %w", TokensNamespace, tokensKey, err)
	}
	return ts, rec.Version, nil
}

// writeTokens changes the list with fn, retrying when another writer got
// there first.
func writeTokens(ctx context.Context, r store.Records, now time.Time, fn func([]Token) ([]Token, error)) error {
	for attempt := 0; attempt < store.WriteRetries; attempt++ {
		ts, v, err := readTokens(ctx, r)
		if err != nil {
			return err
		}
		next, err := fn(ts)
		if err != nil {
			return err
		}
		doc, _ := json.Marshal(nonNilTokens(next)) // plain values always marshal
		if _, err := r.PutRecord(ctx, TokensNamespace, tokensKey, doc, v, now); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("SCIM access tokens kept changing: %w", store.ErrConflict)
}

func nonNilTokens(ts []Token) []Token {
	if ts == nil {
		return []Token{}
	}
	return ts
}

// CreateToken creates a token and returns it with its secret, which is
// not stored and cannot be read again.
func CreateToken(ctx context.Context, r store.Records, now time.Time) (Token, string, error) {
	var raw [32]byte
	var id [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Token{}, "", err
	}
	if _, err := rand.Read(id[:]); err != nil {
		return Token{}, "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := hex.EncodeToString(id[:])
	t := Token{ID: h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], Hash: hashToken(secret),
		Created: now.UTC(), Expires: now.UTC().Add(TokenLifetime)}
	err := writeTokens(ctx, r, now, func(ts []Token) ([]Token, error) {
		if len(ts) >= MaxTokens {
			return nil, ErrTooManyTokens
		}
		return append(ts, t), nil
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// ListTokens lists the tokens, oldest first.
func ListTokens(ctx context.Context, r store.Records) ([]Token, error) {
	ts, _, err := readTokens(ctx, r)
	return ts, err
}

// DeleteToken deletes a token by ID: the identity providers that use it
// are refused from the next request on.
func DeleteToken(ctx context.Context, r store.Records, id string, now time.Time) error {
	return writeTokens(ctx, r, now, func(ts []Token) ([]Token, error) {
		i := slices.IndexFunc(ts, func(t Token) bool { return strings.EqualFold(t.ID, id) })
		if i < 0 {
			return nil, fmt.Errorf("%w: %q", ErrNoToken, id)
		}
		return slices.Delete(ts, i, i+1), nil
	})
}

// authenticate finds the token a request's secret is: every stored hash is
// compared, each in constant time, so the answer's timing tells nothing of
// which token, if any, was near. An expired token does not authenticate.
func authenticate(ctx context.Context, r store.Records, secret string, now time.Time) (Token, error) {
	ts, _, err := readTokens(ctx, r)
	if err != nil {
		return Token{}, err
	}
	h := []byte(hashToken(secret))
	found := -1
	for i, t := range ts {
		if subtle.ConstantTimeCompare(h, []byte(t.Hash)) == 1 {
			found = i
		}
	}
	switch {
	case found < 0:
		return Token{}, errUnauthorized("The bearer token is not a SCIM access token of this Identity Center instance.")
	case ts[found].Expired(now):
		return Token{}, errUnauthorized("The SCIM access token expired at " + ts[found].Expires.Format(time.RFC3339) + ": an administrator must create a new one.")
	}
	return ts[found], nil
}
