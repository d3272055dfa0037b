package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

func fmtAccessKey(k store.AccessKey) string {
	return fmt.Sprintf("{ID:%s Owner:%s Account:%s SealedSecret:%x Status:%s Created:%s LastUsed:%s LastService:%s LastRegion:%s}",
		k.ID, k.Owner, k.Account, k.SealedSecret, k.Status, ts(k.Created), ts(k.LastUsed), k.LastService, k.LastRegion)
}

func fmtServerKey(k store.ServerKey) string {
	return fmt.Sprintf("{ID:%s Purpose:%s Sealed:%x Created:%s Retired:%s}", k.ID, k.Purpose, k.Sealed, ts(k.Created), ts(k.Retired))
}

// fmtAll formats a list with f, one element a line.
func fmtAll[T any](list []T, f func(T) string) string {
	s := ""
	for _, v := range list {
		s += f(v) + "\n"
	}
	return s
}

const (
	alice = "arn:aws:iam::111122223333:user/alice"
	bob   = "arn:aws:iam::111122223333:user/bob"
)

func accessKey(id, owner string, created time.Time) store.AccessKey {
	return store.AccessKey{
		ID: id, Owner: owner, Account: "111122223333",
		SealedSecret: []byte("sealed:" + id), Status: "Active", Created: created,
	}
}

func testAccessKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Put out of creation order: AccessKeys lists oldest first.
	k2 := accessKey("AKIAAAAAAAAAAAAAAAA2", alice, at(60))
	k1 := accessKey("AKIAZZZZZZZZZZZZZZZ1", alice, at(0))
	k3 := accessKey("AKIAAAAAAAAAAAAAAAB3", bob, at(30))
	k3.LastUsed, k3.LastService, k3.LastRegion = at(45), "sts", "eu-west-1"
	for _, k := range []store.AccessKey{k2, k1, k3} {
		if err := s.PutAccessKey(ctx, k); err != nil {
			t.Fatalf("PutAccessKey(%s): %v", k.ID, err)
		}
	}
	dup := accessKey(k1.ID, bob, at(90))
	if err := s.PutAccessKey(ctx, dup); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutAccessKey(existing ID): got %v, want ErrExists", err)
	}
	for _, want := range []store.AccessKey{k1, k2, k3} {
		got, err := s.AccessKey(ctx, want.ID)
		if err != nil {
			t.Fatalf("AccessKey(%s): %v", want.ID, err)
		}
		if fmtAccessKey(got) != fmtAccessKey(want) {
			t.Errorf("AccessKey(%s)\ngot  %s\nwant %s", want.ID, fmtAccessKey(got), fmtAccessKey(want))
		}
	}
	if _, err := s.AccessKey(ctx, "AKIANOSUCHKEY0000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AccessKey(unknown): got %v, want ErrNotFound", err)
	}

	for _, tc := range []struct {
		owner string
		want  []store.AccessKey
	}{
		{alice, []store.AccessKey{k1, k2}},
		{bob, []store.AccessKey{k3}},
		{"arn:aws:iam::111122223333:user/nobody", nil},
	} {
		got, err := s.AccessKeys(ctx, tc.owner)
		if err != nil {
			t.Fatalf("AccessKeys(%s): %v", tc.owner, err)
		}
		if g, w := fmtAll(got, fmtAccessKey), fmtAll(tc.want, fmtAccessKey); g != w {
			t.Errorf("AccessKeys(%s)\ngot\n%swant\n%s", tc.owner, g, w)
		}
	}

	if err := s.DeleteAccessKey(ctx, k1.ID); err != nil {
		t.Fatalf("DeleteAccessKey: %v", err)
	}
	if _, err := s.AccessKey(ctx, k1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AccessKey after delete: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteAccessKey(ctx, k1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteAccessKey twice: got %v, want ErrNotFound", err)
	}
	got, err := s.AccessKeys(ctx, alice)
	if err != nil || len(got) != 1 || got[0].ID != k2.ID {
		t.Errorf("AccessKeys(alice) after delete = %d keys, %v; want only %s", len(got), err, k2.ID)
	}
}

func testAccessKeyStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	k := accessKey("AKIAAAAAAAAAAAAAAAA1", alice, at(0))
	if err := s.PutAccessKey(ctx, k); err != nil {
		t.Fatalf("PutAccessKey: %v", err)
	}
	for _, status := range []string{"Inactive", "Active", "Inactive"} {
		if err := s.SetAccessKeyStatus(ctx, k.ID, status); err != nil {
			t.Fatalf("SetAccessKeyStatus(%s): %v", status, err)
		}
		got, err := s.AccessKey(ctx, k.ID)
		if err != nil || got.Status != status {
			t.Errorf("status after SetAccessKeyStatus(%s) = %q, %v; want %q", status, got.Status, err, status)
		}
	}
	if err := s.SetAccessKeyStatus(ctx, k.ID, "Disabled"); err == nil {
		t.Errorf("SetAccessKeyStatus(Disabled): got no error, want one")
	}
	if got, err := s.AccessKey(ctx, k.ID); err != nil || got.Status != "Inactive" {
		t.Errorf("status after a refused status = %q, %v; want Inactive", got.Status, err)
	}
	if err := s.SetAccessKeyStatus(ctx, "AKIANOSUCHKEY0000000", "Active"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAccessKeyStatus(unknown): got %v, want ErrNotFound", err)
	}
	bad := accessKey("AKIAAAAAAAAAAAAAAAA2", alice, at(0))
	bad.Status = "active"
	if err := s.PutAccessKey(ctx, bad); err == nil {
		t.Errorf("PutAccessKey(status %q): got no error, want one", bad.Status)
	}
}

func testAccessKeyTouch(t *testing.T, s store.Store) {
	ctx := t.Context()
	k := accessKey("AKIAAAAAAAAAAAAAAAA1", alice, at(0))
	if err := s.PutAccessKey(ctx, k); err != nil {
		t.Fatalf("PutAccessKey: %v", err)
	}
	for _, tc := range []struct {
		at              time.Time
		service, region string
		want            store.AccessKey // LastUsed, LastService, LastRegion
	}{
		{at(100), "sts", "us-east-1", store.AccessKey{LastUsed: at(100), LastService: "sts", LastRegion: "us-east-1"}},
		{at(50), "iam", "eu-west-1", store.AccessKey{LastUsed: at(100), LastService: "sts", LastRegion: "us-east-1"}}, // older: ignored
		{at(200), "iam", "eu-west-1", store.AccessKey{LastUsed: at(200), LastService: "iam", LastRegion: "eu-west-1"}},
	} {
		if err := s.TouchAccessKey(ctx, k.ID, tc.at, tc.service, tc.region); err != nil {
			t.Fatalf("TouchAccessKey(%s): %v", ts(tc.at), err)
		}
		got, err := s.AccessKey(ctx, k.ID)
		if err != nil {
			t.Fatalf("AccessKey: %v", err)
		}
		want := k
		want.LastUsed, want.LastService, want.LastRegion = tc.want.LastUsed, tc.want.LastService, tc.want.LastRegion
		if fmtAccessKey(got) != fmtAccessKey(want) {
			t.Errorf("after TouchAccessKey(%s, %s, %s)\ngot  %s\nwant %s", ts(tc.at), tc.service, tc.region, fmtAccessKey(got), fmtAccessKey(want))
		}
	}
	if err := s.TouchAccessKey(ctx, "AKIANOSUCHKEY0000000", at(1), "sts", "us-east-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TouchAccessKey(unknown): got %v, want ErrNotFound", err)
	}
}

func testServerKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	key := func(id, purpose string, created time.Time) store.ServerKey {
		return store.ServerKey{ID: id, Purpose: purpose, Sealed: []byte("sealed:" + id), Created: created}
	}
	k1 := key("st-1", "session-token", at(0))
	k2 := key("st-2", "session-token", at(3600))
	k3 := key("st-3", "session-token", at(7200))
	a1 := key("as-1", "audit-signing", at(10))
	for _, k := range []store.ServerKey{k2, k1, a1, k3} {
		if err := s.PutServerKey(ctx, k); err != nil {
			t.Fatalf("PutServerKey(%s): %v", k.ID, err)
		}
	}
	if err := s.PutServerKey(ctx, key("st-1", "audit-signing", at(99))); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutServerKey(existing ID): got %v, want ErrExists", err)
	}
	check := func(purpose string, want ...store.ServerKey) {
		t.Helper()
		got, err := s.ServerKeys(ctx, purpose)
		if err != nil {
			t.Fatalf("ServerKeys(%s): %v", purpose, err)
		}
		if g, w := fmtAll(got, fmtServerKey), fmtAll(want, fmtServerKey); g != w {
			t.Errorf("ServerKeys(%s)\ngot\n%swant\n%s", purpose, g, w)
		}
	}
	check("session-token", k3, k2, k1) // newest first
	check("audit-signing", a1)
	check("nothing")

	if err := s.RetireServerKey(ctx, k2.ID, at(5000)); err != nil {
		t.Fatalf("RetireServerKey: %v", err)
	}
	if err := s.RetireServerKey(ctx, k2.ID, at(9000)); err != nil {
		t.Fatalf("RetireServerKey again: %v", err)
	}
	k2.Retired = at(5000) // the first retirement stands
	check("session-token", k3, k2, k1)
	if err := s.RetireServerKey(ctx, "no-such-key", at(1)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RetireServerKey(unknown): got %v, want ErrNotFound", err)
	}

	if err := s.DeleteServerKey(ctx, k1.ID); err != nil {
		t.Fatalf("DeleteServerKey: %v", err)
	}
	if err := s.DeleteServerKey(ctx, k1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteServerKey twice: got %v, want ErrNotFound", err)
	}
	check("session-token", k3, k2)
}
