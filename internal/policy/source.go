package policy

import (
	"bytes"
	"sort"
)

// Source is a text with its line index, built once, so that a position in it
// costs a binary search however many are asked for: the policy documents of
// a case file are decoded from one Source (ParseSection) instead of indexing
// the file again for each. It remembers the last position it computed, to
// count a column from there on a long line (AWS managed policies and JSON
// Lines are one line each). A Source is not safe for concurrent use.
type Source struct {
	src        []byte
	lineStarts []int
	// base is added to the offsets of the section being decoded.
	base                       int64
	lastOff, lastLine, lastCol int
}

// NewSource indexes the lines of src.
func NewSource(src []byte) *Source {
	s := &Source{src: src, lineStarts: make([]int, 1, bytes.Count(src, []byte{'\n'})+1)}
	for i, c := range src {
		if c == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	return s
}

// Pos returns the line and column (from 1, columns counted in characters)
// of a byte offset of the source.
func (s *Source) Pos(off int64) Pos {
	o := int(off)
	if o < 0 {
		return Pos{}
	}
	if o > len(s.src) {
		o = len(s.src)
	}
	line := sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > o }) - 1
	start, col := s.lineStarts[line], 1
	if s.lastCol > 0 && s.lastLine == line && s.lastOff <= o {
		start, col = s.lastOff, s.lastCol
	}
	for i := start; i < o; i += runeLen(s.src[i]) {
		col++
	}
	s.lastOff, s.lastLine, s.lastCol = o, line, col
	return Pos{Line: line + 1, Col: col}
}

// Offset returns the byte offset of a line and column (from 1, columns in
// characters), or -1 when the source has no such line.
func (s *Source) Offset(line, col int) int {
	if line < 1 || line > len(s.lineStarts) || col < 1 {
		return -1
	}
	off := s.lineStarts[line-1]
	for c := 1; c < col && off < len(s.src) && s.src[off] != '\n'; c++ {
		off += runeLen(s.src[off])
	}
	return min(off, len(s.src))
}

// at is the position of an offset of the section being decoded.
func (s *Source) at(off int64) Pos { return s.Pos(off + s.base) }

// ParseSection decodes a policy document that lies within the source, such
// as a policy of a test case file: src[start:end] is the document, and errors
// give positions in the source and JSON paths under pathPrefix.
func (s *Source) ParseSection(start, end int64, file, pathPrefix string) (*Document, error) {
	s.base = start
	defer func() { s.base = 0 }()
	root, perr := parseTree(s.src[start:end], s)
	if perr != nil {
		perr.File = file
		perr.Path = pathPrefix + perr.Path
		return nil, ErrorList{perr}
	}
	d := &decoder{pos: s, file: file}
	doc := d.document(root)
	for _, e := range d.errs {
		e.Path = pathPrefix + e.Path
	}
	prefixPaths(doc, pathPrefix)
	return doc, d.errs.Err()
}

// runeLen is the length of the UTF-8 sequence that begins with byte c.
func runeLen(c byte) int {
	switch {
	case c >= 0xF0:
		return 4
	case c >= 0xE0:
		return 3
	case c >= 0xC0:
		return 2
	}
	return 1
}
