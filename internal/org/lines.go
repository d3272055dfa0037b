package org

import (
	"sort"
	"unicode/utf8"
)

// lineIndex converts between byte offsets of a text and 1-based line and
// column, counting columns in characters as YAML and the policy decoder do.
type lineIndex struct {
	data   []byte
	starts []int
}

func newLineIndex(data []byte) *lineIndex {
	ix := &lineIndex{data: data, starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			ix.starts = append(ix.starts, i+1)
		}
	}
	return ix
}

// pos returns the line and column of a byte offset.
func (ix *lineIndex) pos(off int) (line, col int) {
	off = max(0, min(off, len(ix.data)))
	l := sort.Search(len(ix.starts), func(i int) bool { return ix.starts[i] > off }) - 1
	return l + 1, utf8.RuneCount(ix.data[ix.starts[l]:off]) + 1
}

// offset returns the byte offset of a line and column, or -1.
func (ix *lineIndex) offset(line, col int) int {
	if line < 1 || line > len(ix.starts) || col < 1 {
		return -1
	}
	off := ix.starts[line-1]
	for c := 1; c < col && off < len(ix.data) && ix.data[off] != '\n'; c++ {
		_, n := utf8.DecodeRune(ix.data[off:])
		off += n
	}
	return off
}
