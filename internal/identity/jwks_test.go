package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// keyServer publishes a JWK set, counting requests; status != 200 fails
// them.
type keyServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	keys   []jose.JSONWebKey
	status int
	hits   int
}

func newKeyServer(t *testing.T) *keyServer {
	k := &keyServer{status: http.StatusOK}
	k.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		defer k.mu.Unlock()
		k.hits++
		if k.status != http.StatusOK {
			w.WriteHeader(k.status)
			return
		}
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: k.keys})
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func (k *keyServer) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hits
}

func (k *keyServer) fail(status int) {
	k.mu.Lock()
	k.status = status
	k.mu.Unlock()
}

func sign(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign([]byte(`{"iss":"https://idp.example","sub":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// The key set keeps public signature keys of asymmetric types only: an HMAC
// key a provider publishes is not a key anyone can verify with, and HS256
// tokens are refused before any key is looked at; a signature by no key of
// the set, or by a key of another ID, is refused.
func TestKeySetAsymmetricOnly(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	secret := []byte(strings.Repeat("s", 32))
	ks := newKeyServer(t)
	ks.keys = []jose.JSONWebKey{{Key: secret, KeyID: "hmac", Algorithm: "HS256", Use: "sig"}, {Key: &rsaKey.PublicKey, KeyID: "rsa", Algorithm: "RS256", Use: "sig"},
		{Key: &other.PublicKey, KeyID: "enc", Use: "enc"}}
	set := NewKeySet(ks.srv.URL, ks.srv.Client(), nil)
	ctx := context.Background()
	if _, err := set.VerifySignature(ctx, sign(t, jose.RS256, rsaKey, "rsa")); err != nil {
		t.Fatalf("a token of the provider's RSA key: %v", err)
	}
	if len(set.keys) != 1 || set.keys[0].KeyID != "rsa" {
		t.Errorf("kept keys %v, want the RSA signature key only", set.keys)
	}
	for name, tok := range map[string]string{
		"HS256 with the published HMAC key": sign(t, jose.HS256, secret, "hmac"),
		"a key the set does not hold":       sign(t, jose.RS256, other, "rsa"),
		"an encryption key's ID":            sign(t, jose.RS256, other, "enc"),
	} {
		if _, err := set.VerifySignature(ctx, tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Fetches are rate-limited, failed ones too; a failed refetch keeps the
// keys already held.
func TestKeySetRefetchLimit(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ks := newKeyServer(t)
	ks.keys = []jose.JSONWebKey{{Key: &rsaKey.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	set := NewKeySet(ks.srv.URL, ks.srv.Client(), func() time.Time { return now })
	ctx := context.Background()
	good := sign(t, jose.RS256, rsaKey, "k1")
	if _, err := set.VerifySignature(ctx, good); err != nil {
		t.Fatal(err)
	}
	unknown := sign(t, jose.RS256, rsaKey, "k2")
	for range 5 {
		set.VerifySignature(ctx, unknown)
	}
	if n := ks.count(); n != 1 {
		t.Errorf("%d fetches for 5 tokens of an unknown key within 30 seconds, want 1 (the first)", n)
	}
	ks.fail(http.StatusInternalServerError)
	now = now.Add(31 * time.Second)
	if _, err := set.VerifySignature(ctx, unknown); err == nil {
		t.Error("a token of an unknown key accepted")
	}
	if _, err := set.VerifySignature(ctx, good); err != nil {
		t.Errorf("the held key after a failed refetch: %v", err)
	}
	if n := ks.count(); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
	// An hour on, the keys are fetched again; the provider still fails, and
	// the held keys serve for up to a day.
	now = now.Add(time.Hour)
	if _, err := set.VerifySignature(ctx, good); err != nil {
		t.Errorf("the held key while the provider fails: %v", err)
	}
	now = now.Add(24 * time.Hour)
	if _, err := set.VerifySignature(ctx, good); err == nil {
		t.Error("keys fetched more than a day ago still trusted while the provider fails")
	}
}
