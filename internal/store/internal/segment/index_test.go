package segment

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/sqlstore"
	"github.com/securecart/warden/internal/store/storetest"
)

// seqTime is record seq's time in the read index's tests: a second apart.
func seqTime(seq int64) time.Time { return syncT0.Add(time.Duration(seq) * time.Second) }

// cachedSegments sets CachedSegments for the test.
func cachedSegments(t *testing.T, n int) {
	old := CachedSegments
	CachedSegments = n
	t.Cleanup(func() { CachedSegments = old })
}

// appendN appends one frame of n records (times from seqTime).
func appendN(tr *Trail, n int) error {
	return tr.Append(func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		data := make([][]byte, n)
		for i := range data {
			data[i] = fmt.Appendf(nil, `{"seq":%d}`, lastSeq+1+int64(i))
		}
		return storetest.Chain(lastSeq, lastHash, seqTime, data...), nil
	}, func(int64, []byte, []store.AuditRecord) error { return nil })
}

func appendRecs(t *testing.T, tr *Trail, n int) {
	t.Helper()
	if err := appendN(tr, n); err != nil {
		t.Fatal(err)
	}
}

// roll begins a new segment after the head.
func roll(t *testing.T, tr *Trail) {
	t.Helper()
	head, _, err := tr.Head()
	if err == nil {
		err = tr.Roll(head)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// writeSegments writes nseg segments of framesPer frames of recsPer
// records each, rolling after each (RollSize 1), so that records
// (s*framesPer+f)*recsPer+1 on are segment s's frame f.
func writeSegments(t *testing.T, tr *Trail, nseg, framesPer, recsPer int) {
	t.Helper()
	tr.RollSize = 1
	for s := range nseg {
		for range framesPer {
			appendRecs(t, tr, recsPer)
		}
		if s < nseg-1 {
			roll(t, tr)
		}
	}
	if segs, _ := Segments(tr.dir); len(segs) != nseg {
		t.Fatalf("%d segments, want %d", len(segs), nseg)
	}
}

// held reports how many segments' frames the read index holds (and
// checks that the cached ones are those).
func held(t *testing.T, tr *Trail) int {
	t.Helper()
	tr.imu.Lock()
	defer tr.imu.Unlock()
	n := 0
	for name, ix := range tr.segs {
		if ix.f != nil {
			n++
		}
		if (ix.f != nil) != (ix.newest || slices.Contains(tr.lru, name)) {
			t.Errorf("segment %s: held %v, newest %v, cached %v", name, ix.f != nil, ix.newest, tr.lru)
		}
	}
	return n
}

// wantSeqs checks that recs are the records first, first+step, ... (n of
// them), each with its own data and time.
func wantSeqs(t *testing.T, what string, recs []store.AuditRecord, first, step int64, n int) {
	t.Helper()
	if len(recs) != n {
		t.Errorf("%s: %d records, want %d", what, len(recs), n)
	}
	for i, r := range recs[:min(n, len(recs))] {
		seq := first + int64(i)*step
		if r.Seq != seq || string(r.Data) != fmt.Sprintf(`{"seq":%d}`, seq) || !r.Time.Equal(seqTime(seq)) {
			t.Errorf("%s: record %d is %d %s at %v, want %d", what, i, r.Seq, r.Data, r.Time, seq)
			return
		}
	}
}

// However many segments the trail holds, the read index holds the frames
// of the newest and of at most CachedSegments older ones, the most
// recently read, and a summary of the others: every reader that goes
// through the segments (lookups by record number and by time, forward and
// backward, Scan, Times, Blocks, retention) reads their frames again when
// it needs them, and reads what it read with every frame held.
func TestIndexBounded(t *testing.T) {
	const nseg, framesPer, recsPer = 12, 5, 4
	const total = nseg * framesPer * recsPer
	for _, cached := range []int{0, 2} {
		t.Run(fmt.Sprintf("cached=%d", cached), func(t *testing.T) {
			cachedSegments(t, cached)
			tr := newTrail(t, t.TempDir(), 0)
			writeSegments(t, tr, nseg, framesPer, recsPer)
			bound := func(what string) {
				t.Helper()
				if n := held(t, tr); n > 1+cached {
					t.Errorf("after %s the index holds the frames of %d segments, want at most %d", what, n, 1+cached)
				}
			}
			bound("writing")

			// By record number, forward, from each segment.
			for from := int64(1); from <= total; from += 37 {
				recs, err := tr.Records(from, 30, sqlstore.BlockRecords)
				if err != nil {
					t.Fatal(err)
				}
				wantSeqs(t, fmt.Sprintf("Records(%d)", from), recs, from, 1, int(min(30, total-from+1)))
				bound(fmt.Sprintf("Records(%d)", from))
			}
			// Scan of everything from the block holding record 50 on.
			var next int64 = 49 // the block of records 49-52
			err := tr.Scan(50, func(b store.AuditBlock) (bool, error) {
				if b.FirstSeq != next || b.LastSeq != next+recsPer-1 {
					return false, fmt.Errorf("block %d-%d, want it to begin at %d", b.FirstSeq, b.LastSeq, next)
				}
				next = b.LastSeq + 1
				return true, nil
			})
			if err != nil || next != total+1 {
				t.Errorf("Scan(50): up to %d, %v; want every block to %d", next-1, err, total)
			}
			bound("Scan")
			// By time, newest first (backward): a window in the oldest
			// segments, then the whole trail.
			recs, err := tr.RecordsByTime(seqTime(5), seqTime(45), 0, 1000, sqlstore.BlockRecords)
			if err != nil {
				t.Fatal(err)
			}
			wantSeqs(t, "RecordsByTime(5-45)", recs, 44, -1, 40)
			bound("RecordsByTime")
			recs, err = tr.RecordsByTime(seqTime(0), seqTime(total+1), total-7, 1000, sqlstore.BlockRecords)
			if err != nil {
				t.Fatal(err)
			}
			wantSeqs(t, "RecordsByTime(all, before the last 8)", recs, total-8, -1, total-8)
			bound("RecordsByTime")
			// The time range of the frames beginning in a range.
			lo, hi, err := tr.Times(21, 60)
			if err != nil || !lo.Equal(seqTime(21)) || !hi.Equal(seqTime(60)) {
				t.Errorf("Times(21, 60) = %v-%v, %v; want %v-%v", lo, hi, err, seqTime(21), seqTime(60))
			}
			bound("Times")
			// Verification reads the files, not the index.
			var blocks int
			err = tr.Blocks(t.Context(), math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
				if b.FirstSeq != int64(blocks)*recsPer+1 {
					return fmt.Errorf("block %d begins at %d", blocks, b.FirstSeq)
				}
				blocks++
				return nil
			})
			if err != nil || blocks != nseg*framesPer {
				t.Errorf("Blocks: %d, %v; want %d", blocks, err, nseg*framesPer)
			}
			bound("Blocks")
			// Retention removes the oldest three segments whole.
			n, err := tr.DeleteThrough(3 * framesPer * recsPer)
			if err != nil || n != 3*framesPer*recsPer {
				t.Fatalf("DeleteThrough = %d, %v; want %d", n, err, 3*framesPer*recsPer)
			}
			bound("DeleteThrough")
			recs, err = tr.Records(1, total, sqlstore.BlockRecords)
			if err != nil {
				t.Fatal(err)
			}
			wantSeqs(t, "Records after retention", recs, 3*framesPer*recsPer+1, 1, total-3*framesPer*recsPer)
			if n := held(t, tr); cached > 0 && n != 1+cached {
				t.Errorf("after reading every segment the index holds %d segments' frames, want %d", n, 1+cached)
			}
			// The appender still adds its frames to the newest segment's.
			appendRecs(t, tr, recsPer)
			recs, err = tr.RecordsByTime(seqTime(total-1), seqTime(total+10), 0, 10, sqlstore.BlockRecords)
			if err != nil {
				t.Fatal(err)
			}
			wantSeqs(t, "RecordsByTime after an append", recs, total+recsPer, -1, recsPer+2)
			bound("an append")
		})
	}
}

// The summary of a segment whose frames the index no longer holds is read
// again when its file changes: here replaced under the same name by one of
// the same size whose records' times differ (only the inode number tells).
func TestIndexSummaryFollowsFile(t *testing.T) {
	cachedSegments(t, 0)
	dir := t.TempDir()
	tr := newTrail(t, dir, 0)
	writeSegments(t, tr, 3, 2, 3)
	if _, _, err := tr.Times(1, 100); err != nil { // indexes every segment
		t.Fatal(err)
	}
	path := filepath.Join(dir, SegName(1))
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	later := func(seq int64) time.Time { return seqTime(seq).Add(1000 * time.Hour) }
	err = createSegment(dir, 1, 0, nil, func(put func(b *store.AuditBlock) error) error {
		var lastHash []byte
		for first := int64(1); first <= 6; first += 3 {
			data := [][]byte{fmt.Appendf(nil, `{"seq":%d}`, first), fmt.Appendf(nil, `{"seq":%d}`, first+1), fmt.Appendf(nil, `{"seq":%d}`, first+2)}
			recs := storetest.Chain(first-1, lastHash, later, data...)
			lastHash = recs[2].Hash
			b, err := store.AuditBlockRecords(nil, recs)
			if err != nil {
				return err
			}
			if err := put(&b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(path); err != nil || after.Size() != before.Size() {
		t.Fatalf("the replaced segment: %v, %v; want %d bytes as before", after, err, before.Size())
	}
	recs, err := tr.RecordsByTime(later(1), later(7), 0, 100, sqlstore.BlockRecords)
	if err != nil || len(recs) != 6 || recs[0].Seq != 6 || !recs[0].Time.Equal(later(6)) {
		t.Errorf("RecordsByTime over the replaced segment's times: %d records (%v); want records 6 to 1", len(recs), err)
	}
}

// Retention deleting a segment while a reader goes through it: the index
// forgets the segment (another reader lists the segments again) but the
// file stays open until the reader is done, which reads on as if
// nothing happened (the records were there when it began).
func TestReadWhileRetentionDeletes(t *testing.T) {
	tr := newTrail(t, t.TempDir(), 0)
	tr.RollSize = 1
	for range 3 {
		for range 4 {
			if _, _, err := appendFrame(t, tr); err != nil {
				t.Fatal(err)
			}
		}
		head, _, err := tr.Head()
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Roll(head); err != nil {
			t.Fatal(err)
		}
	}
	var next int64 = 1
	err := tr.Scan(1, func(b store.AuditBlock) (bool, error) {
		if _, err := store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return nil }); err != nil {
			return false, err
		}
		if b.FirstSeq != next {
			return false, fmt.Errorf("block %d-%d, want it to begin at %d", b.FirstSeq, b.LastSeq, next)
		}
		next = b.LastSeq + 1
		if b.FirstSeq == 1 {
			// Retention deletes the first segment (records 1-12), and
			// another reader lists the segments.
			if n, err := tr.DeleteThrough(12); err != nil || n != 12 {
				return false, fmt.Errorf("DeleteThrough(12) = %d, %v", n, err)
			}
			if _, _, err := tr.Times(1, 100); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil || next != 37 {
		t.Errorf("Scan while retention deletes: up to record %d, %v; want every record to 36", next-1, err)
	}
}

// Readers, an appender that rolls and retention at once (go test -race):
// none fails, and each returns its records in order, each with its data.
// (A segment that retention deletes before a reader gets to it is passed
// over: its records are gone.)
func TestIndexConcurrent(t *testing.T) {
	cachedSegments(t, 1)
	tr := newTrail(t, t.TempDir(), 0)
	writeSegments(t, tr, 4, 3, 4)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Add(1)
	go func() { // the appender, rolling every 3 frames, deleting all but the newest 3 segments
		defer wg.Done()
		defer close(stop)
		for i := range 60 {
			err := appendN(tr, 4)
			if err == nil && i%3 == 2 {
				var head int64
				if head, _, err = tr.Head(); err == nil {
					err = tr.Roll(head)
				}
				if segs, _ := Segments(tr.dir); err == nil && len(segs) > 3 {
					first, _ := segFirst(segs[len(segs)-3])
					_, err = tr.DeleteThrough(first - 1)
				}
			}
			if err != nil {
				errs <- fmt.Errorf("appender: %w", err)
				return
			}
		}
	}()
	run := func(what string, read func() ([]store.AuditRecord, error), dir int64) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			recs, err := read()
			if err == nil {
				for i := 1; i < len(recs); i++ {
					if (recs[i].Seq-recs[i-1].Seq)*dir <= 0 || string(recs[i].Data) != fmt.Sprintf(`{"seq":%d}`, recs[i].Seq) {
						err = fmt.Errorf("record %d after %d", recs[i].Seq, recs[i-1].Seq)
						break
					}
				}
			}
			if err != nil {
				errs <- fmt.Errorf("%s: %w", what, err)
				return
			}
		}
	}
	wg.Add(3)
	go run("Records", func() ([]store.AuditRecord, error) { return tr.Records(1, 1000, sqlstore.BlockRecords) }, 1)
	go run("RecordsByTime", func() ([]store.AuditRecord, error) {
		return tr.RecordsByTime(seqTime(0), seqTime(1<<20), 0, 1000, sqlstore.BlockRecords)
	}, -1)
	go run("Times", func() ([]store.AuditRecord, error) { _, _, err := tr.Times(1, 1<<20); return nil, err }, 1)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := held(t, tr); n > 2 {
		t.Errorf("the index holds %d segments' frames, want at most 2", n)
	}
}

// After a roll, the segment it ended is an older segment of the read
// index, cached as one (or dropped beyond CachedSegments), even for a
// reader whose listing of the segments is from before the roll and names
// it the newest: the index holds the frames of at most the newest segment
// and CachedSegments others. (TestIndexConcurrent failed now and then
// with 3 segments held against 2.)
func TestIndexNewestAfterRoll(t *testing.T) {
	cachedSegments(t, 0)
	tr := newTrail(t, t.TempDir(), 0)
	writeSegments(t, tr, 2, 1, 2)
	ixs, err := tr.index() // segment 3 the newest, held
	if err != nil {
		t.Fatal(err)
	}
	releaseAll(ixs)
	stale, err := Segments(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	roll(t, tr)
	appendRecs(t, tr, 2)
	ixs, err = tr.index() // segment 5 the newest
	if err != nil {
		t.Fatal(err)
	}
	releaseAll(ixs)
	if n := held(t, tr); n != 1 {
		t.Errorf("after the roll the index holds %d segments' frames, want 1", n)
	}
	// A reader whose listing is from before the roll.
	ix, err := tr.look(stale[len(stale)-1], true, false)
	if err != nil {
		t.Fatal(err)
	}
	ix.release()
	if n := held(t, tr); n != 1 {
		t.Errorf("after a reader listed before the roll the index holds %d segments' frames, want 1", n)
	}
	recs, err := tr.Records(1, 100, sqlstore.BlockRecords)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, "Records", recs, 1, 1, 6)
}

// openDeleted counts this process's descriptors of files in dir that were
// deleted.
func openDeleted(t *testing.T, dir string) (n int) {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	for _, e := range ents {
		l, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err == nil && strings.HasPrefix(l, dir+"/") && strings.HasSuffix(l, " (deleted)") {
			n++
		}
	}
	return n
}

// Retention's deleted segments leave the read index at once: their files
// are closed (their disk space freed) without waiting for a reader to
// list the segments again, while appends go on.
func TestDeletedSegmentsClosed(t *testing.T) {
	dir := t.TempDir()
	tr := newTrail(t, dir, 0)
	writeSegments(t, tr, 4, 2, 3)
	if _, _, err := tr.Times(1, 100); err != nil { // the index opens every segment
		t.Fatal(err)
	}
	if _, err := tr.DeleteThrough(18); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		appendRecs(t, tr, 3)
	}
	if n := openDeleted(t, dir); n != 0 {
		t.Errorf("%d deleted segment files still open after retention", n)
	}
}
