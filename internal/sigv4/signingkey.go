package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"hash/maphash"
	"sync"
)

// keyCacheSize bounds the signing-key cache. A key is valid for one day,
// region and service, so this covers many active access keys.
const keyCacheSize = 1024

type sigKey = [sha256.Size]byte

// keyCache maps (secret, date, region, service) to the derived signing key
// and its HMAC states. Entries are found by a seeded hash of the inputs and
// kept with the inputs themselves, which a hit must equal: two inputs that
// share a hash never share a key (the later one replaces the earlier).
// When full, an arbitrary entry makes room.
type keyCache struct {
	mu   sync.RWMutex
	keys map[uint64]*signer
	seed maphash.Seed
	max  int
}

// signer is a signing key with the SHA-256 states of its HMAC after the
// inner and the outer padded key: an HMAC with it hashes the message and
// the inner digest only, not the two key blocks again.
type signer struct {
	secret, date, region, service string
	key                           sigKey
	inner, outer                  []byte // sha256 states (MarshalBinary)
}

// signingKeys is shared by Verify, Sign and Presign.
var signingKeys = newKeyCache(keyCacheSize)

func newKeyCache(max int) *keyCache {
	return &keyCache{keys: make(map[uint64]*signer, max), seed: maphash.MakeSeed(), max: max}
}

// get returns the signer for secret and s, deriving it on a miss.
func (c *keyCache) get(secret string, s Scope) *signer {
	id := c.id(secret, s)
	c.mu.RLock()
	k := c.keys[id]
	c.mu.RUnlock()
	if k != nil && k.secret == secret && k.date == s.Date && k.region == s.Region && k.service == s.Service {
		return k
	}
	k = newSigner(secret, s)
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

// id hashes the inputs of the key derivation, each ended by a byte no
// input has (0xff is not UTF-8), so that no two splits of one string share
// a hash by construction.
func (c *keyCache) id(secret string, s Scope) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	for _, f := range [...]string{secret, s.Date, s.Region, s.Service} {
		h.WriteString(f)
		h.WriteByte(0xff)
	}
	return h.Sum64()
}

func newSigner(secret string, s Scope) *signer {
	k := &signer{secret: secret, date: s.Date, region: s.Region, service: s.Service,
		key: deriveSigningKey(secret, s.Date, s.Region, s.Service)}
	var pad [sha256.BlockSize]byte
	state := func(x byte) []byte {
		for i := range pad {
			pad[i] = x
		}
		for i, b := range k.key {
			pad[i] ^= b
		}
		h := sha256.New()
		h.Write(pad[:])
		st, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			panic("sigv4: sha256 state: " + err.Error())
		}
		return st
	}
	k.inner, k.outer = state(0x36), state(0x5c)
	return k
}

// mac is HMAC-SHA256(k.key, data) (RFC 2104), from the kept states.
func (k *signer) mac(data []byte) sigKey {
	h := sha256.New()
	u := h.(encoding.BinaryUnmarshaler)
	if err := u.UnmarshalBinary(k.inner); err != nil {
		panic("sigv4: sha256 state: " + err.Error())
	}
	h.Write(data)
	var in, out sigKey
	h.Sum(in[:0])
	if err := u.UnmarshalBinary(k.outer); err != nil {
		panic("sigv4: sha256 state: " + err.Error())
	}
	h.Write(in[:])
	h.Sum(out[:0])
	return out
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
