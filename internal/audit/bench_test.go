package audit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store/sqlite"
)

// BenchmarkAppend measures durable appends with chaining from 64 concurrent
// callers (group commit), one record per call as the server makes them.
func BenchmarkAppend(b *testing.B) {
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
	start := time.Now()
	var wg sync.WaitGroup
	per := b.N/64 + 1
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				if err := tr.Append(ctx, recs); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(per*64)/time.Since(start).Seconds(), "records/s")
}

// BenchmarkVerify measures verification of a 100,000-record trail.
func BenchmarkVerify(b *testing.B) {
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
	tr.Close()
	keys, _ := audit.PublicKeys(ctx, st, sealer)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rep, err := audit.Verify(ctx, st, keys, audit.VerifyOptions{Now: time.Now()})
		if err != nil || !rep.OK() || rep.Records != n {
			b.Fatalf("%v %+v", err, rep)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "records/s")
}
