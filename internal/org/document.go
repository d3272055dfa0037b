package org

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// docKind is how a policy document is written.
type docKind uint8

const (
	docYAML  docKind = iota + 1 // a YAML mapping written like IAM JSON
	docJSON                     // a string holding JSON
	docFile                     // {file: relative/path.json}
	docBuilt                    // written by the loader, such as an Identity Center role's trust
)

// rawDoc is a policy document as written, compiled once the organization's
// account names are known.
type rawDoc struct {
	kind     docKind
	src      *source
	node     *ynode // the mapping, the string, or the file name
	path     string // the element, as in roles[2].trust
	fsPath   string // docFile: the file's path in the file system
	fileName string // docFile: the file's name in errors
	text     []byte // docBuilt: the JSON
	at       Pos    // docBuilt: what errors point at
	// pre is what precompile found for the document, compiled as preType.
	pre     *precompiled
	preType policy.Type
}

// decodeDoc reads a document value: a mapping, a JSON string or {file: path}.
func (d *decoder) doc(n *ynode, path string) *rawDoc {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	switch {
	case n.Kind == mappingNode && len(n.Content) >= 2 && n.Content[0].Value == "file":
		m, ok := d.fields(n, path, fieldsOf["documentFile"]...)
		if !ok {
			return nil
		}
		f, ok := d.str(m["file"], path+".file")
		if !ok {
			return nil
		}
		if f.V == "" || strings.HasPrefix(f.V, "/") || strings.Contains(f.V, `\`) {
			d.errorf(m["file"], path+".file", "document file %q must be a path relative to this file, with forward slashes", f.V)
			return nil
		}
		p := joinRel(d.src.fsPath, f.V)
		if !fs.ValidPath(p) || !within(d.src.base, p) {
			d.errorf(m["file"], path+".file", "document file %q lies outside the organization's folder", f.V)
			return nil
		}
		return &rawDoc{kind: docFile, src: d.src, node: resolve(m["file"]), path: path, fsPath: p}
	case n.Kind == mappingNode:
		return &rawDoc{kind: docYAML, src: d.src, node: n, path: path}
	case n.Kind == scalarNode && n.ShortTag() == "!!str":
		return &rawDoc{kind: docJSON, src: d.src, node: n, path: path}
	}
	d.errorf(n, path, "a policy document must be a mapping (written like IAM JSON), a string holding JSON, or {file: path}, not %s", kindName(n))
	return nil
}

// joinRel joins a relative path to the folder of the file at from.
func joinRel(from, rel string) string {
	return path.Clean(path.Join(path.Dir(from), rel))
}

// within reports whether the path p lies in the folder base.
func within(base, p string) bool {
	return base == "." || p == base || strings.HasPrefix(p, base+"/")
}

// origin maps a position in a compiled document back to the source.
func (r *rawDoc) origin(p policy.Pos) Pos {
	switch r.kind {
	case docYAML:
		if p.Line > 0 {
			return Pos{File: r.src.name, Line: p.Line, Col: p.Col}
		}
	case docFile:
		if p.Line > 0 {
			return Pos{File: r.fileName, Line: p.Line, Col: p.Col}
		}
	}
	if r.kind == docBuilt {
		return r.at
	}
	return r.src.pos(r.node)
}

// compile converts, parses, checks and compiles a document as type t. It
// reports problems into the loader's errors and returns nil for them.
// Identical documents (the same JSON text) of the same type are compiled
// once and shared, renamed for each use; their positions are those of the
// first one.
func (l *loader) compile(r *rawDoc, t policy.Type, name string) *policy.Policy {
	return l.compileDoc(r, t, name, true)
}

func (l *loader) compileDoc(r *rawDoc, t policy.Type, name string, cached bool) *policy.Policy {
	if r == nil {
		return nil
	}
	if cached && r.pre != nil {
		if p, ok := l.fromPrecompiled(r, t, name); ok {
			return p
		}
	}
	pr, ok := l.prepare(r)
	if !ok {
		return nil
	}
	text, where, fix := pr.text, pr.where, pr.fix

	if cached {
		if p, ok := l.cache[t][string(text)]; ok {
			return renamed(p, name)
		}
	}
	report := func(err error) {
		list, ok := err.(policy.ErrorList)
		if !ok {
			l.errs.add(r.origin(policy.Pos{}), r.path, "%v", err)
			return
		}
		for _, e := range list {
			at := where(e)
			msg := e.Msg
			if e.Path != "" {
				msg = e.Path + ": " + msg
			}
			l.errs.add(at, r.path, "%s", msg)
		}
	}
	var doc *policy.Document
	var err error
	if pr.toks != nil {
		doc, err = policy.ParseTokens(text, pr.toks, "")
	} else {
		doc, err = policy.Parse(text, "")
	}
	if err != nil {
		report(err)
		return nil
	}
	if errs := policy.Check(doc, t, ""); len(errs) > 0 {
		report(errs)
		return nil
	}
	p, err := policy.Compile(doc, t, name)
	if err != nil {
		report(err)
		return nil
	}
	if fix != nil {
		reposition(doc, fix)
	}
	if cached {
		if l.cache[t] == nil {
			l.cache[t] = map[string]*policy.Policy{}
		}
		l.cache[t][string(text)] = p
	}
	return p
}

// renamed returns p under another name, sharing its compiled statements.
func renamed(p *policy.Policy, name string) *policy.Policy {
	if p.Name == name {
		return p
	}
	cp := *p
	cp.Name = name
	return &cp
}

// readDocFile reads a document file once per load.
func (l *loader) readDocFile(p string) ([]byte, string, error) {
	name := l.display(p)
	if f, ok := l.files[p]; ok {
		return f.data, name, f.err
	}
	data, err := fs.ReadFile(l.fsys, p)
	if err != nil {
		err = fmt.Errorf("cannot read document file %s: %w", name, unwrapPathError(err))
	}
	l.files[p] = fileData{data: data, err: err}
	return data, name, err
}

type fileData struct {
	data []byte
	err  error
}

// unwrapPathError drops the path that fs errors repeat.
func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// reposition rewrites every position of a document through fix.
func reposition(doc *policy.Document, fix func(policy.Pos) policy.Pos) {
	doc.Pos = fix(doc.Pos)
	doc.VersionPos = fix(doc.VersionPos)
	doc.StatementPos = fix(doc.StatementPos)
	strs := func(l []policy.Str) {
		for i := range l {
			l[i].Pos = fix(l[i].Pos)
		}
	}
	for _, s := range doc.Statements {
		s.Pos = fix(s.Pos)
		s.SidPos = fix(s.SidPos)
		s.EffectPos = fix(s.EffectPos)
		s.ActionPos = fix(s.ActionPos)
		s.ResourcePos = fix(s.ResourcePos)
		s.ConditionPos = fix(s.ConditionPos)
		strs(s.Action)
		strs(s.Resource)
		if p := s.Principal; p != nil {
			p.Pos = fix(p.Pos)
			strs(p.AWS)
			strs(p.Service)
			strs(p.Federated)
			strs(p.CanonicalUser)
		}
		for i := range s.Condition {
			s.Condition[i].OpPos = fix(s.Condition[i].OpPos)
			s.Condition[i].KeyPos = fix(s.Condition[i].KeyPos)
		}
	}
}
