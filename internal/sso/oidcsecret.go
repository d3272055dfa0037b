package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
	"unicode"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

// The OpenID provider's client secret, as an administrator sets and
// rotates it (`warden sso oidc-secret set`, reading standard input): sealed
// with the deployment's master key (AES-256-GCM, bound to the provider's
// issuer and the client ID) in the store (OIDCSecretNamespace), never
// returned nor logged. Every replica reads it at each sign-in, so a
// rotation takes effect on all of them at once, without a restart.
//
// Which secret wins: the stored one, when it is for the org's issuer and
// client ID; else the environment variable the org names
// (identityCenter.externalIdentityProvider.clientSecretEnv); else none (a
// public client).

// OIDCSecretNamespace holds the sealed client secret (store.Records).
const OIDCSecretNamespace = "sso/oidc-client-secret"

const (
	oidcSecretKey = "current"
	// MaxOIDCSecret is the longest client secret accepted.
	MaxOIDCSecret = 4096
)

// Where a client secret comes from.
const (
	SecretFromStore = "store"
	SecretFromEnv   = "env"
	SecretNone      = "none"
)

// storedOIDCSecret is the record: the secret sealed, and what it is for.
type storedOIDCSecret struct {
	Issuer   string    `json:"issuer"`
	ClientID string    `json:"clientId"`
	Sealed   []byte    `json:"sealed"`
	Set      time.Time `json:"set"`
}

// OIDCSecretInfo describes the stored secret, never the secret.
type OIDCSecretInfo struct {
	Issuer   string    `json:"issuer"`
	ClientID string    `json:"clientId"`
	Set      time.Time `json:"set"`
}

func oidcSecretAAD(issuer, clientID string) []byte {
	return []byte("warden oidc client secret\x00" + issuer + "\x00" + clientID)
}

// CheckOIDCSecret refuses a secret that cannot be one: empty, longer than
// MaxOIDCSecret, or with spaces or control characters (a pasted line
// break, a second line).
func CheckOIDCSecret(secret string) error {
	switch {
	case secret == "":
		return errors.New("the client secret is empty")
	case len(secret) > MaxOIDCSecret:
		return fmt.Errorf("the client secret has %d bytes, more than %d", len(secret), MaxOIDCSecret)
	}
	for i, r := range secret {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("the client secret has a space or control character at byte %d", i)
		}
	}
	return nil
}

// SetOIDCClientSecret seals and stores the client secret of the org's
// OpenID provider (issuer, clientID), replacing any.
func SetOIDCClientSecret(ctx context.Context, st store.Records, master *creds.Sealer, issuer, clientID, secret string, at time.Time) error {
	if err := CheckOIDCSecret(secret); err != nil {
		return err
	}
	doc, _ := json.Marshal(storedOIDCSecret{Issuer: issuer, ClientID: clientID, Set: at.UTC(),
		Sealed: master.Seal([]byte(secret), oidcSecretAAD(issuer, clientID))})
	_, err := st.PutRecord(ctx, OIDCSecretNamespace, oidcSecretKey, doc, store.AnyVersion, at)
	return err
}

// DeleteOIDCClientSecret removes the stored secret (the environment
// variable, if any, is used again); store.ErrNotFound if there is none.
func DeleteOIDCClientSecret(ctx context.Context, st store.Records, at time.Time) error {
	return st.DeleteRecord(ctx, OIDCSecretNamespace, oidcSecretKey, store.AnyVersion, at)
}

// StoredOIDCSecret describes the stored secret; false when there is none.
func StoredOIDCSecret(ctx context.Context, st store.Records) (OIDCSecretInfo, bool, error) {
	s, ok, err := readOIDCSecret(ctx, st)
	if err != nil || !ok {
		return OIDCSecretInfo{}, false, err
	}
	return OIDCSecretInfo{Issuer: s.Issuer, ClientID: s.ClientID, Set: s.Set}, true, nil
}

func readOIDCSecret(ctx context.Context, st store.Records) (storedOIDCSecret, bool, error) {
	var s storedOIDCSecret
	r, err := st.Record(ctx, OIDCSecretNamespace, oidcSecretKey)
	if errors.Is(err, store.ErrNotFound) {
		return s, false, nil
	}
	if err != nil {
		return s, false, err
	}
	return s, true, json.Unmarshal(r.Doc, &s)
}

// OIDCClientSecret returns the client secret of the provider x and where
// it comes from (SecretFromStore, SecretFromEnv, SecretNone): the stored
// one when it is for x's issuer and client ID, else the environment
// variable x names (lookupEnv, default os.LookupEnv), else none.
func OIDCClientSecret(ctx context.Context, st store.Records, master *creds.Sealer, x *org.ExternalIdP, lookupEnv func(string) (string, bool)) (string, string, error) {
	if st != nil && master != nil {
		s, ok, err := readOIDCSecret(ctx, st)
		if err != nil {
			return "", "", err
		}
		if ok && s.Issuer == x.Issuer && s.ClientID == x.ClientID {
			secret, err := master.Open(s.Sealed, oidcSecretAAD(s.Issuer, s.ClientID))
			if err != nil {
				return "", "", fmt.Errorf("the stored client secret of %s cannot be opened with this master key: %w", x.Name, err)
			}
			return string(secret), SecretFromStore, nil
		}
	}
	if x.ClientSecretEnv == "" {
		return "", SecretNone, nil
	}
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	s, ok := lookupEnv(x.ClientSecretEnv)
	if !ok || s == "" {
		return "", "", fmt.Errorf("the client secret of %s is not set: none is stored (warden sso oidc-secret set) and warden serve's environment has no %s", x.Name, x.ClientSecretEnv)
	}
	return s, SecretFromEnv, nil
}
