// Package segment stores an audit trail as append-only segment files: each
// commit group's block (store.AuditBlockRecords) is one frame, written with
// one write and made durable with one fdatasync before the append returns,
// or, when the appender leaves its syncs to the background
// (Trail.SyncDelay), by one background fdatasync for every frame written
// within the delay (see Mark). Several processes append to
// one chain: an flock on the directory's lock file is held around each
// append, and an appender first catches its chain head up with what others
// appended since.
//
// Layout of a directory:
//
//	lock                  the flock every appender, roll and deletion holds
//	synced                the sync mark (see Mark), once an appender leaves its syncs to the background
//	NNNNNNNNNNNNNNNNNNNN.seg  a segment, named by the first record number it
//	                      may hold (20 decimal digits)
//
//	segment := "WTS1" || prevSeq (8 bytes, big-endian) || len(prevHash) (1 byte) || prevHash || frame* || zeros
//	frame   := "WTF2" || len(data) (4 bytes, big-endian) || firstSeq || lastSeq
//	           || minTime || maxTime (8 bytes each, big-endian)
//	           || CRC-32 (IEEE) of the 40 bytes before it and data (4 bytes, big-endian) || data
//
// prevSeq and prevHash are the chain head when the segment was begun: the
// head of a segment that holds no frame yet. data is the block as
// store.AuditBlockRecords frames it; the frame's columns are derived from
// it (verification derives them again). Frames written before checksums
// ("WTF1", the same without the CRC) are read as they are.
//
// The newest segment is preallocated: the appender writes zeros ahead of
// its last frame (Trail.Prealloc bytes at a time, synced with the frame
// that needed them), so that an append overwrites zeros in place and its
// fdatasync has no file size to journal. The end of the trail is therefore
// not the file's size but the first place where no complete frame is: a
// zero header, or a write that a crash or a kill cut short (see
// reader.unfinished), never acknowledged as its sync never returned (or,
// when an appender leaves its syncs to the background, lost with the
// machine after the sync mark: see Mark). Readers ignore it and the next
// appender cuts off what is not zero. A
// segment ended by a roll is cut to its last frame first, so only the
// newest segment has zeros after its frames.
package segment

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/securecart/warden/internal/store"
)

const (
	segMagic    = "WTS1"
	frameMagic  = "WTF2"
	legacyMagic = "WTF1" // frames written before checksums: read, never written
	// FrameHeader is the length of a frame's header.
	FrameHeader  = 44
	legacyHeader = 40
	segSuffix    = ".seg"
	lockName     = "lock"
	// markName is the file, beside the segments, of the sync mark (see
	// Mark).
	markName = "synced"
	// sector is the unit a write cut short by a crash leaves whole:
	// written, or as it was before (zeros in preallocated space).
	sector = 512
)

// Frame is a frame's header: where it lies and its columns.
type Frame struct {
	Off               int64 // of its header in the segment
	Hdr               int64 // the header's length (FrameHeader, or 40 for a frame written before checksums)
	Len               int64 // of its data
	FirstSeq, LastSeq int64
	MinTime, MaxTime  int64
	Sum               uint32 // the checksum its header holds
}

// End is where the frame ends.
func (f *Frame) End() int64 { return f.Off + f.Hdr + f.Len }

// DataOff is where its data begins.
func (f *Frame) DataOff() int64 { return f.Off + f.Hdr }

// sum is the checksum of a frame with f's columns holding data.
func (f *Frame) sum(data []byte) uint32 {
	var h [legacyHeader]byte
	appendColumns(h[:0], uint32(len(data)), f.FirstSeq, f.LastSeq, f.MinTime, f.MaxTime)
	return crc32.Update(crc32.ChecksumIEEE(h[:]), crc32.IEEETable, data)
}

// SegName is the file name of the segment whose first record is first.
func SegName(first int64) string { return fmt.Sprintf("%020d%s", first, segSuffix) }

// segFirst parses a segment's name.
func segFirst(name string) (int64, bool) {
	s, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(s) != 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Segments lists the segment files of dir, oldest first.
func Segments(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if _, ok := segFirst(e.Name()); ok && e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// segHeader is a segment's header.
type segHeader struct {
	prevSeq  int64
	prevHash []byte
	len      int64
}

func appendSegHeader(dst []byte, prevSeq int64, prevHash []byte) []byte {
	dst = append(dst, segMagic...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(prevSeq))
	dst = append(dst, byte(len(prevHash)))
	return append(dst, prevHash...)
}

// readSegHeader reads the header of f.
func readSegHeader(f *os.File) (segHeader, error) {
	var b [4 + 8 + 1 + 255]byte
	n, err := f.ReadAt(b[:], 0)
	if err != nil && err != io.EOF {
		return segHeader{}, err
	}
	if n < 13 || string(b[:4]) != segMagic {
		return segHeader{}, errors.New("it does not start with the segment format's mark (WTS1)")
	}
	hl := int(b[12])
	if n < 13+hl {
		return segHeader{}, errors.New("its header is cut short")
	}
	var prev []byte
	if hl > 0 {
		prev = bytes.Clone(b[13 : 13+hl])
	}
	return segHeader{prevSeq: int64(binary.BigEndian.Uint64(b[4:])), prevHash: prev, len: int64(13 + hl)}, nil
}

// appendColumns appends a frame header's mark, length and columns (the
// bytes its checksum covers before the data).
func appendColumns(dst []byte, n uint32, firstSeq, lastSeq, minTime, maxTime int64) []byte {
	dst = append(dst, frameMagic...)
	dst = binary.BigEndian.AppendUint32(dst, n)
	for _, v := range []int64{firstSeq, lastSeq, minTime, maxTime} {
		dst = binary.BigEndian.AppendUint64(dst, uint64(v))
	}
	return dst
}

// appendFrameHeader appends the header of a frame holding b: its columns
// and the checksum of them and b.Data.
func appendFrameHeader(dst []byte, b *store.AuditBlock) []byte {
	fr := Frame{FirstSeq: b.FirstSeq, LastSeq: b.LastSeq, MinTime: b.MinTime, MaxTime: b.MaxTime}
	sum := fr.sum(b.Data)
	dst = appendColumns(dst, uint32(len(b.Data)), b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime)
	return binary.BigEndian.AppendUint32(dst, sum)
}

// parseFrameHeader reads a frame header at off (h holds at least its
// FrameHeader bytes, or fewer at the end of the file).
func parseFrameHeader(h []byte, off int64) (Frame, bool) {
	hdr := int64(FrameHeader)
	switch {
	case len(h) >= FrameHeader && string(h[:4]) == frameMagic:
	case len(h) >= legacyHeader && string(h[:4]) == legacyMagic:
		hdr = legacyHeader
	default:
		return Frame{}, false
	}
	be := binary.BigEndian
	fr := Frame{Off: off, Hdr: hdr, Len: int64(be.Uint32(h[4:])), FirstSeq: int64(be.Uint64(h[8:])), LastSeq: int64(be.Uint64(h[16:])),
		MinTime: int64(be.Uint64(h[24:])), MaxTime: int64(be.Uint64(h[32:]))}
	if hdr == FrameHeader {
		fr.Sum = be.Uint32(h[40:])
	}
	return fr, true
}

// status is what reading a frame at an offset found.
type status int

const (
	frameOK  status = iota
	frameEnd        // no frame: preallocated zeros, or a write that never completed (an unfinished write)
	frameSum        // a frame within the file whose checksum does not match: changed
	frameBad        // not a frame
)

// reader reads a segment file through a buffer.
type reader struct {
	f    *os.File
	size int64
	// holesFrom, when set, is where in this segment a machine crash may
	// have left frames that were written but never synced (see Mark):
	// from there on a complete frame after an unfinished one does not make
	// it a change.
	holesFrom func() int64
	holes     int64 // holesFrom's answer, asked once per reader (holesRead)
	holesRead bool
	// ahead is how much to read at least when the bytes asked for are not
	// buffered: a reader going through a whole segment's headers reads
	// many with one read.
	ahead  int64
	buf    []byte
	bufOff int64
}

// at returns n bytes at off (fewer at the end of the file), valid until the
// next call. chunk is how much to read at least when the bytes are not
// buffered (r.ahead when more).
func (r *reader) at(off, n, chunk int64) ([]byte, error) {
	if off >= r.bufOff && off+n <= r.bufOff+int64(len(r.buf)) {
		return r.buf[off-r.bufOff : off-r.bufOff+n], nil
	}
	want := min(max(n, chunk, r.ahead), r.size-off)
	if want < 0 {
		want = 0
	}
	if int64(cap(r.buf)) < want {
		r.buf = make([]byte, want)
	}
	r.buf = r.buf[:want]
	m, err := r.f.ReadAt(r.buf, off)
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.buf, r.bufOff = r.buf[:m], off
	return r.buf[:min(int64(m), n)], nil
}

// holesAt returns where in the segment a machine crash may have left
// frames written but never synced (math.MaxInt64: nowhere), reading the
// sync mark once per reader.
func (r *reader) holesAt() int64 {
	if r.holesFrom == nil {
		return math.MaxInt64
	}
	if !r.holesRead {
		r.holes, r.holesRead = r.holesFrom(), true
	}
	return r.holes
}

// How frameAt reads.
const (
	// atTail: off may be the end of the newest segment, where preallocated
	// zeros or an unfinished write lie (frameEnd; see unfinished).
	atTail = 1 << iota
	// atQuick, for readers that only follow the appenders (the read
	// index, an appender catching up under the lock): 44 zero bytes at off
	// are the end without looking further (a kill leaves a prefix of its
	// write, whose header is not zero; after the sync mark the first
	// unfinished write is the end anyway; before it, what follows a zeroed
	// header is a change, which verification, reading in full, reports),
	// and atMarked.
	atQuick
	// atMarked: a frame followed by another frame's mark is taken without
	// its checksum (it only steps over it: an unfinished write has nothing
	// after it, and a frame whose checksum does not match steps to the same
	// place, so that readers of ranges of the trail agree where frames are).
	// Only before the sync mark's offset (reader.holesAt): after it a
	// machine crash may have lost sectors in the middle of a frame and kept
	// the frames after it, so there every frame's checksum is checked.
	atMarked
)

// frameAt reads the frame at off of a segment of r.size bytes: a frame
// whose header has the mark, which lies within the file and whose checksum
// matches its header and data (frameOK); how says how to read (atTail,
// atQuick, atMarked).
func (r *reader) frameAt(off int64, how int) (Frame, status, error) {
	tail, quick := how&atTail != 0, how&atQuick != 0
	h, err := r.at(off, FrameHeader, 256)
	if err != nil {
		return Frame{}, frameBad, err
	}
	if quick && allZero(h) {
		return Frame{}, frameEnd, nil
	}
	fr, ok := parseFrameHeader(h, off)
	if ok && fr.End() <= r.size {
		if fr.Hdr == legacyHeader {
			return fr, frameOK, nil
		}
		if how&(atQuick|atMarked) != 0 {
			if next, err := r.at(fr.End(), 4, 256); err == nil && isMark(next) && fr.End() <= r.holesAt() {
				return fr, frameOK, nil
			}
		}
		data, err := r.at(fr.DataOff(), fr.Len, 1<<20)
		if err != nil {
			return fr, frameBad, err
		}
		if fr.sum(data) == fr.Sum {
			return fr, frameOK, nil
		}
		if !tail {
			return fr, frameSum, nil
		}
	}
	if !tail {
		return fr, frameBad, nil
	}
	st, err := r.unfinished(off, fr, ok)
	return fr, st, err
}

// isMark reports whether b begins with a frame's mark.
func isMark(b []byte) bool {
	return len(b) >= 4 && (string(b[:4]) == frameMagic || string(b[:4]) == legacyMagic)
}

// unfinished tells whether what lies at off, where no complete frame is
// (fr is its header when framed), is preallocated zeros or a write that a
// crash or a kill cut short (frameEnd), or a change (frameSum for a frame
// within the file, frameBad otherwise). A write cut short leaves its bytes
// as a sequence of sectors each written or left as before, that is zero in
// preallocated space (or the file cut within it where it grew the file),
// and nothing after it: so it is a change when a complete frame follows;
// a frame within the file none of whose sectors is zero (within the
// frame); a frame whose block is complete but whose length says more; or
// bytes without a mark where the first sector is not zero. A frame changed
// to end in whole zero sectors, or cut, passes for an unfinished write: so
// would removing it, and a digest that sealed its records reports them.
func (r *reader) unfinished(off int64, fr Frame, framed bool) (status, error) {
	holes := off >= r.holesAt()
	if after, err := r.frameAfter(off); err != nil || after && !holes {
		if framed && fr.End() <= r.size {
			return frameSum, err
		}
		return frameBad, err
	}
	if !framed {
		end := min(off-off%sector+sector, r.size)
		b, err := r.at(off, end-off, 0)
		if err != nil {
			return frameBad, err
		}
		if allZero(b) {
			return frameEnd, nil
		}
		if off+int64(len(b)) == r.size && len(b) < FrameHeader && (bytes.HasPrefix([]byte(frameMagic), b[:min(len(b), 4)]) || bytes.HasPrefix([]byte(legacyMagic), b[:min(len(b), 4)])) {
			return frameEnd, nil // the file ends inside a header
		}
		return frameBad, nil
	}
	if fr.End() > r.size {
		// The file ends inside the frame (a write that grew it): what is
		// there must be zeros or a block cut short.
		if zero, err := r.zeros(fr.DataOff()); err != nil || zero {
			return frameEnd, err
		}
		data, err := r.at(fr.DataOff(), r.size-fr.DataOff(), 0)
		if err != nil {
			return frameBad, err
		}
		if _, err := store.ReadAuditBlock(data, func(*store.AuditFrame) error { return nil }); err != nil && !errors.Is(err, store.ErrAuditBlockTrailing) {
			return frameEnd, nil
		}
		return frameBad, nil
	}
	for s := off - off%sector; s < fr.End(); s += sector {
		lo, hi := max(s, off), min(s+sector, fr.End())
		b, err := r.at(lo, hi-lo, 1<<20)
		if err != nil {
			return frameBad, err
		}
		if allZero(b) {
			return frameEnd, nil
		}
	}
	return frameSum, nil
}

// frameAfter reports whether a complete frame (its checksum matching; a
// frame written before checksums whose block reads whole) begins after off.
func (r *reader) frameAfter(off int64) (bool, error) {
	for pos := off; ; {
		next, err := r.nextMark(pos)
		if err != nil || next >= r.size {
			return false, err
		}
		h, err := r.at(next, FrameHeader, 256)
		if err != nil {
			return false, err
		}
		if fr, ok := parseFrameHeader(h, next); ok && fr.End() <= r.size {
			data, err := r.at(fr.DataOff(), fr.Len, 1<<20)
			if err != nil {
				return false, err
			}
			if fr.Hdr == FrameHeader && fr.sum(data) == fr.Sum {
				return true, nil
			}
			if fr.Hdr == legacyHeader {
				if _, err := store.ReadAuditBlock(data, func(*store.AuditFrame) error { return nil }); err == nil {
					return true, nil
				}
			}
		}
		pos = next
	}
}

// zeroBlock is compared with.
var zeroBlock [64 << 10]byte

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), len(zeroBlock))
		if !bytes.Equal(b[:n], zeroBlock[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

// zeros reports whether only zero bytes follow off.
func (r *reader) zeros(off int64) (bool, error) {
	for off < r.size {
		b, err := r.at(off, min(1<<16, r.size-off), 1<<16)
		if err != nil {
			return false, err
		}
		if len(b) == 0 {
			return true, nil
		}
		if !allZero(b) {
			return false, nil
		}
		off += int64(len(b))
	}
	return true, nil
}

// nextMark returns the offset of the next frame mark (of either format)
// after off, or size.
func (r *reader) nextMark(off int64) (int64, error) {
	for pos := off + 1; pos < r.size; {
		b, err := r.at(pos, min(1<<20, r.size-pos), 1<<20)
		if err != nil {
			return 0, err
		}
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte("WTF"))
			if j < 0 {
				break
			}
			i += j
			if i+4 <= len(b) && (b[i+3] == frameMagic[3] || b[i+3] == legacyMagic[3]) {
				return pos + int64(i), nil
			}
			if i+4 > len(b) {
				break
			}
			i++
		}
		if len(b) < len(frameMagic) {
			break
		}
		pos += int64(len(b) - len(frameMagic) + 1)
	}
	return r.size, nil
}

// sizeLinks returns f's size and link count, asking statx for those
// alone. An fstat also reads the file's times, and since Linux 6.13
// (multigrain timestamps) reading a file's ctime makes its next write
// stamp a fine-grained time, which dirties the inode: ext4 without a
// journal then writes the inode's block and waits for it in the next
// fdatasync, a second synchronous write per append (with the fstat before
// each append, ext4_write_inode was 9.5% of a pwrite+fdatasync loop's
// samples against 2.3% without, and the sync's median 25-75% longer).
// Without the query, the times move only with the kernel's coarse clock
// (a tick: 4 ms here), so most appends leave the inode clean.
func sizeLinks(f *os.File) (size int64, nlink uint32, err error) {
	var st unix.Statx_t
	err = unix.Statx(int(f.Fd()), "", unix.AT_EMPTY_PATH|unix.AT_STATX_SYNC_AS_STAT, unix.STATX_SIZE|unix.STATX_NLINK, &st)
	if err == nil {
		return int64(st.Size), st.Nlink, nil
	}
	if err != unix.ENOSYS {
		return 0, 0, &os.PathError{Op: "statx", Path: f.Name(), Err: err}
	}
	fi, err := f.Stat() // a kernel before 4.11
	if err != nil {
		return 0, 0, err
	}
	nlink = 1
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		nlink = uint32(sys.Nlink)
	}
	return fi.Size(), nlink, nil
}

// Mark is the sync mark: where the trail was last known to be on disk
// when an appender leaves its fdatasyncs to a background sync (Trail's
// SyncDelay). Before its first such append to a segment the appender
// makes the mark durable at the end it appends after (in that segment),
// and after background syncs it moves the mark to where a sync reached.
// So only the mark's segment can hold unsynced frames: those before it
// were synced when the next was begun, those after it were written with
// each append synced. A machine crash can lose what was written after the
// mark in any order of sectors, so there an unfinished
// write may be followed by complete frames (which were never synced
// either): readers and the next appender take the first unfinished write
// as the end there, not as a change. Before the mark the rules of
// reader.unfinished are unchanged. A forged mark lets a change pass for a
// crash's loss, as cutting the file does: the digests that sealed the
// records report them.
//
//	mark := "WTM1" || the segment's first record number || offset (8 bytes each, big-endian) || CRC-32 (IEEE) of the 20 bytes before it (4 bytes)
type Mark struct {
	Seg int64 // the segment's first record number (its name)
	Off int64 // the offset in it from which sectors may be missing
}

const markMagic = "WTM1"

// readMark reads dir's sync mark; ok is false when there is none (no
// appender left a sync to the background) or it cannot be read.
func readMark(dir string) (m Mark, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, markName))
	if err != nil || len(b) != 24 || string(b[:4]) != markMagic || crc32.ChecksumIEEE(b[:20]) != binary.BigEndian.Uint32(b[20:]) {
		return Mark{}, false
	}
	return Mark{Seg: int64(binary.BigEndian.Uint64(b[4:])), Off: int64(binary.BigEndian.Uint64(b[12:]))}, true
}

// writeMark writes dir's sync mark in place and syncs it (the file is
// created, and its directory entry synced, the first time).
func writeMark(dir string, m Mark) error {
	b := make([]byte, 24)
	copy(b, markMagic)
	binary.BigEndian.PutUint64(b[4:], uint64(m.Seg))
	binary.BigEndian.PutUint64(b[12:], uint64(m.Off))
	binary.BigEndian.PutUint32(b[20:], crc32.ChecksumIEEE(b[:20]))
	path := filepath.Join(dir, markName)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(b, 0)
	if err == nil {
		err = unix.Fdatasync(int(f.Fd()))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && statErr != nil {
		err = syncDir(dir)
	}
	return err
}

// holesFrom returns, for segment name of dir, where sectors written after
// the sync mark may be missing after a machine crash (math.MaxInt64:
// none). Only the mark's segment may miss them: an appender that leaves
// its syncs to the background makes the mark durable in a segment before
// its first unsynced write there, so a segment after the mark's holds only
// synced frames, and a segment before it was synced when the next was
// begun (Trail.Roll).
func holesFrom(dir, name string) int64 {
	m, ok := readMark(dir)
	first, _ := segFirst(name)
	if !ok || first != m.Seg {
		return math.MaxInt64
	}
	return m.Off
}

// lockFile takes the trail's lock (exclusive), f its lock file.
func lockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }

// syncDir makes the directory's entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// createSegment writes a new segment, its header and the blocks blocks
// passes to put (each as one frame, with its columns as given), under a
// temporary name, syncs it and renames it into place.
func createSegment(dir string, first, prevSeq int64, prevHash []byte, blocks func(put func(b *store.AuditBlock) error) error) error {
	if len(prevHash) > 255 {
		return fmt.Errorf("a hash of %d bytes", len(prevHash))
	}
	tmp := filepath.Join(dir, SegName(first)+".new")
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_, err = w.Write(appendSegHeader(nil, prevSeq, prevHash))
	if err == nil && blocks != nil {
		var hdr []byte
		err = blocks(func(b *store.AuditBlock) error {
			if len(b.Data) > math.MaxUint32 {
				return fmt.Errorf("a block of %d bytes", len(b.Data))
			}
			hdr = appendFrameHeader(hdr[:0], b)
			if _, err := w.Write(hdr); err != nil {
				return err
			}
			_, err := w.Write(b.Data)
			return err
		})
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, SegName(first)))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// lastHash returns the hash of the last record of a frame's data.
func lastHash(data []byte) ([]byte, int64, error) {
	var h []byte
	var seq int64
	_, err := store.ReadAuditBlock(data, func(f *store.AuditFrame) error { h, seq = f.Hash, f.Seq; return nil })
	if err != nil {
		return nil, 0, err
	}
	return bytes.Clone(h), seq, nil
}

// FirstHeader returns the header of the oldest segment of dir: the record
// number it begins with and the chain head before it.
func FirstHeader(dir string) (first, prevSeq int64, prevHash []byte, err error) {
	segs, err := Segments(dir)
	if err != nil {
		return 0, 0, nil, err
	}
	if len(segs) == 0 {
		return 0, 0, nil, ErrNoTrail
	}
	f, err := os.Open(filepath.Join(dir, segs[0]))
	if err != nil {
		return 0, 0, nil, err
	}
	defer f.Close()
	h, err := readSegHeader(f)
	if err != nil {
		return 0, 0, nil, err
	}
	first, _ = segFirst(segs[0])
	return first, h.prevSeq, h.prevHash, nil
}

// Rewrite replaces every segment of dir by one, named by first, begun after
// prevSeq and prevHash, holding the blocks blocks passes to put as frames
// with the columns given.
func Rewrite(dir string, first, prevSeq int64, prevHash []byte, blocks func(put func(b *store.AuditBlock) error) error) error {
	segs, err := Segments(dir)
	if err != nil {
		return err
	}
	for _, s := range segs {
		if err := os.Remove(filepath.Join(dir, s)); err != nil {
			return err
		}
	}
	return createSegment(dir, first, prevSeq, prevHash, blocks)
}
