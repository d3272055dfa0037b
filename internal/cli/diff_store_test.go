package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/state"
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
	doc, err := state.FromFiles(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := state.New(st, time.Now).Seed(ctx, doc); err != nil {
		t.Fatal(err)
	}
	st.Close()
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
