package audit_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAppend measures durable appends with chaining from concurrent
// callers (group commit), one record per call as the server makes them.
// Every call waits for the sync of its group, so records/s is at most the
// callers over the sync's latency; records/cpu-s is what the CPU allows.
func BenchmarkAppend(b *testing.B) {
	for _, callers := range []int{64, 256} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) { benchmarkAppend(b, callers) })
	}
}

func benchmarkAppend(b *testing.B, callers int) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sealer, _ := creds.NewSealer(creds.NewKey())
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271"})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	recs := audit.Records(event(1, time.Now()))
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	var wg sync.WaitGroup
	per := b.N/callers + 1
	waits := make([][]time.Duration, callers) // each call's wait, per caller
	for g := 0; g < callers; g++ {
		wg.Add(1)
		waits[g] = make([]time.Duration, 0, per)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				t0 := time.Now()
				if err := tr.Append(ctx, recs); err != nil {
					b.Error(err)
					return
				}
				waits[g] = append(waits[g], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(per*callers)/time.Since(start).Seconds(), "records/s")
	b.ReportMetric(float64(per*callers)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
	all := slices.Concat(waits...)
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.StopTimer()
	b.ReportMetric(float64(per*callers)/float64(countBlocks(b, st)), "records/block")
}

// countBlocks is how many blocks st holds (one per commit group).
func countBlocks(b *testing.B, st store.Store) int {
	blocks := 0
	if err := st.AuditBlocks(context.Background(), math.MinInt64, math.MaxInt64, func(*store.AuditBlock) error { blocks++; return nil }); err != nil {
		b.Fatal(err)
	}
	return blocks
}

// BenchmarkVerify measures verification of a 100,000-record trail, stored
// in blocks of 1,000 records (appends of 1,000 at a time, as an import
// makes them) or as 64 concurrent callers appending one record per call
// leave it (blocks as the group commit forms them: as a busy server's
// trail is stored).
func BenchmarkVerify(b *testing.B) {
	b.Run("block=1000", func(b *testing.B) { benchmarkVerify(b, 0) })
	b.Run("callers=64", func(b *testing.B) { benchmarkVerify(b, 64) })
}

func benchmarkVerify(b *testing.B, callers int) {
	ctx := context.Background()
	dir := b.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sealer, _ := creds.NewSealer(creds.NewKey())
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271"})
	if err != nil {
		b.Fatal(err)
	}
	const n = 100000
	if callers == 0 {
		var batch []*audit.Record
		for i := 0; i < n; i++ {
			batch = append(batch, audit.Records(event(i, time.Now()))...)
			if len(batch) == 1000 {
				if err := tr.Append(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = nil
			}
		}
	} else {
		var wg sync.WaitGroup
		for g := range callers {
			wg.Go(func() {
				for i := g; i < n; i += callers {
					if err := tr.Append(ctx, audit.Records(event(i, time.Now()))); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	tr.Close()
	keys, _ := audit.PublicKeys(ctx, st, sealer)
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		rep, err := audit.Verify(ctx, st, keys, audit.VerifyOptions{Now: time.Now()})
		if err != nil || !rep.OK() || rep.Records != n {
			b.Fatalf("%v %+v", err, rep)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "records/s")
	b.ReportMetric(float64(n*b.N)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
	b.StopTimer()
	b.ReportMetric(float64(n)/float64(countBlocks(b, st)), "records/block")
}
