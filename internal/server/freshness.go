package server

import (
	"context"
	"sync/atomic"

	"github.com/securecart/warden/internal/store"
)

// stateSync makes every request see the organization as stored when the
// request started, so that a change made through one replica is used at once
// through every other: a role created through replica A can be assumed
// through B, and a policy removed through B no longer allows anything
// through A. It costs one single-row read of the state's version per
// request, except on a store that knows the version without one
// (store.StateWatcher: SQLite, which learns of this process's writes at once
// and of other processes' within sqlite.VersionBound); the org is reloaded
// only when that version moved.
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
