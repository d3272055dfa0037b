package audit_test

import (
	"context"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// Without lingering, a commit still takes the records of the callers that
// could run when it began: the committer lets them go first (on one core,
// where each caller runs until it waits for its commit), so eight callers
// started at once share one commit or two, not one each.
func TestCommitTakesRunnableCallers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sealer, _ := creds.NewSealer(creds.NewKey())
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271", Linger: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for round := range 5 {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if err := tr.Record(ctx, event(round*8+i, time.Now())); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	var blocks, records int64
	if err := st.AuditBlocks(ctx, math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
		blocks++
		records += b.LastSeq - b.FirstSeq + 1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if records != 40 || blocks > 10 {
		t.Errorf("40 calls in 5 rounds of 8: %d records in %d commits, want 40 in at most 10", records, blocks)
	}
}
