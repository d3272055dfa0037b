package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// node is a JSON value with the offset where it starts. Objects keep their
// members in source order.
type node struct {
	kind  jsontext.Kind
	off   int64
	str   string // string value, number literal, "true" or "false"
	names []member
	items []*node
}

type member struct {
	name string
	off  int64
	val  *node
}

// maxDepth bounds nesting; IAM documents are at most six levels deep.
const maxDepth = 32

// parseTree reads one JSON value, rejecting trailing data, duplicate object
// keys and invalid UTF-8.
func parseTree(src []byte, pos *Source) (*node, *Error) {
	dec := jsontext.NewDecoder(bytes.NewReader(src))
	n, err := readNode(dec, src, 0)
	if err != nil {
		return nil, syntaxError(err, pos, src)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		off := dec.InputOffset()
		if err != nil {
			return nil, syntaxError(err, pos, src)
		}
		return nil, &Error{Pos: pos.at(skipSpace(src, off-1)), Msg: "unexpected data after the policy document"}
	}
	return n, nil
}

func readNode(dec *jsontext.Decoder, src []byte, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &depthError{off: dec.InputOffset()}
	}
	off := skipSpace(src, dec.InputOffset())
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	n := &node{kind: tok.Kind(), off: off}
	switch n.kind {
	case '"':
		n.str = tok.String()
	case '0':
		n.str = tok.String()
	case 't':
		n.str = "true"
	case 'f':
		n.str = "false"
	case 'n':
	case '{':
		for dec.PeekKind() != '}' {
			koff := skipSpace(src, dec.InputOffset())
			ktok, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			name := ktok.String()
			v, err := readNode(dec, src, depth+1)
			if err != nil {
				return nil, err
			}
			n.names = append(n.names, member{name: name, off: koff, val: v})
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
	case '[':
		for dec.PeekKind() != ']' {
			v, err := readNode(dec, src, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

type depthError struct{ off int64 }

func (e *depthError) Error() string { return "the document is nested too deeply" }

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

func syntaxError(err error, pos *Source, src []byte) *Error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		msg := se.Err.Error()
		if strings.Contains(msg, "duplicate") {
			msg = "duplicate object key " + strings.TrimPrefix(string(se.JSONPointer), "") + ": each element may appear once"
		}
		return &Error{Path: string(se.JSONPointer), Pos: pos.at(se.ByteOffset), Msg: "malformed JSON: " + msg}
	}
	var de *depthError
	if errors.As(err, &de) {
		return &Error{Pos: pos.at(de.off), Msg: de.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Pos: pos.at(int64(len(src))), Msg: "malformed JSON: unexpected end of input"}
	}
	return &Error{Msg: fmt.Sprintf("malformed JSON: %v", err)}
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "nothing"
}
