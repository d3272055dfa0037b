package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/securecart/warden/internal/store"
)

// RecordsQueries is the SQL text of the records statements, written once
// for both databases (numbered parameters, ON CONFLICT, RETURNING). Keys are
// passed as []byte: the column is a BLOB (bytea), compared byte by byte.
type RecordsQueries struct {
	Bump      string // (ns, n) -> the revision after adding n; locks the namespace until commit
	Lock      string // (ns): lock the namespace until commit (no-op update)
	Current   string // (ns, key) -> version, doc (NULL for a tombstone)
	Upsert    string // (ns, key, doc, version, updated)
	Get       string // (ns, key) -> doc, version, updated of a live record
	List      string // (ns, lower, upper, after, limit) -> key, doc, version, updated
	ListFrom  string // (ns, lower, after, limit): List with no upper bound
	Revision  string // (ns) -> rev
	Purged    string // (ns) -> purged
	Changes   string // (ns, since, limit) -> key, doc, version, updated
	Purge     string // (ns, before) -> version of each deleted tombstone
	SetPurged string // (ns, version): raise purged to version
}

// RecordsSQL returns the records statements with parameters written $1, $2
// ... (PostgreSQL: mark '$') or ?1, ?2 ... (SQLite: mark '?').
func RecordsSQL(mark byte) RecordsQueries {
	q := RecordsQueries{
		Bump: `INSERT INTO record_namespaces (ns, rev, purged) VALUES ($1, $2, 0)
			ON CONFLICT (ns) DO UPDATE SET rev = record_namespaces.rev + $2 RETURNING rev`,
		Lock:    `UPDATE record_namespaces SET purged = purged WHERE ns = $1`,
		Current: `SELECT version, doc FROM records WHERE ns = $1 AND key = $2`,
		Upsert: `INSERT INTO records (ns, key, doc, version, updated) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (ns, key) DO UPDATE SET doc = excluded.doc, version = excluded.version, updated = excluded.updated`,
		Get: `SELECT doc, version, updated FROM records WHERE ns = $1 AND key = $2 AND doc IS NOT NULL`,
		List: `SELECT key, doc, version, updated FROM records
			WHERE ns = $1 AND key >= $2 AND key < $3 AND key > $4 AND doc IS NOT NULL
			ORDER BY key LIMIT $5`,
		ListFrom: `SELECT key, doc, version, updated FROM records
			WHERE ns = $1 AND key >= $2 AND key > $3 AND doc IS NOT NULL
			ORDER BY key LIMIT $4`,
		Revision:  `SELECT rev FROM record_namespaces WHERE ns = $1`,
		Purged:    `SELECT purged FROM record_namespaces WHERE ns = $1`,
		Changes:   `SELECT key, doc, version, updated FROM records WHERE ns = $1 AND version > $2 ORDER BY version LIMIT $3`,
		Purge:     `DELETE FROM records WHERE ns = $1 AND doc IS NULL AND updated < $2 RETURNING version`,
		SetPurged: `UPDATE record_namespaces SET purged = $2 WHERE ns = $1 AND purged < $2`,
	}
	if mark == '$' {
		return q
	}
	for _, p := range []*string{&q.Bump, &q.Lock, &q.Current, &q.Upsert, &q.Get, &q.List, &q.ListFrom, &q.Revision,
		&q.Purged, &q.Changes, &q.Purge, &q.SetPurged} {
		*p = strings.ReplaceAll(*p, "$", string(mark))
	}
	return q
}

// CheckRecordNamespace rejects a namespace that is not SERVICE/KIND-like:
// segments of lower-case letters, digits, '.' and '-', starting with a
// letter or digit, separated by '/'.
func CheckRecordNamespace(ns string) error {
	if ns == "" || len(ns) > store.MaxRecordNamespace {
		return fmt.Errorf("store: record namespace %q: must be 1 to %d characters", ns, store.MaxRecordNamespace)
	}
	for _, seg := range strings.Split(ns, "/") {
		if seg == "" || seg[0] == '.' || seg[0] == '-' {
			return fmt.Errorf("store: record namespace %q: each '/'-separated part must start with a letter or digit", ns)
		}
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
				return fmt.Errorf("store: record namespace %q: %q is not allowed (lower-case letters, digits, '.', '-', '/')", ns, c)
			}
		}
	}
	return nil
}

// CheckRecordKey rejects an empty, overlong or non-UTF-8 key.
func CheckRecordKey(key string) error {
	if key == "" || len(key) > store.MaxRecordKey {
		return fmt.Errorf("store: record key %q: must be 1 to %d bytes", key, store.MaxRecordKey)
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("store: record key %q: not UTF-8", key)
	}
	return nil
}

// checkOp rejects an op the store cannot apply.
func checkOp(op store.RecordOp) error {
	if err := CheckRecordNamespace(op.Namespace); err != nil {
		return err
	}
	if err := CheckRecordKey(op.Key); err != nil {
		return err
	}
	if op.At.IsZero() {
		return fmt.Errorf("store: record %s %q: no time (At)", op.Namespace, op.Key)
	}
	if op.Expect < store.AnyVersion {
		return fmt.Errorf("store: record %s %q: expected version %d", op.Namespace, op.Key, op.Expect)
	}
	if !op.Delete && !json.Valid(op.Doc) {
		return fmt.Errorf("store: record %s %q: the document is not JSON", op.Namespace, op.Key)
	}
	return nil
}

// Record implements store.Records.
func (c *Core) Record(ctx context.Context, ns, key string) (store.Record, error) {
	r := store.Record{Namespace: ns, Key: key}
	var updated sql.NullInt64
	err := c.r.QueryRowContext(ctx, c.records.Get, ns, []byte(key)).Scan(&r.Doc, &r.Version, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, notFound("record "+ns, key)
	}
	if err != nil {
		return store.Record{}, fmt.Errorf("record %s %q: %w", ns, key, err)
	}
	r.Updated = Time(updated)
	return r, nil
}

// PutRecord implements store.Records.
func (c *Core) PutRecord(ctx context.Context, ns, key string, doc []byte, expect int64, at time.Time) (int64, error) {
	v, err := c.ApplyRecords(ctx, []store.RecordOp{{Namespace: ns, Key: key, Doc: doc, Expect: expect, At: at}})
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// DeleteRecord implements store.Records.
func (c *Core) DeleteRecord(ctx context.Context, ns, key string, expect int64, at time.Time) error {
	_, err := c.ApplyRecords(ctx, []store.RecordOp{{Namespace: ns, Key: key, Delete: true, Expect: expect, At: at}})
	return err
}

// ApplyRecords implements store.Records. It first bumps the revision of
// every namespace the batch writes, in order of name: in PostgreSQL that
// locks each namespace's row until commit, so the writers of a namespace
// take turns (and never deadlock), and the versions they hand out commit in
// the order they were taken; in SQLite the write transaction already
// excludes every other writer. Only then does it read and check each
// record's version.
func (c *Core) ApplyRecords(ctx context.Context, ops []store.RecordOp) ([]int64, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	counts := map[string]int64{}
	seen := map[[2]string]bool{}
	for i, op := range ops {
		if err := checkOp(op); err != nil {
			return nil, fmt.Errorf("record op %d: %w", i, err)
		}
		id := [2]string{op.Namespace, op.Key}
		if seen[id] {
			return nil, fmt.Errorf("store: record op %d: %s %q is written twice in one batch", i, op.Namespace, op.Key)
		}
		seen[id] = true
		counts[op.Namespace]++
	}
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("apply records: %w", err)
	}
	defer tx.Rollback()

	next := map[string]int64{} // the next version to hand out, per namespace
	names := make([]string, 0, len(counts))
	for ns := range counts {
		names = append(names, ns)
	}
	slices.Sort(names)
	for _, ns := range names {
		var rev int64
		if err := tx.QueryRowContext(ctx, c.records.Bump, ns, counts[ns]).Scan(&rev); err != nil {
			return nil, fmt.Errorf("apply records: namespace %s: %w", ns, err)
		}
		next[ns] = rev - counts[ns] + 1
	}

	versions := make([]int64, len(ops))
	for i, op := range ops {
		if err := checkVersion(ctx, tx, c.records.Current, op); err != nil {
			if len(ops) > 1 {
				err = fmt.Errorf("record op %d: %w", i, err)
			}
			return nil, err
		}
		v := next[op.Namespace]
		next[op.Namespace]++
		var doc []byte
		if !op.Delete {
			doc = NonNil(op.Doc)
		}
		if _, err := tx.ExecContext(ctx, c.records.Upsert, op.Namespace, []byte(op.Key), doc, v, op.At.UnixNano()); err != nil {
			return nil, fmt.Errorf("apply records: %s %q: %w", op.Namespace, op.Key, err)
		}
		versions[i] = v
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("apply records: commit: %w", err)
	}
	return versions, nil
}

// checkVersion compares op's expected version with the stored record's.
func checkVersion(ctx context.Context, tx *sql.Tx, query string, op store.RecordOp) error {
	var stored int64
	var doc []byte
	err := tx.QueryRowContext(ctx, query, op.Namespace, []byte(op.Key)).Scan(&stored, &doc)
	live := err == nil && doc != nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("record %s %q: %w", op.Namespace, op.Key, err)
	}
	switch {
	case op.Delete && !live:
		return notFound("record "+op.Namespace, op.Key)
	case op.Expect == store.AnyVersion:
		return nil
	case op.Expect == 0 && live:
		return fmt.Errorf("record %s %q exists (version %d): %w: %w", op.Namespace, op.Key, stored, store.ErrConflict, store.ErrExists)
	case op.Expect > 0 && !live:
		return fmt.Errorf("record %s %q: expected version %d, there is none: %w: %w", op.Namespace, op.Key, op.Expect, store.ErrConflict, store.ErrNotFound)
	case op.Expect > 0 && stored != op.Expect:
		return fmt.Errorf("record %s %q: expected version %d, stored %d: %w", op.Namespace, op.Key, op.Expect, stored, store.ErrConflict)
	}
	return nil
}

// ListRecords implements store.Records: a key range [prefix, upper) where
// upper is the least byte string above every string starting with prefix.
func (c *Core) ListRecords(ctx context.Context, ns string, q store.RecordQuery) ([]store.Record, error) {
	if q.Limit < 1 {
		return nil, nil
	}
	var rows *sql.Rows
	var err error
	if end := prefixEnd(q.Prefix); end != nil {
		rows, err = c.r.QueryContext(ctx, c.records.List, ns, []byte(q.Prefix), end, []byte(q.After), q.Limit)
	} else {
		rows, err = c.r.QueryContext(ctx, c.records.ListFrom, ns, []byte(q.Prefix), []byte(q.After), q.Limit)
	}
	recs, err := CollectRows(rows, err, func(s Scanner) (store.Record, error) { return scanRecord(s, ns) })
	if err != nil {
		return nil, fmt.Errorf("records %s: %w", ns, err)
	}
	return recs, nil
}

// prefixEnd returns the least byte string greater than every string that
// starts with prefix, or nil when there is none (an empty prefix, or one of
// 0xff bytes only).
func prefixEnd(prefix string) []byte {
	end := []byte(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// scanRecord reads key, doc, version, updated.
func scanRecord(s Scanner, ns string) (store.Record, error) {
	r := store.Record{Namespace: ns}
	var key []byte
	var updated sql.NullInt64
	if err := s.Scan(&key, &r.Doc, &r.Version, &updated); err != nil {
		return store.Record{}, err
	}
	r.Key, r.Updated = string(key), Time(updated)
	if r.Doc == nil {
		r.Deleted = true
	}
	return r, nil
}

// RecordsRevision implements store.Records.
func (c *Core) RecordsRevision(ctx context.Context, ns string) (int64, error) {
	var rev int64
	err := c.r.QueryRowContext(ctx, c.records.Revision, ns).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("records %s revision: %w", ns, err)
	}
	return rev, nil
}

// RecordChanges implements store.Records. It reads the changes before the
// purge mark: a purge that commits in between raises the mark, and the
// answer is ErrStale although the changes read may have been complete,
// never the other way round.
func (c *Core) RecordChanges(ctx context.Context, ns string, since int64, limit int) ([]store.Record, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := c.r.QueryContext(ctx, c.records.Changes, ns, since, limit)
	recs, err := CollectRows(rows, err, func(s Scanner) (store.Record, error) { return scanRecord(s, ns) })
	if err != nil {
		return nil, fmt.Errorf("record changes %s: %w", ns, err)
	}
	var purged int64
	err = c.r.QueryRowContext(ctx, c.records.Purged, ns).Scan(&purged)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("record changes %s: %w", ns, err)
	}
	if purged > since {
		return nil, fmt.Errorf("record changes %s since %d: deletions up to %d were purged: %w", ns, since, purged, store.ErrStale)
	}
	return recs, nil
}

// PurgeRecordTombstones implements store.Records, holding the namespace's
// lock so that no deletion commits between the purge and the new mark.
func (c *Core) PurgeRecordTombstones(ctx context.Context, ns string, before time.Time) (int64, error) {
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("purge records %s: %w", ns, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, c.records.Lock, ns); err != nil {
		return 0, fmt.Errorf("purge records %s: %w", ns, err)
	}
	rows, err := tx.QueryContext(ctx, c.records.Purge, ns, before.UnixNano())
	versions, err := CollectRows(rows, err, func(s Scanner) (int64, error) {
		var v int64
		return v, s.Scan(&v)
	})
	if err != nil {
		return 0, fmt.Errorf("purge records %s: %w", ns, err)
	}
	if len(versions) == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, c.records.SetPurged, ns, slices.Max(versions)); err != nil {
		return 0, fmt.Errorf("purge records %s: %w", ns, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("purge records %s: commit: %w", ns, err)
	}
	return int64(len(versions)), nil
}
