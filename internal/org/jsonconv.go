package org

import (
	"unicode/utf8"

	"github.com/securecart/warden/internal/policy"
)

// maxDocNodes bounds the nodes of one YAML document after aliases are
// expanded, so that a few aliases cannot make a document huge.
const maxDocNodes = 100_000

// jsonConv writes a YAML policy document as JSON with one token per line,
// remembering the YAML node of each line: a position the policy decoder
// reports in the JSON maps back to the YAML source by its line alone.
//
// Scalars become JSON strings (null stays null): YAML's typing of plain
// scalars is incidental (2012-10-17 is a timestamp, 123456789012 a number),
// and every scalar of a policy document is a string to IAM, or compares as
// one. Placeholders are replaced in keys and values.
type jsonConv struct {
	d     *decoder
	root  *ynode // the document, where a size error points
	path  string
	buf   []byte
	lines []*ynode // the node of each line, from line 1
	// toks are the text's tokens, for policy.ParseTokens: the decoder
	// need not read back the text just written.
	toks   []policy.Token
	budget int
	failed bool
}

func (c *jsonConv) line(n *ynode, prefix, tok string) {
	c.lines = append(c.lines, n)
	c.buf = append(c.buf, prefix...)
	c.toks = append(c.toks, policy.Token{Kind: tok[0], Off: int64(len(c.buf))})
	c.buf = append(c.buf, tok...)
	c.buf = append(c.buf, '\n')
}

// str writes a line holding s as a JSON string, then suffix.
func (c *jsonConv) str(n *ynode, prefix, s, suffix string) {
	c.lines = append(c.lines, n)
	c.buf = append(c.buf, prefix...)
	c.toks = append(c.toks, policy.Token{Kind: '"', Off: int64(len(c.buf)), Str: jsonDecoded(s)})
	c.buf = appendJSONString(c.buf, s)
	c.buf = append(c.buf, suffix...)
	c.buf = append(c.buf, '\n')
}

// smallMapping is the size up to which a mapping's keys are checked for
// duplicates by a scan instead of a map: policy mappings are small.
const smallMapping = 16

func (c *jsonConv) value(n *ynode, prefix string) {
	n = resolve(n)
	c.budget--
	if c.budget < 0 {
		if c.budget == -1 {
			c.d.errorf(c.root, c.path, "the document has more than %d elements once aliases are expanded", maxDocNodes)
		}
		c.failed = true
		return
	}
	switch n.Kind {
	case mappingNode:
		c.line(n, prefix, "{")
		// Keys seen so far: a scan of a stack array for the small
		// mappings of policies, a map beyond.
		var small [smallMapping]string
		var smallNodes [smallMapping]*ynode
		var seen map[string]*ynode
		nseen := 0
		if len(n.Content)/2 > smallMapping {
			seen = make(map[string]*ynode, len(n.Content)/2)
		}
		first := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != scalarNode {
				c.d.errorf(k, c.path, "a key must be a string, not %s", kindName(k))
				c.failed = true
				continue
			}
			key, ok := c.d.text(k, c.path)
			if !ok {
				c.failed = true
				continue
			}
			var prev *ynode
			if seen != nil {
				prev = seen[key.V]
			} else {
				for j := range nseen {
					if small[j] == key.V {
						prev = smallNodes[j]
						break
					}
				}
			}
			if prev != nil {
				c.d.errorf(k, c.path, "key %q is given twice (first at %d:%d)", key.V, prev.Line, prev.Column)
				c.failed = true
				continue
			}
			if seen != nil {
				seen[key.V] = k
			} else {
				small[nseen], smallNodes[nseen] = key.V, k
				nseen++
			}
			p := ","
			if first {
				p = ""
			}
			first = false
			c.str(k, p, key.V, ":")
			c.value(n.Content[i+1], "")
		}
		c.line(n, "", "}")
	case sequenceNode:
		c.line(n, prefix, "[")
		for i, it := range n.Content {
			p := ","
			if i == 0 {
				p = ""
			}
			c.value(it, p)
		}
		c.line(n, "", "]")
	case scalarNode:
		if isNull(n) {
			c.line(n, prefix, "null")
			return
		}
		s, ok := c.d.text(n, c.path)
		if !ok {
			c.failed = true
			return
		}
		c.str(n, prefix, s.V, "")
	default:
		c.d.errorf(n, c.path, "unexpected YAML node")
		c.failed = true
	}
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	return string(appendJSONString(make([]byte, 0, len(s)+2), s))
}

// jsonDecoded is the value a JSON reader reads back from
// appendJSONString(s): s, with each byte of invalid UTF-8 replaced by
// U+FFFD.
func jsonDecoded(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}

// appendJSONString appends s to b quoted as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}
