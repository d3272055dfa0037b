package sqlstore

import (
	"bytes"
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
// and nothing is stored; the batch is stored as one block (one row). The
// head row also outlives retention (DeleteAuditThrough), so the chain
// continues after its records are gone.
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
	blk, err := store.AuditBlockRecords(nil, recs)
	if err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, c.auditInsert).ExecContext(ctx, blk.FirstSeq, blk.LastSeq, blk.MinTime, blk.MaxTime, blk.Data); err != nil {
		return fmt.Errorf("append audit: records %d-%d: %w", blk.FirstSeq, blk.LastSeq, err)
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

// blockPage is how many blocks a read of records asks for at a time.
const blockPage = 16

// AuditRecords implements store.Store: it reads the blocks from the one
// holding fromSeq on. A limit below 1 returns nothing.
func (c *Core) AuditRecords(ctx context.Context, fromSeq int64, limit int) ([]store.AuditRecord, error) {
	var out []store.AuditRecord
	for after := int64(math.MinInt64); len(out) < limit; {
		rows, err := c.auditFrom.QueryContext(ctx, fromSeq, after, blockPage)
		blocks, err := CollectRows(rows, err, ScanAuditBlock)
		if err != nil {
			return nil, fmt.Errorf("audit records from %d: %w", fromSeq, err)
		}
		for _, b := range blocks {
			var err error
			out, err = blockRecords(out, b, func(seq, _ int64) bool { return seq >= fromSeq }, limit)
			if err != nil {
				return nil, err
			}
			after = b.FirstSeq
		}
		if len(blocks) < blockPage {
			break
		}
	}
	return out, nil
}

// ScanAudit implements store.AuditScanner: it reads the blocks as
// AuditRecords does and passes their records without copying them.
func (c *Core) ScanAudit(ctx context.Context, fromSeq int64, limit int, fn func(seq int64, data []byte) error) error {
	n := 0
	for after := int64(math.MinInt64); n < limit; {
		rows, err := c.auditFrom.QueryContext(ctx, fromSeq, after, blockPage)
		blocks, err := CollectRows(rows, err, ScanAuditBlock)
		if err != nil {
			return fmt.Errorf("audit records from %d: %w", fromSeq, err)
		}
		for _, b := range blocks {
			if more, err := ScanBlock(b, fromSeq, limit, &n, fn); err != nil || !more {
				return err
			}
			after = b.FirstSeq
		}
		if len(blocks) < blockPage {
			break
		}
	}
	return nil
}

// ScanBlock calls fn with the records of b with Seq >= fromSeq while *n,
// which it counts them in, is below limit; false when *n reached limit.
func ScanBlock(b store.AuditBlock, fromSeq int64, limit int, n *int, fn func(seq int64, data []byte) error) (bool, error) {
	var fnErr error
	_, err := store.ReadAuditBlock(b.Data, func(f *store.AuditFrame) error {
		if *n >= limit {
			return errEnough
		}
		if f.Seq < fromSeq {
			return nil
		}
		*n++
		if fnErr = fn(f.Seq, f.Data); fnErr != nil {
			return fnErr
		}
		return nil
	})
	switch {
	case fnErr != nil:
		return false, fnErr
	case err != nil && err != errEnough:
		return false, fmt.Errorf("the audit block of records %d-%d cannot be read (verify the trail): %w", b.FirstSeq, b.LastSeq, err)
	}
	return *n < limit, nil
}

// BlockRecords is blockRecords, for stores that keep their blocks
// elsewhere (the SQLite store's segment files).
func BlockRecords(out []store.AuditRecord, b store.AuditBlock, keep func(seq, time int64) bool, limit int) ([]store.AuditRecord, error) {
	return blockRecords(out, b, keep, limit)
}

// DigestEndsAt reports whether a digest ends at record seq.
func (c *Core) DigestEndsAt(ctx context.Context, seq int64) (bool, error) {
	return exists(ctx, c.digestExists, seq)
}

// errEnough stops reading a block.
var errEnough = errors.New("enough records")

// blockRecords appends to out the records of b that keep(seq, time) keeps,
// copied, until out holds limit records; it copies nothing else.
func blockRecords(out []store.AuditRecord, b store.AuditBlock, keep func(seq, time int64) bool, limit int) ([]store.AuditRecord, error) {
	var prev []byte
	_, err := store.ReadAuditBlock(b.Data, func(f *store.AuditFrame) error {
		if len(out) >= limit {
			return errEnough
		}
		if f.Index == 0 {
			prev = f.BlockPrev
		}
		if keep(f.Seq, f.Time) {
			out = append(out, store.AuditRecord{Seq: f.Seq, Time: time.Unix(0, f.Time).UTC(), EventID: string(f.EventID), Account: string(f.Account),
				Data: bytes.Clone(f.Data), PrevHash: Bytes(bytes.Clone(prev)), Hash: bytes.Clone(f.Hash)})
		}
		prev = f.Hash
		return nil
	})
	if err != nil && err != errEnough {
		return nil, fmt.Errorf("the audit block of records %d-%d cannot be read (verify the trail): %w", b.FirstSeq, b.LastSeq, err)
	}
	return out, nil
}

// AuditBlocks implements store.Store. The data is scanned as sql.RawBytes
// into one reused block: database/sql does not copy it again, and fn sees
// the driver's buffer.
func (c *Core) AuditBlocks(ctx context.Context, fromSeq, toSeq int64, fn func(b *store.AuditBlock) error) error {
	if toSeq < fromSeq {
		return nil
	}
	rows, err := c.auditBlocks.QueryContext(ctx, fromSeq, toSeq)
	if err != nil {
		return fmt.Errorf("audit blocks %d-%d: %w", fromSeq, toSeq, err)
	}
	defer rows.Close()
	var b store.AuditBlock
	var data sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&b.FirstSeq, &b.LastSeq, &b.MinTime, &b.MaxTime, &data); err != nil {
			return fmt.Errorf("audit blocks %d-%d: %w", fromSeq, toSeq, err)
		}
		b.Data = data
		if err := fn(&b); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit blocks %d-%d: %w", fromSeq, toSeq, err)
	}
	return nil
}

// AuditRecordsByTime implements store.Store: newest (highest Seq) first. It
// reads the blocks whose time range meets [start, end), newest first, and
// keeps their records within it. A limit below 1 returns nothing.
func (c *Core) AuditRecordsByTime(ctx context.Context, start, end time.Time, beforeSeq int64, limit int) ([]store.AuditRecord, error) {
	if beforeSeq <= 0 {
		beforeSeq = math.MaxInt64
	}
	lo, hi := start.UnixNano(), end.UnixNano()
	var out []store.AuditRecord
	for cursor := beforeSeq; len(out) < limit; {
		rows, err := c.auditByTime.QueryContext(ctx, lo, hi, cursor, blockPage)
		blocks, err := CollectRows(rows, err, ScanAuditBlock)
		if err != nil {
			return nil, fmt.Errorf("audit records by time: %w", err)
		}
		for _, b := range blocks {
			// The block's records that match, oldest first, then the newest
			// of them that fit.
			recs, err := blockRecords(nil, b, func(seq, t int64) bool { return seq < beforeSeq && t >= lo && t < hi }, math.MaxInt)
			if err != nil {
				return nil, err
			}
			for i := len(recs) - 1; i >= 0 && len(out) < limit; i-- {
				out = append(out, recs[i])
			}
			cursor = b.FirstSeq
		}
		if len(blocks) < blockPage {
			break
		}
	}
	return out, nil
}

// AuditTimes implements store.Store.
func (c *Core) AuditTimes(ctx context.Context, fromSeq, toSeq int64) (time.Time, time.Time, error) {
	var lo, hi sql.NullInt64
	if err := c.auditTimes.QueryRowContext(ctx, fromSeq, toSeq).Scan(&lo, &hi); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("audit times %d-%d: %w", fromSeq, toSeq, err)
	}
	return Time(lo), Time(hi), nil
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

// LastAuditDigest implements store.Store.
func (c *Core) LastAuditDigest(ctx context.Context) (store.AuditDigest, error) {
	d, err := ScanDigest(c.lastDigest.QueryRowContext(ctx))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("audit digest", "last")
	}
	if err != nil {
		return d, fmt.Errorf("the last audit digest: %w", err)
	}
	return d, nil
}

// DeleteAuditThrough implements store.Store, in transactions of
// DeleteChunk blocks so that appenders are never held up for long.
// Digests are never deleted, so the one checked first still ends at seq
// while the chunks are deleted.
func (c *Core) DeleteAuditThrough(ctx context.Context, seq int64) (int64, error) {
	ok, err := exists(ctx, c.digestExists, seq)
	if err != nil {
		return 0, fmt.Errorf("delete audit records through %d: %w", seq, err)
	}
	if !ok {
		return 0, fmt.Errorf("delete audit records through %d: no digest ends there: %w", seq, store.ErrConflict)
	}
	var total int64
	for {
		// Each deleted block returns how many records it held.
		rows, err := c.auditDeleteThrough.QueryContext(ctx, seq, DeleteChunk)
		counts, err := CollectRows(rows, err, func(s Scanner) (n int64, err error) { return n, s.Scan(&n) })
		for _, n := range counts {
			total += n
		}
		if err != nil {
			return total, fmt.Errorf("delete audit records through %d: %w", seq, err)
		}
		if len(counts) < DeleteChunk {
			return total, nil
		}
	}
}
