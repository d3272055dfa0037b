package org

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/securecart/warden/internal/policy"
)

// Load reads an organization from a file, or from a directory whose *.yaml,
// *.yml and *.json files are merged. Errors in the organization are returned
// as an ErrorList naming every problem's file:line:column.
func Load(p string) (*Org, error) {
	return LoadWith(p, Options{})
}

// LoadWith is Load with options.
func LoadWith(p string, opt Options) (*Org, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return load(os.DirFS(p), ".", true, func(fp string) string { return filepath.Join(p, filepath.FromSlash(fp)) }, opt)
	}
	dir := filepath.Dir(p)
	return load(os.DirFS(dir), filepath.Base(p), false, func(fp string) string { return filepath.Join(dir, filepath.FromSlash(fp)) }, opt)
}

// LoadFS is Load on a file system, such as an embedded landing zone. name is
// a file or a directory of fsys; errors name files by their path in fsys.
func LoadFS(fsys fs.FS, name string) (*Org, error) {
	return LoadFSWith(fsys, name, Options{})
}

// Options adjust what a load accepts.
type Options struct {
	// AllowDetached accepts SCPs and RCPs attached to nothing, as a live
	// organization holds them between CreatePolicy and AttachPolicy (the
	// server's state). In files an organization is written by hand, where a
	// policy attached to nothing is a mistake, it is an error.
	AllowDetached bool
	// Progress, when set, is told how many of a large organization's
	// policy documents are compiled (done of total, ending with done ==
	// total), from one goroutine at a time. A small organization, read in
	// a moment, reports nothing.
	Progress func(done, total int)
}

// LoadFSWith is LoadFS with options.
func LoadFSWith(fsys fs.FS, name string, opt Options) (*Org, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	return load(fsys, name, info.IsDir(), func(fp string) string { return fp }, opt)
}

// orgFile reports whether a directory entry is an organization file.
func orgFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return !strings.HasPrefix(name, ".")
	}
	return false
}

// loader holds the state of one load.
type loader struct {
	opt     Options
	fsys    fs.FS
	display func(string) string
	errs    errorSet
	ph      *placeholders
	cache   map[policy.Type]map[string]*policy.Policy // compiled documents by type and JSON text
	files   map[string]fileData
	toks    []policy.Token // the token buffer of YAML documents, reused
	decs    map[*source]*decoder
	o       *Org
	// parseFailed is set when a file is not YAML: what it would have
	// declared is unknown, so its absence is not reported.
	parseFailed bool
	build       // the resolution state
}

func load(fsys fs.FS, name string, isDir bool, display func(string) string, opt Options) (*Org, error) {
	l := &loader{fsys: fsys, display: display, opt: opt, cache: map[policy.Type]map[string]*policy.Policy{},
		files: map[string]fileData{}, decs: map[*source]*decoder{}}
	var names []string
	if isDir {
		entries, err := fs.ReadDir(fsys, name)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Type().IsRegular() && orgFile(e.Name()) {
				names = append(names, path.Join(name, e.Name()))
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no organization files (*.yaml, *.yml, *.json)", display(name))
		}
	} else {
		names = []string{name}
	}
	base := name
	if !isDir {
		base = path.Dir(name)
	}
	var srcs []*source
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		s := &source{name: display(n), fsPath: n, base: base, data: data}
		l.parse(s)
		srcs = append(srcs, s)
	}
	return l.run(srcs)
}

// parse reads a source: one YAML document, or a JSON value for a *.json
// file, whose top level is a mapping.
func (l *loader) parse(s *source) {
	if isJSONFile(s) {
		if root, ok := fastJSON(s.data); ok {
			l.setRoot(s, root)
			return
		}
		root, jerr := jsonTree(s.data)
		if jerr == nil {
			l.setRoot(s, root)
			return
		}
		// Not JSON: a .json file written in YAML is read as before; one
		// that is neither gets the JSON reader's error.
		if l.parseYAML(s, true) {
			return
		}
		pos := Pos{File: s.name, Line: jerr.pos.Line, Col: jerr.pos.Col}
		l.errs.add(pos, "", "malformed JSON: %s", jerr.msg)
		l.parseFailed = true
		return
	}
	l.parseYAML(s, false)
}

// parseYAML reads a source's YAML. quiet leaves a malformed file
// unreported, returning false.
func (l *loader) parseYAML(s *source, quiet bool) bool {
	if root, ok := fastYAML(s.data); ok {
		l.setRoot(s, root)
		return true
	}
	dec := yaml.NewDecoder(bytes.NewReader(s.data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return true
		}
		if !quiet {
			l.errs.add(yamlErrorPos(s, err), "", "%s", yamlErrorMsg(err))
			l.parseFailed = true
		}
		return false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		if quiet {
			return false
		}
		l.errs.add(Pos{File: s.name, Line: extra.Line, Col: extra.Column}, "", "a second YAML document: an organization file holds one (split it into files)")
	} else if err != io.EOF {
		if !quiet {
			l.errs.add(yamlErrorPos(s, err), "", "%s", yamlErrorMsg(err))
			l.parseFailed = true
		}
		return false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	l.setRoot(s, fromLibrary(root))
	return true
}

// setRoot takes a source's top-level node: nothing for an empty file, else
// a mapping.
func (l *loader) setRoot(s *source, root *ynode) {
	if isNull(root) {
		return
	}
	if root.Kind != mappingNode {
		l.errs.add(s.pos(root), "", "an organization file must be a mapping with sections such as organization:, accounts:, roles:, not %s", kindName(root))
		l.parseFailed = true
		return
	}
	s.root = root
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlErrorPos is where the YAML parser says the error is: its line (the
// parser gives no column) at the line's first non-blank column.
func yamlErrorPos(s *source, err error) Pos {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return Pos{File: s.name, Line: n, Col: FirstColumn(s.data, n)}
	}
	return Pos{File: s.name}
}

// FirstColumn is the column of the first character of line n (from 1) of
// src that is not a space or tab; 1 for a blank line or one past the end.
func FirstColumn(src []byte, n int) int {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return 1
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	line := strings.TrimRight(string(src), "\r")
	if strings.TrimSpace(line) == "" {
		return 1
	}
	return len(line) - len(strings.TrimLeft(line, " \t")) + 1
}

func yamlErrorMsg(err error) string {
	msg := yamlLine.ReplaceAllString(err.Error(), "")
	return "malformed YAML: " + strings.TrimPrefix(msg, "yaml: ")
}

func (l *loader) decoderFor(s *source) *decoder {
	d, ok := l.decs[s]
	if !ok {
		d = &decoder{src: s, errs: &l.errs, ph: l.ph}
		l.decs[s] = d
	}
	return d
}

// run decodes the parsed sources and builds the organization.
func (l *loader) run(srcs []*source) (*Org, error) {
	l.ph = prescanAccounts(srcs)
	var r raw
	for _, s := range srcs {
		if s.root != nil {
			l.decoderFor(s).file(s.root, &r)
		}
	}
	o := &Org{}
	for _, s := range srcs {
		o.Sources = append(o.Sources, s.name)
	}
	l.o = o
	l.precompile(&r)
	if r.org == nil && !l.parseFailed {
		first := Pos{File: srcs[0].name, Line: 1, Col: 1}
		l.errs.add(first, "", "no organization: one file must have an organization: section with id and managementAccount")
	}
	l.buildOrg(&r)
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	return o, nil
}

// prescanAccounts collects the accounts' names and IDs, as written, so that
// placeholders can be replaced while the rest is decoded. Problems are
// reported later, when the accounts are decoded.
func prescanAccounts(srcs []*source) *placeholders {
	ph := &placeholders{ids: map[string]string{}}
	for _, s := range srcs {
		if s.root == nil {
			continue
		}
		for i := 0; i+1 < len(s.root.Content); i += 2 {
			if s.root.Content[i].Value != "accounts" {
				continue
			}
			list := resolve(s.root.Content[i+1])
			if list == nil || list.Kind != sequenceNode {
				continue
			}
			for _, it := range list.Content {
				it = resolve(it)
				if it == nil || it.Kind != mappingNode {
					continue
				}
				var name, id string
				for j := 0; j+1 < len(it.Content); j += 2 {
					v := resolve(it.Content[j+1])
					if v == nil || v.Kind != scalarNode {
						continue
					}
					switch it.Content[j].Value {
					case "name":
						name = v.Value
					case "id":
						id = v.Value
					}
				}
				if _, dup := ph.ids[name]; name != "" && !dup {
					ph.ids[name] = id
					ph.names = append(ph.names, name)
				}
			}
		}
	}
	return ph
}
