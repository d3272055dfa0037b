package segment

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/sqlstore"
	"github.com/securecart/warden/internal/store/storetest"
)

// countSyncs replaces fdatasync for the test: it counts the appended
// segments' syncs and fails them with fail when set.
func countSyncs(t *testing.T) (n *atomic.Int64, fail *atomic.Pointer[error]) {
	n, fail = new(atomic.Int64), new(atomic.Pointer[error])
	real := fdatasync
	fdatasync = func(fd int) error {
		n.Add(1)
		if e := fail.Load(); e != nil {
			return *e
		}
		return real(fd)
	}
	t.Cleanup(func() { fdatasync = real })
	return n, fail
}

var syncT0 = time.Unix(1_800_000_000, 0)

// markEvery sets MarkEvery for the test.
func markEvery(t *testing.T, d time.Duration) {
	old := MarkEvery
	MarkEvery = d
	t.Cleanup(func() { MarkEvery = old })
}

// newTrail opens a trail on a new directory with its first segment.
func newTrail(t *testing.T, dir string, delay time.Duration) *Trail {
	t.Helper()
	tr, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr.SyncDelay = delay
	t.Cleanup(func() { tr.Close() })
	has, err := tr.HasSegments()
	if err != nil {
		t.Fatal(err)
	}
	if !has {
		if err := tr.Locked(func() error {
			return tr.Create(1, 0, nil, func(func(*store.AuditBlock) error) error { return nil })
		}); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

// appendFrames appends n frames of three records to tr and returns where
// each begins and ends.
func appendFrames(t *testing.T, tr *Trail, n int) [][2]int64 {
	t.Helper()
	var offs [][2]int64
	for range n {
		from, to, err := appendFrame(t, tr)
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, [2]int64{from, to})
	}
	return offs
}

// appendFrame appends one frame of three records of about 1,500 bytes
// (several sectors) and returns where it begins and ends in the segment.
func appendFrame(t *testing.T, tr *Trail) (from, to int64, err error) {
	t.Helper()
	err = tr.Append(func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		from = tr.end
		data := make([][]byte, 3)
		for i := range data {
			data[i] = fmt.Appendf(nil, `{"n":%d,"pad":"%s"}`, lastSeq+1+int64(i), strings.Repeat("x", 1500))
		}
		return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return syncT0 }, data...), nil
	}, func(int64, []byte, []store.AuditRecord) error { return nil })
	return from, tr.end, err
}

// head is the chain head another appender (another process) reads.
func head(t *testing.T, dir string) int64 {
	t.Helper()
	tr, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var h int64
	if err := tr.Locked(func() error {
		err := tr.catchUpLocked()
		h = tr.head
		return err
	}); err != nil {
		t.Fatalf("another appender: %v", err)
	}
	return h
}

// With SyncDelay 0 every append returns after its fdatasync, and no sync
// mark is written.
func TestSyncEveryAppend(t *testing.T) {
	n, _ := countSyncs(t)
	dir := t.TempDir()
	tr := newTrail(t, dir, 0)
	for i := 1; i <= 4; i++ {
		if _, _, err := appendFrame(t, tr); err != nil {
			t.Fatal(err)
		}
		if got := n.Load(); got != int64(i) {
			t.Fatalf("after %d appends, %d syncs", i, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, markName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a sync mark without background syncs: %v", err)
	}
}

// With SyncDelay, an append returns once its frame is written: another
// appender (another process, or this one after a kill) reads it once the
// background sync gives the flock up. One background sync, no earlier
// than the delay after the first append, covers every append before it,
// and moves the sync mark to where it reached; before the first append the
// mark says where the unsynced frames begin.
func TestSyncDelayed(t *testing.T) {
	markEvery(t, 0)
	n, _ := countSyncs(t)
	dir := t.TempDir()
	tr := newTrail(t, dir, 300*time.Millisecond)
	// The five appends come before the background sync however slow the
	// machine: the sync waits for smu, which the test holds meanwhile (a
	// sync due during the appends runs after them, still one for all).
	tr.smu.Lock()
	start := time.Now()
	from, _, err := appendFrame(t, tr)
	if err != nil {
		tr.smu.Unlock()
		t.Fatal(err)
	}
	var end int64
	for range 4 {
		if _, end, err = appendFrame(t, tr); err != nil {
			tr.smu.Unlock()
			t.Fatal(err)
		}
	}
	got := n.Load()
	tr.smu.Unlock()
	if got != 0 {
		t.Fatalf("%d syncs in the appends", got)
	}
	if m, ok := readMark(dir); !ok || m.Seg != 1 || m.Off != from {
		t.Errorf("mark before the first append = %+v, %v; want segment 1 at %d", m, ok, from)
	}
	if h := head(t, dir); h != 15 {
		t.Errorf("another appender reads the head at %d, want 15", h)
	}
	for n.Load() == 0 && time.Since(start) < 10*time.Second {
		time.Sleep(5 * time.Millisecond)
	}
	if got := n.Load(); got != 1 {
		t.Fatalf("%d background syncs for 5 appends, want 1", got)
	}
	if since := time.Since(start); since < 300*time.Millisecond {
		t.Errorf("synced %v after the first append, before the delay", since)
	}
	waitFor(t, func() bool { m, _ := readMark(dir); return m.Off == end })
	tr.mu.Lock()
	dirty := tr.dirty
	tr.mu.Unlock()
	if dirty != nil {
		t.Error("still dirty after the background sync")
	}
	// Sync with nothing written syncs nothing; Close syncs what is left.
	if err := tr.Sync(); err != nil || n.Load() != 1 {
		t.Errorf("Sync with nothing to sync: %v, %d syncs", err, n.Load())
	}
	tr.SyncDelay = time.Hour
	if _, end, err = appendFrame(t, tr); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("Close: %d syncs in all, want 2", got)
	}
	if m, _ := readMark(dir); m.Off != end {
		t.Errorf("mark after Close at %d, want the end %d", m.Off, end)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for start := time.Now(); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("timed out")
		}
	}
}

// A failed background sync sticks: the kernel may have dropped the pages,
// so a later sync would report success for data never on disk. Appends
// fail from then on.
func TestSyncFailureSticks(t *testing.T) {
	_, fail := countSyncs(t)
	dir := t.TempDir()
	tr := newTrail(t, dir, time.Hour)
	if _, _, err := appendFrame(t, tr); err != nil {
		t.Fatal(err)
	}
	eio := error(syscall.EIO)
	fail.Store(&eio)
	if err := tr.Sync(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Sync = %v, want EIO", err)
	}
	fail.Store(nil)
	if _, _, err := appendFrame(t, tr); err == nil || !strings.Contains(err.Error(), "sync") {
		t.Errorf("append after a failed sync = %v, want the sync's error", err)
	}
	if err := tr.Sync(); err == nil {
		t.Error("Sync after a failed sync: no error")
	}
}

// A machine crash loses the sectors written after the last sync in any
// order: a frame may be gone (zeros) while one after it is whole. After
// the sync mark that is the end of the trail: readers stop there and the
// next appender cuts the rest off and continues the chain. Before the
// mark, the same is a change (reader.unfinished).
func TestSyncMarkHole(t *testing.T) {
	for _, synced := range []bool{false, true} {
		t.Run(fmt.Sprintf("synced=%v", synced), func(t *testing.T) {
			markEvery(t, 0)
			dir := t.TempDir()
			tr := newTrail(t, dir, time.Hour)
			offs := appendFrames(t, tr, 3)
			if synced {
				if err := tr.Sync(); err != nil {
					t.Fatal(err)
				}
			}
			// The crash: the process gone without a sync (no Close), the
			// second frame's sectors lost, the third's kept.
			tr.mu.Lock()
			tr.cur.Close()
			tr.cur, tr.dirty = nil, nil
			tr.releaseLocked() // the kernel releases a dead process's flock
			tr.mu.Unlock()
			path := filepath.Join(dir, SegName(1))
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			clear(b[offs[1][0]:offs[1][1]])
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}

			r := newTrail(t, dir, 0)
			var blocks []int64
			err = r.Blocks(t.Context(), math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
				if _, err := store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return nil }); err != nil {
					return err
				}
				blocks = append(blocks, b.FirstSeq)
				return nil
			})
			_, _, aerr := appendFrame(t, r)
			if synced {
				if err == nil && len(blocks) == 3 || aerr == nil {
					t.Errorf("a frame zeroed before the mark: blocks %v (%v), append %v; want the change reported", blocks, err, aerr)
				}
				return
			}
			if err != nil || len(blocks) != 1 {
				t.Errorf("verification reads blocks %v, %v; want the first only", blocks, err)
			}
			if aerr != nil {
				t.Fatalf("append after the crash: %v", aerr)
			}
			if h := head(t, dir); h != 6 {
				t.Errorf("head %d after the append, want 6 (the first frame's 3 records and the new 3)", h)
			}
			after, _ := os.ReadFile(path)
			if bytes.Contains(after[offs[2][0]:], b[offs[2][0]:offs[2][1]]) {
				t.Error("the frame after the lost one is still in the segment")
			}
		})
	}
}

// Two appenders on one directory (two processes, each with its own flock)
// that both leave their syncs to the background: each keeps the flock
// between its appends until its background sync, the other waits for it
// and catches up. One unbroken chain, every frame in it.
func TestSyncDelayTwoAppenders(t *testing.T) {
	dir := t.TempDir()
	a := newTrail(t, dir, 2*time.Millisecond)
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b.SyncDelay = 2 * time.Millisecond
	t.Cleanup(func() { b.Close() })
	const each = 40
	errs := make(chan error, 2)
	for _, tr := range []*Trail{a, b} {
		go func() {
			for range each {
				if _, _, err := appendFrame(t, tr); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var last int64
	var frames int
	err = newTrail(t, dir, 0).Blocks(t.Context(), math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
		if _, err := store.ReadAuditBlock(b.Data, func(*store.AuditFrame) error { return nil }); err != nil {
			return err
		}
		if b.FirstSeq != last+1 {
			return fmt.Errorf("block %d-%d after record %d", b.FirstSeq, b.LastSeq, last)
		}
		last = b.LastSeq
		frames++
		return nil
	})
	if err != nil || frames != 2*each || last != 2*each*3 {
		t.Errorf("read %d frames up to record %d (%v), want %d up to %d", frames, last, err, 2*each, 2*each*3)
	}
}

// The frames an appender writes go into its process's read index as they
// are written (once the index has read the segment up to them): the index
// holds them without reading them back, and agrees with what another
// process reads from the file.
func TestAppendedFramesIndexed(t *testing.T) {
	dir := t.TempDir()
	tr := newTrail(t, dir, 0)
	appendFrame(t, tr)
	ixs, err := tr.index() // the index reads the first frame
	if err != nil {
		t.Fatal(err)
	}
	releaseAll(ixs)
	var want []Frame
	for range 3 {
		from, to, err := appendFrame(t, tr)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, Frame{Off: from, Hdr: FrameHeader, Len: to - from - FrameHeader})
	}
	tr.imu.Lock()
	ix := tr.segs[SegName(1)]
	got := slices.Clone(ix.frames)
	end := ix.end
	tr.imu.Unlock()
	if len(got) != 4 || end != want[2].End() {
		t.Fatalf("index after 4 appends: %d frames to %d, want 4 to %d", len(got), end, want[2].End())
	}
	other, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ixs, err = other.index()
	defer releaseAll(ixs)
	if err != nil || len(ixs) != 1 || !slices.Equal(ixs[0].frames, got) {
		t.Errorf("another process indexes %v (%v), this one holds %v", ixs, err, got)
	}
	for i, w := range want {
		if g := got[i+1]; g.Off != w.Off || g.Len != w.Len || g.FirstSeq != int64(4+3*i) || g.LastSeq != int64(6+3*i) {
			t.Errorf("frame %d indexed as %+v, want at %d, %d bytes, records %d-%d", i+1, g, w.Off, w.Len, 4+3*i, 6+3*i)
		}
	}
}

// The background syncs move the sync mark at most once per MarkEvery (a
// mark behind the syncs only leaves more of the end to the crash rules);
// Close moves it to the end.
func TestSyncMarkEvery(t *testing.T) {
	markEvery(t, time.Hour)
	dir := t.TempDir()
	tr := newTrail(t, dir, time.Hour)
	from, _, err := appendFrame(t, tr)
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := readMark(dir) // before the first append, at its start
	if err := tr.Sync(); err != nil {
		t.Fatal(err)
	}
	_, end, err := appendFrame(t, tr)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Sync(); err != nil {
		t.Fatal(err)
	}
	if m2, _ := readMark(dir); m2 != m1 || m1.Off != from {
		t.Errorf("marks %+v then %+v after two syncs within MarkEvery, want %d, unchanged", m1, m2, from)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := readMark(dir); m.Off != end {
		t.Errorf("mark after Close at %d, want the end %d", m.Off, end)
	}
}

// kill stands for the process of tr killed (kill -9): its segment closed
// without a sync, its flock given up by the kernel.
func kill(tr *Trail) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.cur != nil {
		tr.cur.Close()
	}
	tr.cur, tr.dirty = nil, nil
	tr.releaseLocked()
}

// A process that left its syncs to the background and was killed leaves
// frames no one synced; another process catches up over them (Head) and
// seals them with a digest. Sync, before the digest, syncs them: under the
// lock, after catching up, whenever the sync mark says the newest segment
// may hold unsynced frames, though this process wrote nothing.
func TestSyncAfterKilledAppender(t *testing.T) {
	markEvery(t, 0)
	n, _ := countSyncs(t)
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	var end int64
	for range 3 {
		var err error
		if _, end, err = appendFrame(t, a); err != nil {
			t.Fatal(err)
		}
	}
	kill(a)
	b := newTrail(t, dir, 0)
	if h, _, err := b.Head(); err != nil || h != 9 {
		t.Fatalf("head %d, %v; want 9", h, err)
	}
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Errorf("%d syncs before a digest sealing records 1-9, whose frames no one synced; want 1", n.Load())
	}
	if m, _ := readMark(dir); m.Seg != 1 || m.Off != end {
		t.Errorf("mark after the sync %+v, want segment 1 at %d", m, end)
	}
	// Synced, and the mark says so: the next Sync has nothing to do.
	if err := b.Sync(); err != nil || n.Load() != 1 {
		t.Errorf("Sync again: %v, %d syncs in all; want 1", err, n.Load())
	}
}

// The background syncer gives the flock up only when nothing is left
// unsynced: an append that comes while its fdatasync runs (after it took
// the segment to sync) leaves a frame that the sync did not cover, and the
// flock stays until the next background sync covers it. Otherwise another
// process could catch up over the frame and seal it unsynced.
func TestSyncerKeepsFlockWhileDirty(t *testing.T) {
	dir := t.TempDir()
	a := newTrail(t, dir, 5*time.Millisecond)
	real := fdatasync
	t.Cleanup(func() { fdatasync = real })
	var syncs atomic.Int64
	appended := make(chan error, 1)
	fdatasync = func(fd int) error {
		if syncs.Add(1) == 1 {
			// In the first background sync: an append meanwhile.
			appended <- appendN(a, 3)
		}
		return real(fd)
	}
	if err := appendN(a, 3); err != nil { // (appendFrame reads a.end unlocked)
		t.Fatal(err)
	}
	if err := <-appended; err != nil {
		t.Fatal(err)
	}
	// Another process takes the flock as soon as it is given up.
	if h := head(t, dir); h != 6 {
		t.Fatalf("head %d, want 6", h)
	}
	if got := syncs.Load(); got < 2 {
		t.Errorf("another process took the flock and read the second frame after %d syncs: the frame was never synced", got)
	}
}

// An append that fails (its records refused) after appends whose syncs
// were left to the background keeps the flock until their sync, as a
// successful one does: giving it up would let another process seal them
// unsynced.
func TestAppendFailureKeepsFlockWhileDirty(t *testing.T) {
	n, _ := countSyncs(t)
	dir := t.TempDir()
	a := newTrail(t, dir, 20*time.Millisecond)
	if _, _, err := appendFrame(t, a); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	err := a.Append(func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) { return nil, refused },
		func(int64, []byte, []store.AuditRecord) error { return nil })
	if !errors.Is(err, refused) {
		t.Fatalf("append = %v, want the build's error", err)
	}
	if h := head(t, dir); h != 3 {
		t.Fatalf("head %d, want 3", h)
	}
	if n.Load() != 1 {
		t.Errorf("another process read the head after %d syncs: the frame was not synced", n.Load())
	}
}

// An append of no record (build returns none) with the syncs left to the
// background gives the flock up when nothing is left to sync: no
// background sync is due to give it up, and other processes would wait for
// it forever.
func TestEmptyAppendReleasesFlock(t *testing.T) {
	dir := t.TempDir()
	a := newTrail(t, dir, time.Millisecond)
	err := a.Append(func(int64, []byte) ([]store.AuditRecord, error) { return nil, nil }, func(int64, []byte, []store.AuditRecord) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int64)
	go func() { done <- head(t, dir) }()
	select {
	case h := <-done:
		if h != 0 {
			t.Errorf("head %d, want 0", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("another process still waits for the flock 5 s after an append of no record")
	}
}

// A roll syncs the segment it ends, whoever wrote to it: frames a killed
// process left unsynced would otherwise stay so, as Sync (before a digest)
// syncs only the newest segment. Without preallocated zeros there is
// nothing to cut, and the roll used to sync only when it cut zeros.
func TestRollSyncsSegment(t *testing.T) {
	markEvery(t, 0)
	n, _ := countSyncs(t)
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	a.Prealloc = 0
	if _, _, err := appendFrame(t, a); err != nil {
		t.Fatal(err)
	}
	kill(a)
	b := newTrail(t, dir, 0)
	b.Prealloc, b.RollSize = 0, 1
	roll(t, b)
	if segs, _ := Segments(dir); len(segs) != 2 {
		t.Fatalf("segments %v, want 2", segs)
	}
	if n.Load() != 1 {
		t.Errorf("%d syncs in the roll, want 1", n.Load())
	}
}

// Close moves the sync mark to the end this process knows only after a
// sync of the segment, though it left nothing to sync itself: that end may
// take in a killed process's frames that no one synced.
func TestCloseSyncsBeforeMark(t *testing.T) {
	markEvery(t, 0)
	n, _ := countSyncs(t)
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	if _, _, err := appendFrame(t, a); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(); err != nil { // nothing dirty in a from here on
		t.Fatal(err)
	}
	a.mu.Lock()
	a.releaseLocked()
	a.mu.Unlock()
	c := newTrail(t, dir, time.Hour)
	_, cEnd, err := appendFrame(t, c)
	if err != nil {
		t.Fatal(err)
	}
	kill(c)                                // its frame never synced
	if _, _, err := a.Head(); err != nil { // a catches up over c's frame
		t.Fatal(err)
	}
	before := n.Load()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	m, _ := readMark(dir)
	if m.Off != cEnd {
		t.Errorf("mark after Close at %d, want the end %d", m.Off, cEnd)
	}
	if n.Load() == before {
		t.Error("Close moved the mark past a frame no one synced, without a sync")
	}
}

// A segment after the sync mark's holds only synced frames (an appender
// that leaves its syncs to the background marks a segment before its
// first unsynced write there), so it is read by the rules before the
// mark: a frame zeroed in the middle of it is a change, not a crash's
// loss. Before, every segment after the mark's was read as if its frames
// might be unsynced anywhere, and a mark left once by a background-sync
// appender (never moved by appenders that sync each append) let the next
// appender cut off the synced, acknowledged frames after a zeroed one.
func TestSegmentAfterMarkStrict(t *testing.T) {
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	if _, _, err := appendFrame(t, a); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil { // the mark at the end of segment 1
		t.Fatal(err)
	}
	b := newTrail(t, dir, 0) // syncing each append from now on
	b.RollSize = 1
	if _, _, err := appendFrame(t, b); err != nil {
		t.Fatal(err)
	}
	roll(t, b)
	offs := appendFrames(t, b, 4)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	name := SegName(7)
	if m, _ := readMark(dir); m.Seg != 1 {
		t.Fatalf("mark %+v, want in segment 1", m)
	}
	if h := holesFrom(dir, name); h != math.MaxInt64 {
		t.Errorf("holesFrom(%s) = %d, want none", name, h)
	}
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	clear(data[offs[1][0]:offs[1][1]]) // the second of four synced frames
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := newTrail(t, dir, 0)
	if _, _, err := appendFrame(t, c); err == nil || !strings.Contains(err.Error(), "verify the trail") {
		t.Errorf("append after a synced frame was zeroed = %v, want it refused (verify the trail)", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
		t.Error("the appender changed the segment")
	}
}

// Before its first unsynced write to a segment an appender makes the sync
// mark cover it: a mark in another segment (even a later one) or after the
// append's offset in the same segment is moved back to it. Left there, the
// mark would have the appended frames read as synced ones.
func TestMarkBeforeAppend(t *testing.T) {
	for _, m := range []Mark{{Seg: 100, Off: 13}, {Seg: 1, Off: 1 << 40}} {
		t.Run(fmt.Sprintf("%+v", m), func(t *testing.T) {
			dir := t.TempDir()
			a := newTrail(t, dir, time.Hour)
			if err := writeMark(dir, m); err != nil {
				t.Fatal(err)
			}
			from, _, err := appendFrame(t, a)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := readMark(dir); got != (Mark{Seg: 1, Off: from}) {
				t.Errorf("mark after the append %+v, want segment 1 at %d", got, from)
			}
		})
	}
}

// tearSector zeroes one whole sector of the data of the frame [from, to)
// in segment 1 of dir, as a machine crash can lose it while the sectors
// around it, and the frames after it, reached the disk.
func tearSector(t *testing.T, dir string, from, to int64) {
	t.Helper()
	path := filepath.Join(dir, SegName(1))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := (from+FrameHeader+sector-1)/sector*sector + sector
	if s+sector > to {
		t.Fatalf("no whole sector inside the frame's data %d-%d", from, to)
	}
	clear(b[s : s+sector])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// After the sync mark a machine crash can lose a sector in the middle of
// a frame and keep the frames after it. The read index checks the
// checksum of every frame there, though another frame's mark follows it
// (before the mark, stepping over such a frame is enough), so that a
// lookup never returns records with the lost sector's zeros in them: the
// torn frame is the end of the trail, as the next appender finds too.
func TestTornFrameAfterMarkNotRead(t *testing.T) {
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	offs := appendFrames(t, a, 3)
	kill(a)
	tearSector(t, dir, offs[1][0], offs[1][1])
	r, err := Open(dir) // a reader in a new process
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, err := r.Records(1, 100, sqlstore.BlockRecords)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if bytes.IndexByte(rec.Data, 0) >= 0 {
			t.Errorf("record %d read with the lost sector's zeros in it", rec.Seq)
		}
	}
	if len(recs) != 3 {
		t.Errorf("%d records read, want the first frame's 3", len(recs))
	}
	if h := head(t, dir); h != 3 {
		t.Errorf("the next appender's head %d, want 3", h)
	}
}

// When the appender cuts an unfinished write off the end of a segment,
// the read index of its process reads the segment again: it may hold
// frames past the cut (here read before a crash tore the second frame,
// standing for any reading of the segment that went further than the
// appender's), whose bytes the next frame overwrites.
func TestCutDropsIndexedFrames(t *testing.T) {
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	offs := appendFrames(t, a, 3)
	if recs, err := a.Records(1, 100, sqlstore.BlockRecords); err != nil || len(recs) != 9 {
		t.Fatalf("%d records, %v; want 9", len(recs), err)
	}
	kill(a)
	tearSector(t, dir, offs[1][0], offs[1][1])
	if _, _, err := appendFrame(t, a); err != nil { // cuts frames 2 and 3 off, then appends records 4-6
		t.Fatal(err)
	}
	recs, err := a.Records(1, 100, sqlstore.BlockRecords)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, rec := range recs {
		seqs = append(seqs, rec.Seq)
	}
	if !slices.Equal(seqs, []int64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("records %v after the cut and an append, want 1-6", seqs)
	}
}

// A sync mark that cannot be written after a successful sync only leaves
// the mark behind the syncs, which is safe: it does not stick, and appends
// go on (only the mark before an append's unsynced writes must fail it).
func TestMarkFailureAfterSyncDoesNotStick(t *testing.T) {
	markEvery(t, 0)
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	if _, _, err := appendFrame(t, a); err != nil {
		t.Fatal(err)
	}
	m1, _ := readMark(dir)
	// The mark can no longer be written: a directory in its place.
	path := filepath.Join(dir, markName)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(); err != nil {
		t.Errorf("Sync = %v: the frames are synced, only the mark lags", err)
	}
	_, end, err := appendFrame(t, a)
	if err != nil {
		t.Fatalf("append after a mark that could not be written: %v", err)
	}
	a.syncBackground()
	a.mu.Lock()
	serr := a.syncErr
	a.mu.Unlock()
	if serr != nil {
		t.Fatalf("the trail refuses appends: %v", serr)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := writeMark(dir, m1); err != nil { // as it was
		t.Fatal(err)
	}
	if err := a.Sync(); err != nil { // the mark is moved again
		t.Fatal(err)
	}
	if m, ok := readMark(dir); !ok || m.Off != end {
		t.Errorf("mark %+v, %v after the next sync, want at %d", m, ok, end)
	}
}

// The background sync takes the segment to sync under t.mu and syncs it
// without: a roll closing the segment meanwhile (or a failed write
// abandoning it) must not make the sync fail with a closed file, an
// error that would stick and refuse every append after.
func TestBackgroundSyncWhileRolling(t *testing.T) {
	dir := t.TempDir()
	a := newTrail(t, dir, time.Hour)
	a.RollSize = 1
	if _, _, err := appendFrame(t, a); err != nil {
		t.Fatal(err)
	}
	testHookBackgroundSync = func() {
		testHookBackgroundSync = nil
		roll(t, a) // closes the segment the sync took
	}
	t.Cleanup(func() { testHookBackgroundSync = nil })
	a.syncBackground()
	if segs, _ := Segments(dir); len(segs) != 2 {
		t.Fatalf("segments %v, want 2 after the roll", segs)
	}
	if _, _, err := appendFrame(t, a); err != nil {
		t.Errorf("append after a background sync during a roll: %v", err)
	}
}
