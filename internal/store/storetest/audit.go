package storetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Hash is the suite's record hash: SHA-256 over PrevHash then Data.
func Hash(prev, data []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(data)
	return h.Sum(nil)
}

// Chain returns the records that continue a chain whose last record is
// (lastSeq, lastHash), one for each data, with times from timeOf(seq).
func Chain(lastSeq int64, lastHash []byte, timeOf func(seq int64) time.Time, data ...[]byte) []store.AuditRecord {
	recs := make([]store.AuditRecord, len(data))
	prev := lastHash
	for i, d := range data {
		seq := lastSeq + 1 + int64(i)
		recs[i] = store.AuditRecord{
			Seq: seq, Time: timeOf(seq), EventID: fmt.Sprintf("event-%d", seq), Account: "111122223333",
			Data: d, PrevHash: prev, Hash: Hash(prev, d),
		}
		prev = recs[i].Hash
	}
	return recs
}

// VerifyChain reports the first way recs fail to be a gapless, correctly
// hashed chain that starts after (lastSeq, lastHash).
func VerifyChain(lastSeq int64, lastHash []byte, recs []store.AuditRecord) error {
	prev := lastHash
	for i, r := range recs {
		if want := lastSeq + 1 + int64(i); r.Seq != want {
			return fmt.Errorf("record %d has Seq %d, want %d", i, r.Seq, want)
		}
		if !bytes.Equal(r.PrevHash, prev) {
			return fmt.Errorf("record %d: PrevHash %x, want the previous record's hash %x", r.Seq, r.PrevHash, prev)
		}
		if want := Hash(r.PrevHash, r.Data); !bytes.Equal(r.Hash, want) {
			return fmt.Errorf("record %d: Hash %x, want %x", r.Seq, r.Hash, want)
		}
		prev = r.Hash
	}
	return nil
}

func fmtRecord(r store.AuditRecord) string {
	return fmt.Sprintf("{Seq:%d Time:%s EventID:%s Account:%s Data:%s PrevHash:%x Hash:%x}",
		r.Seq, ts(r.Time), r.EventID, r.Account, r.Data, r.PrevHash, r.Hash)
}

// timeBySeq gives record seq the time at(seq).
func timeBySeq(seq int64) time.Time { return at(seq) }

// appendN appends n records timed by timeOf and returns them.
func appendN(t *testing.T, s store.Store, n int, timeOf func(int64) time.Time) []store.AuditRecord {
	t.Helper()
	var recs []store.AuditRecord
	err := s.AppendAudit(t.Context(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		data := make([][]byte, n)
		for i := range data {
			data[i] = fmt.Appendf(nil, `{"eventName":"GetCallerIdentity","n":%d}`, lastSeq+1+int64(i))
		}
		recs = Chain(lastSeq, lastHash, timeOf, data...)
		return recs, nil
	})
	if err != nil {
		t.Fatalf("AppendAudit(%d records): %v", n, err)
	}
	return recs
}

// allRecords reads the whole trail.
func allRecords(t *testing.T, s store.Store) []store.AuditRecord {
	t.Helper()
	var all []store.AuditRecord
	for from := int64(0); ; {
		page, err := s.AuditRecords(t.Context(), from, 1000)
		if err != nil {
			t.Fatalf("AuditRecords(%d): %v", from, err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		from = page[len(page)-1].Seq + 1
	}
}

func checkLast(t *testing.T, s store.Store, wantSeq int64, wantHash []byte) {
	t.Helper()
	seq, hash, err := s.LastAudit(t.Context())
	if err != nil || seq != wantSeq || !bytes.Equal(hash, wantHash) {
		t.Errorf("LastAudit = %d, %x, %v; want %d, %x", seq, hash, err, wantSeq, wantHash)
	}
}

func testAuditChain(t *testing.T, s store.Store) {
	ctx := t.Context()
	checkLast(t, s, 0, nil)

	var want []store.AuditRecord
	var lastSeq int64
	var lastHash []byte
	for i, n := range []int{3, 1, 5} {
		err := s.AppendAudit(ctx, func(gotSeq int64, gotHash []byte) ([]store.AuditRecord, error) {
			if gotSeq != lastSeq || !bytes.Equal(gotHash, lastHash) {
				t.Errorf("append %d: build got (%d, %x), want (%d, %x)", i, gotSeq, gotHash, lastSeq, lastHash)
			}
			if i == 0 && gotHash != nil {
				t.Errorf("build on an empty trail got hash %#v, want nil", gotHash)
			}
			data := make([][]byte, n)
			for j := range data {
				data[j] = fmt.Appendf(nil, `{"append":%d,"record":%d}`, i, j)
			}
			recs := Chain(gotSeq, gotHash, timeBySeq, data...)
			want = append(want, recs...)
			return recs, nil
		})
		if err != nil {
			t.Fatalf("AppendAudit %d: %v", i, err)
		}
		lastSeq, lastHash = want[len(want)-1].Seq, want[len(want)-1].Hash
		checkLast(t, s, lastSeq, lastHash)
	}
	if g, w := fmtAll(allRecords(t, s), fmtRecord), fmtAll(want, fmtRecord); g != w {
		t.Errorf("stored trail\ngot\n%swant\n%s", g, w)
	}
}

// testAuditRefusesBrokenBatch: a failing build, and batches that do not
// continue the chain, store nothing; an empty batch is a no-op.
func testAuditRefusesBrokenBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	good := appendN(t, s, 2, timeBySeq)
	lastSeq, lastHash := good[1].Seq, good[1].Hash

	errBuild := errors.New("build failed")
	if err := s.AppendAudit(ctx, func(int64, []byte) ([]store.AuditRecord, error) { return nil, errBuild }); !errors.Is(err, errBuild) {
		t.Errorf("AppendAudit with a failing build: got %v, want the build's error", err)
	}
	if err := s.AppendAudit(ctx, func(int64, []byte) ([]store.AuditRecord, error) { return nil, nil }); err != nil {
		t.Errorf("AppendAudit of no records: %v", err)
	}
	broken := map[string]func(seq int64, hash []byte) []store.AuditRecord{
		"Seq skips": func(seq int64, hash []byte) []store.AuditRecord {
			return Chain(seq+1, hash, timeBySeq, []byte(`{}`))
		},
		"Seq repeats": func(seq int64, hash []byte) []store.AuditRecord {
			return Chain(seq-1, hash, timeBySeq, []byte(`{}`))
		},
		"first PrevHash is not the head's hash": func(seq int64, hash []byte) []store.AuditRecord {
			return Chain(seq, []byte("not the hash"), timeBySeq, []byte(`{}`))
		},
		"later PrevHash is not the previous Hash": func(seq int64, hash []byte) []store.AuditRecord {
			recs := Chain(seq, hash, timeBySeq, []byte(`{"a":1}`), []byte(`{"a":2}`), []byte(`{"a":3}`))
			recs[2].PrevHash = recs[0].Hash
			return recs
		},
	}
	for name, mk := range broken {
		err := s.AppendAudit(ctx, func(seq int64, hash []byte) ([]store.AuditRecord, error) { return mk(seq, hash), nil })
		if err == nil {
			t.Errorf("AppendAudit with %s: got no error, want one", name)
		}
	}
	checkLast(t, s, lastSeq, lastHash)
	if g, w := fmtAll(allRecords(t, s), fmtRecord), fmtAll(good, fmtRecord); g != w {
		t.Errorf("trail after refused appends\ngot\n%swant\n%s", g, w)
	}
}

// testAuditConcurrentAppenders: appenders racing each other produce one
// gapless chain holding every record once.
func testAuditConcurrentAppenders(t *testing.T, s store.Store) {
	const appenders, appends, batch = 8, 20, 5
	ctx := t.Context()
	var wg sync.WaitGroup
	for g := range appenders {
		wg.Go(func() {
			for i := range appends {
				err := s.AppendAudit(ctx, func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
					data := make([][]byte, batch)
					for j := range data {
						data[j] = fmt.Appendf(nil, `{"g":%d,"i":%d,"j":%d}`, g, i, j)
					}
					return Chain(lastSeq, lastHash, func(int64) time.Time { return t0 }, data...), nil
				})
				if err != nil {
					t.Errorf("appender %d, append %d: %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	recs := allRecords(t, s)
	if got, want := len(recs), appenders*appends*batch; got != want {
		t.Fatalf("%d records stored, want %d", got, want)
	}
	if err := VerifyChain(0, nil, recs); err != nil {
		t.Errorf("chain: %v", err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[string(r.Data)] {
			t.Errorf("record %s stored twice", r.Data)
		}
		seen[string(r.Data)] = true
	}
	last := recs[len(recs)-1]
	checkLast(t, s, last.Seq, last.Hash)
}
