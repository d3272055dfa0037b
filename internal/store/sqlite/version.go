package sqlite

import (
	"context"
	"sync/atomic"
	"time"
)

// VersionBound is how stale KnownStateVersion may be about a change another
// process made to the same file; changes made through this Store are known
// at once.
const VersionBound = 250 * time.Millisecond

// versionCache is the state version as this process last wrote or read it,
// and when it last read it from the database.
type versionCache struct {
	version atomic.Int64
	checked atomic.Int64 // UnixNano of the last read; 0: never
}

func (c *versionCache) saw(v int64) {
	c.version.Store(v)
	c.checked.Store(time.Now().UnixNano())
}

// KnownStateVersion implements store.StateWatcher: the version without a
// query, while what this process knows is younger than VersionBound.
func (s *Store) KnownStateVersion() (int64, bool) {
	checked := s.versions.checked.Load()
	if checked == 0 || time.Since(time.Unix(0, checked)) >= VersionBound {
		return 0, false
	}
	return s.versions.version.Load(), true
}

// StateVersion implements store.Store, noting the version read.
func (s *Store) StateVersion(ctx context.Context) (int64, error) {
	v, err := s.Core.StateVersion(ctx)
	if err == nil {
		s.versions.saw(v)
	}
	return v, err
}

// State implements store.Store, noting the version read.
func (s *Store) State(ctx context.Context) ([]byte, int64, error) {
	doc, v, err := s.Core.State(ctx)
	if err == nil {
		s.versions.saw(v)
	}
	return doc, v, err
}

// PutState implements store.Store: the version written is known at once.
func (s *Store) PutState(ctx context.Context, doc []byte, expectVersion int64) (int64, error) {
	v, err := s.Core.PutState(ctx, doc, expectVersion)
	if err == nil {
		s.versions.saw(v)
	}
	return v, err
}
