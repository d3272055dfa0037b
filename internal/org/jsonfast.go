package org

import (
	"strconv"
	"unicode/utf8"
)

// fastJSON reads a *.json organization file into the nodes jsonTree gives
// for it (the same kinds, tags, values, lines and columns), scanning the
// text once and keeping each node's line and column as it goes, where
// jsonTree reads tokens with jsontext and looks each position up. It
// declines (ok false) a text that is not JSON or that it does not read
// (escapes of surrogates, nesting deeper than maxDepth, white space
// alone), and jsonTree reads it, reporting errors. TestFastJSONSameTree and
// FuzzFastJSON check that whatever it accepts, jsonTree reads the same.
func fastJSON(data []byte) (root *ynode, ok bool) {
	if !utf8.Valid(data) {
		return nil, false
	}
	r := jsonFast{textReader{src: textOf(data), line: 1}}
	for _, c := range data {
		if c >= 0x80 {
			r.nonASCII = true
			break
		}
	}
	defer recoverDecline(&root, &ok)
	r.space()
	if r.pos >= len(r.src) {
		return nil, false
	}
	root = r.value(0)
	r.space()
	if r.pos < len(r.src) {
		r.decline()
	}
	return root, true
}

type jsonFast struct {
	textReader
}

// space skips JSON's white space, counting lines.
func (r *jsonFast) space() {
	s := r.src
	for r.pos < len(s) {
		switch s[r.pos] {
		case ' ', '\t', '\r':
		case '\n':
			r.line++
			r.lineStart = r.pos + 1
		default:
			return
		}
		r.pos++
	}
}

func (r *jsonFast) value(depth int) *ynode {
	if depth > maxDepth || r.pos >= len(r.src) {
		r.decline()
	}
	s := r.src
	switch c := s[r.pos]; c {
	case '"':
		n := r.node(scalarNode, tagStr, r.pos)
		n.Value = r.intern(r.str())
		return n
	case '{', '[':
		n := r.node(sequenceNode, tagSeq, r.pos)
		end := byte(']')
		if c == '{' {
			n.Kind, n.tag, end = mappingNode, tagMap, '}'
		}
		r.pos++
		base := len(r.stack)
		r.space()
		if r.pos < len(s) && s[r.pos] == end {
			r.pos++
			r.children(n, base)
			return n
		}
		for {
			if c == '{' {
				if r.pos >= len(s) || s[r.pos] != '"' {
					r.decline()
				}
				k := r.node(scalarNode, tagStr, r.pos)
				k.Value = r.intern(r.str())
				r.space()
				if r.pos >= len(s) || s[r.pos] != ':' {
					r.decline()
				}
				r.pos++
				r.space()
				r.stack = append(r.stack, k)
			}
			r.stack = append(r.stack, r.value(depth+1))
			r.space()
			if r.pos >= len(s) {
				r.decline()
			}
			switch s[r.pos] {
			case ',':
				r.pos++
				r.space()
				continue
			case end:
				r.pos++
				r.children(n, base)
				return n
			}
			r.decline()
		}
	case 't', 'f', 'n':
		for _, lit := range [...]struct {
			text string
			tag  nodeTag
		}{{"true", tagBool}, {"false", tagBool}, {"null", tagNull}} {
			if len(s)-r.pos >= len(lit.text) && s[r.pos:r.pos+len(lit.text)] == lit.text {
				n := r.node(scalarNode, lit.tag, r.pos)
				n.Value = lit.text
				r.pos += len(lit.text)
				r.literalEnd()
				return n
			}
		}
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return r.number()
		}
	}
	r.decline()
	return nil
}

// literalEnd declines a literal or number run on into letters or digits
// (truex, 01), which JSON readers reject.
func (r *jsonFast) literalEnd() {
	if r.pos < len(r.src) {
		switch c := r.src[r.pos]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == '_':
			r.decline()
		}
	}
}

// number reads a number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jsonFast) number() *ynode {
	s := r.src
	start := r.pos
	i := start
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		r.decline()
	}
	tag := tagInt
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			r.decline()
		}
		tag = tagFloat
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			r.decline()
		}
		tag = tagFloat
	}
	n := r.node(scalarNode, tag, start)
	n.Value = r.intern(s[start:i])
	r.pos = i
	r.literalEnd()
	return n
}

// str reads a string from its opening quote, decoding escapes.
func (r *jsonFast) str() string {
	s := r.src
	i := r.pos + 1
	from := i
	var b []byte // the value, once it differs from the text
	for {
		if i >= len(s) {
			r.decline()
		}
		c := s[i]
		switch {
		case c == '"':
			r.pos = i + 1
			if b == nil {
				return s[from:i]
			}
			return string(append(b, s[from:i]...))
		case c < 0x20:
			r.decline()
		case c == '\\':
			if i+1 >= len(s) {
				r.decline()
			}
			b = append(b, s[from:i]...)
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				if i+6 > len(s) {
					r.decline()
				}
				v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
				if err != nil || v >= 0xd800 && v < 0xe000 {
					r.decline() // a surrogate: jsonTree decides
				}
				b = utf8.AppendRune(b, rune(v))
				i += 4
			default:
				r.decline()
			}
			i += 2
			from = i
		default:
			i++
		}
	}
}
