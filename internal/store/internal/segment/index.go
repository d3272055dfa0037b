package segment

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// The read index (Trail.segs) is what the readers of a process (the
// lookups, the seals' time ranges, the detections' read-back, retention)
// find frames by: for every segment a summary of its frames (their number,
// the smallest first record number, the last record number, the time
// range), and the frames' headers themselves (64 bytes each) only for the
// newest segment, which the appender of this process adds to as it writes
// (noteFrame), and for the CachedSegments older segments read most
// recently. A reader that needs the frames of another segment reads them
// again from its file (a read of readAhead bytes for many headers) and
// they take the place of those read least recently. So the index holds at
// most 1+CachedSegments segments' frames, however long the trail: a
// segment of 64 MB holds some tens of thousands of frames, and without the
// bound a server kept the frames of every segment until retention deleted
// it (about 50 bytes per record).
//
// A segment older than the newest is not appended to (a roll cuts it to its
// last frame before the next begins): its summary holds until its file
// changes outside the trail, which its size and inode number (looked at
// each time) tell; then it is read again.

// CachedSegments is how many segments older than the newest keep their
// frames in the read index after a reader went through them. A variable
// for tests.
var CachedSegments = 4

// readAhead is how many bytes a read of a segment's frames from its start
// reads at a time.
const readAhead = 256 << 10

// segFile is a segment's open file, shared by the read index and the
// snapshots of it that readers go through: it is closed when the last of
// them lets it go, so that forgetting a segment that retention deleted, or
// dropping a segment's frames from the index, never closes the file under a
// reader still reading it.
type segFile struct {
	*os.File
	refs atomic.Int64
}

func newSegFile(f *os.File) *segFile {
	sf := &segFile{File: f}
	sf.refs.Store(1)
	return sf
}

// acquire adds a holder (under Trail.imu, from a holder that has not let
// go: the count is never zero).
func (f *segFile) acquire() { f.refs.Add(1) }

// release lets go of it, closing it after the last holder.
func (f *segFile) release() {
	if f.refs.Add(-1) == 0 {
		f.Close()
	}
}

// indexed is a segment's read index: the summary of its frames as read
// from it and, when held (f not nil), the frames' headers and the open
// file.
type indexed struct {
	name   string
	f      *segFile // nil: the summary alone
	newest bool     // the newest segment when last looked at
	ino    uint64   // the file's inode number and size when last read: a summary whose file differs is read again
	size   int64
	hdr    segHeader
	frames []Frame
	end    int64 // where the last indexed frame ends
	bad    error // a frame that cannot be read stops the index there

	n                 int   // how many frames
	minFirst, lastSeq int64 // the smallest first record number of a frame, the last frame's last record number
	minTime, maxTime  int64 // the frames' time range
}

// add indexes frame fr, after the others.
func (ix *indexed) add(fr Frame) {
	if ix.n == 0 {
		ix.minFirst, ix.minTime, ix.maxTime = fr.FirstSeq, fr.MinTime, fr.MaxTime
	} else {
		ix.minFirst, ix.minTime, ix.maxTime = min(ix.minFirst, fr.FirstSeq), min(ix.minTime, fr.MinTime), max(ix.maxTime, fr.MaxTime)
	}
	ix.n++
	ix.lastSeq = fr.LastSeq
	ix.frames = append(ix.frames, fr)
	ix.end = fr.End()
}

// snapshot is a copy of the index as it is (taken under imu), holding the
// file when the index holds it: readers go through its frames while the
// appender of this process (noteFrame) and other readers append to the
// index's own, or drop them. Release it.
func (ix *indexed) snapshot() *indexed {
	cp := *ix
	if cp.f != nil {
		cp.f.acquire()
	}
	return &cp
}

// release lets go of a snapshot's file.
func (ix *indexed) release() {
	if ix.f != nil {
		ix.f.release()
		ix.f = nil
	}
}

// releaseAll releases snapshots.
func releaseAll(ixs []*indexed) {
	for _, ix := range ixs {
		ix.release()
	}
}

// read returns a frame's data.
func (ix *indexed) read(fr *Frame, buf []byte) ([]byte, error) {
	if int64(cap(buf)) < fr.Len {
		buf = make([]byte, fr.Len)
	}
	buf = buf[:fr.Len]
	if _, err := ix.f.ReadAt(buf, fr.DataOff()); err != nil {
		return nil, err
	}
	return buf, nil
}

// noteFrame adds a frame this appender wrote (at fr.Off) to the read index when
// the index has read the segment up to it, so that the readers of this
// process (the seals' time ranges, the lookups, the detections) need not
// read its header back (one or two reads per frame: 2% of serve's CPU
// under GetCallerIdentity).
func (t *Trail) noteFrame(name string, fr Frame) {
	t.imu.Lock()
	defer t.imu.Unlock()
	ix := t.segs[name]
	if ix == nil || ix.f == nil || ix.bad != nil || ix.end != fr.Off {
		return
	}
	ix.add(fr)
}

// look returns a snapshot of segment name's read index, caught up to its
// end (release it). newest says that name is the newest segment, whose
// frames the index holds; full asks for the frames of an older segment,
// read again from the file when the index holds only its summary (which
// is otherwise enough).
func (t *Trail) look(name string, newest, full bool) (*indexed, error) {
	t.imu.Lock()
	defer t.imu.Unlock()
	// newest is what the caller's listing of the segments says, which a
	// roll may have made stale meanwhile: the index judges it against the
	// newest segment it was asked about (names only grow), so that a
	// reader listing from before a roll does not make the segment the
	// roll ended the newest again, held besides the cached ones. A new
	// newest segment demotes the one before to the most recently read of
	// the cached ones.
	switch {
	case name < t.top:
		newest = false
	case name == t.top:
		newest = true
	case newest:
		if ix := t.segs[t.top]; ix != nil && ix.f != nil {
			ix.newest = false
			t.cacheLocked(t.top, false, true)
		}
		t.top = name
	}
	for {
		ix := t.segs[name]
		if ix != nil && ix.f == nil {
			if !newest && !full {
				ino, size, err := inoSize(nil, filepath.Join(t.dir, name))
				if err != nil {
					return nil, err
				}
				if ino == ix.ino && size == ix.size {
					return ix.snapshot(), nil
				}
			}
			delete(t.segs, name)
			ix = nil
		}
		if ix == nil {
			// Read it without the lock (the appender notes its frames
			// meanwhile): the frames appended while it was read are read
			// below.
			t.imu.Unlock()
			read, err := t.readIndex(name)
			t.imu.Lock()
			if err != nil {
				return nil, err
			}
			if cur := t.segs[name]; cur != nil && cur.f != nil {
				read.f.release() // another reader read it meanwhile
				continue
			}
			ix = read
			t.segs[name] = ix
		}
		if ix.bad == nil {
			size, nlink, err := sizeLinks(ix.f.File)
			if err != nil {
				return nil, err
			}
			if nlink == 0 || size < ix.end {
				// Replaced, or cut back outside the trail: read it again.
				t.dropLocked(name)
				continue
			}
			if err := t.readTo(ix, size, 0); err != nil {
				return nil, err
			}
		}
		ix.newest = newest
		snap := ix.snapshot()
		t.cacheLocked(name, newest, full)
		return snap, nil
	}
}

// readIndex reads segment name's frames from its start: a new index of it
// holding its file (one holder, for the read index).
func (t *Trail) readIndex(name string) (*indexed, error) {
	f, err := os.Open(filepath.Join(t.dir, name))
	if err != nil {
		return nil, err
	}
	h, err := readSegHeader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("the audit trail segment %s cannot be read (verify the trail): %v", name, err)
	}
	ino, size, err := inoSize(f, "")
	if err != nil {
		f.Close()
		return nil, err
	}
	ix := &indexed{name: name, f: newSegFile(f), ino: ino, hdr: h, end: h.len}
	if err := t.readTo(ix, size, readAhead); err != nil {
		ix.f.release()
		return nil, err
	}
	return ix, nil
}

// readTo indexes the frames of ix's file from ix.end to size, reading
// ahead bytes at a time at least.
func (t *Trail) readTo(ix *indexed, size, ahead int64) error {
	name := ix.name
	r := &reader{f: ix.f.File, size: size, ahead: ahead, holesFrom: func() int64 { return holesFrom(t.dir, name) }}
	for ix.end < size {
		fr, stat, err := r.frameAt(ix.end, atTail|atQuick)
		if err != nil {
			return err
		}
		if stat == frameEnd {
			break
		}
		if stat != frameOK {
			// Read without the lock, a frame being written can be seen
			// half copied: taken for the end until a complete frame
			// follows it (verification judges it under the lock), and
			// read again when one does (its write was over before).
			if after, err := r.frameAfter(ix.end); err != nil || !after {
				break
			}
			r.buf = r.buf[:0]
			if fr, stat, err = r.frameAt(ix.end, atTail|atQuick); err != nil {
				return err
			}
		}
		if stat != frameOK {
			ix.bad = fmt.Errorf("the audit trail segment %s has no frame at byte %d (verify the trail)", name, ix.end)
			break
		}
		ix.add(fr)
	}
	ix.size = size
	return nil
}

// cacheLocked keeps the frames of held segment name as the newest's (not
// counted) or as an older segment's: the most recently read when used,
// dropping those of the older segments read least recently beyond
// CachedSegments.
func (t *Trail) cacheLocked(name string, newest, used bool) {
	i := slices.Index(t.lru, name)
	switch {
	case newest:
		if i >= 0 {
			t.lru = slices.Delete(t.lru, i, i+1)
		}
		return
	case i == 0 || i > 0 && !used:
		return
	case i > 0:
		t.lru = slices.Delete(t.lru, i, i+1)
	}
	t.lru = slices.Insert(t.lru, 0, name)
	for len(t.lru) > max(CachedSegments, 0) {
		old := t.lru[len(t.lru)-1]
		t.lru = t.lru[:len(t.lru)-1]
		if ix := t.segs[old]; ix != nil && ix.f != nil {
			ix.f.release()
			ix.f, ix.frames = nil, nil
		}
	}
}

// used moves held older segment name to the front of the cached ones.
func (t *Trail) used(name string) {
	t.imu.Lock()
	defer t.imu.Unlock()
	if ix := t.segs[name]; ix != nil && ix.f != nil && !ix.newest {
		t.cacheLocked(name, false, true)
	}
}

// dropLocked forgets segment name.
func (t *Trail) dropLocked(name string) {
	if ix := t.segs[name]; ix != nil && ix.f != nil {
		ix.f.release()
	}
	delete(t.segs, name)
	if i := slices.Index(t.lru, name); i >= 0 {
		t.lru = slices.Delete(t.lru, i, i+1)
	}
}

// index returns snapshots of the read index of every segment, oldest
// first, forgetting segments deleted since; release them. The newest
// segment's, and the cached older ones', hold their frames; the others
// their summary alone.
func (t *Trail) index() ([]*indexed, error) {
	names, err := Segments(t.dir)
	if err != nil {
		return nil, err
	}
	t.imu.Lock()
	for name := range t.segs {
		if _, ok := slices.BinarySearch(names, name); !ok {
			t.dropLocked(name)
		}
	}
	t.imu.Unlock()
	out := make([]*indexed, 0, len(names))
	for i, name := range names {
		ix, err := t.look(name, i == len(names)-1, false)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted by retention meanwhile
		}
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		out = append(out, ix)
		if ix.bad != nil {
			break
		}
	}
	return out, nil
}

// frames calls fn with every indexed frame, oldest first (newest first
// when backward), and its segment's index; fn returns false to stop. It
// passes over a segment without frames, or for which skip (when set)
// returns true: skip judges the segment's summary and must only pass over
// segments whose every frame fn would pass over. The frames of a segment
// the index holds only the summary of are read from its file.
func (t *Trail) frames(backward bool, skip func(ix *indexed) bool, fn func(ix *indexed, fr *Frame) (bool, error)) error {
	ixs, err := t.index()
	if err != nil {
		return err
	}
	defer releaseAll(ixs)
	return t.framesIn(ixs, backward, skip, fn)
}

// framesIn is frames over ixs, snapshots of the index (t.index).
func (t *Trail) framesIn(ixs []*indexed, backward bool, skip func(ix *indexed) bool, fn func(ix *indexed, fr *Frame) (bool, error)) error {
	// visit calls fn with the frames of ix, and reports whether to go on
	// (and, forward, the error stopping the index after them).
	visit := func(ix *indexed) (bool, error) {
		if ix.n > 0 && (skip == nil || !skip(ix)) {
			if ix.f == nil {
				full, err := t.look(ix.name, false, true)
				if errors.Is(err, os.ErrNotExist) {
					return true, nil // deleted by retention meanwhile
				}
				if err != nil {
					return false, err
				}
				defer full.release()
				ix = full
			} else if !ix.newest {
				t.used(ix.name)
			}
			for k := range ix.frames {
				i := k
				if backward {
					i = len(ix.frames) - 1 - k
				}
				if ok, err := fn(ix, &ix.frames[i]); !ok || err != nil {
					return false, err
				}
			}
		}
		if !backward && ix.bad != nil {
			return false, ix.bad
		}
		return true, nil
	}
	if !backward {
		for _, ix := range ixs {
			if ok, err := visit(ix); !ok || err != nil {
				return err
			}
		}
		return nil
	}
	for j := len(ixs) - 1; j >= 0; j-- {
		if ixs[j].bad != nil {
			return ixs[j].bad
		}
		if ok, err := visit(ixs[j]); !ok || err != nil {
			return err
		}
	}
	return nil
}

// inoSize returns the inode number and size of f, or of the file at path
// when f is nil, asking statx for those alone (see sizeLinks).
func inoSize(f *os.File, path string) (ino uint64, size int64, err error) {
	var st unix.Statx_t
	fd, flags, name := unix.AT_FDCWD, unix.AT_STATX_SYNC_AS_STAT, path
	if f != nil {
		fd, path, flags, name = int(f.Fd()), "", flags|unix.AT_EMPTY_PATH, f.Name()
	}
	err = unix.Statx(fd, path, flags, unix.STATX_INO|unix.STATX_SIZE, &st)
	if err == nil {
		return st.Ino, int64(st.Size), nil
	}
	if err != unix.ENOSYS {
		return 0, 0, &os.PathError{Op: "statx", Path: name, Err: err}
	}
	var fi os.FileInfo // a kernel before 4.11
	if f != nil {
		fi, err = f.Stat()
	} else {
		fi, err = os.Stat(path)
	}
	if err != nil {
		return 0, 0, err
	}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = sys.Ino
	}
	return ino, fi.Size(), nil
}
