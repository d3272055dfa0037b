package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/securecart/warden/internal/store"
)

// State implements store.Store.
func (c *Core) State(ctx context.Context) ([]byte, int64, error) {
	var doc []byte
	var version int64
	err := c.stateGet.QueryRowContext(ctx).Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("state: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("state: %w", err)
	}
	return doc, version, nil
}

// StateVersion implements store.Store.
func (c *Core) StateVersion(ctx context.Context) (int64, error) {
	var version int64
	err := c.stateVersion.QueryRowContext(ctx).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("state version: %w", err)
	}
	return version, nil
}

// PutState implements store.Store: a conditional update (or, for version 0,
// an insert that does nothing if a state exists), so the check and the write
// are one statement.
func (c *Core) PutState(ctx context.Context, doc []byte, expectVersion int64) (int64, error) {
	var n int64
	var err error
	switch {
	case expectVersion < 0:
		return 0, fmt.Errorf("put state: expected version %d: %w", expectVersion, store.ErrConflict)
	case expectVersion == 0:
		n, err = affected(c.stateInsert.ExecContext(ctx, NonNil(doc)))
	default:
		n, err = affected(c.stateUpdate.ExecContext(ctx, NonNil(doc), expectVersion))
	}
	if err != nil {
		return 0, fmt.Errorf("put state: %w", err)
	}
	if n == 0 {
		return 0, fmt.Errorf("put state: version is no longer %d: %w", expectVersion, store.ErrConflict)
	}
	return expectVersion + 1, nil
}
