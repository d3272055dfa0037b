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

// With SealApart the digests are written by a goroutine of their own while
// commits go on: every 50 records are sealed soon after they are committed,
// no record is sealed twice or left out (the records committed while a
// digest is written wait for the next), Close seals the rest, and the trail
// verifies.
func TestSealApart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := creds.NewKey()
	sealer, _ := creds.NewSealer(key)
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, SealApart: true, Linger: -1})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if err := tr.Record(ctx, event(g*1000+i, time.Now())); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// Sealed soon without Close: by the sealer, not the committer.
	var sealed int64
	for start := time.Now(); sealed < 800-50 && time.Since(start) < 10*time.Second; time.Sleep(5 * time.Millisecond) {
		if d, err := st.LastAuditDigest(ctx); err == nil {
			sealed = d.Seq
		}
	}
	if sealed < 800-50 {
		t.Errorf("records sealed up to %d of 800 before Close, want within 50 of the end", sealed)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	ds, err := st.AuditDigests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var prev int64
	for _, d := range ds {
		if d.Seq < prev {
			t.Errorf("digest %d ends at record %d, before the one before it (%d)", d.No, d.Seq, prev)
		}
		prev = d.Seq
	}
	if prev != 800 || len(ds) < 800/50/2 {
		t.Errorf("%d digests, the last ending at record %d; want about one per 50 records, the last at 800", len(ds), prev)
	}
	st.Close()
	f := &fixture{dir: dir, sealer: sealer}
	if rep := f.verifyOpts(t, audit.VerifyOptions{Now: time.Now(), Unsealed: time.Hour}); !rep.OK() || rep.Records != 800 {
		t.Errorf("verify: %d records, problems %v", rep.Records, rep.Problems)
	}
}
