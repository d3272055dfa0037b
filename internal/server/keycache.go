package server

import (
	"context"
	"sync"
	"time"

	"github.com/securecart/warden/internal/store"
)

// keyCacheTTL bounds how long a replica may use a long-term key's stored
// state (its owner, status and secret) without reading it again: a key
// deactivated or deleted through another replica stops working here within
// this time; through this replica, at once.
const keyCacheTTL = 2 * time.Second

// keyCache holds recently used long-term keys with their unsealed secrets,
// in memory only.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]cachedKey
}

type cachedKey struct {
	key    store.AccessKey
	secret string
	at     time.Time
}

func (c *keyCache) get(id string, now time.Time) (store.AccessKey, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[id]
	if !ok || now.Sub(k.at) > keyCacheTTL || now.Before(k.at) {
		return store.AccessKey{}, "", false
	}
	return k.key, k.secret, true
}

func (c *keyCache) put(k store.AccessKey, secret string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) > 10000 {
		c.keys = map[string]cachedKey{}
	}
	k.SealedSecret = nil
	c.keys[k.ID] = cachedKey{key: k, secret: secret, at: now}
}

// Forget drops a key, for changes made through this replica.
func (c *keyCache) Forget(id string) {
	c.mu.Lock()
	delete(c.keys, id)
	c.mu.Unlock()
}

// lookupKey returns a long-term key and its secret.
func (s *Server) lookupKey(ctx context.Context, id string) (store.AccessKey, string, error) {
	now := time.Now()
	if k, secret, ok := s.keys.get(id, now); ok {
		return k, secret, nil
	}
	k, err := s.st.AccessKey(ctx, id)
	if err != nil {
		return store.AccessKey{}, "", err
	}
	raw, err := s.master.Open(k.SealedSecret, []byte("access-key:"+k.ID))
	if err != nil {
		return store.AccessKey{}, "", err
	}
	s.keys.put(k, string(raw), now)
	return k, string(raw), nil
}

// ForgetKey makes the server read a key from the store on its next use, for
// the API that changes keys.
func (s *Server) ForgetKey(id string) { s.keys.Forget(id) }
