package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/securecart/warden/internal/store"
)

// PutMFADevice implements store.Store.
func (c *Core) PutMFADevice(ctx context.Context, d store.MFADevice) error {
	if d.Serial == "" || d.Created.IsZero() {
		return fmt.Errorf("store: MFA device %q needs a serial and a creation time", d.Serial)
	}
	n, err := affected(c.mfaInsert.ExecContext(ctx, d.Serial, d.Owner, NonNil(d.SealedSeed), d.LastStep, Nanos(d.Created)))
	if err != nil {
		return fmt.Errorf("put MFA device %s: %w", d.Serial, err)
	}
	if n == 0 {
		return fmt.Errorf("MFA device %s: %w", d.Serial, store.ErrExists)
	}
	return nil
}

// MFADevice implements store.Store.
func (c *Core) MFADevice(ctx context.Context, serial string) (store.MFADevice, error) {
	d, err := ScanMFADevice(c.mfaGet.QueryRowContext(ctx, serial))
	if errors.Is(err, sql.ErrNoRows) {
		return store.MFADevice{}, notFound("MFA device", serial)
	}
	if err != nil {
		return store.MFADevice{}, fmt.Errorf("MFA device %s: %w", serial, err)
	}
	return d, nil
}

// MFADevices implements store.Store: oldest first.
func (c *Core) MFADevices(ctx context.Context, owner string) ([]store.MFADevice, error) {
	rows, err := c.mfaList.QueryContext(ctx, owner)
	devs, err := CollectRows(rows, err, ScanMFADevice)
	if err != nil {
		return nil, fmt.Errorf("MFA devices of %s: %w", owner, err)
	}
	return devs, nil
}

// AdvanceMFAStep implements store.Store with one conditional update, so that
// of concurrent advances to the same step exactly one changes a row.
func (c *Core) AdvanceMFAStep(ctx context.Context, serial string, step int64) error {
	n, err := affected(c.mfaAdvance.ExecContext(ctx, step, serial))
	if err != nil {
		return fmt.Errorf("advance MFA device %s: %w", serial, err)
	}
	if n > 0 {
		return nil
	}
	ok, err := exists(ctx, c.mfaExists, serial)
	if err != nil {
		return fmt.Errorf("advance MFA device %s: %w", serial, err)
	}
	if !ok {
		return notFound("MFA device", serial)
	}
	return fmt.Errorf("MFA device %s: time step %d already used: %w", serial, step, store.ErrConflict)
}

// DeleteMFADevice implements store.Store.
func (c *Core) DeleteMFADevice(ctx context.Context, serial string) error {
	n, err := affected(c.mfaDelete.ExecContext(ctx, serial))
	if err != nil {
		return fmt.Errorf("delete MFA device %s: %w", serial, err)
	}
	if n == 0 {
		return notFound("MFA device", serial)
	}
	return nil
}
