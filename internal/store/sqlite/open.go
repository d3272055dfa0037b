package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/segment"
	"github.com/securecart/warden/internal/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database's name inside the directory given to Open.
const FileName = "warden.db"

// readerMmap is how much of the file the reader connections map.
const readerMmap = 1 << 30

// Store is a store.Store on one SQLite database. Create it with Open.
type Store struct {
	sqlstore.Watched // the queries, noting the state versions (KnownStateVersion)

	w     *sql.DB // the one writer connection
	r     *sql.DB // query-only readers
	trail *segment.Trail
}

// Open opens (creating if needed) dir/warden.db and brings its schema up to
// date.
func Open(ctx context.Context, dir string) (*Store, error) {
	path, err := prepareFile(dir)
	if err != nil {
		return nil, err
	}
	// Two processes opening a new file at once contend for the switch to
	// WAL, for which SQLite answers SQLITE_BUSY at once rather than waiting:
	// retry for a few seconds.
	for attempt := 0; ; attempt++ {
		s := &Store{}
		err := s.open(ctx, path)
		if err == nil {
			err = s.openTrail(ctx, filepath.Dir(path))
		}
		if err == nil {
			return s, nil
		}
		s.closeAll()
		if attempt < 50 && strings.Contains(err.Error(), "SQLITE_BUSY") {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("sqlite store %s: %w", path, err)
			case <-time.After(time.Duration(10+attempt*10) * time.Millisecond):
			}
			continue
		}
		return nil, fmt.Errorf("sqlite store %s: %w", path, err)
	}
}

// prepareFile creates dir (0700) and the database file (0600) if missing
// and returns the file's absolute path.
func prepareFile(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("sqlite store: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, FileName))
	if err != nil {
		return "", fmt.Errorf("sqlite store: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("sqlite store: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("sqlite store: %w", err)
	}
	return path, nil
}

// dsn is the driver's name for the file at path with the pragmas every
// connection runs. The path travels as a file: URI so that no character in
// it is mistaken for the start of the parameters.
func dsn(path string, params url.Values) string {
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(FULL)")
	params.Add("_pragma", "foreign_keys(1)")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	return u.String() + "?" + params.Encode()
}

func (s *Store) open(ctx context.Context, path string) error {
	var err error
	s.w, err = sql.Open("sqlite", dsn(path, url.Values{"_txlock": {"immediate"}}))
	if err != nil {
		return err
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)

	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	if err := migrate(ctx, s.w); err != nil {
		return err
	}

	// The readers map the file (up to readerMmap bytes): reading a page is
	// then a memory access instead of a read(2) and a copy, which is most of
	// what verifying the audit trail costs beyond hashing it. The file only
	// grows (nothing here runs VACUUM), so the mapping stays valid.
	s.r, err = sql.Open("sqlite", dsn(path, url.Values{"_query_only": {"1"}, "_pragma": {fmt.Sprintf("mmap_size(%d)", readerMmap)}}))
	if err != nil {
		return err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)

	s.Core, err = sqlstore.New(ctx, s.w, s.r, queries)
	return err
}

// migrate applies the embedded migrations. Two processes opening a new
// file together can both try to apply the same migration; the loser's fails
// ("table already exists") and, SQLite's DDL being transactional, is rolled
// back whole together with goose's version row. So a failed Up is retried a
// few times: the next finds the migration applied and has nothing to do,
// while a real failure fails every time and is returned.
func migrate(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for attempt := 0; ; attempt++ {
		_, err := p.Up(ctx)
		if err == nil {
			return nil
		}
		if attempt == 4 {
			return fmt.Errorf("migrations: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("migrations: %w", errors.Join(err, ctx.Err()))
		case <-time.After(time.Duration(20<<attempt) * time.Millisecond):
		}
	}
}

// provider is goose's, with the embedded SQL migrations and the Go ones.
func provider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(sqlstore.AuditBlocksMigration(func(int) string { return "?" }, recordsDDL)))
}

// Close closes the store's statements and connections.
func (s *Store) Close() error {
	return s.closeAll()
}

// closeAll closes whatever Open got to.
func (s *Store) closeAll() error {
	var errs []error
	if s.trail != nil {
		errs = append(errs, s.trail.Close())
		s.trail = nil
	}
	if s.Core != nil {
		return errors.Join(append(errs, s.Core.Close())...)
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

var (
	_ store.Store        = (*Store)(nil)
	_ store.StateWatcher = (*Store)(nil)
	_ store.AuditScanner = (*Store)(nil)
)

// recordsDDL is audit_records as migration 1 made it, for going back below
// sqlstore.AuditBlocksVersion.
const recordsDDL = `CREATE TABLE audit_records (
    seq       INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    event_id  TEXT    NOT NULL,
    account   TEXT    NOT NULL,
    data      BLOB    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
) STRICT;
CREATE INDEX audit_records_time ON audit_records (time);`
