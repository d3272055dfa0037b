package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/sqlstore"
)

// insertSizes are the row counts of the multi-row audit INSERTs, largest
// first; the last must be 1. 64 rows of 7 values stay well under SQLite's
// limit of 32766 parameters.
var insertSizes = []int{64, 8, 1}

// insertAuditSQL is the INSERT of rows audit records.
func insertAuditSQL(rows int) string {
	return `INSERT INTO audit_records (` + sqlstore.AuditCols + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", rows), ", ")
}

// prepareInserts prepares one INSERT per insertSizes on the writer.
func (s *Store) prepareInserts(ctx context.Context) error {
	for _, n := range insertSizes {
		st, err := s.w.PrepareContext(ctx, insertAuditSQL(n))
		if err != nil {
			return err
		}
		s.inserts = append(s.inserts, st)
	}
	return nil
}

// insertAudit stores a checked batch with as few multi-row INSERTs as
// insertSizes allow: one Exec per row costs more in database/sql than the
// row costs SQLite.
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, recs []store.AuditRecord) error {
	args := make([]any, 0, 7*insertSizes[0])
	for i, n := range insertSizes {
		st := tx.StmtContext(ctx, s.inserts[i])
		for len(recs) >= n {
			args = args[:0]
			for _, r := range recs[:n] {
				args = append(args, r.Seq, r.Time.UnixNano(), r.EventID, r.Account,
					sqlstore.NonNil(r.Data), sqlstore.NonNil(r.PrevHash), r.Hash)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
			recs = recs[n:]
		}
	}
	return nil
}
