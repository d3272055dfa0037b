package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/securecart/warden/internal/store"
)

// PutServerKey implements store.Store.
func (c *Core) PutServerKey(ctx context.Context, k store.ServerKey) error {
	if k.ID == "" || k.Purpose == "" || k.Created.IsZero() {
		return fmt.Errorf("store: server key %q needs an ID, a purpose and a creation time", k.ID)
	}
	n, err := affected(c.serverKeyInsert.ExecContext(ctx, k.ID, k.Purpose, NonNil(k.Sealed), Nanos(k.Created), Nanos(k.Retired)))
	if err != nil {
		return fmt.Errorf("put server key %s: %w", k.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("server key %s: %w", k.ID, store.ErrExists)
	}
	return nil
}

// ServerKeys implements store.Store.
func (c *Core) ServerKeys(ctx context.Context, purpose string) ([]store.ServerKey, error) {
	rows, err := c.serverKeyList.QueryContext(ctx, purpose)
	keys, err := CollectRows(rows, err, ScanServerKey)
	if err != nil {
		return nil, fmt.Errorf("server keys for %s: %w", purpose, err)
	}
	return keys, nil
}

// RetireServerKey implements store.Store. Retiring a retired key keeps its
// first retirement time.
func (c *Core) RetireServerKey(ctx context.Context, id string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("store: retire server key %s: no time", id)
	}
	n, err := affected(c.serverKeyRetire.ExecContext(ctx, Nanos(at), id))
	if err != nil {
		return fmt.Errorf("retire server key %s: %w", id, err)
	}
	if n == 0 {
		return notFound("server key", id)
	}
	return nil
}

// DeleteServerKey implements store.Store.
func (c *Core) DeleteServerKey(ctx context.Context, id string) error {
	n, err := affected(c.serverKeyDelete.ExecContext(ctx, id))
	if err != nil {
		return fmt.Errorf("delete server key %s: %w", id, err)
	}
	if n == 0 {
		return notFound("server key", id)
	}
	return nil
}
