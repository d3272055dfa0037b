// Package segment stores an audit trail as append-only segment files: each
// commit group's block (store.AuditBlockRecords) is one frame, written with
// one write and made durable with one fdatasync. Several processes append to
// one chain: an flock on the directory's lock file is held around each
// append, and an appender first catches its chain head up with what others
// appended since.
//
// Layout of a directory:
//
//	lock                  the flock every appender, roll and deletion holds
//	NNNNNNNNNNNNNNNNNNNN.seg  a segment, named by the first record number it
//	                      may hold (20 decimal digits)
//
//	segment := "WTS1" || prevSeq (8 bytes, big-endian) || len(prevHash) (1 byte) || prevHash || frame*
//	frame   := "WTF1" || len(data) (4 bytes, big-endian) || firstSeq || lastSeq
//	           || minTime || maxTime (8 bytes each, big-endian) || data
//
// prevSeq and prevHash are the chain head when the segment was begun: the
// head of a segment that holds no frame yet. data is the block as
// store.AuditBlockRecords frames it; the frame's columns are derived from
// it (verification derives them again). A frame that ends past the end of
// the newest segment, or a tail of zeros there, is a write that never
// completed (never acknowledged, as its sync never returned): readers
// ignore it and the next appender truncates it.
package segment

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/securecart/warden/internal/store"
)

const (
	segMagic   = "WTS1"
	frameMagic = "WTF1"
	// FrameHeader is the length of a frame's header.
	FrameHeader = 40
	segSuffix   = ".seg"
	lockName    = "lock"
)

// Frame is a frame's header: where it lies and its columns.
type Frame struct {
	Off               int64 // of its header in the segment
	Len               int64 // of its data
	FirstSeq, LastSeq int64
	MinTime, MaxTime  int64
}

// End is where the frame ends.
func (f *Frame) End() int64 { return f.Off + FrameHeader + f.Len }

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

// appendFrameHeader appends the header of a frame holding b.
func appendFrameHeader(dst []byte, b *store.AuditBlock) []byte {
	dst = append(dst, frameMagic...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b.Data)))
	for _, v := range []int64{b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime} {
		dst = binary.BigEndian.AppendUint64(dst, uint64(v))
	}
	return dst
}

// parseFrameHeader reads a frame header (FrameHeader bytes at off).
func parseFrameHeader(h []byte, off int64) (Frame, bool) {
	if len(h) < FrameHeader || string(h[:4]) != frameMagic {
		return Frame{}, false
	}
	be := binary.BigEndian
	return Frame{Off: off, Len: int64(be.Uint32(h[4:])), FirstSeq: int64(be.Uint64(h[8:])), LastSeq: int64(be.Uint64(h[16:])),
		MinTime: int64(be.Uint64(h[24:])), MaxTime: int64(be.Uint64(h[32:]))}, true
}

// status is what reading a frame at an offset found.
type status int

const (
	frameOK   status = iota
	frameTorn        // an unfinished write: the file ends inside it, or only zeros follow
	frameBad         // not a frame
)

// reader reads a segment file through a buffer.
type reader struct {
	f      *os.File
	size   int64
	buf    []byte
	bufOff int64
}

// at returns n bytes at off (fewer at the end of the file), valid until the
// next call. min is how much to read at least when the bytes are not
// buffered.
func (r *reader) at(off, n, chunk int64) ([]byte, error) {
	if off >= r.bufOff && off+n <= r.bufOff+int64(len(r.buf)) {
		return r.buf[off-r.bufOff : off-r.bufOff+n], nil
	}
	want := min(max(n, chunk), r.size-off)
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

// frameAt reads the frame header at off of a segment of r.size bytes. A
// frame that does not fit is an unfinished write (frameTorn) only when what
// the file holds from off is what such a write leaves: zeros, or a prefix of
// a frame whose block is cut short. A frame whose block is complete but
// whose length says more, or which runs into bytes after its block, was
// changed (frameBad), so that a length changed in the middle of the newest
// segment does not pass for an unfinished write.
func (r *reader) frameAt(off int64) (Frame, status, error) {
	h, err := r.at(off, FrameHeader, 256)
	if err != nil {
		return Frame{}, frameBad, err
	}
	fr, ok := parseFrameHeader(h, off)
	if !ok {
		zero, err := r.zeros(off)
		switch {
		case err != nil:
			return Frame{}, frameBad, err
		case zero:
			return Frame{}, frameTorn, nil
		case len(h) < FrameHeader && bytes.HasPrefix([]byte(frameMagic), h[:min(len(h), len(frameMagic))]):
			return Frame{}, frameTorn, nil
		}
		return Frame{}, frameBad, nil
	}
	if fr.End() <= r.size {
		return fr, frameOK, nil
	}
	if zero, err := r.zeros(off + FrameHeader); err != nil || zero {
		return fr, frameTorn, err
	}
	data, err := r.at(off+FrameHeader, r.size-off-FrameHeader, 0)
	if err != nil {
		return fr, frameBad, err
	}
	if _, err := store.ReadAuditBlock(data, func(*store.AuditFrame) error { return nil }); err != nil && !errors.Is(err, store.ErrAuditBlockTrailing) {
		return fr, frameTorn, nil
	}
	return fr, frameBad, nil
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
		for _, c := range b {
			if c != 0 {
				return false, nil
			}
		}
		off += int64(len(b))
	}
	return true, nil
}

// nextMark returns the offset of the next frame mark after off, or size.
func (r *reader) nextMark(off int64) (int64, error) {
	for pos := off + 1; pos < r.size; {
		b, err := r.at(pos, min(1<<20, r.size-pos), 1<<20)
		if err != nil {
			return 0, err
		}
		if i := bytes.Index(b, []byte(frameMagic)); i >= 0 {
			return pos + int64(i), nil
		}
		if len(b) < len(frameMagic) {
			break
		}
		pos += int64(len(b) - len(frameMagic) + 1)
	}
	return r.size, nil
}

// lockFile takes dir's lock (exclusive).
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
