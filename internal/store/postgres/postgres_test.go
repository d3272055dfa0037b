package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/postgres/pgtest"
	"github.com/securecart/warden/internal/store/storetest"
)

func freshDatabase(t testing.TB) string { return pgtest.FreshDatabase(t) }

func open(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	if os.Getenv("WARDEN_TEST_POSTGRES") == "" {
		t.Skip("WARDEN_TEST_POSTGRES not set")
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, freshDatabase(t))
	})
}

// A trail stored one record per row moves into blocks, and back down.
func TestAuditBlocksMigration(t *testing.T) {
	dsn := freshDatabase(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AuditBlocksMigration(t, storetest.Migration{
		DB: db, Placeholder: func(i int) string { return fmt.Sprintf("$%d", i) },
		UpTo:   func(ctx context.Context, v int64) error { _, err := p.UpTo(ctx, v); return err },
		DownTo: func(ctx context.Context, v int64) error { _, err := p.DownTo(ctx, v); return err },
		Open: func(t *testing.T) store.Store {
			s := open(t, dsn)
			t.Cleanup(func() { s.Close() })
			return s
		},
	})
}
