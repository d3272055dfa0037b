package sigv4

import (
	"fmt"
	"sync"
	"testing"
)

func TestKeyCacheBounded(t *testing.T) {
	c := newKeyCache(4)
	s := Scope{Date: "20261122", Region: "us-east-1", Service: "sts", Terminator: Terminator}
	for i := range 10 {
		secret := fmt.Sprintf("secret-%d", i)
		if got, want := c.get(secret, s).key, deriveSigningKey(secret, s.Date, s.Region, s.Service); got != want {
			t.Fatalf("key for %s: got %x, want %x", secret, got, want)
		}
		if n := c.len(); n > 4 {
			t.Fatalf("cache holds %d keys, bound is 4", n)
		}
	}
	// A hit returns the same key as a fresh derivation.
	if got, want := c.get("secret-9", s).key, deriveSigningKey("secret-9", s.Date, s.Region, s.Service); got != want {
		t.Fatalf("cached key differs from derived key")
	}
}

func TestKeyCacheSeparatesInputs(t *testing.T) {
	c := newKeyCache(16)
	a := c.get("ab", Scope{Date: "c", Region: "r", Service: "s"}).key
	b := c.get("a", Scope{Date: "bc", Region: "r", Service: "s"}).key
	if a == b {
		t.Fatal("different secret/date splits share a cache entry")
	}
	if a != deriveSigningKey("ab", "c", "r", "s") || b != deriveSigningKey("a", "bc", "r", "s") {
		t.Fatal("cache returned a key for other inputs")
	}
}

func TestKeyCacheConcurrent(t *testing.T) {
	c := newKeyCache(16)
	s := Scope{Date: "20261122", Region: "us-east-1", Service: "iam", Terminator: Terminator}
	want := make([]sigKey, 50)
	for i := range want {
		want[i] = deriveSigningKey(fmt.Sprintf("secret-%d", i), s.Date, s.Region, s.Service)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 500 {
				i := (g*7 + j) % len(want)
				if got := c.get(fmt.Sprintf("secret-%d", i), s).key; got != want[i] {
					errs <- fmt.Errorf("goroutine %d: wrong key for secret-%d", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := c.len(); n > 16 {
		t.Errorf("cache holds %d keys, bound is 16", n)
	}
}

// The kept HMAC states give crypto/hmac's result for messages of every
// length around SHA-256's block boundaries.
func TestSignerMACAsHMAC(t *testing.T) {
	s := Scope{Date: "20261122", Region: "us-east-1", Service: "sts", Terminator: Terminator}
	k := newSigner("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", s)
	if k.key != deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", s.Date, s.Region, s.Service) {
		t.Fatal("signer's key differs from the derived key")
	}
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200, 1000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*7 + n)
		}
		if got, want := k.mac(data), hmacSHA256(k.key[:], data); got != want {
			t.Errorf("%d bytes: mac %x, hmac %x", n, got, want)
		}
	}
}

// An entry found under another input's hash is not used: the inputs
// themselves must match.
func TestKeyCacheHashCollision(t *testing.T) {
	c := newKeyCache(16)
	a := Scope{Date: "20261122", Region: "us-east-1", Service: "sts", Terminator: Terminator}
	b := Scope{Date: "20261122", Region: "eu-west-1", Service: "sts", Terminator: Terminator}
	for _, other := range []*signer{newSigner("secret-b", a), newSigner("secret-a", b)} {
		c.keys[c.id("secret-a", a)] = other // as if the two inputs shared a hash
		if got, want := c.get("secret-a", a).key, deriveSigningKey("secret-a", a.Date, a.Region, a.Service); got != want {
			t.Fatalf("collision with %s/%s: got %x, want %x", other.secret, other.region, got, want)
		}
	}
}
