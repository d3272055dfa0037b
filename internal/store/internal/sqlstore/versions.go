package sqlstore

import (
	"context"
	"sync/atomic"
	"time"
)

// Versions is the state version a store knows without a query, for
// store.StateWatcher: the newest version it has seen (read, written, or
// announced by another replica) and when it last confirmed the version
// against the database. Safe for concurrent use.
type Versions struct {
	version   atomic.Int64
	confirmed atomic.Int64 // UnixNano of the last confirmation; 0: never
}

// Saw notes v as read from or written to the database by a statement sent
// at asked (the version was current at some moment after it): the
// database's word, taken as is. The bound counts from asked.
func (c *Versions) Saw(v int64, asked time.Time) {
	c.version.Store(v)
	c.confirmed.Store(asked.UnixNano())
}

// Raise notes that version v exists (a notification from another replica)
// without confirming that no newer one does; it never moves the version
// back, as notifications may arrive after a newer read.
func (c *Versions) Raise(v int64) {
	for {
		old := c.version.Load()
		if v <= old || c.version.CompareAndSwap(old, v) {
			return
		}
	}
}

// Known returns the newest version seen and true while the last
// confirmation is younger than bound; false when the caller must read the
// version from the database.
func (c *Versions) Known(bound time.Duration) (int64, bool) {
	confirmed := c.confirmed.Load()
	if confirmed == 0 || time.Since(time.Unix(0, confirmed)) >= bound {
		return 0, false
	}
	return c.version.Load(), true
}

// Watched is a Core that notes in Versions every state version it reads or
// writes: the stores embed it to implement store.StateWatcher.
type Watched struct {
	*Core
	Versions Versions
}

// StateVersion implements store.Store, noting the version read.
func (w *Watched) StateVersion(ctx context.Context) (int64, error) {
	asked := time.Now()
	v, err := w.Core.StateVersion(ctx)
	if err == nil {
		w.Versions.Saw(v, asked)
	}
	return v, err
}

// State implements store.Store, noting the version read.
func (w *Watched) State(ctx context.Context) ([]byte, int64, error) {
	asked := time.Now()
	doc, v, err := w.Core.State(ctx)
	if err == nil {
		w.Versions.Saw(v, asked)
	}
	return doc, v, err
}

// PutState implements store.Store: the version written is known at once.
func (w *Watched) PutState(ctx context.Context, doc []byte, expectVersion int64) (int64, error) {
	asked := time.Now()
	v, err := w.Core.PutState(ctx, doc, expectVersion)
	if err == nil {
		w.Versions.Saw(v, asked)
	}
	return v, err
}
