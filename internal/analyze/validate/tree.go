package validate

import (
	"bytes"
	"errors"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// node is a JSON value with the byte offsets where it starts and ends and its
// place in its parent, so that a finding can name its path and span. Unlike
// the engine's decoder, the tree keeps what the engine rejects (duplicate
// names, values of the wrong JSON type) so that validation can report every
// problem, not only the first.
type node struct {
	kind       jsontext.Kind // '"', '0', 't', 'f', 'n', '{' or '['
	start, end int64
	str        string // string value or number literal
	members    []*member
	items      []*node

	parent *node
	name   *member // the member whose value this is, when parent is an object
	index  int     // the position in parent when it is an array
}

// member is a name-value pair of an object.
type member struct {
	name             string
	keyStart, keyEnd int64
	val              *node
}

// maxDepth bounds nesting; IAM documents are at most six levels deep.
const maxDepth = 64

// syntaxError is a JSON syntax error at a byte offset.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func parseTree(src []byte) (*node, *syntaxError) {
	dec := jsontext.NewDecoder(bytes.NewReader(src), jsontext.AllowDuplicateNames(true))
	n, err := readNode(dec, src, nil, 0)
	if err != nil {
		return nil, toSyntaxError(err, src)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		if err != nil {
			return nil, toSyntaxError(err, src)
		}
		return nil, &syntaxError{off: skipSpace(src, n.end), msg: "unexpected data after the policy document"}
	}
	return n, nil
}

func readNode(dec *jsontext.Decoder, src []byte, parent *node, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &syntaxError{off: dec.InputOffset(), msg: "the document is nested too deeply"}
	}
	start := skipSpace(src, dec.InputOffset())
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	n := &node{kind: tok.Kind(), start: start, parent: parent, index: -1}
	switch n.kind {
	case '"', '0':
		n.str = tok.String()
	case '{':
		for dec.PeekKind() != '}' {
			ks := skipSpace(src, dec.InputOffset())
			ktok, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			m := &member{name: ktok.String(), keyStart: ks, keyEnd: dec.InputOffset()}
			v, err := readNode(dec, src, n, depth+1)
			if err != nil {
				return nil, err
			}
			v.name = m
			m.val = v
			n.members = append(n.members, m)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
	case '[':
		for dec.PeekKind() != ']' {
			v, err := readNode(dec, src, n, depth+1)
			if err != nil {
				return nil, err
			}
			v.index = len(n.items)
			n.items = append(n.items, v)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
	}
	n.end = dec.InputOffset()
	return n, nil
}

// skipSpace returns the offset of the next token at or after off, skipping
// white space and the separators , and :.
func skipSpace(src []byte, off int64) int64 {
	for int(off) < len(src) {
		switch src[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func toSyntaxError(err error, src []byte) *syntaxError {
	var own *syntaxError
	if errors.As(err, &own) {
		return own
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return &syntaxError{off: se.ByteOffset, msg: se.Err.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &syntaxError{off: int64(len(src)), msg: "unexpected end of input"}
	}
	return &syntaxError{off: 0, msg: err.Error()}
}

// member returns the object's member with exactly this name, or nil.
func (n *node) member(name string) *member {
	for _, m := range n.members {
		if m.name == name {
			return m
		}
	}
	return nil
}

// strings returns the string values of a string or an array: the nodes, for
// their positions. Items that are not strings are left out (the caller
// reports them).
func (n *node) stringNodes() []*node {
	switch n.kind {
	case '"':
		return []*node{n}
	case '[':
		out := make([]*node, 0, len(n.items))
		for _, it := range n.items {
			if it.kind == '"' {
				out = append(out, it)
			}
		}
		return out
	}
	return nil
}

// text is the value as IAM reads it: a string, or the literal text of a
// number or boolean.
func (n *node) text(src []byte) string {
	switch n.kind {
	case '"', '0':
		return n.str
	case 't', 'f', 'n':
		return string(src[n.start:n.end])
	}
	return ""
}

// jsonType names the node's JSON type as AWS's findings do.
func (n *node) jsonType() string {
	switch n.kind {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "nothing"
}
