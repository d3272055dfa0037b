package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/securecart/warden/internal/store"
)

// PutAccessKey implements store.Store.
func (c *Core) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	if err := CheckAccessKey(k); err != nil {
		return err
	}
	n, err := affected(c.keyInsert.ExecContext(ctx, k.ID, k.Owner, k.Account, NonNil(k.SealedSecret), k.Status,
		Nanos(k.Created), Nanos(k.LastUsed), k.LastService, k.LastRegion))
	if err != nil {
		return fmt.Errorf("put access key %s: %w", k.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("access key %s: %w", k.ID, store.ErrExists)
	}
	return nil
}

// AccessKey implements store.Store.
func (c *Core) AccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := ScanAccessKey(c.keyGet.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.AccessKey{}, notFound("access key", id)
	}
	if err != nil {
		return store.AccessKey{}, fmt.Errorf("access key %s: %w", id, err)
	}
	return k, nil
}

// AccessKeys implements store.Store.
func (c *Core) AccessKeys(ctx context.Context, owner string) ([]store.AccessKey, error) {
	rows, err := c.keyList.QueryContext(ctx, owner)
	keys, err := CollectRows(rows, err, ScanAccessKey)
	if err != nil {
		return nil, fmt.Errorf("access keys of %s: %w", owner, err)
	}
	return keys, nil
}

// SetAccessKeyStatus implements store.Store.
func (c *Core) SetAccessKeyStatus(ctx context.Context, id, status string) error {
	if err := CheckStatus(status); err != nil {
		return err
	}
	n, err := affected(c.keyStatus.ExecContext(ctx, status, id))
	if err != nil {
		return fmt.Errorf("set access key %s status: %w", id, err)
	}
	if n == 0 {
		return notFound("access key", id)
	}
	return nil
}

// TouchAccessKey implements store.Store. A use older than the recorded one
// is ignored (replicas may report out of order); an unknown key is
// ErrNotFound.
func (c *Core) TouchAccessKey(ctx context.Context, id string, at time.Time, service, region string) error {
	n, err := affected(c.keyTouch.ExecContext(ctx, Nanos(at), service, region, id))
	if err != nil {
		return fmt.Errorf("touch access key %s: %w", id, err)
	}
	if n > 0 {
		return nil
	}
	ok, err := exists(ctx, c.keyExists, id)
	if err != nil {
		return fmt.Errorf("touch access key %s: %w", id, err)
	}
	if !ok {
		return notFound("access key", id)
	}
	return nil
}

// DeleteAccessKey implements store.Store.
func (c *Core) DeleteAccessKey(ctx context.Context, id string) error {
	n, err := affected(c.keyDelete.ExecContext(ctx, id))
	if err != nil {
		return fmt.Errorf("delete access key %s: %w", id, err)
	}
	if n == 0 {
		return notFound("access key", id)
	}
	return nil
}
