// Package pgtest gives tests their own PostgreSQL databases on the server
// that WARDEN_TEST_POSTGRES names, skipping the test when it is not set.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// FreshDatabase creates an empty database, drops it when the test ends, and
// returns a DSN for it (for sql.Open("pgx", ...) and postgres.Open).
func FreshDatabase(t testing.TB) string {
	t.Helper()
	adminDSN := os.Getenv("WARDEN_TEST_POSTGRES")
	if adminDSN == "" {
		t.Skip("WARDEN_TEST_POSTGRES not set")
	}
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		t.Fatalf("connect to WARDEN_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	name := "warden_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg, err := pgx.ParseConfig(adminDSN)
	if err != nil {
		t.Fatalf("WARDEN_TEST_POSTGRES: %v", err)
	}
	cfg.Database = name
	dsn := stdlib.RegisterConnConfig(cfg)
	t.Cleanup(func() { stdlib.UnregisterConnConfig(dsn) })
	return dsn
}
