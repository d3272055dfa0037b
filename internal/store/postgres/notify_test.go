package postgres

import (
	"database/sql"
	"testing"
	"time"
)

// openBoundReplicas opens two stores on one fresh database with the given
// bound on staleness, and waits until both listen.
func openBoundReplicas(t *testing.T, bound time.Duration) (dsn string, a, b *Store) {
	dsn = freshDatabase(t)
	var stores [2]*Store
	for i := range stores {
		s, err := openBound(t.Context(), dsn, bound)
		if err != nil {
			t.Fatalf("Open replica %d: %v", i, err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close replica %d: %v", i, err)
			}
		})
		stores[i] = s
	}
	for i, s := range stores {
		waitFor(t, 10*time.Second, func() bool { return s.listening.Load() }, "replica %d listening", i)
	}
	return dsn, stores[0], stores[1]
}

// waitFor polls cond until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, cond func() bool, what string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: "+what, append([]any{within}, args...)...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func knows(s *Store, want int64) func() bool {
	return func() bool { v, ok := s.KnownStateVersion(); return ok && v == want }
}

// A version written through one replica reaches the other by notification:
// with a bound of an hour, the listener reads the version only on
// connecting, so nothing but the notification can tell it.
func TestReplicasLearnStateVersionsByNotification(t *testing.T) {
	_, a, b := openBoundReplicas(t, time.Hour)
	if v, ok := b.KnownStateVersion(); !ok || v != 0 {
		t.Fatalf("replica B before any state: %d, %v; want 0, known", v, ok)
	}
	v1, err := a.PutState(t.Context(), []byte(`{"n":1}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !knows(a, v1)() {
		t.Fatal("replica A does not know the version it wrote")
	}
	waitFor(t, 10*time.Second, knows(b, v1), "replica B learns version %d written through A", v1)
	v2, err := b.PutState(t.Context(), []byte(`{"n":2}`), v1)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, knows(a, v2), "replica A learns version %d written through B", v2)
	// A write that loses the race announces nothing.
	if _, err := a.PutState(t.Context(), []byte(`{"n":"stale"}`), v1); err == nil {
		t.Fatal("PutState with a stale version succeeded")
	}
	time.Sleep(50 * time.Millisecond)
	if !knows(b, v2)() {
		v, ok := b.KnownStateVersion()
		t.Fatalf("after a refused write replica B knows %d, %v; want %d", v, ok, v2)
	}
}

// A change that is never announced (here written around the store, as a
// missed notification) is known within the bound: the listener reads the
// version again every half bound, and a version older than the bound is
// never reported as known.
func TestReplicasMissedNotificationWithinBound(t *testing.T) {
	dsn, a, b := openBoundReplicas(t, VersionBound)
	v1, err := a.PutState(t.Context(), []byte(`{}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, knows(b, v1), "replica B learns version %d", v1)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `UPDATE state SET version = version + 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	v2 := v1 + 1
	deadline := written.Add(10 * time.Second)
	for {
		// The time is read before asking: a report of "known" made at
		// least this long after the write (a loaded machine may pause the
		// test between the two) breaks the bound.
		asked := time.Now()
		v, ok := b.KnownStateVersion()
		if ok && v == v2 {
			break
		}
		if ok && asked.Sub(written) > VersionBound {
			t.Fatalf("%v after an unannounced write replica B still reports version %d as known, want %d (bound %v)", asked.Sub(written), v, v2, VersionBound)
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica B never learned the unannounced version %d", v2)
		}
		time.Sleep(time.Millisecond)
	}
}

// When the listener's connection is cut, it reconnects, reads the version
// it may have missed, and hears notifications again.
func TestReplicasListenerReconnects(t *testing.T) {
	dsn, a, b := openBoundReplicas(t, time.Hour)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var cut int
	err = db.QueryRowContext(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, listenerName).Scan(&cut)
	if err != nil || cut != 2 {
		t.Fatalf("terminated %d listeners (%v), want both replicas'", cut, err)
	}
	// Written while the listeners may be down: the reconnection's read
	// finds it.
	v1, err := a.PutState(t.Context(), []byte(`{"n":1}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, knows(b, v1), "replica B learns version %d after its listener reconnects", v1)
	waitFor(t, 10*time.Second, func() bool { return b.listening.Load() }, "replica B listening again")
	v2, err := a.PutState(t.Context(), []byte(`{"n":2}`), v1)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, knows(b, v2), "replica B learns version %d by notification after reconnecting", v2)
}
