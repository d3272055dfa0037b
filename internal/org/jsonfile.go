package org

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/securecart/warden/internal/policy"
)

// An organization file named *.json is read with a JSON reader into the
// node tree the YAML reader would give (every node's line and column, the
// tags JSON's types mean), about twice as fast as the YAML reader. A
// .json file that is not JSON but is YAML is read as YAML, as before; one
// that is neither is reported with the JSON reader's error.

// isJSONFile reports whether a source is read as JSON first.
func isJSONFile(s *source) bool {
	return strings.EqualFold(pathExt(s.fsPath), ".json")
}

func pathExt(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 && !strings.Contains(p[i:], "/") {
		return p[i:]
	}
	return ""
}

// jsonTree reads a JSON text into YAML nodes. It returns nil, nil for a
// text of white space alone.
func jsonTree(data []byte) (*ynode, *jsonSyntaxError) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	r := jsonReader{src: data, ix: policy.NewSource(data),
		dec: jsontext.NewDecoder(bytes.NewBuffer(data), jsontext.AllowDuplicateNames(true))} // a Buffer is read in place
	n, err := r.value()
	if err == nil {
		if _, err = r.dec.ReadToken(); err == io.EOF {
			return n, nil
		} else if err == nil {
			off := policy.SkipSpace(data, r.dec.InputOffset()-1)
			return nil, &jsonSyntaxError{pos: r.ix.Pos(off), msg: "unexpected data after the organization"}
		}
	}
	return nil, r.syntaxError(err)
}

type jsonSyntaxError struct {
	pos policy.Pos
	msg string
}

type jsonReader struct {
	src  []byte
	ix   *policy.Source
	dec  *jsontext.Decoder
	slab []ynode // nodes are allocated in slabs: one allocation per nodeSlab nodes
}

// nodeSlab is the number of nodes allocated at once.
const nodeSlab = 256

func (r *jsonReader) syntaxError(err error) *jsonSyntaxError {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return &jsonSyntaxError{pos: r.ix.Pos(se.ByteOffset), msg: se.Err.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &jsonSyntaxError{pos: r.ix.Pos(int64(len(r.src))), msg: "unexpected end of input"}
	}
	return &jsonSyntaxError{msg: err.Error()}
}

// node starts a node at the next token.
func (r *jsonReader) node(kind nodeKind, tag nodeTag) *ynode {
	p := r.ix.Pos(policy.SkipSpace(r.src, r.dec.InputOffset()))
	if len(r.slab) == 0 {
		r.slab = make([]ynode, nodeSlab)
	}
	n := &r.slab[0]
	r.slab = r.slab[1:]
	n.Kind, n.tag, n.Line, n.Column = kind, tag, pos32(p.Line), pos32(p.Col)
	return n
}

func (r *jsonReader) value() (*ynode, error) {
	n := r.node(0, tagOther)
	tok, err := r.dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '"':
		n.Kind, n.tag, n.Value = scalarNode, tagStr, tok.String()
	case '0':
		n.Kind, n.tag, n.Value = scalarNode, tagInt, tok.String()
		if strings.ContainsAny(n.Value, ".eE") {
			n.tag = tagFloat
		}
	case 't', 'f':
		n.Kind, n.tag, n.Value = scalarNode, tagBool, tok.String()
	case 'n':
		n.Kind, n.tag, n.Value = scalarNode, tagNull, "null"
	case '{':
		n.Kind, n.tag = mappingNode, tagMap
		for r.dec.PeekKind() == '"' {
			k, err := r.value()
			if err != nil {
				return nil, err
			}
			v, err := r.value()
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, k, v)
		}
		if _, err := r.dec.ReadToken(); err != nil {
			return nil, err
		}
	case '[':
		n.Kind, n.tag = sequenceNode, tagSeq
		for k := r.dec.PeekKind(); k != ']' && k != 0; k = r.dec.PeekKind() {
			v, err := r.value()
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		if _, err := r.dec.ReadToken(); err != nil {
			return nil, err
		}
	}
	return n, nil
}
