package org

import (
	"fmt"
	"strings"
)

// phPrefix opens an account placeholder: ${account:Name} stands for the
// 12-digit ID of the account named Name, anywhere in any string.
const phPrefix = "${account:"

// placeholders replaces account placeholders by account IDs.
type placeholders struct {
	ids   map[string]string // account name -> ID
	names []string
}

// replace returns s with every placeholder replaced. For each bad one it
// calls bad with its byte offset in s and reports false.
func (p *placeholders) replace(s string, bad func(off int, msg string)) (string, bool) {
	if !strings.Contains(s, phPrefix) {
		return s, true
	}
	var b strings.Builder
	ok := true
	rest, base := s, 0
	for {
		i := strings.Index(rest, phPrefix)
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		after := rest[i+len(phPrefix):]
		j := strings.IndexAny(after, "}\n\"")
		if j < 0 || after[j] != '}' {
			text := after
			if j >= 0 {
				text = after[:j]
			}
			bad(base+i, fmt.Sprintf("unterminated placeholder %q: want ${account:Name}", phPrefix+text))
			ok = false
			b.WriteString(rest[i : i+len(phPrefix)])
			rest, base = after, base+i+len(phPrefix)
			continue
		}
		name := after[:j]
		id, known := p.ids[name]
		switch {
		case name == "":
			bad(base+i, "empty placeholder ${account:}: want ${account:Name} with an account's name")
			ok = false
		case !known:
			bad(base+i, fmt.Sprintf("unknown account %q in placeholder ${account:%s}%s", name, name, didYouMean(name, p.names)))
			ok = false
		}
		b.WriteString(id)
		end := i + len(phPrefix) + j + 1
		rest, base = rest[end:], base+end
	}
	return b.String(), ok
}

// at returns the position of the placeholder at byte offset off of the
// value of node n: it finds the same occurrence in the source text, so that
// quoting and flow style do not shift it, and falls back to the node.
func (p *placeholders) at(src *source, n *ynode, off int) Pos {
	fallback := src.pos(n)
	if n == nil || off < 0 || off > len(n.Value) {
		return fallback
	}
	text := n.Value[off:]
	if end := strings.IndexByte(text, '}'); end >= 0 {
		text = text[:end+1]
	} else {
		text = text[:min(len(text), len(phPrefix))]
	}
	k := strings.Count(n.Value[:off], text)
	ix := src.lines()
	start := ix.Offset(int(n.Line), int(n.Column))
	if start < 0 {
		return fallback
	}
	hay := string(src.data[start:])
	at := 0
	for ; k >= 0; k-- {
		i := strings.Index(hay[at:], text)
		if i < 0 {
			return fallback
		}
		if k > 0 {
			at += i + len(text)
		} else {
			at += i
		}
	}
	pos := ix.Pos(int64(start + at))
	return Pos{File: src.name, Line: pos.Line, Col: pos.Col}
}

// replacement records one placeholder replaced in a document file.
type replacement struct {
	oldOff, oldLen, newOff, newLen int
}

// replaceBytes replaces the placeholders of a document file's text,
// recording where, so that positions in the result can be mapped back.
func (p *placeholders) replaceBytes(data []byte, bad func(off int, msg string)) ([]byte, []replacement, bool) {
	if !strings.Contains(string(data), phPrefix) {
		return data, nil, true
	}
	s := string(data)
	var out strings.Builder
	var reps []replacement
	ok := true
	last := 0
	for {
		i := strings.Index(s[last:], phPrefix)
		if i < 0 {
			break
		}
		i += last
		j := strings.IndexAny(s[i+len(phPrefix):], "}\n\"")
		if j < 0 || s[i+len(phPrefix)+j] != '}' {
			bad(i, "unterminated placeholder: want ${account:Name}")
			ok = false
			out.WriteString(s[last : i+len(phPrefix)])
			last = i + len(phPrefix)
			continue
		}
		end := i + len(phPrefix) + j + 1
		id, _ := p.replace(s[i:end], func(_ int, msg string) { bad(i, msg); ok = false })
		out.WriteString(s[last:i])
		reps = append(reps, replacement{oldOff: i, oldLen: end - i, newOff: out.Len(), newLen: len(id)})
		out.WriteString(id)
		last = end
	}
	out.WriteString(s[last:])
	return []byte(out.String()), reps, ok
}

// oldOffset maps a byte offset of the replaced text back to the original.
func oldOffset(reps []replacement, off int) int {
	shift := 0
	for _, r := range reps {
		if r.newOff >= off {
			break
		}
		if off < r.newOff+r.newLen {
			return r.oldOff // inside a replaced ID: the placeholder
		}
		shift += r.oldLen - r.newLen
	}
	return off + shift
}
