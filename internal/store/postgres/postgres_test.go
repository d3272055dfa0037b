package postgres

import (
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
