package detect

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/securecart/warden/internal/audit"
)

// The members of a record whose values change from call to call while
// the rest of a caller's records stays the same byte for byte: a record's
// shape is its bytes without these values.
const (
	cutEventTime = iota
	cutSourceIP
	cutRequestID
	cutEventID
)

var cutNames = [...]string{cutEventTime: "eventTime", cutSourceIP: "sourceIPAddress", cutRequestID: "requestID", cutEventID: "eventID"}

// shapes remembers records by their shape, so that a record of a known
// shape is read by comparing its bytes with the remembered record's
// instead of walking through them: the bulk of a trail under load is a
// few callers making the same call (a GetCallerIdentity by the same key
// differs from the one before only in its time, IDs and, at most, its
// source address).
//
// A record matches a shape when its bytes are the remembered record's but
// for the values of the cut members (cutNames), each of them a string of
// printable ASCII without quote or backslash, as it was in the remembered
// record. recordReader then reads the same tokens from both, in the same
// order, to the same effect, except those strings' contents: the record is
// the remembered record read (shape.rec) with the cut fields set from its
// own bytes. A shape is made of a record recordReader read whole (view
// mode) whose cut members, if any, are such strings, each once, and
// whose parameters and response are null (calls like GetCallerIdentity:
// records with parameters rarely repeat).
type shapes struct {
	byHead map[string][]*shape // by the bytes up to the first cut
	heads  []int               // the lengths of those, few
	n      int
	vals   [len(cutNames)][]byte
}

type shape struct {
	data []byte
	// cuts are the values cut out, [start, end) of their contents, in
	// order; field which cut member each is.
	cuts  []cut
	field []int
	rec   audit.Record // data read whole
}

// maxShapes bounds the shapes remembered: past it, they are forgotten and
// remembered again as they come.
const maxShapes = 256

// read reads data into r when it has a known shape; r's strings are then
// views of data and of the shape's record. false when its shape is not
// known.
func (ss *shapes) read(data []byte, r *audit.Record) bool {
	for _, l := range ss.heads {
		if l > len(data) {
			continue
		}
		for _, s := range ss.byHead[string(data[:l])] {
			if !s.match(data, &ss.vals) {
				continue
			}
			*r = s.rec
			for i, f := range s.field {
				v := viewOf(ss.vals[i])
				switch f {
				case cutEventTime:
					r.EventTime = v
				case cutSourceIP:
					r.SourceIPAddress = v
				case cutEventID:
					r.EventID = v
				}
			}
			return true
		}
	}
	return false
}

// match reports whether data has s's shape, with the cut values in vals.
func (s *shape) match(data []byte, vals *[len(cutNames)][]byte) bool {
	pos, from := 0, 0
	for i, c := range s.cuts {
		seg := s.data[from:c.start]
		if !bytes.HasPrefix(data[pos:], seg) {
			return false
		}
		pos += len(seg)
		end := plainEnd(data, pos)
		if end < 0 {
			return false
		}
		vals[i] = data[pos:end]
		pos, from = end, c.end
	}
	return bytes.Equal(data[pos:], s.data[from:])
}

// plainEnd is where the string contents at data[i:] end (its closing
// quote), -1 when a backslash, a control character, a byte outside ASCII
// or the end of data comes first.
func plainEnd(data []byte, i int) int {
	const highs = 0x8080808080808080
	for ; i+8 <= len(data); i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		if m := specials(x) | x&highs; m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if data[i] == '"' {
				return i
			}
			return -1
		}
	}
	for ; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i
		case c == '\\' || c < 0x20 || c >= 0x80:
			return -1
		}
	}
	return -1
}

// remember makes a shape of data, which rr (in view mode) has just read
// without error, when it can be one (see shapes); own reads it whole.
func (ss *shapes) remember(data []byte, rr, own *recordReader) {
	if rr.structured {
		return
	}
	var cuts []cut
	var field []int
	for i, c := range rr.cuts {
		switch {
		case c.n == 0:
			continue
		case c.n > 1 || c.start >= len(data) || data[c.start] != '"' || plainEnd(data, c.start+1) != c.end-1:
			return
		}
		cuts = append(cuts, cut{start: c.start + 1, end: c.end - 1})
		field = append(field, i)
	}
	if len(cuts) == 0 {
		return
	}
	order := make([]int, len(cuts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cuts[a].start - cuts[b].start })
	s := &shape{data: bytes.Clone(data)}
	for _, i := range order {
		s.cuts = append(s.cuts, cuts[i])
		s.field = append(s.field, field[i])
	}
	if own.decode(s.data, &s.rec) != nil {
		return
	}
	if ss.n >= maxShapes || ss.byHead == nil {
		ss.byHead, ss.heads, ss.n = map[string][]*shape{}, nil, 0
	}
	head := string(s.data[:s.cuts[0].start])
	if !slices.Contains(ss.heads, len(head)) {
		ss.heads = append(ss.heads, len(head))
	}
	ss.byHead[head] = append(ss.byHead[head], s)
	ss.n++
}
