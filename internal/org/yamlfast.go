package org

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode/utf8"
	"unsafe"

	"go.yaml.in/yaml/v3"
)

// The YAML library's reader (go.yaml.in/yaml/v3) is a port of libyaml's
// state machine: on a large organization it is about half of the load's
// time and most of its allocations. Organization files are written in a
// small part of YAML: block mappings and lists, one-line flow mappings and
// lists, one-line plain and quoted scalars, comments. fastYAML reads that
// part directly into the loader's nodes (ynode), as the library reads the
// same text (kinds, resolved tags, values, lines and columns), the nodes
// and their children allocated in slabs and each distinct value allocated
// once.
// Anything outside that part (anchors, aliases, tags, block scalars,
// scalars over several lines, multi-line flow collections, tabs, several
// documents, malformed text) makes it decline, and the file is read by the
// library, which also reports errors, and converted (fromLibrary).
// TestFastYAMLSameTree and FuzzFastYAML check that whatever it accepts, the
// library reads into the same tree.

// fastYAML reads the top-level mapping of a YAML text; ok is false when
// the text is outside the part of YAML it reads.
func fastYAML(data []byte) (root *ynode, ok bool) {
	r := fastReader{}
	if !r.init(data) {
		return nil, false
	}
	defer recoverDecline(&root, &ok)
	c := r.nextContent()
	if c != 0 {
		return nil, false // empty, or not a mapping at column 1: the library decides
	}
	root = r.blockMapping(0)
	if r.nextContent() >= 0 {
		r.decline()
	}
	return root, true
}

type declineT struct{}

var errDecline = &declineT{}

type fastReader struct {
	textReader
}

// textReader is the state the fast YAML and JSON readers share: the text,
// where they are, and the slabs their nodes are allocated in.
type textReader struct {
	src       string // the file's bytes, scanned in place (textOf)
	pos       int
	line      int // of pos, from 1
	lineStart int // offset of pos's line
	nonASCII  bool
	slab      []ynode
	kids      []*ynode // slab of children
	stack     []*ynode // children being read
	strs      map[string]string
	recent    [internWays]string // the last value interned in each way (intern)
	depth     int                // collections open
}

// internWays is the number of values intern remembers in front of its map.
const internWays = 512

// maxDepth bounds the nesting the fast readers read, far below what would
// exhaust the stack; the library and jsontext have limits of their own.
const maxDepth = 1000

// enter enters a collection, declining beyond maxDepth; leave leaves it.
func (r *textReader) enter() {
	r.depth++
	if r.depth > maxDepth {
		r.decline()
	}
}

func (r *textReader) leave() { r.depth-- }

// textOf returns a file's bytes as the text the readers scan, without
// copying them (a large organization's files are megabytes, each byte a
// page the process would fault in twice). The loader never changes a
// file's bytes once read, and every value the readers keep is interned
// (a copy of its own), so that nothing built from the text shares it.
func textOf(data []byte) string {
	return unsafe.String(unsafe.SliceData(data), len(data))
}

// intern returns a value read from the text as a string of its own, one
// per distinct value: a large organization repeats most of its values
// (keys, actions, names, account IDs), and a value the model keeps must
// not keep the whole text alive.
//
// A file repeats its values close together (the keys of each role, the
// same actions and account IDs), so the last value interned in each of
// internWays ways, chosen by its length and end bytes, is compared first:
// most values are found there without hashing them for the map.
func (r *textReader) intern(v string) string {
	if v == "" {
		return ""
	}
	way := &r.recent[(uint(len(v))*131+uint(v[0])*31+uint(v[len(v)-1]))%internWays]
	if *way == v {
		return *way
	}
	s, ok := r.strs[v]
	if !ok {
		if r.strs == nil {
			r.strs = map[string]string{}
		}
		s = strings.Clone(v)
		r.strs[s] = s
	}
	*way = s
	return s
}

func (r *textReader) decline() { panic(errDecline) }

// recoverDecline ends a reader's run, turning a decline into ok false.
func recoverDecline(root **ynode, ok *bool) {
	if e := recover(); e != nil {
		if e != errDecline {
			panic(e)
		}
		*root, *ok = nil, false
	}
}

// init checks the characters of the text: no tab, carriage return or other
// control character, valid UTF-8 without a byte order mark or the line
// breaks YAML adds to \n, and no line starting a directive or a document
// marker.
func (r *fastReader) init(data []byte) bool {
	if c := data; len(c) > 0 && (c[0] == '%' || bytes.HasPrefix(c, []byte("---")) || bytes.HasPrefix(c, []byte("..."))) {
		return false
	}
	for i := 0; i < len(data); {
		// Eight printable ASCII characters or line breaks at a time: no
		// byte below 0x20 but the line break, none at 0x7f or above. The
		// line breaks are the bytes that xor with '\n' to 0 (found exactly);
		// the line after each must not start with the first character of a
		// directive or a document marker ('%', '-', '.'), which the check
		// below, one byte at a time, decides (and for a line that starts
		// where a word would).
		for i+8 <= len(data) && (i == 0 || data[i-1] != '\n') {
			w := binary.LittleEndian.Uint64(data[i:])
			n := w ^ 0x0a0a0a0a0a0a0a0a
			if breaks := ^(((n & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | n) & 0x8080808080808080; breaks != 0 {
				if !plainLineStarts(data, i, breaks) {
					break
				}
				w |= breaks >> 2 // a line break becomes '*', printable
			}
			if ((w-0x2020202020202020)|(w+0x0101010101010101)|w)&0x8080808080808080 != 0 {
				break
			}
			i += 8
		}
		if i == len(data) {
			break
		}
		c := data[i]
		if i == 0 || data[i-1] == '\n' {
			if c == '%' || (i+3 <= len(data) && (string(data[i:i+3]) == "---" || string(data[i:i+3]) == "...")) {
				return false
			}
		}
		switch {
		case c == '\n' || (c >= 0x20 && c < 0x7f):
			i++
		case c < 0x80:
			return false
		default:
			ru, n := utf8.DecodeRune(data[i:])
			if ru == utf8.RuneError || ru < 0xa0 || ru == 0x2028 || ru == 0x2029 || ru == 0xfeff || ru == 0xfffe || ru == 0xffff {
				return false
			}
			r.nonASCII = true
			i += n
		}
	}
	r.src = textOf(data)
	r.line = 1
	return true
}

// plainLineStarts reports whether the lines that start after the line
// breaks of the word at i (breaks: the high bit of each break's byte) all
// start with a byte other than '%', '-' and '.'.
func plainLineStarts(data []byte, i int, breaks uint64) bool {
	for ; breaks != 0; breaks &= breaks - 1 {
		j := i + bits.TrailingZeros64(breaks)/8 + 1
		if j < len(data) && (data[j] == '%' || data[j] == '-' || data[j] == '.') {
			return false
		}
	}
	return true
}

// node allocates a node at pos.
func (r *textReader) node(kind nodeKind, tag nodeTag, at int) *ynode {
	if len(r.slab) == 0 {
		r.slab = make([]ynode, nodeSlab)
	}
	n := &r.slab[0]
	r.slab = r.slab[1:]
	n.Kind, n.tag, n.Line, n.Column = kind, tag, pos32(r.line), pos32(r.col(at))
	return n
}

// col is the column of an offset of the current line, in characters from 1.
func (r *textReader) col(at int) int {
	if !r.nonASCII {
		return at - r.lineStart + 1
	}
	return utf8.RuneCountInString(r.src[r.lineStart:at]) + 1
}

// children moves the children read since base into n.
func (r *textReader) children(n *ynode, base int) {
	k := len(r.stack) - base
	if k == 0 {
		r.stack = r.stack[:base]
		return
	}
	if k > len(r.kids) {
		r.kids = make([]*ynode, max(k, 4096))
	}
	n.Content = r.kids[:k:k]
	r.kids = r.kids[k:]
	copy(n.Content, r.stack[base:])
	clear(r.stack[base:])
	r.stack = r.stack[:base]
}

// nextContent moves to the first character of the next line that holds
// more than spaces and a comment, from the end of the previous content or
// from a line's first content (where it stays), and returns its column
// from 0 (-1 at the end).
func (r *fastReader) nextContent() int {
	s := r.src
	for {
		i := r.pos
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == '#' && (i == r.lineStart || s[i-1] == ' ') {
			for i < len(s) && s[i] != '\n' {
				i++
			}
		}
		if i >= len(s) {
			r.pos = i
			return -1
		}
		if s[i] != '\n' {
			for j := r.lineStart; j < i; j++ {
				if s[j] != ' ' {
					r.decline() // content after content on a line
				}
			}
			r.pos = i
			return i - r.lineStart
		}
		r.pos = i + 1
		r.line++
		r.lineStart = r.pos
	}
}

// endLine checks that the rest of the line is blank or a comment.
func (r *fastReader) endLine() {
	s := r.src
	i := r.pos
	for i < len(s) && s[i] == ' ' {
		i++
	}
	switch {
	case i >= len(s) || s[i] == '\n':
	case s[i] == '#' && i > r.pos:
	default:
		r.decline()
	}
	r.pos = i
}

// blockMapping reads a block mapping whose keys are at column indent (from
// 0); pos is at its first key.
func (r *fastReader) blockMapping(indent int) *ynode {
	r.enter()
	defer r.leave()
	m := r.node(mappingNode, tagMap, r.pos)
	base := len(r.stack)
	for {
		k := r.key()
		if k == nil {
			r.decline()
		}
		colon := r.pos
		r.pos++ // the ':'
		r.stack = append(r.stack, k)
		r.stack = append(r.stack, r.mappingValue(indent, colon))
		c := r.nextContent()
		if c < indent {
			break
		}
		if c > indent || r.src[r.pos] == '-' && r.blankAt(r.pos+1) {
			r.decline()
		}
	}
	r.children(m, base)
	return m
}

// mappingValue reads the value after a block mapping's ':' at colon: on the
// same line, or a block collection on the next lines, or nothing (null).
func (r *fastReader) mappingValue(indent, colon int) *ynode {
	if r.pos < len(r.src) && r.src[r.pos] != ' ' && r.src[r.pos] != '\n' {
		r.decline()
	}
	for r.pos < len(r.src) && r.src[r.pos] == ' ' {
		r.pos++
	}
	if r.pos < len(r.src) && r.src[r.pos] != '\n' && r.src[r.pos] != '#' {
		v := r.inline(false)
		r.endLine()
		return v
	}
	// The value is on the next lines, or empty: the library places an
	// empty value just after the ':'.
	null := r.node(scalarNode, tagNull, colon+1)
	c := r.nextContent()
	switch {
	case c > indent:
		if r.src[r.pos] == '-' && r.blankAt(r.pos+1) {
			return r.blockSequence(c, false)
		}
		if r.isKey() {
			return r.blockMapping(c)
		}
		r.decline()
	case c == indent && r.src[r.pos] == '-' && r.blankAt(r.pos+1):
		return r.blockSequence(c, true)
	}
	return null
}

// blockSequence reads a block list whose '-' are at column indent; pos is
// at the first '-'. An indentless list (the value of a mapping's key at the
// key's column) ends at the first line at that column without '-'.
func (r *fastReader) blockSequence(indent int, indentless bool) *ynode {
	r.enter()
	defer r.leave()
	q := r.node(sequenceNode, tagSeq, r.pos)
	base := len(r.stack)
	for {
		r.pos++ // the '-'
		if r.pos >= len(r.src) || r.src[r.pos] != ' ' {
			r.decline() // an item on the next lines
		}
		for r.pos < len(r.src) && r.src[r.pos] == ' ' {
			r.pos++
		}
		if r.pos >= len(r.src) || r.src[r.pos] == '\n' || r.src[r.pos] == '#' {
			r.decline()
		}
		if r.isKey() {
			r.stack = append(r.stack, r.blockMapping(r.pos-r.lineStart))
		} else {
			r.stack = append(r.stack, r.inline(false))
			r.endLine()
		}
		c := r.nextContent()
		if c < indent {
			break
		}
		if c > indent {
			r.decline()
		}
		if !(r.src[r.pos] == '-' && r.blankAt(r.pos+1)) {
			if indentless {
				break
			}
			r.decline()
		}
	}
	r.children(q, base)
	return q
}

// blankAt reports whether offset i is a space, a line break or the end.
func (r *fastReader) blankAt(i int) bool {
	return i >= len(r.src) || r.src[i] == ' ' || r.src[i] == '\n'
}

// maxKey is below the library's 1,024 characters of a simple key.
const maxKey = 1000

// isKey reports whether pos starts a one-line key followed by ':' and a
// blank.
func (r *fastReader) isKey() bool {
	save := r.pos
	k := r.keyAt()
	r.pos = save
	return k
}

func (r *fastReader) keyAt() (ok bool) {
	s := r.src
	start := r.pos
	switch c := s[r.pos]; c {
	case '"', '\'':
		end, _, good := r.scanQuoted()
		if !good {
			return false
		}
		r.pos = end
	default:
		if !plainStart(s, r.pos, false) {
			return false
		}
		end, _ := r.scanPlain(false)
		r.pos = end
	}
	return r.pos-start <= maxKey && r.pos < len(s) && s[r.pos] == ':' && r.blankAt(r.pos+1)
}

// key reads a block mapping's key, leaving pos at its ':'; nil if pos does
// not start a key.
func (r *fastReader) key() *ynode {
	if !r.isKey() {
		return nil
	}
	return r.scalar(false)
}

// inline reads a scalar or a one-line flow collection.
func (r *fastReader) inline(flow bool) *ynode {
	if c := r.src[r.pos]; c == '{' || c == '[' {
		return r.flow()
	}
	return r.scalar(flow)
}

// plainStart reports whether a plain scalar may start at i: not with an
// indicator, except '-' followed by a character that is not blank.
func plainStart(s string, i int, flow bool) bool {
	switch s[i] {
	case '-':
		return i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '\n' && !(flow && strings.IndexByte(",[]{}", s[i+1]) >= 0)
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ', '\n':
		return false
	}
	return true
}

// scalar reads a plain or quoted scalar on one line.
func (r *fastReader) scalar(flow bool) *ynode {
	s := r.src
	start := r.pos
	switch s[start] {
	case '"', '\'':
		end, v, ok := r.scanQuoted()
		if !ok {
			r.decline()
		}
		n := r.node(scalarNode, tagStr, start)
		n.Value = r.intern(v)
		r.pos = end
		return n
	}
	if !plainStart(s, start, flow) {
		r.decline()
	}
	end, v := r.scanPlain(flow)
	if v == "<<" {
		r.decline() // a merge key
	}
	n := r.node(scalarNode, tagStr, start)
	n.Value = r.intern(v)
	if !plainString(v) {
		// The tag the library resolves a plain scalar to, by the library.
		tmp := yaml.Node{Kind: yaml.ScalarNode, Value: v}
		n.tag = tagOf(tmp.ShortTag())
	}
	r.pos = end
	return n
}

// plainString reports whether the library resolves a plain scalar to a
// string without asking it: a value that starts with a letter other than
// those of null, booleans and the special floats (n N t T f F y Y o O) is
// a string in YAML 1.1 and 1.2 as the library reads them; the rest is
// resolved by the library itself.
func plainString(v string) bool {
	if v == "" {
		return false
	}
	switch c := v[0]; {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return !strings.ContainsRune("nNtTfFyYoO", rune(c))
	}
	return false
}

// scanPlain scans a plain scalar from pos as the library does, on one
// line: it ends before ": ", " #", the line's end and, in a flow
// collection, before ",?[]{}". It returns the offset after its last
// character and its value.
func (r *fastReader) scanPlain(flow bool) (int, string) {
	s := r.src
	start, i, last := r.pos, r.pos, r.pos
	stops := stopBlock
	if flow {
		stops |= stopFlow
	}
	for {
		if i < len(s) && s[i] == '#' {
			break
		}
		word := i
		for i < len(s) {
			c := s[i]
			if plainStop[c]&stops == 0 {
				i++
				continue
			}
			if c == ' ' || c == '\n' {
				break
			}
			if c == ':' && !(i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == '\n') {
				i++ // a colon inside a word
				continue
			}
			goto done // ": ", or a flow indicator in a flow
		}
		last = i
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || s[i] == '\n' {
			break
		}
		continue
	done:
		if i > word {
			last = i
		}
		break
	}
	return last, s[start:last]
}

// plainStop classes the bytes a plain scalar's word ends at, or may end at
// (a colon ends it when a space or the line's end follows): stopBlock
// everywhere, stopFlow inside a flow collection as well.
var plainStop = func() (t [256]uint8) {
	for _, c := range " \n:" {
		t[c] = stopBlock
	}
	for _, c := range ",?[]{}" {
		t[c] = stopFlow
	}
	return t
}()

const (
	stopBlock uint8 = 1 << iota
	stopFlow
)

// scanQuoted scans a quoted scalar on one line from pos, returning the
// offset after its closing quote and its value; not ok for one over
// several lines or with an escape this reader does not decode.
func (r *fastReader) scanQuoted() (end int, v string, ok bool) {
	s := r.src
	q := s[r.pos]
	i := r.pos + 1
	var b []byte // the value, once it differs from the text
	from := i
	for {
		if i >= len(s) || s[i] == '\n' {
			return 0, "", false
		}
		c := s[i]
		switch {
		case q == '\'' && c == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				b = append(append(b, s[from:i]...), '\'')
				i += 2
				from = i
				continue
			}
		case q == '"' && c == '\\':
			if i+1 >= len(s) {
				return 0, "", false
			}
			var e byte
			switch s[i+1] {
			case '\\', '"':
				e = s[i+1]
			case 'n':
				e = '\n'
			case 't':
				e = '\t'
			case 'r':
				e = '\r'
			default:
				return 0, "", false
			}
			b = append(append(b, s[from:i]...), e)
			i += 2
			from = i
			continue
		case q == '"' && c == '"':
		default:
			i++
			continue
		}
		// The closing quote.
		if b == nil {
			return i + 1, s[from:i], true
		}
		return i + 1, string(append(b, s[from:i]...)), true
	}
}

// skipSpaces skips spaces and returns the next character (0 at the end).
func (r *fastReader) skipSpaces() byte {
	for r.pos < len(r.src) && r.src[r.pos] == ' ' {
		r.pos++
	}
	if r.pos >= len(r.src) {
		return 0
	}
	return r.src[r.pos]
}

// flow reads a flow mapping {k: v, ...} or list [a, b, ...] on one line;
// pos is at its '{' or '['.
func (r *fastReader) flow() *ynode {
	r.enter()
	defer r.leave()
	isMap := r.src[r.pos] == '{'
	n, end := r.node(sequenceNode, tagSeq, r.pos), byte(']')
	if isMap {
		n.Kind, n.tag, end = mappingNode, tagMap, '}'
	}
	base := len(r.stack)
	r.pos++
	for first := true; ; first = false {
		c := r.skipSpaces()
		if c == end && first {
			r.pos++
			break
		}
		if c == 0 || c == '\n' {
			r.decline()
		}
		if isMap {
			if c == '{' || c == '[' {
				r.decline() // a collection as a key
			}
			kstart := r.pos
			k := r.scalar(true)
			if r.pos-kstart > maxKey || r.pos >= len(r.src) || r.src[r.pos] != ':' {
				r.decline()
			}
			r.pos++
			if c := r.skipSpaces(); c == 0 || c == '\n' || c == ',' || c == '}' {
				r.decline() // an empty value
			}
			r.stack = append(r.stack, k)
		}
		r.stack = append(r.stack, r.inline(true))
		if !r.flowNext(end) {
			break
		}
	}
	r.children(n, base)
	return n
}

// flowNext reads what follows an item of a flow collection: ',' and
// another item (true), or its closing character (false).
func (r *fastReader) flowNext(end byte) bool {
	switch r.skipSpaces() {
	case ',':
		r.pos++
		if r.skipSpaces() == end {
			r.decline() // a trailing comma
		}
		return true
	case end:
		r.pos++
		return false
	}
	r.decline()
	return false
}
