package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/securecart/warden/internal/store"
)

// testUseOnce: a key is taken once until its record expires; then it can
// be taken again, and DeleteExpiredSignIn forgets it.
func testUseOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := "saml:https://idp.example.com|_a1"
	if err := s.UseOnce(ctx, key, at(0), at(300)); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := s.UseOnce(ctx, key, at(10), at(310)); !errors.Is(err, store.ErrExists) {
		t.Errorf("second use before expiry: got %v, want ErrExists", err)
	}
	if err := s.UseOnce(ctx, key, at(299), at(599)); !errors.Is(err, store.ErrExists) {
		t.Errorf("use just before expiry: got %v, want ErrExists", err)
	}
	if err := s.UseOnce(ctx, "saml:https://idp.example.com|_a2", at(10), at(310)); err != nil {
		t.Errorf("another key: %v", err)
	}
	if err := s.UseOnce(ctx, key, at(300), at(601)); err != nil {
		t.Errorf("use once the record expired (expiry is exclusive): %v", err)
	}
	if err := s.UseOnce(ctx, key, at(302), at(602)); !errors.Is(err, store.ErrExists) {
		t.Errorf("use again within the new record: got %v, want ErrExists", err)
	}
	n, err := s.DeleteExpiredSignIn(ctx, at(400))
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSignIn = %d, %v; want the 1 expired key (_a2)", n, err)
	}
	if err := s.UseOnce(ctx, "saml:https://idp.example.com|_a2", at(401), at(700)); err != nil {
		t.Errorf("a forgotten key: %v", err)
	}
}

// testUseOnceConcurrent: of concurrent uses of one key exactly one wins.
func testUseOnceConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	var ok, exists atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			err := s.UseOnce(ctx, "saml:race", at(0), at(300))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, store.ErrExists):
				exists.Add(1)
			default:
				t.Errorf("UseOnce: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || exists.Load() != 9 {
		t.Errorf("10 concurrent uses: %d succeeded, %d refused; want 1 and 9", ok.Load(), exists.Load())
	}
}
