package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/postgres/pgtest"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

// A store's organization (what warden serve --data DIR holds) is an
// operand: seeded from SecureCart's files it decides as they do; against
// an edited copy, the edit shows.
func TestDiffStoreOperand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	seedSecureCart(t, st)
	out, stderr, code := run(t, "", "diff", "store:"+dir, "embedded:securecart")
	if code != 0 {
		t.Fatalf("store against its files: exit %d\n%s%s", code, out, stderr)
	}
	opened := editedLandingZone(t, [3]string{"scps.yaml", removeLeaveDeny, ""})
	out, stderr, code = run(t, "", "diff", "--format", "json", "store:"+dir, opened)
	ls := diffLines(t, out)
	if code != 1 || len(ls) == 0 || !strings.EqualFold(ls[0].Action, "organizations:LeaveOrganization") {
		t.Fatalf("store against an edited copy: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code = run(t, "", "diff", "store:"+filepath.Join(dir, "none"), opened); code != 2 || !strings.Contains(stderr, "no Warden store") {
		t.Errorf("missing store: exit %d %s", code, stderr)
	}
}

func seedSecureCart(t *testing.T, st store.Store) {
	t.Helper()
	doc, err := state.FromFiles(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := state.New(st, time.Now).Seed(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// A PostgreSQL store's URL is an operand too.
func TestDiffPostgresOperand(t *testing.T) {
	dsn := pgtest.FreshDatabase(t)
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		t.Skip("WARDEN_TEST_POSTGRES is not a URL")
	}
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	seedSecureCart(t, st)
	if out, stderr, code := run(t, "", "diff", dsn, "embedded:securecart"); code != 0 {
		t.Fatalf("store against its files: exit %d\n%s%s", code, out, stderr)
	}
	opened := editedLandingZone(t, [3]string{"scps.yaml", removeLeaveDeny, ""})
	if out, stderr, code := run(t, "", "diff", "--fail-on", "opened", dsn, opened); code != 1 || !strings.Contains(out, "OPENED organizations:LeaveOrganization") {
		t.Fatalf("store against an edited copy: exit %d\n%s%s", code, out, stderr)
	}
}
