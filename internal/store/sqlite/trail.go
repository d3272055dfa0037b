package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/segment"
	"github.com/securecart/warden/internal/store/internal/sqlstore"
)

// TrailDir is the directory, beside warden.db, of the audit trail's
// segment files (internal/store/internal/segment): the SQLite store keeps
// its records there, one frame per commit group written with one write and
// one fdatasync (see SetAuditSyncDelay), instead of in SQLite's write-ahead log. The digests, the
// signing keys and everything else stay in the database.
const TrailDir = "trail"

// openTrail opens the trail's directory and, the first time, moves the
// blocks of audit_blocks (and the chain head of audit_head) into its first
// segment; see moveBlocks.
func (s *Store) openTrail(ctx context.Context, dir string) error {
	t, err := segment.Open(filepath.Join(dir, TrailDir))
	if err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	s.trail = t
	return t.Locked(func() error { return s.moveBlocks(ctx, t) })
}

// moveBlocks moves a store's trail from SQLite (audit_blocks, audit_head)
// into the first segment, under the trail's lock, once: each block becomes
// a frame with its columns and data as stored, so that digests written
// before still verify and tampering done before still shows; the segment
// begins after the block before the first (or after the chain head when
// there is no block). Then the rows are deleted. A trail with segments
// moved already (a crash may have left the rows behind) only loses the
// rows; one with neither segments nor a chain head row had its segments
// removed, which appends refuse and verification reports.
func (s *Store) moveBlocks(ctx context.Context, t *segment.Trail) error {
	has, err := t.HasSegments()
	if err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	if !has {
		var head int64
		var hash []byte
		err := s.w.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit trail: the chain head: %w", err)
		}
		first, prevSeq, prevHash := head+1, head, hash
		var b store.AuditBlock
		err = s.w.QueryRowContext(ctx, `SELECT `+sqlstore.AuditBlockCols+` FROM audit_blocks ORDER BY first_seq LIMIT 1`).Scan(&b.FirstSeq, &b.LastSeq, &b.MinTime, &b.MaxTime, &b.Data)
		switch {
		case err == nil:
			first, prevSeq = b.FirstSeq, b.FirstSeq-1
			prevHash, _ = store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return errStop })
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("audit trail: %w", err)
		}
		err = t.Create(first, prevSeq, sqlstore.Bytes(prevHash), func(put func(b *store.AuditBlock) error) error {
			for after := int64(-1 << 63); ; {
				rows, err := s.w.QueryContext(ctx, `SELECT `+sqlstore.AuditBlockCols+` FROM audit_blocks WHERE first_seq > ? ORDER BY first_seq LIMIT 256`, after)
				blocks, err := sqlstore.CollectRows(rows, err, sqlstore.ScanAuditBlock)
				if err != nil {
					return err
				}
				for i := range blocks {
					if err := put(&blocks[i]); err != nil {
						return err
					}
					after = blocks[i].FirstSeq
				}
				if len(blocks) < 256 {
					return nil
				}
			}
		})
		if err != nil {
			return fmt.Errorf("audit trail: moving the blocks into %s: %w", t.Dir(), err)
		}
	}
	if err := t.Repair(); err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	var left bool
	if err := s.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_head) OR EXISTS (SELECT 1 FROM audit_blocks)`).Scan(&left); err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	if left {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM audit_blocks; DELETE FROM audit_head`); err != nil {
			return fmt.Errorf("audit trail: %w", err)
		}
	}
	return nil
}

var errStop = errors.New("stop")

// SetAuditSyncDelay sets when an append's records are synced to disk:
// with 0 (the default) AppendAudit returns after the fdatasync, so that
// the records survive a power failure; with a positive delay it returns
// once they are written to the segment (in the kernel: they survive the
// process being killed) and one background fdatasync at most delay later
// covers every append in between. A digest and Close sync first.
// Call it before the first append.
func (s *Store) SetAuditSyncDelay(delay time.Duration) {
	s.trail.SyncDelay = max(delay, 0)
}

// AppendAudit implements store.Store: one frame at the end of the newest
// segment, one write and one fdatasync (or, with SetAuditSyncDelay, a
// background fdatasync for the appends within the delay), under the
// trail's flock.
func (s *Store) AppendAudit(ctx context.Context, build func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error)) error {
	return s.trail.Append(build, sqlstore.CheckBatch)
}

// AuditRecords implements store.Store.
func (s *Store) AuditRecords(ctx context.Context, fromSeq int64, limit int) ([]store.AuditRecord, error) {
	return s.trail.Records(fromSeq, limit, sqlstore.BlockRecords)
}

// ScanAudit implements store.AuditScanner, reading the segment files.
func (s *Store) ScanAudit(ctx context.Context, fromSeq int64, limit int, fn func(seq int64, data []byte) error) error {
	if limit < 1 {
		return nil
	}
	n := 0
	var fnErr error
	err := s.trail.Scan(fromSeq, func(b store.AuditBlock) (bool, error) {
		more, err := sqlstore.ScanBlock(b, fromSeq, limit, &n, func(seq int64, data []byte) error {
			fnErr = fn(seq, data)
			return fnErr
		})
		return more, err
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// AuditBlocks implements store.Store, reading the segment files.
func (s *Store) AuditBlocks(ctx context.Context, fromSeq, toSeq int64, fn func(b *store.AuditBlock) error) error {
	return s.trail.Blocks(ctx, fromSeq, toSeq, fn)
}

// AuditParts implements store.AuditPartReader: the segment files.
func (s *Store) AuditParts(ctx context.Context) ([]string, error) {
	return s.trail.Parts()
}

// AuditPartBlocks implements store.AuditPartReader.
func (s *Store) AuditPartBlocks(ctx context.Context, part string, rest bool, fn func(b *store.AuditBlock) error) error {
	return s.trail.PartBlocks(ctx, part, rest, fn)
}

// AuditRecordsByTime implements store.Store.
func (s *Store) AuditRecordsByTime(ctx context.Context, start, end time.Time, beforeSeq int64, limit int) ([]store.AuditRecord, error) {
	return s.trail.RecordsByTime(start, end, beforeSeq, limit, sqlstore.BlockRecords)
}

// AuditTimes implements store.Store.
func (s *Store) AuditTimes(ctx context.Context, fromSeq, toSeq int64) (time.Time, time.Time, error) {
	return s.trail.Times(fromSeq, toSeq)
}

// LastAudit implements store.Store: the last record of the newest segment.
func (s *Store) LastAudit(ctx context.Context) (int64, []byte, error) {
	return s.trail.Head()
}

// PutAuditDigest implements store.Store; a digest that ends at the chain
// head may begin a new segment (segment.Trail.Roll), so that segments
// begin where digests end.
func (s *Store) PutAuditDigest(ctx context.Context, d store.AuditDigest) error {
	// A digest names records that are on disk: under the trail's lock,
	// Sync syncs the newest segment when this process, or another (one
	// killed, say), may have left frames in it to a background sync.
	if err := s.trail.Sync(); err != nil {
		return fmt.Errorf("audit digest %d: %w", d.No, err)
	}
	if err := s.Core.PutAuditDigest(ctx, d); err != nil {
		return err
	}
	if err := s.trail.Roll(d.Seq); err != nil {
		return fmt.Errorf("audit digest %d stored, but %w", d.No, err)
	}
	return nil
}

// DeleteAuditThrough implements store.Store: the segments whose records
// all end by seq, where a digest must end; the newest segment is kept.
func (s *Store) DeleteAuditThrough(ctx context.Context, seq int64) (int64, error) {
	ok, err := s.Core.DigestEndsAt(ctx, seq)
	if err != nil {
		return 0, fmt.Errorf("delete audit records through %d: %w", seq, err)
	}
	if !ok {
		return 0, fmt.Errorf("delete audit records through %d: no digest ends there: %w", seq, store.ErrConflict)
	}
	n, err := s.trail.DeleteThrough(seq)
	if err != nil {
		return n, fmt.Errorf("delete audit records through %d: %w", seq, err)
	}
	return n, nil
}
