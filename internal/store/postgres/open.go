package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store on a PostgreSQL database. Create it with Open.
type Store struct {
	sqlstore.Watched // the queries, noting the state versions (KnownStateVersion)

	db           *sql.DB // for leases, which hold a connection each
	leaseMu      sync.Mutex
	leases       map[*lease]bool // held
	bound        time.Duration
	listening    atomic.Bool // the listener is connected and has read the version
	stopListener context.CancelFunc
	listenDone   chan struct{}
}

var (
	_ store.Store        = (*Store)(nil)
	_ store.StateWatcher = (*Store)(nil)
	_ store.Leaser       = (*Store)(nil)
	_ store.AuditScanner = (*Store)(nil)
)

// Open connects to the database dsn names (a postgres:// URL or key=value
// string, as pgx accepts), brings its schema up to date, and starts
// listening for the state versions other replicas write (KnownStateVersion).
func Open(ctx context.Context, dsn string) (*Store, error) {
	return openBound(ctx, dsn, VersionBound)
}

// openBound is Open with the bound on staleness given (tests lengthen it to show
// that a version arrived by notification rather than by a read).
func openBound(ctx context.Context, dsn string, bound time.Duration) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	cfg.RuntimeParams["application_name"] = listenerName
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	n := max(8, 4*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(30 * time.Minute)
	core, err := openCore(ctx, db)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("postgres store: %w", err), db.Close())
	}
	s := &Store{Watched: sqlstore.Watched{Core: core}, db: db, bound: bound, listenDone: make(chan struct{})}
	lctx, cancel := context.WithCancel(context.Background())
	s.stopListener = cancel
	go s.listen(lctx, cfg)
	return s, nil
}

// Close stops the listener and closes the store's connections.
func (s *Store) Close() error {
	s.stopListener()
	<-s.listenDone
	return errors.Join(s.releaseLeases(), s.Core.Close())
}

func openCore(ctx context.Context, db *sql.DB) (*sqlstore.Core, error) {
	if err := db.PingContext(ctx); err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	return sqlstore.New(ctx, db, db, queries)
}

// migrationLock is the advisory lock key held while migrating ("warden" and
// a 1).
const migrationLock int64 = 0x77617264656e0001

// advisoryLock is a goose.SessionLocker that blocks on pg_advisory_lock (goose's
// own locker polls every 5 s).
type advisoryLock struct{}

func (advisoryLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock)
	return err
}

func (advisoryLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", migrationLock)
	return err
}

// migrate applies the embedded migrations under the advisory lock.
func migrate(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// provider is goose's, with the embedded SQL migrations and the Go ones.
func provider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(advisoryLock{}),
		goose.WithGoMigrations(sqlstore.AuditBlocksMigration(func(i int) string { return fmt.Sprintf("$%d", i) }, recordsDDL)))
}

// recordsDDL is audit_records as migration 1 made it, for going back below
// sqlstore.AuditBlocksVersion.
const recordsDDL = `CREATE TABLE audit_records (
    seq       bigint PRIMARY KEY,
    time      bigint NOT NULL,
    event_id  text   NOT NULL,
    account   text   NOT NULL,
    data      bytea  NOT NULL,
    prev_hash bytea  NOT NULL,
    hash      bytea  NOT NULL
);
CREATE INDEX audit_records_time ON audit_records (time);`
