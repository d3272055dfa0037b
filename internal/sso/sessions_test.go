package sso

import (
	"errors"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// The index of a person's sign-ins, their revocation one by one or all at
// once, what a role session issued to them then reads, and the purge of
// expired entries.
func TestSignInsRevocation(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	const key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	if _, err := st.PutRecord(ctx, PortalSessionsNamespace, key, []byte(`{}`), 0, t0); err != nil {
		t.Fatal(err)
	}
	portal := SignIn{ID: PortalSignInID(key), UserID: "u1", Kind: SignInPortal, Source: "directory", Created: t0, Expires: t0.Add(8 * time.Hour)}
	device := SignIn{ID: "g-abc", UserID: "u1", Kind: SignInDevice, Client: "warden", Created: t0.Add(time.Minute), Expires: t0.Add(8 * time.Hour)}
	old := SignIn{ID: "g-old", UserID: "u1", Kind: SignInDevice, Created: t0.Add(-9 * time.Hour), Expires: t0.Add(-time.Hour)}
	other := SignIn{ID: "g-other", UserID: "u2", Kind: SignInDevice, Created: t0, Expires: t0.Add(time.Hour)}
	for _, s := range []SignIn{portal, device, old, other} {
		if err := IndexSignIn(ctx, st, s); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(2 * time.Minute)
	ids := func(user string) []string {
		ss, err := SignIns(ctx, st, user, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	if got := ids("u1"); len(got) != 2 || got[0] != "ps-0123456789abcdef01234567" || got[1] != "g-abc" {
		t.Fatalf("u1's sign-ins %v: want the portal session then the device, not the expired one", got)
	}
	ref := func(id string) *creds.SignInRef { return &creds.SignInRef{UserID: "u1", ID: id} }
	revoked := func(id string, issued time.Time) bool {
		r, err := SignInRevoked(ctx, st, ref(id), issued)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if revoked("g-abc", now) || revoked(portal.ID, now) {
		t.Fatal("revoked before any revocation")
	}
	if _, err := RevokeSignIns(ctx, st, "u1", "g-nothing", now); !errors.Is(err, ErrNoSignIn) {
		t.Errorf("revoking an unknown sign-in: %v", err)
	}
	ended, err := RevokeSignIns(ctx, st, "u1", "g-abc", now)
	if err != nil || len(ended) != 1 || ended[0].ID != "g-abc" {
		t.Fatalf("revoke g-abc: %v %v", ended, err)
	}
	if !revoked("g-abc", now) || revoked(portal.ID, now) || revoked("", now) {
		t.Error("after revoking g-abc: only its sessions are refused")
	}
	if got := ids("u1"); len(got) != 1 || got[0] != portal.ID {
		t.Errorf("u1's sign-ins after revoking g-abc: %v", got)
	}
	later := now.Add(time.Minute)
	if ended, err := RevokeSignIns(ctx, st, "u1", "", later); err != nil || len(ended) != 1 {
		t.Fatalf("revoke all: %v %v", ended, err)
	}
	if _, err := st.Record(ctx, PortalSessionsNamespace, key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the portal session's record after revoking all: %v", err)
	}
	if !revoked("g-any", later) || revoked("g-any", later.Add(time.Second)) {
		t.Error("revoking all refuses role sessions issued until then, not after")
	}
	if out, err := SignedOutSince(ctx, st, "u1", later); err != nil || !out {
		t.Errorf("revoking all signs the person out everywhere: %v %v", out, err)
	}
	if got := ids("u2"); len(got) != 1 {
		t.Errorf("another person's sign-ins: %v", got)
	}
	// A day later the revoked sign-in's entry is forgotten at the next
	// revocation; the expired index entries are purged.
	dayLater := later.Add(25 * time.Hour)
	if _, err := RevokeSignIns(ctx, st, "u1", "", dayLater); err != nil {
		t.Fatal(err)
	}
	if revoked("g-abc", dayLater.Add(time.Second)) {
		t.Error("a revoked sign-in is kept longer than any role session lives")
	}
	n, err := PurgeExpired(ctx, st, UserSessionsNamespace, dayLater, func(doc []byte) bool { return true })
	if err != nil || n != 2 {
		t.Errorf("purged %d index entries (%v), want the 2 left (the expired one and u2's)", n, err)
	}
}
