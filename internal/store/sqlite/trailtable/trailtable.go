// Package trailtable lays the SQLite store's audit trail (its segment
// files) out as the table audit_blocks of warden.db and back, so that tests
// can tamper with the trail's blocks and their columns with SQL, as an
// attacker who knows the format could with the files. Use it on a store
// that no process has open.
package trailtable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/segment"
	"github.com/securecart/warden/internal/store/sqlite"
)

// Edit copies the trail of the store in dir into audit_blocks (each block
// as a row: its columns and data as the files hold them), runs edit on the
// database, and writes the rows back as the trail's only segment, in order
// of first_seq, begun where the oldest segment began; then it empties
// audit_blocks.
func Edit(dir string, edit func(db *sql.DB) error) error {
	ctx := context.Background()
	tdir := filepath.Join(dir, sqlite.TrailDir)
	first, prevSeq, prevHash, err := segment.FirstHeader(tdir)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := segment.Open(tdir)
	if err != nil {
		return err
	}
	defer t.Close()
	err = t.Blocks(ctx, math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
		_, err := db.Exec(`INSERT INTO audit_blocks (first_seq, last_seq, min_time, max_time, data) VALUES (?, ?, ?, ?, ?)`, b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime, b.Data)
		return err
	})
	if err != nil {
		return fmt.Errorf("trail to table: %w", err)
	}
	if err := edit(db); err != nil {
		return err
	}
	rows, err := db.Query(`SELECT first_seq, last_seq, min_time, max_time, data FROM audit_blocks ORDER BY first_seq`)
	if err != nil {
		return err
	}
	var blocks []store.AuditBlock
	for rows.Next() {
		var b store.AuditBlock
		if err := rows.Scan(&b.FirstSeq, &b.LastSeq, &b.MinTime, &b.MaxTime, &b.Data); err != nil {
			rows.Close()
			return err
		}
		blocks = append(blocks, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := db.Exec(`DELETE FROM audit_blocks`); err != nil {
		return err
	}
	if len(blocks) > 0 {
		// The segment begins where its first block does, as its name and
		// header say (an attacker would keep them consistent).
		first, prevSeq = blocks[0].FirstSeq, blocks[0].FirstSeq-1
		prevHash, _ = store.ReadAuditBlock(blocks[0].Data, func(*store.AuditFrame) error { return errors.New("first") })
	}
	return segment.Rewrite(tdir, first, prevSeq, prevHash, func(put func(b *store.AuditBlock) error) error {
		for i := range blocks {
			if err := put(&blocks[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
