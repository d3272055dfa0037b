package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/segment"
	"github.com/securecart/warden/internal/store/storetest"
)

// TestOpenSettings checks what Open promises: private files, WAL with
// synchronous=FULL on the writer, query-only readers.
func TestOpenSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "warden")
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := s.PutState(t.Context(), []byte(`{}`), 0); err != nil {
		t.Fatalf("PutState: %v", err)
	}
	for _, tc := range []struct {
		path string
		want fs.FileMode
	}{
		{dir, 0o700 | fs.ModeDir},
		{filepath.Join(dir, FileName), 0o600},
		{filepath.Join(dir, FileName+"-wal"), 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		if got := fi.Mode(); got != tc.want {
			t.Errorf("mode of %s = %v, want %v", tc.path, got, tc.want)
		}
	}

	for _, tc := range []struct {
		pool, pragma, want string
	}{
		{"writer", "journal_mode", "wal"},
		{"writer", "synchronous", "2"}, // FULL
		{"writer", "foreign_keys", "1"},
		{"writer", "busy_timeout", "10000"},
		{"reader", "journal_mode", "wal"},
		{"reader", "query_only", "1"},
		{"reader", "busy_timeout", "10000"},
		{"reader", "mmap_size", "1073741824"},
	} {
		db := s.w
		if tc.pool == "reader" {
			db = s.r
		}
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", tc.pool, tc.pragma, got, tc.want)
		}
	}
}

// A trail stored one record per row moves into blocks, and on Open into
// the segment files, leaving no block and no chain head in the database.
func TestAuditBlocksMigration(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, "warden.db"), url.Values{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := provider(db)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AuditBlocksMigration(t, storetest.Migration{
		DB: db, Placeholder: func(int) string { return "?" },
		UpTo:   func(ctx context.Context, v int64) error { _, err := p.UpTo(ctx, v); return err },
		DownTo: func(ctx context.Context, v int64) error { _, err := p.DownTo(ctx, v); return err },
		Open: func(t *testing.T) store.Store {
			s, err := Open(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		Moved: func(t *testing.T) {
			var n int
			if err := db.QueryRow(`SELECT (SELECT count(*) FROM audit_blocks) + (SELECT count(*) FROM audit_head)`).Scan(&n); err != nil || n != 0 {
				t.Errorf("rows of audit_blocks and audit_head left after moving the trail: %d, %v", n, err)
			}
			segs, err := segment.Segments(filepath.Join(dir, TrailDir))
			if err != nil || len(segs) != 1 || segs[0] != segment.SegName(1) {
				t.Errorf("segments after moving the trail: %v, %v; want [%s]", segs, err, segment.SegName(1))
			}
		},
	})
}
