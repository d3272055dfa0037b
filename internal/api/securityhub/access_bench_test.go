package securityhub

import (
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/org"
)

// The access findings' part of a Security Hub refresh on a generated org of
// 1,000 accounts (org.Generate(1000, 20, 1)), for a new organization
// version whose resource policies are unchanged (two copies of the org
// loaded apart, alternated: no compiled policy is shared):
//
//   - full: analyze.AccessOrg, what every refresh did before;
//
//   - incremental: the service's analyze.Incremental, already warm (the
//     Background task's work), as a read after such a change finds it.
//
//     go test -run '^$' -bench AccessFindingsGenerated1000 -benchtime 5x -count 3 ./internal/api/securityhub/
func BenchmarkAccessFindingsGenerated1000(b *testing.B) {
	data := org.Generate(1000, 20, 1)
	var orgs [2]*org.Org
	for i := range orgs {
		o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: data}}, "org.yaml")
		if err != nil {
			b.Fatal(err)
		}
		orgs[i] = o
	}
	want := len(analyze.AccessOrg(orgs[0], analyze.ZoneOrganization))
	b.Run("full", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if n := len(analyze.AccessOrg(orgs[i%2], analyze.ZoneOrganization)); n != want {
				b.Fatalf("%d findings, want %d", n, want)
			}
			i++
		}
	})
	b.Run("incremental", func(b *testing.B) {
		inc := analyze.NewIncremental()
		inc.Analyze(orgs[1], analyze.ZoneOrganization, "")
		i := 0
		for b.Loop() {
			if n := len(accessFindings(inc, orgs[i%2], "2026-12-06T00:00:00Z")); n != want {
				b.Fatalf("%d findings, want %d", n, want)
			}
			i++
		}
	})
}
