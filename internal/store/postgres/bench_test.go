package postgres

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/storetest"
)

// BenchmarkAppendAudit appends batches of 100 chained records of about 1 KB
// to a fresh database: one op is one batch, one commit.
func BenchmarkAppendAudit(b *testing.B) {
	const batch = 100
	s, err := Open(b.Context(), freshDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	when := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	pad := strings.Repeat("x", 960)
	data := make([][]byte, batch)
	b.SetBytes(batch * 1024)
	for b.Loop() {
		err := s.AppendAudit(b.Context(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
			for i := range data {
				data[i] = fmt.Appendf(data[i][:0], `{"seq":%d,"pad":"%s"}`, lastSeq+1+int64(i), pad)
			}
			return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return when }, data...), nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkAccessKey looks keys up by ID from 8 goroutines per CPU, in a
// store of 10,000 keys.
func BenchmarkAccessKey(b *testing.B) {
	const keys = 10_000
	s, err := Open(b.Context(), freshDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ids := make([]string, keys)
	for i := range ids {
		ids[i] = fmt.Sprintf("AKIA%016d", i)
		err := s.PutAccessKey(b.Context(), store.AccessKey{
			ID: ids[i], Owner: "arn:aws:iam::111122223333:user/u", Account: "111122223333",
			SealedSecret: make([]byte, 72), Status: "Active", Created: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC),
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetParallelism(8) // many requests in flight, as in a server
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i = (i + 7919) % keys
			if _, err := s.AccessKey(b.Context(), ids[i]); err != nil {
				b.Errorf("AccessKey: %v", err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}
