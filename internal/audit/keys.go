package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

// PurposeSigning is the store purpose of the trail's signing keys.
const PurposeSigning = "audit-signing"

// SigningKey is one of the trail's Ed25519 keys.
type SigningKey struct {
	ID      string
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
	Created time.Time
	Retired time.Time
}

// Fingerprint is the hex SHA-256 of the public key, as ListPublicKeys
// reports it.
func (k *SigningKey) Fingerprint() string {
	sum := sha256.Sum256(k.Public)
	return hex.EncodeToString(sum[:])
}

// LoadKeys loads the trail's keys, newest first, creating the first one when
// create is set and there is none.
func LoadKeys(ctx context.Context, st store.Store, master *creds.Sealer, create bool, now time.Time) ([]*SigningKey, error) {
	list, err := st.ServerKeys(ctx, PurposeSigning)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 && create {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		sum := sha256.Sum256(pub)
		id := "tk-" + hex.EncodeToString(sum[:8])
		err := st.PutServerKey(ctx, store.ServerKey{ID: id, Purpose: PurposeSigning, Sealed: master.Seal(seed, []byte("server-key:"+id)), Created: now})
		if err != nil && err != store.ErrExists {
			return nil, err
		}
		return LoadKeys(ctx, st, master, false, now)
	}
	var out []*SigningKey
	for _, sk := range list {
		seed, err := master.Open(sk.Sealed, []byte("server-key:"+sk.ID))
		if err != nil {
			return nil, fmt.Errorf("trail key %s: %w (is this the deployment's master key?)", sk.ID, err)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		out = append(out, &SigningKey{ID: sk.ID, Public: priv.Public().(ed25519.PublicKey), private: priv, Created: sk.Created, Retired: sk.Retired})
	}
	return out, nil
}
