package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The sign-in cache of warden login, warden credentials and warden logout:
// one token file per endpoint and one credentials file per endpoint,
// account and permission set, in the user's cache directory
// ($XDG_CACHE_HOME/warden/sso), every file mode 0600 in a 0700 directory.

// cachedToken is a sign-in: the client registration and its tokens.
type cachedToken struct {
	Endpoint              string    `json:"endpoint"`
	ClientID              string    `json:"clientId"`
	ClientSecret          string    `json:"clientSecret"`
	RegistrationExpiresAt time.Time `json:"registrationExpiresAt"`
	AccessToken           string    `json:"accessToken,omitempty"`
	RefreshToken          string    `json:"refreshToken,omitempty"`
	ExpiresAt             time.Time `json:"expiresAt,omitzero"`
}

// cachedCreds are role credentials in credential_process's format.
type cachedCreds struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
}

func ssoCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the sign-in (set XDG_CACHE_HOME): %w", err)
	}
	return filepath.Join(d, "warden", "sso"), nil
}

func cacheKey(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(h[:10])
}

func tokenPath(endpoint string) (string, error) {
	d, err := ssoCacheDir()
	return filepath.Join(d, "token-"+cacheKey(endpoint)+".json"), err
}

func credsPath(endpoint, account, permSet string) (string, error) {
	d, err := ssoCacheDir()
	return filepath.Join(d, "creds-"+cacheKey(endpoint)+"-"+cacheKey(account, permSet)+".json"), err
}

// writePrivate writes a file with mode 0600 in a 0700 directory, replacing
// it atomically.
func writePrivate(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// readPrivate reads a cache file, refusing one that others can read.
func readPrivate(path string, v any) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is readable by others (mode %v): remove it and sign in again", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// removeEndpointCache removes the token and every credentials file of an
// endpoint.
func removeEndpointCache(endpoint string) error {
	d, err := ssoCacheDir()
	if err != nil {
		return err
	}
	var errs []error
	for _, pat := range []string{"token-" + cacheKey(endpoint) + ".json", "creds-" + cacheKey(endpoint) + "-*.json"} {
		matches, _ := filepath.Glob(filepath.Join(d, pat))
		for _, m := range matches {
			if err := os.Remove(m); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
