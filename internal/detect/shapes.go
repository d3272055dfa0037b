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

// cutOpens are the cut members as the audit trail's encoder writes them,
// up to their values' contents: a shape's head ends with its first cut's.
var cutOpens = func() (o [len(cutNames)][]byte) {
	for i, n := range cutNames {
		o[i] = []byte(`"` + n + `":"`)
	}
	return o
}()

// shapes remembers records by their shape, so that a record of a known
// shape is read by comparing its bytes with the remembered record's
// instead of walking through them: the bulk of a trail under load is
// callers making the same calls again (a GetCallerIdentity by the same key
// differs from the one before only in its time, IDs and, at most, its
// source address), up to maxShapes of them at a time.
//
// A record matches a shape when its bytes are the remembered record's but
// for the values of the cut members (cutNames), each of them a string of
// printable ASCII without quote or backslash, as it was in the remembered
// record. recordReader then reads the same tokens from both, in the same
// order, to the same effect, except those strings' contents: the record is
// the remembered record read (shape.rec) with the cut fields set from its
// own bytes. A shape is made of a record recordReader read whole (view
// mode) that has at least one cut member, each once and a string as
// above, written as the encoder writes it (its first cut's name where the
// name first appears, no space around the colon), and whose parameters
// and response are null (calls like GetCallerIdentity: records with
// parameters rarely repeat).
//
// The work per record is bounded whatever the trail holds (a caller
// changing its user agent or session name at every call makes every
// record a new shape): a record's head (its bytes up to its first cut's
// value) is found by searching for the cut names in use, one map lookup
// each (one for the encoder's records, whose first cut is eventTime); a
// head holds at most perHead shapes, tried most recently used first; past
// maxShapes, the least recently used (CLOCK) is forgotten alone; and while
// fewer than half of the last window's records were read by shape, only
// one miss in lowRemember is remembered, so that a trail of shapes that do
// not repeat costs little more than reading it as views
// (TestShapesBoundedWork).
type shapes struct {
	byHead map[string]*bucket // by the bytes up to the first cut's value
	// firsts counts the shapes whose first cut is each cut member: the
	// names searched for a record's head; from is where the search starts
	// (no shorter head has been remembered).
	firsts [len(cutNames)]int
	from   [len(cutNames)]int
	// slots are the shapes remembered, for CLOCK's hand; free the empty
	// ones.
	slots []*shape
	free  []int
	hand  int
	n     int
	vals  [len(cutNames)][]byte
	// window counts the records read and the hits among them since the
	// window began; low is whether fewer than half of the last window's
	// were hits. spent is what remember has spent of maxCredit: remembering
	// a record costs rememberCost (lowCost while low), and each record
	// read pays one back.
	window, windowHits int
	low                bool
	spent              int
	stats              shapeStats
	// off turns the cache off: every record is read as views (the path
	// the benchmarks and TestShapesBoundedWork compare with).
	off bool
}

// shapeStats count what shapes did, for the tests: records looked up,
// read by shape, remembered, and the bytes searched, hashed and compared
// on the way (work).
type shapeStats struct {
	records, hits, remembered, work int
}

// bucket is the shapes of one head, most recently used first.
type bucket struct {
	shapes []*shape
}

type shape struct {
	data []byte
	head string // data up to the first cut's value (its byHead key)
	// cuts are the values cut out, [start, end) of their contents, in
	// order; field which cut member each is.
	cuts  []cut
	field []int
	rec   audit.Record // data read whole
	slot  int
	used  bool // read by since CLOCK's hand last passed
}

const (
	// maxShapes bounds the shapes remembered; perHead the shapes of one
	// head (tried on each record with that head).
	maxShapes = 1024
	perHead   = 4
	// window is how many records the hit rate is taken over. At most one
	// record in rememberCost is remembered (after a first maxCredit /
	// rememberCost), one in lowCost while fewer than half of the last
	// window's records were read by shape.
	window       = 1024
	rememberCost = 8
	lowCost      = 64
	maxCredit    = 256 * rememberCost
)

// read reads data into r when it has a known shape; r's strings are then
// views of data and of the shape's record. false when its shape is not
// known.
func (ss *shapes) read(data []byte, r *audit.Record) bool {
	if ss.off || ss.n == 0 {
		ss.note(false)
		return false
	}
	for f, n := range ss.firsts {
		if n == 0 {
			continue
		}
		from := ss.from[f]
		if from >= len(data) {
			continue
		}
		i := bytes.Index(data[from:], cutOpens[f])
		if i < 0 {
			ss.stats.work += len(data) - from
			continue
		}
		l := from + i + len(cutOpens[f])
		ss.stats.work += l - from + l // searched, then hashed
		b := ss.byHead[string(data[:l])]
		if b == nil {
			continue
		}
		for j, s := range b.shapes {
			if !s.match(data, l, &ss.vals, &ss.stats.work) {
				continue
			}
			if j > 0 {
				copy(b.shapes[1:j+1], b.shapes[:j])
				b.shapes[0] = s
			}
			s.used = true
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
			ss.note(true)
			return true
		}
	}
	ss.note(false)
	return false
}

// note counts a record read, by shape (hit) or not.
func (ss *shapes) note(hit bool) {
	ss.stats.records++
	ss.spent = max(ss.spent-1, 0)
	ss.window++
	if hit {
		ss.stats.hits++
		ss.windowHits++
	}
	if ss.window == window {
		ss.low = 2*ss.windowHits < window
		ss.window, ss.windowHits = 0, 0
	}
}

// match reports whether data, whose first head bytes are s's head, has
// s's shape, with the cut values in vals, adding the bytes it compared to
// work.
func (s *shape) match(data []byte, head int, vals *[len(cutNames)][]byte, work *int) bool {
	pos, from := head, head
	for i, c := range s.cuts {
		seg := s.data[from:c.start]
		*work += len(seg)
		if !bytes.HasPrefix(data[pos:], seg) {
			return false
		}
		pos += len(seg)
		end := plainEnd(data, pos)
		if end < 0 {
			return false
		}
		*work += end - pos
		vals[i] = data[pos:end]
		pos, from = end, c.end
	}
	*work += len(s.data) - from
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
// While the hit rate is low, it remembers one such record in lowRemember.
func (ss *shapes) remember(data []byte, rr, own *recordReader) {
	cost := rememberCost
	if ss.low {
		cost = lowCost
	}
	if ss.off || rr.structured || ss.spent+cost > maxCredit {
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
	first := 0
	for i := range cuts {
		if cuts[i].start < cuts[first].start {
			first = i
		}
	}
	// read finds the head by the first cut's name where it first appears.
	if open := cutOpens[field[first]]; bytes.Index(data, open)+len(open) != cuts[first].start {
		return
	}
	ss.spent += cost
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
	ss.stats.work += 2 * len(data) // copied, read again
	if own.decode(s.data, &s.rec) != nil {
		return
	}
	s.head = string(s.data[:s.cuts[0].start])
	if ss.byHead == nil {
		ss.byHead = map[string]*bucket{}
	}
	b := ss.byHead[s.head]
	switch {
	case b != nil && len(b.shapes) >= perHead:
		ss.forget(b.shapes[len(b.shapes)-1])
	case ss.n >= maxShapes:
		ss.evict()
	}
	if b = ss.byHead[s.head]; b == nil {
		b = &bucket{}
		ss.byHead[s.head] = b
	}
	b.shapes = slices.Insert(b.shapes, 0, s)
	if k := len(ss.free); k > 0 {
		s.slot, ss.free = ss.free[k-1], ss.free[:k-1]
		ss.slots[s.slot] = s
	} else {
		s.slot = len(ss.slots)
		ss.slots = append(ss.slots, s)
	}
	if f := s.field[0]; ss.firsts[f] == 0 || len(s.head)-len(cutOpens[f]) < ss.from[f] {
		// read finds no head shorter than this by searching from here.
		ss.from[f] = len(s.head) - len(cutOpens[f])
	}
	ss.firsts[s.field[0]]++
	ss.n++
	ss.stats.remembered++
}

// evict forgets the shape CLOCK's hand comes to first that no record was
// read by since the hand last passed it.
func (ss *shapes) evict() {
	for {
		s := ss.slots[ss.hand]
		ss.hand = (ss.hand + 1) % len(ss.slots)
		switch {
		case s == nil:
		case s.used:
			s.used = false
		default:
			ss.forget(s)
			return
		}
	}
}

// forget removes s from the shapes.
func (ss *shapes) forget(s *shape) {
	b := ss.byHead[s.head]
	b.shapes = slices.DeleteFunc(b.shapes, func(t *shape) bool { return t == s })
	if len(b.shapes) == 0 {
		delete(ss.byHead, s.head)
	}
	ss.slots[s.slot] = nil
	ss.free = append(ss.free, s.slot)
	ss.firsts[s.field[0]]--
	ss.n--
}
