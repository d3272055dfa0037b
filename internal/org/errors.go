package org

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Pos is a position in a source file: the file's name as the loader was given
// it, a 1-based line and a 1-based column counted in characters. Col is 0
// when only the line is known (a YAML syntax error).
type Pos struct {
	File      string
	Line, Col int
}

// String returns "file:line:col", leaving out what is unknown.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Error is one problem in an organization's sources: where it is, which
// element (as in roles[2].trust) and what is wrong.
type Error struct {
	Pos  Pos
	Path string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if s := e.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found while loading an organization, in source
// order. Its Error method prints one problem per line.
type ErrorList []*Error

func (l ErrorList) Error() string {
	if len(l) == 0 {
		return "no errors"
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// errorSet collects problems; err returns them sorted and without duplicates,
// or nil.
type errorSet struct {
	list ErrorList
}

func (c *errorSet) add(p Pos, path, format string, args ...any) {
	c.list = append(c.list, &Error{Pos: p, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *errorSet) err() error {
	if len(c.list) == 0 {
		return nil
	}
	l := c.list
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	seen := make(map[Error]bool, len(l))
	var out ErrorList
	for _, e := range l {
		if !seen[*e] {
			seen[*e] = true
			out = append(out, e)
		}
	}
	return out
}
