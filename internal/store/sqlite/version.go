package sqlite

import "time"

// VersionBound is how stale KnownStateVersion may be about a change another
// process made to the same file; changes made through this Store are known
// at once.
const VersionBound = 250 * time.Millisecond

// KnownStateVersion implements store.StateWatcher: the version without a
// query, while what this process knows is younger than VersionBound.
func (s *Store) KnownStateVersion() (int64, bool) {
	return s.Versions.Known(VersionBound)
}
