package sqlite

import (
	"crypto/rand"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/storetest"
)

// BenchmarkAppendAudit appends batches of chained records of about 1 KB
// (the caller's group commit): one op is one batch, one WAL sync. The sync
// dominates, so records/s grows with the batch.
func BenchmarkAppendAudit(b *testing.B) {
	for _, batch := range []int{16, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { benchmarkAppendAudit(b, batch) })
	}
}

func benchmarkAppendAudit(b *testing.B, batch int) {
	s, err := Open(b.Context(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pad := make([]string, batch)
	for i := range pad {
		pad[i] = strings.Repeat(rand.Text(), 37)[:960]
	}
	when := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	data := make([][]byte, batch)
	b.SetBytes(int64(batch) * 1024)
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		err := s.AppendAudit(b.Context(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
			for i := range data {
				data[i] = fmt.Appendf(data[i][:0], `{"eventVersion":"1.11","seq":%d,"eventName":"AssumeRole","pad":"%s"}`, lastSeq+1+int64(i), pad[i])
			}
			return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return when }, data...), nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/append")
}

// cpuTime is the process's CPU time so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAccessKey looks keys up by ID from parallel goroutines, as the
// server does once per request, in a store of 10,000 keys.
func BenchmarkAccessKey(b *testing.B) {
	const keys = 10_000
	s, err := Open(b.Context(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ids := make([]string, keys)
	created := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for i := range ids {
		ids[i] = fmt.Sprintf("AKIA%016d", i)
		k := store.AccessKey{
			ID: ids[i], Owner: fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", i%500), Account: "111122223333",
			SealedSecret: make([]byte, 72), Status: "Active", Created: created,
		}
		if err := s.PutAccessKey(b.Context(), k); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i = (i + 7919) % keys
			k, err := s.AccessKey(b.Context(), ids[i])
			if err != nil || k.ID != ids[i] {
				b.Errorf("AccessKey(%s) = %s, %v", ids[i], k.ID, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkTouchAccessKey measures single-row writes, each its own
// transaction and WAL sync: the ceiling for any write made once per request
// without batching.
func BenchmarkTouchAccessKey(b *testing.B) {
	s, err := Open(b.Context(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	created := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	k := store.AccessKey{ID: "AKIA0000000000000001", Owner: "arn:aws:iam::111122223333:user/u", Account: "111122223333",
		SealedSecret: make([]byte, 72), Status: "Active", Created: created}
	if err := s.PutAccessKey(b.Context(), k); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n++
		if err := s.TouchAccessKey(b.Context(), k.ID, created.Add(time.Duration(n)), "sts", "us-east-1"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}
