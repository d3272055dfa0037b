package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// keyCacheSize bounds the signing-key cache. A key is valid for one day,
// region and service, so this covers many active access keys.
const keyCacheSize = 1024

type sigKey = [sha256.Size]byte

// keyCache maps SHA-256(secret, date, region, service) to the derived
// signing key. When full, an arbitrary entry makes room.
type keyCache struct {
	mu   sync.RWMutex
	keys map[sigKey]sigKey
	max  int
}

// signingKeys is shared by Verify, Sign and Presign.
var signingKeys = newKeyCache(keyCacheSize)

func newKeyCache(max int) *keyCache {
	return &keyCache{keys: make(map[sigKey]sigKey, max), max: max}
}

// get returns the signing key for secret and s, deriving it on a miss.
func (c *keyCache) get(secret string, s Scope) sigKey {
	id := cacheID(secret, s)
	c.mu.RLock()
	k, ok := c.keys[id]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = deriveSigningKey(secret, s.Date, s.Region, s.Service)
	c.mu.Lock()
	if _, ok := c.keys[id]; !ok && len(c.keys) >= c.max {
		for old := range c.keys {
			delete(c.keys, old)
			break
		}
	}
	c.keys[id] = k
	c.mu.Unlock()
	return k
}

func (c *keyCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.keys)
}

// cacheID hashes the length-prefixed inputs of the key derivation, so that
// no two different inputs share an ID.
func cacheID(secret string, s Scope) sigKey {
	var stack [256]byte
	b := stack[:0]
	for _, f := range [...]string{secret, s.Date, s.Region, s.Service} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return sha256.Sum256(b)
}

// deriveSigningKey computes
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveSigningKey(secret, date, region, service string) sigKey {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k[:], []byte(region))
	k = hmacSHA256(k[:], []byte(service))
	return hmacSHA256(k[:], []byte(Terminator))
}

func hmacSHA256(key, data []byte) sigKey {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	var out sigKey
	m.Sum(out[:0])
	return out
}
