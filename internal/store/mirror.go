package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Mirror is one replica's decoded copy of a namespace of Records, brought
// up to date on Sync: the changes since the revision it last read
// (RecordChanges), or the whole namespace again when those are no longer
// kept (ErrStale) or on first use. Replicas that Sync before they read see
// what every replica wrote. Writes go to the store (ApplyRecords, with the
// versions Get returns), then Sync. Safe for concurrent use.
type Mirror[T any] struct {
	r  Records
	ns string

	mu     sync.Mutex
	loaded bool
	rev    int64
	items  map[string]Mirrored[T]
}

// Mirrored is a record's value and the version it was read at.
type Mirrored[T any] struct {
	Value   T
	Version int64
}

// NewMirror mirrors the namespace ns of r.
func NewMirror[T any](r Records, ns string) *Mirror[T] {
	return &Mirror[T]{r: r, ns: ns, items: map[string]Mirrored[T]{}}
}

// Sync brings the copy up to date with the store.
func (m *Mirror[T]) Sync(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rev, err := m.r.RecordsRevision(ctx, m.ns)
	if err != nil {
		return err
	}
	if m.loaded && rev == m.rev {
		return nil
	}
	if m.loaded {
		for {
			changes, err := m.r.RecordChanges(ctx, m.ns, m.rev, RecordPage)
			if errors.Is(err, ErrStale) {
				break
			}
			if err != nil {
				return err
			}
			for _, c := range changes {
				if err := m.apply(c); err != nil {
					return err
				}
			}
			if len(changes) < RecordPage {
				m.rev = max(m.rev, rev)
				return nil
			}
		}
	}
	all, err := AllRecords(ctx, m.r, m.ns, "")
	if err != nil {
		return err
	}
	m.items = map[string]Mirrored[T]{}
	m.rev = rev
	for _, c := range all {
		if err := m.apply(c); err != nil {
			return err
		}
	}
	m.rev, m.loaded = max(m.rev, rev), true
	return nil
}

func (m *Mirror[T]) apply(c Record) error {
	if c.Version > m.rev {
		m.rev = c.Version
	}
	if c.Deleted {
		delete(m.items, c.Key)
		return nil
	}
	var v T
	if err := json.Unmarshal(c.Doc, &v); err != nil {
		return fmt.Errorf("record %s/%s: %w", m.ns, c.Key, err)
	}
	m.items[c.Key] = Mirrored[T]{Value: v, Version: c.Version}
	return nil
}

// Get returns a record's value and version as last synced.
func (m *Mirror[T]) Get(key string) (Mirrored[T], bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[key]
	return v, ok
}

// All returns every record as last synced, by key.
func (m *Mirror[T]) All() map[string]Mirrored[T] {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Mirrored[T], len(m.items))
	for k, v := range m.items {
		out[k] = v
	}
	return out
}

// Op makes the write of a value under key, expecting the version Get gave
// (0 for a new record).
func (m *Mirror[T]) Op(key string, v T, expect int64, at time.Time) (RecordOp, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return RecordOp{}, err
	}
	return RecordOp{Namespace: m.ns, Key: key, Doc: doc, Expect: expect, At: at}, nil
}

// Syncer is what Write brings up to date: a Mirror.
type Syncer interface {
	Sync(ctx context.Context) error
}

// WriteRetries bounds how often Write plans again after a conflict.
const WriteRetries = 8

// Write applies the ops plan makes from the mirrors as synced, in one
// transaction, and syncs them again; when another writer changed a record
// first (ErrConflict), it syncs and plans again, so that concurrent
// replicas never lose a write. A plan with no ops writes nothing.
func Write(ctx context.Context, r Records, plan func() ([]RecordOp, error), mirrors ...Syncer) error {
	sync := func() error {
		for _, m := range mirrors {
			if err := m.Sync(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	for range WriteRetries {
		if err := sync(); err != nil {
			return err
		}
		ops, err := plan()
		if err != nil || len(ops) == 0 {
			return err
		}
		_, err = r.ApplyRecords(ctx, ops)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		return sync()
	}
	return fmt.Errorf("records kept changing under %d attempts to write: %w", WriteRetries, ErrConflict)
}

// Revision returns the namespace revision the copy reflects, as last
// synced: a reader that derives something from All can tell whether it is
// still current.
func (m *Mirror[T]) Revision() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rev
}
