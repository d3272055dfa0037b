package sqlite

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
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

// frameBytes is the frame the segment format writes for recs: its header
// ("WTF2", length, columns, CRC-32 of them and the data) and the block.
func frameBytes(recs []store.AuditRecord) []byte {
	blk, _ := store.AuditBlockRecords(nil, recs)
	h := []byte("WTF2")
	h = binary.BigEndian.AppendUint32(h, uint32(len(blk.Data)))
	for _, v := range []int64{blk.FirstSeq, blk.LastSeq, blk.MinTime, blk.MaxTime} {
		h = binary.BigEndian.AppendUint64(h, uint64(v))
	}
	h = binary.BigEndian.AppendUint32(h, crc32.Update(crc32.ChecksumIEEE(h), crc32.IEEETable, blk.Data))
	return append(h, blk.Data...)
}

// segEnd is where the segment's last frame ends (zeros follow).
func segEnd(t *testing.T, b []byte) int {
	t.Helper()
	off := 13 + int(b[12])
	for off+44 <= len(b) && string(b[off:off+4]) == "WTF2" {
		off += 44 + int(binary.BigEndian.Uint32(b[off+4:]))
	}
	return off
}

// checkTrail opens a store on dir and checks that it reads n records and n
// blocks (of three records), that verification's reading passes them and
// nothing else, and that an append continues the chain.
func checkTrail(t *testing.T, dir, what string, blocks int) {
	t.Helper()
	r := openStore(t, dir)
	got := readAll(t, r)
	if len(got) != 3*blocks || storetest.VerifyChain(0, nil, got) != nil {
		t.Errorf("%s: %d records read, want %d", what, len(got), 3*blocks)
	}
	var n int
	err := r.AuditBlocks(t.Context(), math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
		if _, err := store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return nil }); err != nil {
			t.Errorf("%s: a block that cannot be read: %v", what, err)
		}
		n++
		return nil
	})
	if err != nil || n != blocks {
		t.Errorf("%s: AuditBlocks passed %d blocks, %v; want %d", what, n, err, blocks)
	}
	more := appendRecs(t, r, 3)
	if err := storetest.VerifyChain(int64(3*blocks), got[len(got)-1].Hash, more); err != nil {
		t.Errorf("%s: the next append: %v", what, err)
	}
	if all := readAll(t, openStore(t, dir)); len(all) != 3*blocks+3 || storetest.VerifyChain(0, nil, all) != nil {
		t.Errorf("%s: after the next append, another process reads %d records", what, len(all))
	}
}

// The newest segment is preallocated: appends overwrite zeros written
// ahead. A write that a crash or a kill cut short leaves some of its
// sectors written and the others zero (or, where the write grew the file,
// the file cut inside it); it was never acknowledged (its sync never
// returned), so it is not read, and the next append cuts it off and
// continues the chain. A frame changed to end in zeros within a sector,
// or one whose length was changed, is not taken for an unfinished write.
func TestTrailUnfinishedWrite(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	appendRecs(t, s, 3)
	recs := appendRecs(t, s, 3)
	s.Close()
	path := filepath.Join(dir, TrailDir, segment.SegName(1))
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := segEnd(t, whole)
	if len(whole) < end+int(segment.DefaultPrealloc)-4096 {
		t.Fatalf("segment of %d bytes, frames up to %d: not preallocated", len(whole), end)
	}
	// The next frame: three records of 1,500 bytes, several sectors.
	data := make([][]byte, 3)
	for i := range data {
		data[i] = fmt.Appendf(nil, `{"n":%d,"pad":"%s"}`, 7+i, strings.Repeat("x", 1500))
	}
	frame := frameBytes(storetest.Chain(6, recs[2].Hash, func(int64) time.Time { return trailT0 }, data...))
	sec := func(i int) (int, int) { // the frame's i-th sector (by the file's sectors) within the frame
		lo := end - end%512 + i*512
		return max(lo, end) - end, min(lo+512, end+len(frame)) - end
	}
	nsec := (end%512 + len(frame) + 511) / 512
	write := func(what string, b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		checkTrail(t, dir, what, 2)
	}
	// Written into the zeros with some sectors missing.
	for _, missing := range [][]int{{0}, {1}, {nsec - 1}, {1, 2}, {0, nsec - 1}} {
		b := bytes.Clone(whole)
		copy(b[end:], frame)
		for _, i := range missing {
			lo, hi := sec(i)
			clear(b[end+lo : end+hi])
		}
		write(fmt.Sprintf("sectors %v of %d not written", missing, nsec), b)
	}
	// Cut short at each sector boundary (a kill stops a write at a page's
	// end; a crash may keep any prefix of its sectors).
	for i := range nsec {
		lo, _ := sec(i)
		b := bytes.Clone(whole)
		copy(b[end:], frame[:lo])
		write(fmt.Sprintf("the first %d bytes written", lo), b)
	}
	// Where the write grew the file: cut inside its header and its block.
	for _, cut := range []int{2, 30, 44, 600, len(frame) - 1} {
		write(fmt.Sprintf("the file cut %d bytes into the frame", cut), append(bytes.Clone(whole[:end]), frame[:cut]...))
	}

	// Changed, not unfinished: the last frame ending in zeros within its
	// last sector, its length made to take in the zeros after it, a frame
	// in the middle zeroed whole.
	cur, _ := os.ReadFile(path)
	end = segEnd(t, cur)
	var offs []int
	for off := 13; off < end; off += 44 + int(binary.BigEndian.Uint32(cur[off+4:])) {
		offs = append(offs, off)
	}
	lastOff := offs[len(offs)-1]
	for _, tc := range []struct {
		what   string
		change func(b []byte)
	}{
		{"the last frame's last 3 bytes zeroed", func(b []byte) { clear(b[end-3 : end]) }},
		{"the last frame's length made longer", func(b []byte) { b[lastOff+7]++ }},
		{"the middle frame zeroed", func(b []byte) { clear(b[offs[1]:offs[2]]) }},
	} {
		b := bytes.Clone(cur)
		tc.change(b)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		r := openStore(t, dir)
		bad := 0
		if err := r.AuditBlocks(t.Context(), math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
			if _, err := store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return nil }); err != nil {
				bad++
			}
			return nil
		}); err != nil || bad == 0 {
			t.Errorf("%s: %d unreadable blocks, %v; want some", tc.what, bad, err)
		}
		if err := r.AppendAudit(t.Context(), func(int64, []byte) ([]store.AuditRecord, error) { return nil, nil }); err == nil {
			t.Errorf("%s: append onto a changed segment: no error", tc.what)
		}
	}
}

// Two stores append at once with little preallocated at a time, so that
// each grows the segment often and overwrites the zeros the other wrote.
func TestTrailTwoAppendersPreallocating(t *testing.T) {
	dir := t.TempDir()
	a, b := openStore(t, dir), openStore(t, dir)
	a.trail.Prealloc, b.trail.Prealloc = 300, 700
	var wg sync.WaitGroup
	for _, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for i := range 30 {
				appendRecs(t, s, 1+i%3)
			}
		})
	}
	wg.Wait()
	all := readAll(t, openStore(t, dir))
	if err := storetest.VerifyChain(0, nil, all); err != nil || len(all) != 4*60 {
		t.Fatalf("%d records, %v; want one chain of %d", len(all), err, 4*60)
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
	// A segment ended by a roll keeps no zeros; the newest has them once
	// a frame was written to it.
	sizes := func() (ends, lens []int) {
		for _, name := range segs {
			b, err := os.ReadFile(filepath.Join(tdir, name))
			if err != nil {
				t.Fatal(err)
			}
			ends, lens = append(ends, segEnd(t, b)), append(lens, len(b))
		}
		return ends, lens
	}
	if ends, lens := sizes(); ends[0] != lens[0] || ends[1] != lens[1] || lens[2] != 45 {
		t.Errorf("segments %v: frames up to %v, sizes %v; want the rolled ones without zeros", segs, ends, lens)
	}
	all = append(all, appendRecs(t, s, 1)...)
	if ends, lens := sizes(); lens[2] != ends[2]+int(segment.DefaultPrealloc) {
		t.Errorf("the newest segment: frames up to %d, %d bytes; want %d of zeros after", ends[2], lens[2], segment.DefaultPrealloc)
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
	if got := readAll(t, s); len(got) != 1 || got[0].Seq != 16 {
		t.Errorf("%d records left, want record 16", len(got))
	}
	// The chain goes on from the head, in another store too.
	o := openStore(t, dir)
	next := appendRecs(t, o, 2)
	if err := storetest.VerifyChain(16, all[15].Hash, next); err != nil {
		t.Error(err)
	}
	if seq, _, err := s.LastAudit(t.Context()); err != nil || seq != 18 {
		t.Errorf("LastAudit = %d, %v; want 18", seq, err)
	}
}

// A roll in another process: an appender whose segment has zeros after
// its frames knows without a look at the directory that no roll has
// happened (a roll cuts them off first); once one has, it follows to the
// new segment, and a segment with no zeros (written by retention) makes
// it look.
func TestTrailRollInAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	a, b := openStore(t, dir), openStore(t, dir)
	a.trail.RollSize = 1
	tdir := filepath.Join(dir, TrailDir)
	all := appendRecs(t, a, 2)
	all = append(all, appendRecs(t, b, 2)...) // b has the segment open, zeros after its frames
	if err := a.PutAuditDigest(t.Context(), store.AuditDigest{No: 1, Seq: 4, Time: trailT0, Data: []byte("{}"), Sig: []byte("s"), KeyID: "k"}); err != nil {
		t.Fatal(err)
	}
	all = append(all, appendRecs(t, b, 3)...) // into the segment a began
	all = append(all, appendRecs(t, a, 1)...)
	segs, _ := segment.Segments(tdir)
	if fmt.Sprint(segs) != fmt.Sprint([]string{segment.SegName(1), segment.SegName(5)}) {
		t.Fatalf("segments %v; want the roll's", segs)
	}
	first, err := os.ReadFile(filepath.Join(tdir, segs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if end := segEnd(t, first); end != len(first) {
		t.Errorf("the rolled segment: frames up to %d of %d bytes; want nothing after them (b appended there after the roll?)", end, len(first))
	}
	if got := readAll(t, openStore(t, dir)); len(got) != 8 || storetest.VerifyChain(0, nil, got) != nil || storetest.VerifyChain(0, nil, all) != nil {
		t.Errorf("%d records; want one chain of 8", len(got))
	}
	// Retention rewrites the newest segment without zeros; a roll by a
	// then cuts nothing, and b still follows.
	if err := b.PutAuditDigest(t.Context(), store.AuditDigest{No: 2, Seq: 8, Time: trailT0, Data: []byte("{}"), Sig: []byte("s"), KeyID: "k"}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.DeleteAuditThrough(t.Context(), 4); err != nil || n != 4 {
		t.Fatalf("DeleteAuditThrough(4) = %d, %v", n, err)
	}
	appendRecs(t, a, 1) // record 9, in segment 5 after its rewrite
	if n, err := b.DeleteAuditThrough(t.Context(), 8); err != nil || n != 4 {
		t.Fatalf("DeleteAuditThrough(8) = %d, %v", n, err)
	}
	// Record 9 is now alone in a segment of its own (9), written by
	// retention without zeros.
	if err := b.PutAuditDigest(t.Context(), store.AuditDigest{No: 3, Seq: 9, Time: trailT0, Data: []byte("{}"), Sig: []byte("s"), KeyID: "k"}); err != nil {
		t.Fatal(err)
	}
	// a opens it (its segment 5 was replaced) and finds no zeros there.
	if seq, _, err := a.LastAudit(t.Context()); err != nil || seq != 9 {
		t.Fatalf("LastAudit = %d, %v; want 9", seq, err)
	}
	b.trail.RollSize = 1
	if err := b.PutAuditDigest(t.Context(), store.AuditDigest{No: 4, Seq: 9, Time: trailT0, Data: []byte("{}"), Sig: []byte("s"), KeyID: "k"}); err != nil {
		t.Fatal(err)
	}
	appendRecs(t, a, 2)
	segs, _ = segment.Segments(tdir)
	if fmt.Sprint(segs) != fmt.Sprint([]string{segment.SegName(9), segment.SegName(10)}) {
		t.Fatalf("segments %v; want a's append in the segment b began", segs)
	}
	if nine, err := os.ReadFile(filepath.Join(tdir, segs[0])); err != nil || segEnd(t, nine) != len(nine) || len(nine) > 400 {
		t.Errorf("segment 9: %d bytes, %v; want record 9's frame alone", len(nine), err)
	}
	if got := readAll(t, openStore(t, dir)); len(got) != 3 || got[0].Seq != 9 || storetest.VerifyChain(8, got[0].PrevHash, got) != nil {
		t.Errorf("%d records after retention; want 9-11 in one chain", len(got))
	}
}

// Readers that take no lock (another process's lookups and verification)
// read the newest segment while frames are copied into its zeros: a frame
// seen half copied is the end for now, never a changed frame.
func TestTrailReadWhileAppending(t *testing.T) {
	dir := t.TempDir()
	w, r := openStore(t, dir), openStore(t, dir)
	pad := strings.Repeat("x", 3000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 150 {
			err := w.AppendAudit(t.Context(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
				data := make([][]byte, 4)
				for i := range data {
					data[i] = fmt.Appendf(nil, `{"n":%d,"pad":"%s"}`, lastSeq+1+int64(i), pad)
				}
				return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return trailT0 }, data...), nil
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	defer func() { <-done }() // the stores close after the writer stops
	for reads := 0; ; reads++ {
		select {
		case <-done:
			if all := readAll(t, r); len(all) != 600 || storetest.VerifyChain(0, nil, all) != nil {
				t.Errorf("after the appends: %d records", len(all))
			}
			t.Logf("%d reads while appending", reads)
			return
		default:
		}
		recs, err := r.AuditRecords(t.Context(), 0, math.MaxInt32)
		if err != nil {
			t.Fatalf("read %d: %v", reads, err)
		}
		if err := storetest.VerifyChain(0, nil, recs); err != nil {
			t.Fatalf("read %d: %d records: %v", reads, len(recs), err)
		}
		err = r.AuditBlocks(t.Context(), math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
			_, err := store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return nil })
			return err
		})
		if err != nil {
			t.Fatalf("read %d: verification's reading: %v", reads, err)
		}
	}
}
