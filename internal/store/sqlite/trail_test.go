package sqlite

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/segment"
	"github.com/securecart/warden/internal/store/storetest"
)

var trailT0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func appendRecs(t *testing.T, s *Store, n int) []store.AuditRecord {
	t.Helper()
	var recs []store.AuditRecord
	err := s.AppendAudit(t.Context(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		data := make([][]byte, n)
		for i := range data {
			data[i] = fmt.Appendf(nil, `{"n":%d}`, lastSeq+1+int64(i))
		}
		recs = storetest.Chain(lastSeq, lastHash, func(seq int64) time.Time { return trailT0.Add(time.Duration(seq) * time.Second) }, data...)
		return recs, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readAll(t *testing.T, s *Store) []store.AuditRecord {
	t.Helper()
	recs, err := s.AuditRecords(t.Context(), 0, math.MaxInt32)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// Two stores on one directory (each with its own flock, as two processes
// have) append at once: one unbroken chain, each catching up with what the
// other appended.
func TestTrailTwoAppendersOneChain(t *testing.T) {
	dir := t.TempDir()
	a, b := openStore(t, dir), openStore(t, dir)
	var wg sync.WaitGroup
	const perAppender = 40 * 2 // 1 and 3 records by turns
	for _, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for i := range 40 {
				appendRecs(t, s, 1+i%2*2)
			}
		})
	}
	wg.Wait()
	c := openStore(t, dir)
	all := readAll(t, c)
	const total = 4 * perAppender
	if err := storetest.VerifyChain(0, nil, all); err != nil || len(all) != total {
		t.Fatalf("%d records, %v; want one chain of %d", len(all), err, total)
	}
	for _, s := range []*Store{a, b, c} {
		if seq, hash, err := s.LastAudit(t.Context()); err != nil || seq != total || string(hash) != string(all[total-1].Hash) {
			t.Errorf("LastAudit = %d, %x, %v; want %d, %x", seq, hash, err, total, all[total-1].Hash)
		}
	}
}

// A frame cut short at the end of the newest segment (a write whose sync
// never returned, so never acknowledged) is not read, and the next append
// cuts it off and continues the chain; a frame whose length was changed
// in the middle of the segment is not taken for one.
func TestTrailUnfinishedWrite(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	recs := appendRecs(t, s, 3)
	path := filepath.Join(dir, TrailDir, segment.SegName(1))
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	next := storetest.Chain(3, recs[2].Hash, func(int64) time.Time { return trailT0 }, []byte(`{"n":4}`))
	blk, _ := store.AuditBlockRecords(nil, next)
	frame := append([]byte("WTF1\x00\x00\x00\x00"), make([]byte, 32)...)
	frame[4], frame[5], frame[6], frame[7] = byte(len(blk.Data)>>24), byte(len(blk.Data)>>16), byte(len(blk.Data)>>8), byte(len(blk.Data))
	frame = append(frame, blk.Data[:len(blk.Data)/2]...)
	for _, cut := range []int{2, 30, len(frame)} {
		if err := os.WriteFile(path, append(append([]byte(nil), whole...), frame[:cut]...), 0o600); err != nil {
			t.Fatal(err)
		}
		r := openStore(t, dir)
		if got := readAll(t, r); len(got) != 3 {
			t.Errorf("cut at %d: %d records read, want 3", cut, len(got))
		}
		var blocks int
		if err := r.AuditBlocks(t.Context(), math.MinInt64, math.MaxInt64, func(*store.AuditBlock) error { blocks++; return nil }); err != nil || blocks != 1 {
			t.Errorf("cut at %d: AuditBlocks passed %d blocks, %v; want 1", cut, blocks, err)
		}
	}
	r := openStore(t, dir)
	more := appendRecs(t, r, 2)
	if err := storetest.VerifyChain(3, recs[2].Hash, more); err != nil {
		t.Fatal(err)
	}
	if all := readAll(t, r); len(all) != 5 || storetest.VerifyChain(0, nil, all) != nil {
		t.Errorf("after the next append: %d records", len(all))
	}

	// The length of the first frame made to run past the end: its block
	// is complete, so the frames after it are not an unfinished write.
	data, _ := os.ReadFile(path)
	data[13+4] = 0x7f
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := 0
	if err := r.AuditBlocks(t.Context(), math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
		if _, err := store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return nil }); err != nil {
			bad++
		}
		return nil
	}); err != nil || bad == 0 {
		t.Errorf("a length changed mid-segment: %d unreadable blocks, %v; want some", bad, err)
	}
	if err := openStore(t, dir).AppendAudit(t.Context(), func(int64, []byte) ([]store.AuditRecord, error) { return nil, nil }); err == nil {
		t.Error("append onto a changed segment: no error")
	}
}

// A digest ending at the head begins a new segment once the newest is
// RollSize or more; retention removes the segments it covers whole and
// replaces the one it ends inside by the blocks after it.
func TestTrailSegmentsAndRetention(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	s.trail.RollSize = 1
	tdir := filepath.Join(dir, TrailDir)
	var all []store.AuditRecord
	put := func(no, seq int64) {
		t.Helper()
		if err := s.PutAuditDigest(t.Context(), store.AuditDigest{No: no, Seq: seq, Time: trailT0, Data: []byte("{}"), Sig: []byte("s"), KeyID: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	all = append(all, appendRecs(t, s, 4)...)
	all = append(all, appendRecs(t, s, 4)...)
	put(1, 8) // the head: a new segment begins at 9
	all = append(all, appendRecs(t, s, 4)...)
	put(2, 10) // not the head: no new segment
	all = append(all, appendRecs(t, s, 3)...)
	put(3, 15)
	segs, _ := segment.Segments(tdir)
	if fmt.Sprint(segs) != fmt.Sprint([]string{segment.SegName(1), segment.SegName(9), segment.SegName(16)}) {
		t.Fatalf("segments %v", segs)
	}
	if got := readAll(t, s); storetest.VerifyChain(0, nil, got) != nil || len(got) != 15 {
		t.Fatalf("%d records across segments", len(got))
	}
	if n, err := s.DeleteAuditThrough(t.Context(), 8); err != nil || n != 8 {
		t.Errorf("DeleteAuditThrough(8) = %d, %v; want 8", n, err)
	}
	segs, _ = segment.Segments(tdir)
	if fmt.Sprint(segs) != fmt.Sprint([]string{segment.SegName(9), segment.SegName(16)}) {
		t.Errorf("segments after retention through 8: %v", segs)
	}
	if n, err := s.DeleteAuditThrough(t.Context(), 15); err != nil || n != 7 {
		t.Errorf("DeleteAuditThrough(15) = %d, %v; want 7", n, err)
	}
	if got := readAll(t, s); len(got) != 0 {
		t.Errorf("%d records left", len(got))
	}
	// The chain goes on from the head, in another store too.
	o := openStore(t, dir)
	next := appendRecs(t, o, 2)
	if err := storetest.VerifyChain(15, all[14].Hash, next); err != nil {
		t.Error(err)
	}
	if seq, _, err := s.LastAudit(t.Context()); err != nil || seq != 17 {
		t.Errorf("LastAudit = %d, %v; want 17", seq, err)
	}
}
