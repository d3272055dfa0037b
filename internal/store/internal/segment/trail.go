package segment

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/securecart/warden/internal/store"
)

// DefaultRollSize is how large a segment grows before the next digest
// begins a new one.
const DefaultRollSize = 64 << 20

// DefaultPrealloc is how many bytes of zeros an appender writes ahead of
// the newest segment's last frame when a frame does not fit in the zeros
// written before.
const DefaultPrealloc = 1 << 20

// MarkEvery is how often the background syncs move the sync mark.
var MarkEvery = time.Second

// fdatasync syncs an appended segment's data (a variable for tests that
// count syncs or make them fail).
var fdatasync = unix.Fdatasync

// Trail is the audit trail of one directory. Safe for concurrent use.
type Trail struct {
	dir      string
	lock     *os.File
	RollSize int64 // a digest ending at the head begins a new segment once the newest holds this many bytes
	Prealloc int64 // zeros written ahead of the newest segment's frames (0: none; the file grows with each append)

	mu   sync.Mutex // appenders, rolls and deletions in this process (the flock excludes other processes)
	cur  *os.File   // the newest segment, as the appender knows it
	name int64      // its first record number
	file string     // its file name (SegName(name))
	end  int64      // where its last complete frame ends
	size int64      // its size: from end on, zeros
	head int64      // the chain head: the last record's number and hash
	hash []byte
	buf  []byte // the frame being written
	zero []byte // Prealloc zeros

	// SyncDelay, when positive, lets Append return once its frame is
	// written to the segment (in the kernel's page cache, where it
	// survives the process being killed) and leaves the fdatasync to a
	// background sync at most SyncDelay later, one for all the appends in
	// between; zero syncs in Append. Set before the first Append.
	SyncDelay time.Duration
	dirty     *os.File      // the segment written to since its last fdatasync (nil: none); always cur; the flock is held while set
	syncErr   error         // a failed fdatasync: the kernel may have dropped the writes, so appends fail from then on
	kicked    bool          // a background sync is due
	kick      chan struct{} // wakes the background syncer
	stop      chan struct{} // stops it
	stopped   chan struct{}
	smu       sync.Mutex // one Sync at a time
	mmu       sync.Mutex // the sync mark's updates in this process
	markedAt  time.Time  // the last one
	held      bool       // this process keeps the flock between appends (SyncDelay)
	fresh     bool       // held since the last catch-up, nothing else changed the segments: an append need not catch up
	marked    int64      // the segment this process made the sync mark durable for before appending to it (0: none)

	imu  sync.Mutex          // the read index (see index.go)
	segs map[string]*indexed // every segment's, by name
	top  string              // the newest segment the read index was asked about as the newest (see look)
	lru  []string            // the older segments whose frames it holds, the most recently read first
}

var errFirstFrame = errors.New("first record")

// ErrNoTrail is returned when the directory holds no segment.
var ErrNoTrail = errors.New("the audit trail has no segment")

// Open opens (creating) dir and its lock file. It reads nothing else: Init
// creates the first segment of a new trail.
func Open(dir string) (*Trail, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &Trail{dir: dir, lock: lock, RollSize: DefaultRollSize, Prealloc: DefaultPrealloc, segs: map[string]*indexed{}}, nil
}

// Dir is the trail's directory.
func (t *Trail) Dir() string { return t.dir }

// Close closes the files.
func (t *Trail) Close() error {
	t.mu.Lock()
	if t.stop != nil {
		close(t.stop)
		t.mu.Unlock()
		<-t.stopped
		t.mu.Lock()
		t.stop = nil
	}
	defer t.mu.Unlock()
	t.imu.Lock()
	defer t.imu.Unlock()
	var errs []error
	if t.cur != nil {
		if t.marked != 0 || t.dirty != nil {
			// The mark to the end (the background syncs may have left it
			// behind), after a sync of the segment whatever this process
			// wrote to it: the end may take in frames of another process
			// (killed) that it caught up over and no one synced.
			err := t.syncCurLocked()
			if err == nil {
				err = t.markSyncedLocked(true)
			}
			errs = append(errs, err)
		}
		errs = append(errs, t.closeCurLocked())
	}
	t.releaseLocked()
	for name := range t.segs {
		t.dropLocked(name) // a file is closed once the readers still going through it are done
	}
	errs = append(errs, t.lock.Close())
	return errors.Join(errs...)
}

// Locked runs fn holding the trail's lock (in this process and the flock).
// fn may change the segments (a roll, a deletion): the next append catches
// up first.
func (t *Trail) Locked(fn func() error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fresh = false
	if !t.held {
		if err := lockFile(t.lock); err != nil {
			return fmt.Errorf("audit trail %s: lock: %w", t.dir, err)
		}
		defer unlockFile(t.lock)
	}
	return fn()
}

// releaseLocked gives up the flock that appends with their syncs left to
// the background keep between them (see Append).
func (t *Trail) releaseLocked() {
	if t.held {
		unlockFile(t.lock)
		t.held, t.fresh = false, false
	}
}

// Repair finishes a retention that a crash interrupted (see repairLocked);
// call it under Locked.
func (t *Trail) Repair() error { return t.repairLocked() }

// HasSegments reports whether the trail holds a segment.
func (t *Trail) HasSegments() (bool, error) {
	segs, err := Segments(t.dir)
	return len(segs) > 0, err
}

// Create writes the first segment (to be called under Locked when
// HasSegments is false): it begins after prevSeq and prevHash and holds
// blocks, each as stored (their columns are not derived again, so that
// tampering done before shows after).
func (t *Trail) Create(first, prevSeq int64, prevHash []byte, blocks func(put func(b *store.AuditBlock) error) error) error {
	return createSegment(t.dir, first, prevSeq, prevHash, blocks)
}

// catchUpLocked brings the appender's head up to the file: it opens the
// newest segment, reads the frames others appended since (a statx and a
// read of the header at the end it knew), cuts off an unfinished write at
// the end, and follows to a segment begun after.
func (t *Trail) catchUpLocked() error {
	if t.cur == nil {
		segs, err := Segments(t.dir)
		if err != nil {
			return err
		}
		if len(segs) == 0 {
			return fmt.Errorf("audit trail %s: %w (the segments were removed: verify the trail)", t.dir, ErrNoTrail)
		}
		if err := t.openCurLocked(segs[len(segs)-1]); err != nil {
			return err
		}
	}
	for {
		size, nlink, err := sizeLinks(t.cur)
		if err != nil {
			return err
		}
		if nlink == 0 {
			// Replaced (DeleteThrough in another process): read the
			// directory again.
			if err := t.closeCurLocked(); err != nil {
				return err
			}
			return t.catchUpLocked()
		}
		if err := t.readTailLocked(size, true); err != nil {
			return err
		}
		// A segment begun after the head (a roll in another process).
		// A roll cuts the zeros off the segment it ends before it begins
		// the next (under the lock, as this look is), so while zeros
		// follow the last frame no roll has happened: no look for the
		// next segment, which cost a path lookup per append (1.1% of
		// serve's CPU under GetCallerIdentity).
		if t.name == t.head+1 || t.size > t.end {
			return nil
		}
		next := filepath.Join(t.dir, SegName(t.head+1))
		if _, err := os.Stat(next); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := t.closeCurLocked(); err != nil {
			return err
		}
		if err := t.openCurLocked(SegName(t.head + 1)); err != nil {
			return err
		}
	}
}

// openCurLocked opens segment name as the one appended to and reads it.
func (t *Trail) openCurLocked(name string) error {
	first, _ := segFirst(name)
	f, err := os.OpenFile(filepath.Join(t.dir, name), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	h, err := readSegHeader(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("audit trail segment %s: %v (verify the trail)", name, err)
	}
	t.cur, t.name, t.file, t.end, t.head, t.hash = f, first, name, h.len, h.prevSeq, h.prevHash
	size, _, err := sizeLinks(f)
	if err != nil {
		return err
	}
	return t.readTailLocked(size, false)
}

// readTailLocked reads the frames of the current segment from t.end to
// size, moving the head to the last one, and cuts off an unfinished write
// after them (what is not zero: the zeros written ahead stay). quick is
// frameAt's: an appender that has the segment open already.
func (t *Trail) readTailLocked(size int64, quick bool) error {
	name := t.file
	if size < t.end {
		// Shorter than what was read: changed outside the trail. Read it
		// again from the start.
		if err := t.closeCurLocked(); err != nil {
			return err
		}
		return t.openCurLocked(name)
	}
	r := &reader{f: t.cur, size: size, holesFrom: func() int64 { return holesFrom(t.dir, name) }}
	var last *Frame
	off := t.end
	for off < size {
		how := atTail
		if quick {
			how |= atQuick
		}
		fr, stat, err := r.frameAt(off, how)
		if err != nil {
			return err
		}
		if stat == frameOK {
			last = &fr
			off = fr.End()
			continue
		}
		if stat != frameEnd {
			return fmt.Errorf("audit trail segment %s: no frame at byte %d (verify the trail)", name, off)
		}
		h, err := r.at(off, FrameHeader, 0)
		if err != nil {
			return err
		}
		zero := quick && allZero(h)
		if !zero {
			if zero, err = r.zeros(off); err != nil {
				return err
			}
		}
		if !zero {
			// An unfinished write: never acknowledged, or (after the sync
			// mark) written with its sync left to the background and
			// lost with the machine. Cut it off.
			if err := t.cur.Truncate(off); err != nil {
				return err
			}
			if err := unix.Fdatasync(int(t.cur.Fd())); err != nil {
				return err
			}
			size = off
			// The read index of this process may hold frames past the
			// cut: it reads the segment again.
			t.forget(name)
		}
		break
	}
	if last != nil {
		data, err := r.at(last.DataOff(), last.Len, 0)
		if err != nil {
			return err
		}
		h, seq, err := lastHash(data)
		if err != nil {
			return fmt.Errorf("audit trail segment %s: the block at byte %d cannot be read (verify the trail): %v", name, last.Off, err)
		}
		t.head, t.hash = seq, h
	}
	t.end, t.size = off, size
	return nil
}

// Append implements store.Store's AppendAudit: under the lock, the head
// caught up, build's records checked by check, framed, written with one
// write after the newest segment's last frame and synced with one
// fdatasync (with SyncDelay, by the background sync). The frame overwrites
// zeros written ahead; when it does not fit in them, the same write puts
// Prealloc bytes of zeros after it.
//
// With SyncDelay, the flock is kept from one append to the next until a
// background sync leaves nothing this process wrote unsynced, and then
// given up (also after an append that failed or appended nothing: the
// flock is held exactly while a frame awaits its background sync), so
// that no other process catches up over an unsynced frame of this one
// while it runs. Other processes wait for it: flock is
// not fair, and this appender may take it again first, so under a steady
// load the wait is a few syncs (3-85 ms in a loop appending without pause
// at a 10 ms delay). While it is held no other process can append, so
// the appends after the first skip catching up (a statx and a read at the
// end, and the flock and its release: 40% of an append's CPU at small
// groups).
func (t *Trail) Append(build func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error), check func(int64, []byte, []store.AuditRecord) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.held {
		if err := lockFile(t.lock); err != nil {
			return fmt.Errorf("audit trail %s: lock: %w", t.dir, err)
		}
		t.held, t.fresh = true, false
	}
	err := t.appendLocked(build, check)
	if t.dirty == nil {
		// Nothing is left to the background sync (syncs in Append, an
		// append of no record, or a failure before the first write): no
		// background sync would give the flock up.
		t.releaseLocked()
	} else {
		// The background sync gives the flock up once it has synced the
		// frames written: another process never catches up over (and a
		// digest never seals) a frame this one left unsynced while it runs.
		t.fresh = err == nil
	}
	return err
}

func (t *Trail) appendLocked(build func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error), check func(int64, []byte, []store.AuditRecord) error) error {
	if t.syncErr != nil {
		return fmt.Errorf("append audit: %w", t.syncErr)
	}
	if !t.fresh {
		if err := t.catchUpLocked(); err != nil {
			return fmt.Errorf("append audit: %w", err)
		}
	}
	recs, err := build(t.head, t.hash)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	if len(recs) == 0 {
		return nil
	}
	if err := check(t.head, t.hash, recs); err != nil {
		return err
	}
	buf := append(t.buf[:0], make([]byte, FrameHeader)...)
	blk, err := store.AuditBlockRecords(buf, recs)
	if err != nil {
		return err
	}
	// The header into the bytes reserved before the block.
	appendFrameHeader(blk.Data[:0], &store.AuditBlock{FirstSeq: blk.FirstSeq, LastSeq: blk.LastSeq, MinTime: blk.MinTime, MaxTime: blk.MaxTime,
		Data: blk.Data[FrameHeader:]})
	t.buf = blk.Data
	n := int64(len(blk.Data))
	if t.SyncDelay > 0 && t.marked != t.name {
		// Frames written from here on may be lost to a machine crash
		// in any order of sectors: the mark says where (see Mark).
		if err := t.markFrom(t.name, t.end, false, true); err != nil {
			return fmt.Errorf("append audit: %w", err)
		}
		t.marked = t.name
	}
	var werr error
	if t.end+n <= t.size || t.Prealloc <= 0 {
		_, werr = t.cur.WriteAt(blk.Data, t.end)
	} else {
		if int64(len(t.zero)) != t.Prealloc {
			t.zero = make([]byte, t.Prealloc)
		}
		var w int
		w, werr = unix.Pwritev(int(t.cur.Fd()), [][]byte{blk.Data, t.zero}, t.end)
		if werr == nil && int64(w) != n+t.Prealloc {
			werr = io.ErrShortWrite
		}
	}
	if werr != nil {
		t.abandonLocked()
		return fmt.Errorf("append audit: records %d-%d: %w", blk.FirstSeq, blk.LastSeq, werr)
	}
	if t.SyncDelay <= 0 {
		if err := fdatasync(int(t.cur.Fd())); err != nil {
			t.abandonLocked()
			return fmt.Errorf("append audit: records %d-%d: sync: %w", blk.FirstSeq, blk.LastSeq, err)
		}
	} else {
		t.dirty = t.cur
		t.scheduleSyncLocked()
	}
	last := &recs[len(recs)-1]
	t.noteFrame(t.file, Frame{Off: t.end, Hdr: FrameHeader, Len: n - FrameHeader, FirstSeq: blk.FirstSeq, LastSeq: blk.LastSeq,
		MinTime: blk.MinTime, MaxTime: blk.MaxTime, Sum: binary.BigEndian.Uint32(blk.Data[legacyHeader:FrameHeader])})
	t.end += n
	t.size = max(t.size, t.end+t.Prealloc)
	t.head, t.hash = last.Seq, append(t.hash[:0:0], last.Hash...)
	return nil
}

// abandonLocked cuts a write that failed off the file (best effort) and
// forgets the segment, so that the next append reads it again.
func (t *Trail) abandonLocked() {
	t.cur.Truncate(t.end)
	t.closeCurLocked()
}

// closeCurLocked closes the segment appended to, first syncing what this
// process wrote to it and left to the background sync.
func (t *Trail) closeCurLocked() error {
	err := t.syncDirtyLocked()
	if cerr := t.cur.Close(); err == nil {
		err = cerr
	}
	t.cur = nil
	return err
}

// syncDirtyLocked syncs, in the caller, the segment written to since its
// last fdatasync.
func (t *Trail) syncDirtyLocked() error {
	if t.dirty == nil {
		return t.syncErr
	}
	if err := t.syncCurLocked(); err != nil {
		return err
	}
	_ = t.markSyncedLocked(true) // lagging is safe: the frames are synced
	return nil
}

// markFrom makes the sync mark durable at offset end of segment name: after
// a sync that reached it (synced), or before appending there. After a
// sync it only moves the mark forward: past a mark in an older segment,
// or within the same segment. Before appending it leaves the mark only
// where it already covers the append (in the same segment, at or before
// end: the mark another appender left before appending stays, as its
// frames after it may not be synced); any other mark, in another segment
// or after end, would have the append's unsynced frames read as synced
// ones (holesFrom), so it is moved back to end. After a sync,
// unless now, it moves the mark at most once per MarkEvery: a mark that
// lags the syncs only leaves more of the end to the crash rules (writing
// it cost as much as the sync itself, 100 times a second).
func (t *Trail) markFrom(name, end int64, synced, now bool) error {
	t.mmu.Lock()
	defer t.mmu.Unlock()
	if synced && !now && time.Since(t.markedAt) < MarkEvery {
		return nil
	}
	t.markedAt = time.Now()
	m, ok := readMark(t.dir)
	if synced && ok && (m.Seg > name || m.Seg == name && m.Off >= end) || !synced && ok && m.Seg == name && m.Off <= end {
		return nil
	}
	if !ok && synced {
		if _, err := os.Stat(filepath.Join(t.dir, markName)); errors.Is(err, os.ErrNotExist) {
			return nil // no mark: no frame was left to a background sync
		}
	}
	if err := writeMark(t.dir, Mark{Seg: name, Off: end}); err != nil {
		t.markedAt = time.Time{} // the next sync tries again
		return fmt.Errorf("audit trail %s: the sync mark: %w", t.dir, err)
	}
	return nil
}

// syncFile syncs f. The callers make a failure stick (Linux may mark the
// pages clean after a failed writeback, so a retry would report success
// for data that never reached the disk: the trail refuses appends
// instead).
func (t *Trail) syncFile(f *os.File) error {
	rc, err := f.SyscallConn()
	if err == nil {
		// Control holds a reference to the descriptor: a Close meanwhile
		// (a roll under the lock) waits for the sync.
		cerr := rc.Control(func(fd uintptr) { err = fdatasync(int(fd)) })
		if err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("audit trail %s: sync: %w", t.dir, err)
	}
	return nil
}

// Sync makes every frame of the trail up to its head durable, as Head
// names it under the lock: a digest that names records is written only
// after Sync. Under the lock, caught up with what other processes appended
// (a process that left its syncs to the background and was killed may have
// left frames that no one synced), it fdatasyncs the newest segment when
// this process wrote to it since its last sync or the sync mark says that
// it may hold frames never synced (an older segment was synced when the
// next was begun: see Roll).
func (t *Trail) Sync() error {
	t.smu.Lock()
	defer t.smu.Unlock()
	err := t.Locked(func() error {
		if err := t.catchUpLocked(); err != nil {
			return err
		}
		if t.syncErr != nil {
			return t.syncErr
		}
		if t.dirty == nil && !t.mayHoldUnsyncedLocked() {
			return nil
		}
		if err := t.syncCurLocked(); err != nil {
			return err
		}
		_ = t.markSyncedLocked(false) // lagging is safe: the records are synced
		return nil
	})
	if errors.Is(err, ErrNoTrail) {
		return nil // no segment: no frame to sync
	}
	return err
}

// mayHoldUnsyncedLocked reports whether the newest segment may hold frames
// that were written but never synced, as the sync mark tells: an appender
// that leaves its syncs to the background makes the mark durable in a
// segment before its first unsynced write there, and moves it only to
// where a sync reached. With no mark, no frame was left unsynced.
func (t *Trail) mayHoldUnsyncedLocked() bool {
	m, ok := readMark(t.dir)
	if !ok {
		_, err := os.Stat(filepath.Join(t.dir, markName))
		return !errors.Is(err, os.ErrNotExist) // a mark that cannot be read: sync
	}
	return m.Seg > t.name || m.Seg == t.name && m.Off < t.end
}

// syncCurLocked fdatasyncs the newest segment as this process knows it
// (everything written to it so far, by any process). A failed sync sticks
// (see syncFile). The caller moves the sync mark (markSyncedLocked).
func (t *Trail) syncCurLocked() error {
	if t.syncErr != nil {
		return t.syncErr
	}
	if err := t.syncFile(t.cur); err != nil {
		t.syncErr = err
		return err
	}
	t.dirty = nil // always cur
	return nil
}

// markSyncedLocked moves the sync mark to the end of the newest segment
// after syncCurLocked (now: at once, else at most once per MarkEvery). A
// mark that cannot be written only lags behind the syncs, which leaves
// more of the end to the crash rules and is safe: the error is returned
// for the caller to report, and never sticks (the next sync tries again).
func (t *Trail) markSyncedLocked(now bool) error {
	return t.markFrom(t.name, t.end, true, now)
}

// testHookBackgroundSync, when set, runs in syncBackground between taking
// the segment to sync and its fdatasync (tests).
var testHookBackgroundSync func()

// syncBackground is the background sync: it fdatasyncs the segment this
// process wrote to since its last sync, without holding t.mu (appends go
// on meanwhile), through a duplicate of its descriptor taken under t.mu,
// so that a roll or a failed write closing the segment meanwhile does not
// close the file under the sync.
func (t *Trail) syncBackground() {
	t.smu.Lock()
	defer t.smu.Unlock()
	t.mu.Lock()
	f, name, end := t.dirty, t.name, t.end
	if f == nil || t.syncErr != nil {
		t.mu.Unlock()
		return
	}
	t.dirty = nil
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		t.syncErr = fmt.Errorf("audit trail %s: sync: %w", t.dir, err)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	if testHookBackgroundSync != nil {
		testHookBackgroundSync()
	}
	err = fdatasync(fd)
	unix.Close(fd)
	if err != nil {
		t.mu.Lock()
		if t.syncErr == nil {
			t.syncErr = fmt.Errorf("audit trail %s: sync: %w", t.dir, err)
		}
		t.mu.Unlock()
		return
	}
	// A mark that cannot be written only lags behind: the next sync
	// tries again.
	_ = t.markFrom(name, end, true, false)
}

// scheduleSyncLocked makes sure a background sync runs within SyncDelay.
func (t *Trail) scheduleSyncLocked() {
	if t.kicked {
		return
	}
	t.kicked = true
	if t.stop == nil {
		t.kick, t.stop, t.stopped = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go t.syncer(t.kick, t.stop, t.stopped)
	}
	t.kick <- struct{}{}
}

// syncer runs the background syncs: SyncDelay after the first append
// that needs one, one fdatasync for every append until then. Close stops
// it (and syncs itself).
func (t *Trail) syncer(kick, stop, stopped chan struct{}) {
	defer close(stopped)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-stop:
			return
		case <-kick:
		}
		timer.Reset(t.SyncDelay)
		select {
		case <-stop:
			timer.Stop()
			return
		case <-timer.C:
		}
		t.mu.Lock()
		t.kicked = false
		t.mu.Unlock()
		t.syncBackground() // a failure sticks: the next append reports it
		t.mu.Lock()
		if t.dirty == nil || t.syncErr != nil {
			// Else an append came after the sync took the segment: its
			// sync is due (kicked), and the flock stays until it.
			t.releaseLocked()
		}
		t.mu.Unlock()
	}
}

// Roll begins a new segment after record seq (a digest's last record) when
// seq is the head and the newest segment holds RollSize bytes or more, so
// that segments begin where digests end and retention deletes whole ones.
func (t *Trail) Roll(seq int64) error {
	return t.Locked(func() error {
		if err := t.catchUpLocked(); err != nil {
			return err
		}
		if t.head != seq || t.end < t.RollSize || t.name == seq+1 {
			return nil
		}
		// The segment ends here: its zeros go (only the newest segment
		// has zeros after its frames), and it is synced whatever this
		// process wrote to it: a process that left its syncs to the
		// background and was killed may have left frames in it that no one
		// synced, and once the next segment is begun, Sync (before a
		// digest) syncs only that one, and the sync mark moves on to it.
		if t.size > t.end {
			if err := t.cur.Truncate(t.end); err != nil {
				return err
			}
			t.size = t.end
		}
		if err := t.syncCurLocked(); err != nil {
			return err
		}
		_ = t.markSyncedLocked(false)
		if err := createSegment(t.dir, seq+1, seq, t.hash, nil); err != nil {
			return fmt.Errorf("audit trail: begin segment %s: %w", SegName(seq+1), err)
		}
		return t.catchUpLocked()
	})
}

// DeleteThrough deletes the records up to seq, whole blocks: a segment
// whose records all end by seq is removed; the segment holding the block
// that ends at seq is replaced by a segment of the blocks after it (begun
// after record seq and its hash), written beside it and renamed into place
// before the old one is removed. It returns how many records were deleted.
// A block holding both seq and seq+1 is kept with its segment. An appender
// of another process notices that its segment was replaced (no links left)
// and reads the directory again.
func (t *Trail) DeleteThrough(seq int64) (int64, error) {
	var total int64
	err := t.Locked(func() error {
		segs, err := Segments(t.dir)
		if err != nil {
			return err
		}
		for i, name := range segs {
			newest := i == len(segs)-1
			ix, err := t.look(name, newest, true)
			if err != nil {
				return err
			}
			n, more, err := t.deleteIn(ix, seq, newest)
			ix.release()
			total += n
			if !more || err != nil {
				return err
			}
		}
		return syncDir(t.dir)
	})
	return total, err
}

// deleteIn deletes the records up to seq from segment ix (see
// DeleteThrough; newest: the newest segment, which stays) and returns how
// many it deleted and whether the next segment may hold more.
func (t *Trail) deleteIn(ix *indexed, seq int64, newest bool) (int64, bool, error) {
	if ix.bad != nil {
		return 0, false, ix.bad
	}
	var n int64
	cut := -1 // the frames before cut end by seq
	for i, fr := range ix.frames {
		if fr.LastSeq > seq {
			break
		}
		n += fr.LastSeq - fr.FirstSeq + 1
		cut = i + 1
	}
	first, _ := segFirst(ix.name)
	if cut < len(ix.frames) && (cut <= 0 || ix.frames[cut-1].LastSeq != seq) {
		return 0, false, nil // the blocks here go past seq, or none ends at it: keep them
	}
	if cut == len(ix.frames) && !newest {
		if err := os.Remove(filepath.Join(t.dir, ix.name)); err != nil {
			return 0, false, err
		}
		t.forget(ix.name)
		return n, true, nil
	}
	// Replace it by a segment of the frames after seq.
	var prevHash []byte
	if cut > 0 {
		data, err := ix.read(&ix.frames[cut-1], nil)
		if err != nil {
			return 0, false, err
		}
		if prevHash, _, err = lastHash(data); err != nil {
			return 0, false, fmt.Errorf("the audit block of records %d-%d cannot be read (verify the trail): %v", ix.frames[cut-1].FirstSeq, seq, err)
		}
	} else {
		prevHash = ix.hdr.prevHash
	}
	if first == seq+1 {
		return 0, false, nil
	}
	rest := ix.frames[max(cut, 0):]
	err := createSegment(t.dir, seq+1, seq, prevHash, func(put func(b *store.AuditBlock) error) error {
		var buf []byte
		for i := range rest {
			data, err := ix.read(&rest[i], buf)
			if err != nil {
				return err
			}
			buf = data
			fr := &rest[i]
			if err := put(&store.AuditBlock{FirstSeq: fr.FirstSeq, LastSeq: fr.LastSeq, MinTime: fr.MinTime, MaxTime: fr.MaxTime, Data: data}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	if err := os.Remove(filepath.Join(t.dir, ix.name)); err != nil {
		return 0, false, err
	}
	t.forget(ix.name)
	return n, false, syncDir(t.dir)
}

// forget drops a segment this process removed from the read index, so
// that its file is closed (once the readers still going through it are
// done) rather than held open, its disk space with it, until a reader
// lists the segments again.
func (t *Trail) forget(name string) {
	t.imu.Lock()
	defer t.imu.Unlock()
	t.dropLocked(name)
}

// repairLocked finishes a deletion that a crash interrupted: a segment
// whose successor begins at or before its last record was being replaced
// by it (DeleteThrough writes the successor first), so it is removed.
func (t *Trail) repairLocked() error {
	segs, err := Segments(t.dir)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(segs); i++ {
		ix, err := t.look(segs[i], false, false)
		if err != nil {
			continue
		}
		ix.release() // its summary is enough
		if ix.bad != nil || ix.n == 0 {
			continue
		}
		next, _ := segFirst(segs[i+1])
		if ix.lastSeq >= next {
			if err := os.Remove(filepath.Join(t.dir, segs[i])); err != nil {
				return err
			}
			t.forget(segs[i])
		}
	}
	return nil
}

// Head implements LastAudit: the appender's chain head, read under the
// lock and caught up with every process's appends, so that it never names
// a frame whose write is unfinished: the last record of the newest
// segment, or the head the segment began at when it holds none. With
// SyncDelay (in this process or another) that frame may not be synced
// yet: Sync, before a digest seals it, syncs it.
func (t *Trail) Head() (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := t.Locked(func() error {
		if err := t.catchUpLocked(); err != nil {
			return err
		}
		seq, hash = t.head, bytes.Clone(t.hash)
		return nil
	})
	if errors.Is(err, ErrNoTrail) {
		return 0, nil, fmt.Errorf("the audit chain head: %w (%v)", store.ErrNotFound, err)
	}
	return seq, hash, err
}

// Records implements AuditRecords: from the block holding fromSeq on.
func (t *Trail) Records(fromSeq int64, limit int, blockRecords func(out []store.AuditRecord, b store.AuditBlock, keep func(seq, time int64) bool, limit int) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	if limit < 1 {
		return nil, nil
	}
	var out []store.AuditRecord
	err := t.Scan(fromSeq, func(b store.AuditBlock) (bool, error) {
		var err error
		out, err = blockRecords(out, b, func(seq, _ int64) bool { return seq >= fromSeq }, limit)
		return err == nil && len(out) < limit, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Scan calls fn with the blocks from the one holding fromSeq on, in
// order, until fn returns false or an error; a block's Data is valid only
// until fn returns (the next block is read into it).
func (t *Trail) Scan(fromSeq int64, fn func(b store.AuditBlock) (bool, error)) error {
	// One snapshot of the index for both walks.
	ixs, err := t.index()
	if err != nil {
		return fmt.Errorf("audit records from %d: %w", fromSeq, err)
	}
	defer releaseAll(ixs)
	// The last frame beginning at or before fromSeq: in its segment, at
	// its offset (none: from the first). A segment that cannot be read
	// past some frame (bad) is searched up to it: the walk forward reports
	// it when it gets there.
	startSeg, startOff := "", int64(0)
	for j := len(ixs) - 1; j >= 0 && startSeg == ""; j-- {
		ix := ixs[j]
		if ix.n == 0 || ix.minFirst > fromSeq {
			continue
		}
		if ix.f == nil {
			full, err := t.look(ix.name, false, true)
			if errors.Is(err, os.ErrNotExist) {
				continue // deleted by retention meanwhile
			}
			if err != nil {
				return fmt.Errorf("audit records from %d: %w", fromSeq, err)
			}
			defer full.release()
			ix = full
		}
		for i := len(ix.frames) - 1; i >= 0; i-- {
			if ix.frames[i].FirstSeq <= fromSeq {
				startSeg, startOff = ix.name, ix.frames[i].Off
				break
			}
		}
	}
	var buf []byte
	err = t.framesIn(ixs, false, func(ix *indexed) bool { return ix.name < startSeg }, func(ix *indexed, fr *Frame) (bool, error) {
		if ix.name == startSeg && fr.Off < startOff {
			return true, nil
		}
		data, err := ix.read(fr, buf)
		if err != nil {
			return false, err
		}
		buf = data
		return fn(store.AuditBlock{FirstSeq: fr.FirstSeq, LastSeq: fr.LastSeq, MinTime: fr.MinTime, MaxTime: fr.MaxTime, Data: data})
	})
	if err != nil {
		return fmt.Errorf("audit records from %d: %w", fromSeq, err)
	}
	return nil
}

// RecordsByTime implements AuditRecordsByTime: newest first.
func (t *Trail) RecordsByTime(start, end time.Time, beforeSeq int64, limit int, blockRecords func(out []store.AuditRecord, b store.AuditBlock, keep func(seq, time int64) bool, limit int) ([]store.AuditRecord, error)) ([]store.AuditRecord, error) {
	if limit < 1 {
		return nil, nil
	}
	if beforeSeq <= 0 {
		beforeSeq = math.MaxInt64
	}
	lo, hi := start.UnixNano(), end.UnixNano()
	var out []store.AuditRecord
	var buf []byte
	skip := func(ix *indexed) bool { return ix.minFirst >= beforeSeq || ix.maxTime < lo || ix.minTime >= hi }
	err := t.frames(true, skip, func(ix *indexed, fr *Frame) (bool, error) {
		if fr.FirstSeq >= beforeSeq || fr.MaxTime < lo || fr.MinTime >= hi {
			return true, nil
		}
		data, err := ix.read(fr, buf)
		if err != nil {
			return false, err
		}
		buf = data
		recs, err := blockRecords(nil, store.AuditBlock{FirstSeq: fr.FirstSeq, LastSeq: fr.LastSeq, MinTime: fr.MinTime, MaxTime: fr.MaxTime, Data: data},
			func(seq, t int64) bool { return seq < beforeSeq && t >= lo && t < hi }, math.MaxInt)
		if err != nil {
			return false, err
		}
		for i := len(recs) - 1; i >= 0 && len(out) < limit; i-- {
			out = append(out, recs[i])
		}
		return len(out) < limit, nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit records by time: %w", err)
	}
	return out, nil
}

// Times implements AuditTimes: the time range of the frames whose first
// record is within [fromSeq, toSeq] (zero times when none).
func (t *Trail) Times(fromSeq, toSeq int64) (time.Time, time.Time, error) {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	// A segment whose every frame begins after toSeq (and not before
	// fromSeq) adds nothing and does not stop the walk.
	skip := func(ix *indexed) bool { return ix.minFirst > toSeq && ix.minFirst >= fromSeq }
	err := t.frames(true, skip, func(ix *indexed, fr *Frame) (bool, error) {
		if fr.FirstSeq >= fromSeq && fr.FirstSeq <= toSeq {
			lo, hi = min(lo, fr.MinTime), max(hi, fr.MaxTime)
		}
		return fr.FirstSeq >= fromSeq, nil
	})
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("audit times %d-%d: %w", fromSeq, toSeq, err)
	}
	if lo > hi {
		return time.Time{}, time.Time{}, nil
	}
	return time.Unix(0, lo).UTC(), time.Unix(0, hi).UTC(), nil
}

// Blocks implements AuditBlocks for verification, reading the segment files
// themselves (not the read index): every frame whose first record number
// (its column) is within [fromSeq, toSeq], in the order the files hold
// them. What is not a frame (up to the next frame mark) is passed as a
// block that cannot be read, numbered after the frame before it, so that
// verification reports it once whatever its ranges; an unfinished write at
// the end of the newest segment (and its zeros) is skipped; a frame whose
// checksum does not match is passed after a block that cannot be read
// saying so.
func (t *Trail) Blocks(ctx context.Context, fromSeq, toSeq int64, fn func(b *store.AuditBlock) error) error {
	if toSeq < fromSeq {
		return nil
	}
	names, err := Segments(t.dir)
	if err != nil {
		return fmt.Errorf("audit blocks: %w", err)
	}
	in := func(seq int64) bool { return seq >= fromSeq && seq <= toSeq }
	for i, name := range names {
		if err := t.segmentBlocks(ctx, name, i == len(names)-1, in, fn); err != nil {
			return err
		}
	}
	return nil
}

// Parts returns the trail's segment files in order, the parts that
// PartBlocks reads apart (store.AuditPartReader).
func (t *Trail) Parts() ([]string, error) {
	names, err := Segments(t.dir)
	if err != nil {
		return nil, fmt.Errorf("audit parts: %w", err)
	}
	return names, nil
}

// PartBlocks reads every frame of segment part as Blocks does, whatever its
// record numbers, and with rest those of every segment after it too (begun
// since Parts). Reading the parts side by side reads each frame once, where
// ranges of record numbers each step over every frame of the segments
// before theirs.
func (t *Trail) PartBlocks(ctx context.Context, part string, rest bool, fn func(b *store.AuditBlock) error) error {
	names, err := Segments(t.dir)
	if err != nil {
		return fmt.Errorf("audit blocks: %w", err)
	}
	all := func(int64) bool { return true }
	for i, name := range names {
		if name < part || (name > part && !rest) {
			continue
		}
		if err := t.segmentBlocks(ctx, name, i == len(names)-1, all, fn); err != nil {
			return err
		}
	}
	return nil
}

// segmentBlocks is Blocks in segment name (newest: the newest segment), for
// the frames whose first record number is in.
func (t *Trail) segmentBlocks(ctx context.Context, name string, newest bool, in func(int64) bool, fn func(b *store.AuditBlock) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b store.AuditBlock
	first, _ := segFirst(name)
	f, err := os.Open(filepath.Join(t.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil // deleted by retention meanwhile
	}
	if err != nil {
		return fmt.Errorf("audit blocks: %w", err)
	}
	defer f.Close()
	size, _, err := sizeLinks(f)
	if err != nil {
		return err
	}
	r := &reader{f: f, size: size, holesFrom: func() int64 { return holesFrom(t.dir, name) }}
	h, err := readSegHeader(f)
	if err != nil {
		if in(first) {
			b = store.AuditBlock{FirstSeq: first, LastSeq: first, Data: []byte("segment " + name + ": " + err.Error())}
			return fn(&b)
		}
		return nil
	}
	prevLast := h.prevSeq
	for off := h.len; off < r.size; {
		// A frame outside the range is only stepped over.
		how := 0
		if newest {
			how |= atTail
		}
		if h, err := r.at(off, FrameHeader, 256); err == nil {
			if fr, ok := parseFrameHeader(h, off); ok && !in(fr.FirstSeq) {
				how |= atMarked
			}
		}
		fr, stat, err := r.frameAt(off, how)
		if err != nil {
			return err
		}
		if newest && (stat == frameSum || stat == frameBad) {
			// What is at the end may be a frame that another
			// process (or this one) is writing, half copied:
			// look again under the trail's lock, when no write is
			// in progress.
			// When a complete frame follows it now, the write
			// was over before that one began: read it again.
			after, err := r.frameAfter(off)
			if err != nil {
				return err
			}
			again := func() error {
				size, _, err := sizeLinks(f)
				if err != nil {
					return err
				}
				r.size, r.buf = size, r.buf[:0]
				fr, stat, err = r.frameAt(off, how)
				return err
			}
			if after {
				err = again()
			} else {
				err = t.Locked(again)
			}
			if err != nil {
				return err
			}
		}
		if stat == frameEnd {
			break
		}
		if stat == frameBad {
			next, err := r.nextMark(off)
			if err != nil {
				return err
			}
			if in(prevLast + 1) {
				raw, err := r.at(off, min(next-off, 64), 64)
				if err != nil {
					return err
				}
				b = store.AuditBlock{FirstSeq: prevLast + 1, LastSeq: prevLast + 1, Data: raw}
				if err := fn(&b); err != nil {
					return err
				}
			}
			off = next
			continue
		}
		if in(fr.FirstSeq) {
			if stat == frameSum {
				// Its checksum does not match: say so, then pass it
				// as it is, so that verification names what changed.
				b = store.AuditBlock{FirstSeq: fr.FirstSeq, LastSeq: fr.FirstSeq, Data: []byte(fmt.Sprintf("segment %s: the frame at byte %d does not match its checksum", name, off))}
				if err := fn(&b); err != nil {
					return err
				}
			}
			data, err := r.at(fr.DataOff(), fr.Len, 1<<20)
			if err != nil {
				return err
			}
			if off == h.len {
				// The segment's name and header must say where
				// its first block begins (appenders rely on them).
				prev, _ := store.ReadAuditBlock(data, func(*store.AuditFrame) error { return errFirstFrame })
				if first != h.prevSeq+1 || fr.FirstSeq != first || !bytes.Equal(prev, h.prevHash) {
					b = store.AuditBlock{FirstSeq: fr.FirstSeq, LastSeq: fr.FirstSeq, Data: []byte(fmt.Sprintf("segment %s: its name and header (after record %d) do not match its first block", name, h.prevSeq))}
					if err := fn(&b); err != nil {
						return err
					}
					if data, err = r.at(fr.DataOff(), fr.Len, 1<<20); err != nil {
						return err
					}
				}
			}
			b = store.AuditBlock{FirstSeq: fr.FirstSeq, LastSeq: fr.LastSeq, MinTime: fr.MinTime, MaxTime: fr.MaxTime, Data: data}
			if err := fn(&b); err != nil {
				return err
			}
		}
		prevLast = fr.LastSeq
		off = fr.End()
	}
	return nil
}
