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
		if got, want := c.get(secret, s), deriveSigningKey(secret, s.Date, s.Region, s.Service); got != want {
			t.Fatalf("key for %s: got %x, want %x", secret, got, want)
		}
		if n := c.len(); n > 4 {
			t.Fatalf("cache holds %d keys, bound is 4", n)
		}
	}
	// A hit returns the same key as a fresh derivation.
	if got, want := c.get("secret-9", s), deriveSigningKey("secret-9", s.Date, s.Region, s.Service); got != want {
		t.Fatalf("cached key differs from derived key")
	}
}

func TestKeyCacheSeparatesInputs(t *testing.T) {
	c := newKeyCache(16)
	a := c.get("ab", Scope{Date: "c", Region: "r", Service: "s"})
	b := c.get("a", Scope{Date: "bc", Region: "r", Service: "s"})
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
				if got := c.get(fmt.Sprintf("secret-%d", i), s); got != want[i] {
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
