package org

import (
	"fmt"

	"github.com/securecart/warden/internal/policy"
)

// prepared is a document's JSON text, placeholders replaced, and how
// positions in that text map back to the source.
type prepared struct {
	text []byte
	// where maps a policy error to the source position to report it at; it
	// may add to the message.
	where func(e *policy.Error) Pos
	// fix maps a position of the text to the source's, for the compiled
	// document; nil leaves positions as they are.
	fix func(p policy.Pos) policy.Pos
	// toks are text's tokens when the loader wrote it (nil: read it).
	toks []policy.Token
}

// prepare turns a document, however written, into JSON text. It reports
// placeholder and conversion problems and returns false for them.
func (l *loader) prepare(r *rawDoc) (prepared, bool) {
	switch r.kind {
	case docYAML:
		return l.prepareYAML(r)
	case docJSON:
		return l.prepareJSON(r)
	case docFile:
		return l.prepareFile(r)
	}
	return prepared{text: r.text, where: func(*policy.Error) Pos { return r.at }}, true
}

// prepareYAML writes a YAML mapping as JSON, one token per line, so that a
// line of the JSON names the YAML node it came from.
func (l *loader) prepareYAML(r *rawDoc) (prepared, bool) {
	pr, ok := prepareYAMLWith(l.decoderFor(r.src), r, l.toks)
	l.toks = pr.toks // reused by the next document, once this one is compiled
	return pr, ok
}

// prepareYAMLWith is prepareYAML with a decoder for the document's source
// and a token buffer to reuse.
func prepareYAMLWith(d *decoder, r *rawDoc, toks []policy.Token) (prepared, bool) {
	c := jsonConv{d: d, root: r.node, path: r.path, budget: maxDocNodes,
		buf: make([]byte, 0, 512), lines: make([]*ynode, 0, 32), toks: toks[:0]}
	c.value(r.node, "")
	if c.failed {
		return prepared{toks: c.toks}, false
	}
	lines := c.lines
	nodeAt := func(p policy.Pos) *ynode {
		if p.Line >= 1 && p.Line <= len(lines) {
			return lines[p.Line-1]
		}
		return r.node
	}
	return prepared{
		text:  c.buf,
		toks:  c.toks,
		where: func(e *policy.Error) Pos { return r.src.pos(nodeAt(e.Pos)) },
		fix: func(p policy.Pos) policy.Pos {
			if !p.IsValid() {
				return p
			}
			n := nodeAt(p)
			return policy.Pos{Line: int(n.Line), Col: int(n.Column)}
		},
	}, true
}

// prepareJSON takes a string holding JSON. Errors point at the string and
// say where in the JSON text, as written, they are.
func (l *loader) prepareJSON(r *rawDoc) (prepared, bool) {
	ok := true
	src := []byte(r.node.Value)
	var srcIx, dataIx *policy.Source // built on the first error
	data, reps, _ := l.ph.replaceBytes(src, func(off int, msg string) {
		l.errs.add(l.ph.at(r.src, r.node, off), r.path, "%s", msg)
		ok = false
	})
	if !ok {
		return prepared{}, false
	}
	return prepared{
		text: data,
		where: func(e *policy.Error) Pos {
			if e.Pos.IsValid() {
				if srcIx == nil {
					srcIx, dataIx = policy.NewSource(src), policy.NewSource(data)
				}
				p := srcIx.Pos(int64(oldOffset(reps, dataIx.Offset(e.Pos.Line, e.Pos.Col))))
				e.Msg += fmt.Sprintf(" (at %d:%d of the JSON text)", p.Line, p.Col)
			}
			return r.src.pos(r.node)
		},
	}, true
}

// prepareFile reads a document file. Positions are the file's, mapped back
// across replaced placeholders.
func (l *loader) prepareFile(r *rawDoc) (prepared, bool) {
	data, name, err := l.readDocFile(r.fsPath)
	r.fileName = name
	if err != nil {
		l.errs.add(r.src.pos(r.node), r.path+".file", "%v", err)
		return prepared{}, false
	}
	fileIx := policy.NewSource(data)
	ok := true
	text, reps, _ := l.ph.replaceBytes(data, func(off int, msg string) {
		p := fileIx.Pos(int64(off))
		l.errs.add(Pos{File: name, Line: p.Line, Col: p.Col}, r.path, "%s", msg)
		ok = false
	})
	if !ok {
		return prepared{}, false
	}
	fix := func(p policy.Pos) policy.Pos { return p }
	if len(reps) > 0 {
		newIx := policy.NewSource(text)
		fix = func(p policy.Pos) policy.Pos {
			if !p.IsValid() {
				return p
			}
			return fileIx.Pos(int64(oldOffset(reps, newIx.Offset(p.Line, p.Col))))
		}
	}
	return prepared{
		text: text,
		where: func(e *policy.Error) Pos {
			p := fix(e.Pos)
			return Pos{File: name, Line: p.Line, Col: p.Col}
		},
		fix: fix,
	}, true
}
