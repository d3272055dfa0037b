package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/securecart/warden/internal/store"
)

// AppendAudit implements store.Store. The chain head (the last record's Seq
// and Hash) is a row of its own, read with Queries.AuditLock inside the
// write transaction: the lock it takes (the writer itself for SQLite, a row
// lock for PostgreSQL) is held while build runs and until the batch is
// committed, so appenders in every process chain one after the other. A
// batch that does not continue the chain (sqlstore.CheckBatch) is refused
// and nothing is stored. The head row also outlives retention
// (DeleteAuditBefore), so the chain continues after its records are gone.
func (c *Core) AppendAudit(ctx context.Context, build func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error)) error {
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	defer tx.Rollback()

	var seq int64
	var hash []byte
	if err := tx.StmtContext(ctx, c.auditLock).QueryRowContext(ctx).Scan(&seq, &hash); err != nil {
		return fmt.Errorf("append audit: chain head: %w", err)
	}
	recs, err := build(seq, Bytes(hash))
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	if len(recs) == 0 {
		return nil
	}
	if err := CheckBatch(seq, Bytes(hash), recs); err != nil {
		return err
	}
	if c.insertAudit != nil {
		err = c.insertAudit(ctx, tx, recs)
	} else {
		err = c.insertEach(ctx, tx, recs)
	}
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	last := recs[len(recs)-1]
	if _, err := tx.StmtContext(ctx, c.auditSetHead).ExecContext(ctx, last.Seq, last.Hash); err != nil {
		return fmt.Errorf("append audit: chain head: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append audit: commit: %w", err)
	}
	return nil
}

// insertEach stores recs one AuditInsert at a time.
func (c *Core) insertEach(ctx context.Context, tx *sql.Tx, recs []store.AuditRecord) error {
	ins := tx.StmtContext(ctx, c.auditInsert)
	for _, r := range recs {
		if _, err := ins.ExecContext(ctx, r.Seq, r.Time.UnixNano(), r.EventID, r.Account, NonNil(r.Data), NonNil(r.PrevHash), r.Hash); err != nil {
			return fmt.Errorf("record %d: %w", r.Seq, err)
		}
	}
	return nil
}

// AuditRecords implements store.Store. A limit below 1 returns nothing.
func (c *Core) AuditRecords(ctx context.Context, fromSeq int64, limit int) ([]store.AuditRecord, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := c.auditFrom.QueryContext(ctx, fromSeq, limit)
	recs, err := CollectRows(rows, err, ScanAuditRecord)
	if err != nil {
		return nil, fmt.Errorf("audit records from %d: %w", fromSeq, err)
	}
	return recs, nil
}

// AuditChain implements store.Store. The blobs and texts are scanned as
// sql.RawBytes into one reused row: database/sql does not copy them again,
// and fn sees the driver's buffers.
func (c *Core) AuditChain(ctx context.Context, fromSeq, toSeq int64, fn func(r *store.AuditRow) error) error {
	if toSeq < fromSeq {
		return nil
	}
	rows, err := c.auditChain.QueryContext(ctx, fromSeq, toSeq)
	if err != nil {
		return fmt.Errorf("audit chain %d-%d: %w", fromSeq, toSeq, err)
	}
	defer rows.Close()
	var r store.AuditRow
	var eventID, account, data, prev, hash sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&r.Seq, &r.Time, &eventID, &account, &data, &prev, &hash); err != nil {
			return fmt.Errorf("audit chain %d-%d: %w", fromSeq, toSeq, err)
		}
		r.EventID, r.Account, r.Data, r.PrevHash, r.Hash = eventID, account, data, prev, hash
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit chain %d-%d: %w", fromSeq, toSeq, err)
	}
	return nil
}

// AuditRecordsByTime implements store.Store: newest (highest Seq) first. A
// limit below 1 returns nothing.
func (c *Core) AuditRecordsByTime(ctx context.Context, start, end time.Time, beforeSeq int64, limit int) ([]store.AuditRecord, error) {
	if limit < 1 {
		return nil, nil
	}
	if beforeSeq <= 0 {
		beforeSeq = math.MaxInt64
	}
	rows, err := c.auditByTime.QueryContext(ctx, start.UnixNano(), end.UnixNano(), beforeSeq, limit)
	recs, err := CollectRows(rows, err, ScanAuditRecord)
	if err != nil {
		return nil, fmt.Errorf("audit records by time: %w", err)
	}
	return recs, nil
}

// LastAudit implements store.Store: the chain head, which survives the
// deletion of the records themselves.
func (c *Core) LastAudit(ctx context.Context) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := c.auditHead.QueryRowContext(ctx).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fmt.Errorf("the audit chain head: %w", store.ErrNotFound)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("last audit record: %w", err)
	}
	return seq, Bytes(hash), nil
}

// PutAuditDigest implements store.Store.
func (c *Core) PutAuditDigest(ctx context.Context, d store.AuditDigest) error {
	if d.Time.IsZero() {
		return fmt.Errorf("store: audit digest %d has no Time", d.Seq)
	}
	n, err := affected(c.digestInsert.ExecContext(ctx, d.No, d.Seq, d.Time.UnixNano(), NonNil(d.Data), NonNil(d.Sig), d.KeyID))
	if err != nil {
		return fmt.Errorf("put audit digest %d: %w", d.No, err)
	}
	if n == 1 {
		return nil
	}
	taken, err := exists(ctx, c.digestNoExists, d.No)
	switch {
	case err != nil:
		return fmt.Errorf("put audit digest %d: %w", d.No, err)
	case taken:
		return fmt.Errorf("audit digest %d: %w", d.No, store.ErrExists)
	}
	return fmt.Errorf("audit digest %d does not follow the last stored digest: %w", d.No, store.ErrConflict)
}

// AuditDigests implements store.Store.
func (c *Core) AuditDigests(ctx context.Context) ([]store.AuditDigest, error) {
	rows, err := c.digest.QueryContext(ctx)
	ds, err := CollectRows(rows, err, ScanDigest)
	if err != nil {
		return nil, fmt.Errorf("audit digests: %w", err)
	}
	return ds, nil
}

// DeleteAuditBefore implements store.Store. It deletes in transactions of
// DeleteChunk records so that appenders are never held up for long; the
// chain head is kept.
func (c *Core) DeleteAuditBefore(ctx context.Context, before time.Time) (int64, error) {
	n, err := deleteChunks(ctx, c.auditDelete, before.UnixNano())
	if err != nil {
		return n, fmt.Errorf("delete audit records before %s: %w", before.UTC().Format(time.RFC3339Nano), err)
	}
	return n, nil
}

// DeleteAuditThrough implements store.Store, in chunks like
// DeleteAuditBefore. Digests are never deleted, so the one checked first
// still ends at seq while the chunks are deleted.
func (c *Core) DeleteAuditThrough(ctx context.Context, seq int64) (int64, error) {
	ok, err := exists(ctx, c.digestExists, seq)
	if err != nil {
		return 0, fmt.Errorf("delete audit records through %d: %w", seq, err)
	}
	if !ok {
		return 0, fmt.Errorf("delete audit records through %d: no digest ends there: %w", seq, store.ErrConflict)
	}
	n, err := deleteChunks(ctx, c.auditDeleteThrough, seq)
	if err != nil {
		return n, fmt.Errorf("delete audit records through %d: %w", seq, err)
	}
	return n, nil
}

// deleteChunks runs st(arg, DeleteChunk), each in its own transaction, until
// it deletes fewer than DeleteChunk records, and returns the total.
func deleteChunks(ctx context.Context, st *sql.Stmt, arg any) (int64, error) {
	var total int64
	for {
		n, err := affected(st.ExecContext(ctx, arg, DeleteChunk))
		total += n
		if err != nil || n < DeleteChunk {
			return total, err
		}
	}
}
