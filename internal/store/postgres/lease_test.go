package postgres

import (
	"testing"
)

// Replicas on one database: one holds a lease at a time; it passes to
// the other when released, and when its holder's store closes (a replica
// that stops); leases of other names are independent.
func TestLeaseOneReplicaAtATime(t *testing.T) {
	dsn := freshDatabase(t)
	r := [2]*Store{open(t, dsn), open(t, dsn)}
	for _, s := range r {
		t.Cleanup(func() { s.Close() })
	}
	ctx := t.Context()
	// A third replica, which stops during the test.
	stopping := open(t, dsn)
	a, ok, err := r[0].TryLease(ctx, "analysis")
	if err != nil || !ok || !a.Held(ctx) {
		t.Fatalf("replica 0 takes the free lease: ok %v, %v", ok, err)
	}
	if _, ok, err := r[1].TryLease(ctx, "analysis"); err != nil || ok {
		t.Fatalf("replica 1 takes the held lease: ok %v, %v", ok, err)
	}
	if _, ok, err := r[0].TryLease(ctx, "analysis"); err != nil || ok {
		// A session lock is re-entrant within its session, not across
		// connections: the holder's second try is another session.
		t.Fatalf("replica 0 takes its own lease again on another connection: ok %v, %v", ok, err)
	}
	_, ok, err = stopping.TryLease(ctx, "another")
	if err != nil || !ok {
		t.Fatalf("replica 1 takes another lease: ok %v, %v", ok, err)
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	if a.Held(ctx) {
		t.Error("a released lease reports held")
	}
	b, ok, err := stopping.TryLease(ctx, "analysis")
	if err != nil || !ok || !b.Held(ctx) {
		t.Fatalf("replica 2 after the release: ok %v, %v", ok, err)
	}
	if _, ok, _ := r[1].TryLease(ctx, "analysis"); ok {
		t.Fatal("replica 1 takes the lease replica 2 holds")
	}
	// Replica 2 stops without releasing: its sessions end, and both its
	// leases are free.
	if err := stopping.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"analysis", "another"} {
		if l, ok, err := r[1].TryLease(ctx, name); err != nil || !ok {
			t.Fatalf("replica 1 takes %s after replica 2 stopped: ok %v, %v", name, ok, err)
		} else {
			l.Release()
		}
	}
}
