// Package pgtest gives tests their own PostgreSQL databases on the server
// that WARDEN_TEST_POSTGRES names, skipping the test when it is not set.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
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
	dsn, err := withDatabase(adminDSN, name)
	if err != nil {
		t.Fatalf("WARDEN_TEST_POSTGRES: %v", err)
	}
	return dsn
}

// withDatabase is dsn (a URL or key=value string) naming database name
// instead: a DSN that any connection, also a replica's own listener or
// another process, can use.
func withDatabase(dsn, name string) (string, error) {
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return "", err
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
}
