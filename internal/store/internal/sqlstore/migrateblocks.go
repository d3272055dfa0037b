package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/securecart/warden/internal/store"
)

// AuditBlocksVersion is the migration that moves the records of
// audit_records (one row per record, before migration 6) into audit_blocks.
const AuditBlocksVersion = 7

// Limits of a block the migration writes; the blocks the trail writes are
// its commit groups.
const (
	migrateBlockRecords = 1000
	migrateBlockBytes   = 1 << 20
)

// AuditBlocksMigration is migration AuditBlocksVersion, the same for both
// databases but for the parameter style (placeholder(i) is the i-th, from 1)
// and, to go back down, the DDL of audit_records. Up moves every record into
// blocks, keeping every stored column and hash as they are, so that the
// digests written before still verify and tampering done before still
// shows: a block ends where a digest ends (retention deletes whole blocks),
// where the numbers jump and where a record's stored PrevHash is not the
// hash of the record before (a block stores one PrevHash, its first
// record's). Then it drops audit_records. Down moves the records back.
func AuditBlocksMigration(placeholder func(i int) string, recordsDDL string) *goose.Migration {
	return goose.NewGoMigration(AuditBlocksVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return recordsToBlocks(ctx, tx, placeholder) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return blocksToRecords(ctx, tx, placeholder, recordsDDL) }})
}

func recordsToBlocks(ctx context.Context, tx *sql.Tx, ph func(int) string) error {
	ends := map[int64]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT seq FROM audit_digests`)
	seqs, err := CollectRows(rows, err, func(s Scanner) (n int64, err error) { return n, s.Scan(&n) })
	if err != nil {
		return fmt.Errorf("audit blocks: digests: %w", err)
	}
	for _, s := range seqs {
		ends[s] = true
	}
	insert := `INSERT INTO audit_blocks (` + AuditBlockCols + `) VALUES (` + ph(1) + `, ` + ph(2) + `, ` + ph(3) + `, ` + ph(4) + `, ` + ph(5) + `)`
	var block []store.AuditRecord
	size := 0
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		b, err := store.AuditBlockRecords(nil, block)
		if err == nil {
			_, err = tx.ExecContext(ctx, insert, b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime, b.Data)
		}
		if err != nil {
			return fmt.Errorf("audit blocks: records %d-%d: %w", b.FirstSeq, b.LastSeq, err)
		}
		block, size = block[:0], 0
		return nil
	}
	// Pages, not one cursor: PostgreSQL runs one statement at a time on the
	// transaction's connection.
	page := `SELECT seq, time, event_id, account, data, prev_hash, hash FROM audit_records WHERE seq > ` + ph(1) + ` ORDER BY seq LIMIT 1000`
	for after := int64(math.MinInt64); ; {
		rows, err := tx.QueryContext(ctx, page, after)
		recs, err := CollectRows(rows, err, func(s Scanner) (r store.AuditRecord, err error) {
			var t int64
			err = s.Scan(&r.Seq, &t, &r.EventID, &r.Account, &r.Data, &r.PrevHash, &r.Hash)
			r.Time = time.Unix(0, t).UTC()
			return r, err
		})
		if err != nil {
			return fmt.Errorf("audit blocks: reading records after %d: %w", after, err)
		}
		for _, r := range recs {
			if n := len(block); n > 0 {
				last := &block[n-1]
				if ends[last.Seq] || r.Seq != last.Seq+1 || !bytes.Equal(r.PrevHash, last.Hash) || n >= migrateBlockRecords || size >= migrateBlockBytes {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			block = append(block, r)
			size += len(r.Data)
			after = r.Seq
		}
		if len(recs) < 1000 {
			break
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE audit_records`); err != nil {
		return fmt.Errorf("audit blocks: %w", err)
	}
	return nil
}

func blocksToRecords(ctx context.Context, tx *sql.Tx, ph func(int) string, recordsDDL string) error {
	if _, err := tx.ExecContext(ctx, recordsDDL); err != nil {
		return fmt.Errorf("audit records: %w", err)
	}
	insert := `INSERT INTO audit_records (seq, time, event_id, account, data, prev_hash, hash) VALUES (` +
		ph(1) + `, ` + ph(2) + `, ` + ph(3) + `, ` + ph(4) + `, ` + ph(5) + `, ` + ph(6) + `, ` + ph(7) + `)`
	page := `SELECT ` + AuditBlockCols + ` FROM audit_blocks WHERE first_seq > ` + ph(1) + ` ORDER BY first_seq LIMIT 100`
	for after := int64(math.MinInt64); ; {
		rows, err := tx.QueryContext(ctx, page, after)
		blocks, err := CollectRows(rows, err, ScanAuditBlock)
		if err != nil {
			return fmt.Errorf("audit records: reading blocks after %d: %w", after, err)
		}
		for _, b := range blocks {
			recs, err := store.DecodeAuditBlock(b.Data)
			if err != nil {
				return fmt.Errorf("audit records: the block of records %d-%d: %w", b.FirstSeq, b.LastSeq, err)
			}
			for _, r := range recs {
				if _, err := tx.ExecContext(ctx, insert, r.Seq, r.Time.UnixNano(), r.EventID, r.Account, NonNil(r.Data), NonNil(r.PrevHash), NonNil(r.Hash)); err != nil {
					return fmt.Errorf("audit records: record %d: %w", r.Seq, err)
				}
			}
			after = b.FirstSeq
		}
		if len(blocks) < 100 {
			break
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM audit_blocks`); err != nil {
		return fmt.Errorf("audit records: %w", err)
	}
	return nil
}
