// Package sqlstore is the implementation of store.Store shared by the SQL
// databases (store/sqlite, store/postgres). Each database supplies its SQL
// text (Queries), its connections and, where it has a faster way, its own
// bulk insert of audit records; Core does the rest the same way for both.
//
// Times are stored as integer nanoseconds since the Unix epoch (UTC), so that
// they round-trip exactly in both databases (PostgreSQL's timestamp keeps only
// microseconds). The zero time.Time ("never", "not retired") is stored as
// NULL, and NULL reads back as the zero time.
package sqlstore

import (
	"bytes"
	"database/sql"
	"fmt"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Nanos encodes a time for storage: NULL for the zero time.
func Nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// Time decodes a stored time: the zero time for NULL, otherwise UTC.
func Time(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// Bytes returns b, or nil when b is empty, so that a stored empty value and
// an absent one read back the same.
func Bytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CheckStatus rejects an access-key status other than Active or Inactive.
func CheckStatus(status string) error {
	if status != "Active" && status != "Inactive" {
		return fmt.Errorf("store: access key status %q: must be Active or Inactive", status)
	}
	return nil
}

// CheckAccessKey rejects an access key the store cannot hold.
func CheckAccessKey(k store.AccessKey) error {
	if k.ID == "" {
		return fmt.Errorf("store: access key has no ID")
	}
	if k.Created.IsZero() {
		return fmt.Errorf("store: access key %s has no creation time", k.ID)
	}
	return CheckStatus(k.Status)
}

// CheckBatch checks that recs continue the chain whose last record is
// (lastSeq, lastHash): sequence numbers follow on one by one from lastSeq+1,
// the first PrevHash is lastHash and every later PrevHash is the Hash of the
// record before it. It does not recompute hashes: that is the caller's
// format; the store only refuses to store a broken link.
func CheckBatch(lastSeq int64, lastHash []byte, recs []store.AuditRecord) error {
	prev := lastHash
	for i, r := range recs {
		if want := lastSeq + 1 + int64(i); r.Seq != want {
			return fmt.Errorf("store: audit record %d of batch: Seq %d, want %d", i, r.Seq, want)
		}
		if !bytes.Equal(r.PrevHash, prev) {
			return fmt.Errorf("store: audit record %d: PrevHash does not match the hash of record %d", r.Seq, r.Seq-1)
		}
		if len(r.Hash) == 0 {
			return fmt.Errorf("store: audit record %d has no Hash", r.Seq)
		}
		if r.Time.IsZero() {
			return fmt.Errorf("store: audit record %d has no Time", r.Seq)
		}
		prev = r.Hash
	}
	return nil
}

// DeleteChunk is how many audit blocks DeleteAuditThrough deletes per
// transaction, so that retention never holds up writers for long.
const DeleteChunk = 64
