package server

import (
	"context"
	"sync/atomic"

	"github.com/securecart/warden/internal/store"
)

// stateSync makes every request see the organization as stored, so that a
// change made through one replica is used through every other: a role
// created through replica A can be assumed through B, and a policy removed
// through B no longer allows anything through A. A store that knows the
// state's version without a query (store.StateWatcher) is asked that
// version: this process's writes are known at once, other replicas' as soon
// as PostgreSQL delivers their notification (LISTEN/NOTIFY) and at the
// latest within the store's bound (250 ms: postgres.VersionBound, and
// sqlite.VersionBound for other processes on the same file). Otherwise, or
// when that knowledge is older than the bound, the request reads the
// version (one single-row query). The org is reloaded only when the
// version moved.
type stateSync struct {
	seen atomic.Int64 // the newest version this replica has loaded
}

// syncState brings the server's cached org up to the stored version.
func (s *Server) syncState(ctx context.Context) error {
	v, known := int64(0), false
	if w, ok := s.st.(store.StateWatcher); ok {
		v, known = w.KnownStateVersion()
	}
	if !known {
		var err error
		if v, err = s.st.StateVersion(ctx); err != nil {
			return err
		}
	}
	if v == s.orgSync.seen.Load() {
		// The manager holds this version or a newer one: versions only grow,
		// and seen is set only after the manager loaded it.
		return nil
	}
	if _, err := s.State.Fresh(ctx); err != nil {
		return err
	}
	// Fresh loaded v or a later version.
	for {
		old := s.orgSync.seen.Load()
		if old >= v || s.orgSync.seen.CompareAndSwap(old, v) {
			return nil
		}
	}
}
