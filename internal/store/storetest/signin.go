package storetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func testSSOClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := store.SSOClient{ID: "client-1", SecretHash: hashOf("secret"), Name: "warden-login", Type: "public",
		Scopes: "sso:account:access", Created: at(0), Expires: at(90 * 86400)}
	if err := s.PutSSOClient(ctx, c); err != nil {
		t.Fatalf("PutSSOClient: %v", err)
	}
	if err := s.PutSSOClient(ctx, c); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutSSOClient twice: got %v, want ErrExists", err)
	}
	got, err := s.SSOClient(ctx, "client-1")
	if err != nil {
		t.Fatalf("SSOClient: %v", err)
	}
	if got.ID != c.ID || !bytes.Equal(got.SecretHash, c.SecretHash) || got.Name != c.Name || got.Type != c.Type ||
		got.Scopes != c.Scopes || ts(got.Created) != ts(c.Created) || ts(got.Expires) != ts(c.Expires) {
		t.Errorf("SSOClient = %+v, want %+v", got, c)
	}
	if _, err := s.SSOClient(ctx, "client-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SSOClient(unknown): got %v, want ErrNotFound", err)
	}
}

func deviceAuth(code, user string) store.DeviceAuth {
	return store.DeviceAuth{CodeHash: hashOf(code), UserCode: user, ClientID: "client-1", Scopes: "sso:account:access",
		Created: at(0), Expires: at(600), Interval: 5}
}

func testDeviceAuthFlow(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := deviceAuth("device-1", "ABCD-EFGH")
	if err := s.PutDeviceAuth(ctx, d); err != nil {
		t.Fatalf("PutDeviceAuth: %v", err)
	}
	if err := s.PutDeviceAuth(ctx, deviceAuth("device-2", "ABCD-EFGH")); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutDeviceAuth(same user code): got %v, want ErrExists", err)
	}
	if err := s.PutDeviceAuth(ctx, deviceAuth("device-1", "ZZZZ-ZZZZ")); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutDeviceAuth(same device code): got %v, want ErrExists", err)
	}
	got, err := s.DeviceAuthByUserCode(ctx, "ABCD-EFGH")
	if err != nil {
		t.Fatalf("DeviceAuthByUserCode: %v", err)
	}
	if got.Status != store.DevicePending || got.Interval != 5 || !got.LastPoll.IsZero() || ts(got.Expires) != ts(at(600)) || !bytes.Equal(got.CodeHash, d.CodeHash) {
		t.Errorf("DeviceAuthByUserCode = %+v, want pending, interval 5, never polled", got)
	}

	// Polls: the first is fine, one 2 s later slows down (interval 5 -> 10),
	// one 10 s after that is fine again.
	if _, err := s.PollDeviceAuth(ctx, d.CodeHash, at(10)); err != nil {
		t.Fatalf("first poll: %v", err)
	}
	p, err := s.PollDeviceAuth(ctx, d.CodeHash, at(12))
	if !errors.Is(err, store.ErrConflict) || p.Interval != 10 {
		t.Errorf("poll after 2 s: got interval %d, %v; want 10, ErrConflict", p.Interval, err)
	}
	if p, err := s.PollDeviceAuth(ctx, d.CodeHash, at(18)); !errors.Is(err, store.ErrConflict) || p.Interval != 15 {
		t.Errorf("poll 6 s after a slow_down: got interval %d, %v; want 15, ErrConflict", p.Interval, err)
	}
	if p, err := s.PollDeviceAuth(ctx, d.CodeHash, at(33)); err != nil || p.Status != store.DevicePending || ts(p.LastPoll) != ts(at(33)) {
		t.Errorf("poll 15 s later: got %+v, %v; want pending, polled at 33 s", p, err)
	}
	if _, err := s.PollDeviceAuth(ctx, hashOf("nope"), at(40)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("poll of unknown code: got %v, want ErrNotFound", err)
	}

	if err := s.ConsumeDeviceAuth(ctx, d.CodeHash); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ConsumeDeviceAuth(pending): got %v, want ErrConflict", err)
	}
	if err := s.DecideDeviceAuth(ctx, "ABCD-EFGH", "used", "u-1", at(50)); err == nil {
		t.Errorf("DecideDeviceAuth(used): got no error")
	}
	if err := s.DecideDeviceAuth(ctx, "ABCD-EFGH", store.DeviceApproved, "u-1", at(50)); err != nil {
		t.Fatalf("DecideDeviceAuth(approved): %v", err)
	}
	if err := s.DecideDeviceAuth(ctx, "ABCD-EFGH", store.DeviceDenied, "u-2", at(51)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DecideDeviceAuth twice: got %v, want ErrConflict", err)
	}
	if err := s.DecideDeviceAuth(ctx, "NONE-NONE", store.DeviceApproved, "u-1", at(50)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DecideDeviceAuth(unknown): got %v, want ErrNotFound", err)
	}
	got, _ = s.DeviceAuthByUserCode(ctx, "ABCD-EFGH")
	if got.Status != store.DeviceApproved || got.UserID != "u-1" || ts(got.AuthTime) != ts(at(50)) {
		t.Errorf("after approval: %+v", got)
	}
	if err := s.ConsumeDeviceAuth(ctx, d.CodeHash); err != nil {
		t.Fatalf("ConsumeDeviceAuth: %v", err)
	}
	if err := s.ConsumeDeviceAuth(ctx, d.CodeHash); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ConsumeDeviceAuth twice: got %v, want ErrConflict", err)
	}
}

// testDeviceAuthConsumeConcurrent: of many concurrent exchanges of one
// approved device code, exactly one gets the tokens.
func testDeviceAuthConsumeConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := deviceAuth("device-c", "CCCC-CCCC")
	if err := s.PutDeviceAuth(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideDeviceAuth(ctx, d.UserCode, store.DeviceApproved, "u-1", at(1)); err != nil {
		t.Fatal(err)
	}
	var ok, conflict atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			switch err := s.ConsumeDeviceAuth(ctx, d.CodeHash); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, store.ErrConflict):
				conflict.Add(1)
			default:
				t.Errorf("ConsumeDeviceAuth: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || conflict.Load() != 7 {
		t.Errorf("concurrent consumes: %d succeeded, %d conflicted; want 1 and 7", ok.Load(), conflict.Load())
	}
}

func testSSOTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	access := store.SSOToken{Hash: hashOf("access-1"), Kind: "access", GrantID: "g-1", ClientID: "client-1", UserID: "u-1",
		Created: at(0), Expires: at(3600), AuthTime: at(-5)}
	refresh := access
	refresh.Hash, refresh.Kind, refresh.Expires = hashOf("refresh-1"), "refresh", at(90*86400)
	other := access
	other.Hash, other.GrantID = hashOf("access-2"), "g-2"
	for _, tk := range []store.SSOToken{access, refresh, other} {
		if err := s.PutSSOToken(ctx, tk); err != nil {
			t.Fatalf("PutSSOToken(%s): %v", tk.Kind, err)
		}
	}
	if err := s.PutSSOToken(ctx, access); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutSSOToken twice: got %v, want ErrExists", err)
	}
	bad := access
	bad.Hash, bad.Kind = hashOf("x"), "id"
	if err := s.PutSSOToken(ctx, bad); err == nil {
		t.Errorf("PutSSOToken(kind id): got no error")
	}
	got, err := s.SSOToken(ctx, access.Hash)
	if err != nil {
		t.Fatalf("SSOToken: %v", err)
	}
	if got.Kind != "access" || got.GrantID != "g-1" || got.ClientID != "client-1" || got.UserID != "u-1" ||
		ts(got.Created) != ts(at(0)) || ts(got.Expires) != ts(at(3600)) || ts(got.AuthTime) != ts(at(-5)) || !got.Revoked.IsZero() {
		t.Errorf("SSOToken = %+v, want %+v", got, access)
	}
	if _, err := s.SSOToken(ctx, hashOf("nope")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SSOToken(unknown): got %v, want ErrNotFound", err)
	}
	if err := s.RevokeSSOToken(ctx, refresh.Hash, at(10)); err != nil {
		t.Fatalf("RevokeSSOToken: %v", err)
	}
	if err := s.RevokeSSOToken(ctx, refresh.Hash, at(11)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("RevokeSSOToken twice: got %v, want ErrConflict", err)
	}
	if err := s.RevokeSSOToken(ctx, hashOf("nope"), at(11)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeSSOToken(unknown): got %v, want ErrNotFound", err)
	}
	n, err := s.RevokeSSOGrant(ctx, "g-1", at(20))
	if err != nil || n != 1 {
		t.Errorf("RevokeSSOGrant(g-1) = %d, %v; want 1 (the refresh token was already revoked)", n, err)
	}
	if got, _ := s.SSOToken(ctx, access.Hash); ts(got.Revoked) != ts(at(20)) {
		t.Errorf("access token revoked at %s, want %s", ts(got.Revoked), ts(at(20)))
	}
	if got, _ := s.SSOToken(ctx, refresh.Hash); ts(got.Revoked) != ts(at(10)) {
		t.Errorf("refresh token revoked at %s, want its first revocation %s", ts(got.Revoked), ts(at(10)))
	}
	if got, _ := s.SSOToken(ctx, other.Hash); !got.Revoked.IsZero() {
		t.Errorf("another sign-in's token was revoked")
	}
	n, err = s.DeleteExpiredSignIn(ctx, at(3601))
	if err != nil || n != 2 {
		t.Errorf("DeleteExpiredSignIn = %d, %v; want the 2 expired access tokens", n, err)
	}
	if _, err := s.SSOToken(ctx, refresh.Hash); err != nil {
		t.Errorf("refresh token deleted before its expiry: %v", err)
	}
}

func testSSOPasswords(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := store.SSOPassword{UserID: "u-1", Hash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", MustChange: true, Updated: at(0)}
	if err := s.SetSSOPassword(ctx, p); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSSOPassword before Add: got %v, want ErrNotFound", err)
	}
	if err := s.AddSSOPassword(ctx, p); err != nil {
		t.Fatalf("AddSSOPassword: %v", err)
	}
	if err := s.AddSSOPassword(ctx, p); !errors.Is(err, store.ErrExists) {
		t.Errorf("AddSSOPassword twice: got %v, want ErrExists", err)
	}
	got, err := s.SSOPassword(ctx, "u-1")
	if err != nil || got != (store.SSOPassword{UserID: "u-1", Hash: p.Hash, MustChange: true, Updated: at(0)}) {
		t.Errorf("SSOPassword = %+v, %v", got, err)
	}
	p2 := store.SSOPassword{UserID: "u-1", Hash: "$argon2id$v=19$m=65536,t=3,p=2$bmV3$bmV3", Updated: at(60)}
	if err := s.SetSSOPassword(ctx, p2); err != nil {
		t.Fatalf("SetSSOPassword: %v", err)
	}
	if got, _ := s.SSOPassword(ctx, "u-1"); got != p2 {
		t.Errorf("SSOPassword after Set = %+v, want %+v", got, p2)
	}
	if _, err := s.SSOPassword(ctx, "u-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SSOPassword(unknown): got %v, want ErrNotFound", err)
	}
}

func testRateLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	const w = time.Minute
	for i, want := range []int{1, 2, 3} {
		n, err := s.HitRateLimit(ctx, "user:alice", at(int64(i)), w)
		if err != nil || n != want {
			t.Errorf("hit %d = %d, %v; want %d", i, n, err, want)
		}
	}
	if n, _ := s.RateLimitCount(ctx, "user:alice", at(59), w); n != 3 {
		t.Errorf("count within the window = %d, want 3", n)
	}
	if n, _ := s.RateLimitCount(ctx, "user:alice", at(60), w); n != 0 {
		t.Errorf("count once the window ended = %d, want 0", n)
	}
	if n, _ := s.RateLimitCount(ctx, "addr:127.0.0.1", at(0), w); n != 0 {
		t.Errorf("count of another key = %d, want 0", n)
	}
	if n, _ := s.HitRateLimit(ctx, "user:alice", at(61), w); n != 1 {
		t.Errorf("hit in a new window = %d, want 1", n)
	}
	if n, _ := s.HitRateLimit(ctx, "user:alice", at(62), w); n != 2 {
		t.Errorf("second hit in the new window = %d, want 2", n)
	}
	if err := s.ResetRateLimit(ctx, "user:alice"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.RateLimitCount(ctx, "user:alice", at(62), w); n != 0 {
		t.Errorf("count after reset = %d, want 0", n)
	}
	// Concurrent hits are all counted.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := s.HitRateLimit(ctx, "addr:10.0.0.1", at(100), w); err != nil {
				t.Errorf("HitRateLimit: %v", err)
			}
		})
	}
	wg.Wait()
	if n, _ := s.RateLimitCount(ctx, "addr:10.0.0.1", at(100), w); n != 10 {
		t.Errorf("count after 10 concurrent hits = %d, want 10", n)
	}
}
