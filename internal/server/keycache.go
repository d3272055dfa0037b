package server

import (
	"context"
	"sync"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
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

// cachedKey is a key with what a request derives from it: its secret and
// its owner's kind and user ID (so that a request computes neither).
type cachedKey struct {
	key    store.AccessKey
	secret string
	kind   policy.CallerKind
	userID string
	bad    bool // the owner is not a principal's ARN
	at     time.Time
}

func (c *keyCache) get(id string, now time.Time) (cachedKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[id]
	if !ok || now.Sub(k.at) > keyCacheTTL || now.Before(k.at) {
		return cachedKey{}, false
	}
	return k, true
}

func (c *keyCache) put(k cachedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) > 10000 {
		c.keys = map[string]cachedKey{}
	}
	c.keys[k.key.ID] = k
}

// Forget drops a key, for changes made through this replica.
func (c *keyCache) Forget(id string) {
	c.mu.Lock()
	delete(c.keys, id)
	c.mu.Unlock()
}

// lookupKey returns a long-term key with its secret and its owner's kind
// and user ID.
func (s *Server) lookupKey(ctx context.Context, id string) (cachedKey, error) {
	now := time.Now()
	if k, ok := s.keys.get(id, now); ok {
		return k, nil
	}
	k, err := s.st.AccessKey(ctx, id)
	if err != nil {
		return cachedKey{}, err
	}
	raw, err := s.master.Open(k.SealedSecret, []byte("access-key:"+k.ID))
	if err != nil {
		return cachedKey{}, err
	}
	k.SealedSecret = nil
	c := cachedKey{key: k, secret: string(raw), at: now}
	caller, err := policy.ParseCaller(k.Owner)
	switch {
	case err != nil:
		c.bad = true
	case caller.Kind == policy.CallerRoot:
		c.kind, c.userID = caller.Kind, k.Account
	default:
		c.kind, c.userID = caller.Kind, creds.StableID("AIDA", k.Owner)
	}
	s.keys.put(c)
	return c, nil
}

// ForgetKey makes the server read a key from the store on its next use, for
// the API that changes keys.
func (s *Server) ForgetKey(id string) { s.keys.Forget(id) }
