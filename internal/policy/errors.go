package policy

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a policy's source text, 1-based. A zero Pos means
// unknown.
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Error is one problem in a policy document: where it is and what is wrong.
type Error struct {
	File string // the source's name, when known
	Path string // JSON pointer to the element, such as /Statement/0/Action
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.IsValid() {
		b.WriteString(e.Pos.String())
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in a document, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
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

// Err returns nil for an empty list, so callers can return it as an error.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l.Sorted()
}

// Sorted sorts the list in source order and returns it.
func (l ErrorList) Sorted() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return l
}
