package org

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// source is one organization file.
type source struct {
	name   string // as errors name it
	fsPath string // its path in the file system the loader reads
	base   string // the organization's folder in that file system
	data   []byte
	root   *ynode // the top-level mapping; nil for an empty file
	ix     *policy.Source
}

// lines is the file's line index, built on first use.
func (s *source) lines() *policy.Source {
	if s.ix == nil {
		s.ix = policy.NewSource(s.data)
	}
	return s.ix
}

func (s *source) pos(n *ynode) Pos { return Pos{File: s.name, Line: int(n.Line), Col: int(n.Column)} }

// sval is a string value and where it was written.
type sval struct {
	V string
	P Pos
}

// resolve follows an alias to the node it names.
func resolve(n *ynode) *ynode {
	for i := 0; n != nil && n.Kind == aliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *ynode) bool {
	return n == nil || (n.Kind == scalarNode && n.ShortTag() == "!!null")
}

// kindName describes a node's kind for errors.
func kindName(n *ynode) string {
	switch n.Kind {
	case mappingNode:
		return "a mapping"
	case sequenceNode:
		return "a list"
	case scalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "an alias"
}

// decoder reads the nodes of one source, reporting problems into errs.
type decoder struct {
	src  *source
	errs *errorSet
	ph   *placeholders // nil: placeholders are left as written
	// tagSets interns tag sets by content: a loaded Org is read-only, and
	// many roles of a large org carry the same tags.
	tagSets map[string]map[string]string
	kvBuf   [][2]string // reused by tags
	keyBuf  []byte
	// quiet skips placing placeholder problems in the source (which
	// builds the source's line index): a precompiling worker only needs to
	// know that the document has problems.
	quiet bool
}

func (d *decoder) errorf(n *ynode, path, format string, args ...any) {
	d.errs.add(d.src.pos(n), path, format, args...)
}

// fields checks that n is a mapping whose keys are among known, each given
// once, and returns the value of each key given (aliases resolved). A null
// node is an empty mapping. It reports false when n is not a mapping.
func (d *decoder) fields(n *ynode, path string, known ...string) (map[string]*ynode, bool) {
	n = resolve(n)
	if isNull(n) {
		return map[string]*ynode{}, true
	}
	if n.Kind != mappingNode {
		d.errorf(n, path, "must be a mapping, not %s", kindName(n))
		return nil, false
	}
	out := make(map[string]*ynode, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != scalarNode {
			d.errorf(k, path, "a field name must be a string, not %s", kindName(k))
			continue
		}
		if !contains(known, k.Value) {
			d.errorf(k, path, "unknown field %q%s; want one of: %s", k.Value, didYouMean(k.Value, known), strings.Join(known, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			prev := firstKey(n, k.Value)
			d.errorf(k, path, "field %q is given twice (first at %d:%d)", k.Value, prev.Line, prev.Column)
			continue
		}
		out[k.Value] = v
	}
	return out, true
}

// firstKey returns the first scalar key of mapping n with the given value
// (one that fields took: it is known).
func firstKey(n *ynode, value string) *ynode {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == scalarNode && k.Value == value {
			return k
		}
	}
	return nil // not reached: fields found value among n's keys
}

// require reports the fields of m that are missing or null.
func (d *decoder) require(m map[string]*ynode, n *ynode, path string, names ...string) bool {
	ok := true
	for _, name := range names {
		if isNull(m[name]) {
			d.errorf(n, path, "missing %s", name)
			ok = false
		}
	}
	return ok
}

// rawString reads a string as written, without placeholders. YAML scalars
// that are not strings (123, true, 2012-10-17) are rejected: quoting them
// keeps their text as written in every YAML reader.
func (d *decoder) rawString(n *ynode, path string) (sval, bool) {
	n = resolve(n)
	if n == nil {
		return sval{}, false
	}
	if n.Kind != scalarNode || isNull(n) {
		d.errorf(n, path, "must be a string, not %s", kindName(n))
		return sval{}, false
	}
	if n.ShortTag() != "!!str" {
		d.errorf(n, path, "must be a string, not %s: quote it, as in %q", kindName(n), n.Value)
		return sval{}, false
	}
	return sval{V: n.Value, P: d.src.pos(n)}, true
}

// str reads a string, replacing ${account:Name} placeholders. An absent
// (nil) node yields false without an error.
func (d *decoder) str(n *ynode, path string) (sval, bool) {
	s, ok := d.rawString(n, path)
	if !ok {
		return s, false
	}
	return d.replace(n, s, path)
}

// text reads any scalar of a policy document as its text, replacing
// placeholders: there every value is a string to IAM, or compares as one.
func (d *decoder) text(n *ynode, path string) (sval, bool) {
	n = resolve(n)
	if n.Kind != scalarNode || isNull(n) {
		d.errorf(n, path, "must be a string, not %s", kindName(n))
		return sval{}, false
	}
	return d.replace(n, sval{V: n.Value, P: d.src.pos(n)}, path)
}

func (d *decoder) replace(n *ynode, s sval, path string) (sval, bool) {
	if d.ph == nil || !strings.Contains(s.V, phPrefix) {
		return s, true
	}
	v, ok := d.ph.replace(s.V, func(off int, msg string) {
		if d.quiet {
			d.errs.add(Pos{}, path, "%s", msg)
			return
		}
		d.errs.add(d.ph.at(d.src, resolve(n), off), path, "%s", msg)
	})
	if !ok {
		return s, false
	}
	s.V = v
	return s, true
}

// optStr reads an optional string: "" when absent or null.
func (d *decoder) optStr(n *ynode, path string) sval {
	if isNull(resolve(n)) {
		return sval{}
	}
	s, _ := d.str(n, path)
	return s
}

// list reads a list of strings: absent or null is an empty list, and a
// value of the wrong type, reported, is nil, so that callers can tell it
// from an empty list.
func (d *decoder) list(n *ynode, path string) []sval {
	n = resolve(n)
	if isNull(n) {
		return []sval{}
	}
	if n.Kind != sequenceNode {
		d.errorf(n, path, "must be a list of strings, as in [a, b], not %s", kindName(n))
		return nil
	}
	out := make([]sval, 0, len(n.Content))
	for i, it := range n.Content {
		if s, ok := d.str(it, path+"["+strconv.Itoa(i)+"]"); ok {
			out = append(out, s)
		}
	}
	return out
}

// items reads a list of mappings (or of anything): absent or null is empty.
func (d *decoder) items(n *ynode, path string) []*ynode {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != sequenceNode {
		d.errorf(n, path, "must be a list, not %s", kindName(n))
		return nil
	}
	out := make([]*ynode, len(n.Content))
	for i, it := range n.Content {
		out[i] = resolve(it)
	}
	return out
}

// pair is one entry of a free-form mapping, in source order.
type pair struct {
	Key sval
	Val *ynode

	keyNode *ynode // the key as written (for a duplicate's message)
}

// pairs reads a mapping with free-form keys, such as tags or inline
// policies, rejecting duplicate keys.
func (d *decoder) pairs(n *ynode, path string) []pair {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != mappingNode {
		d.errorf(n, path, "must be a mapping, not %s", kindName(n))
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	// A small mapping (most: tags, a policy's few names) is checked for
	// duplicate keys by looking back over the pairs taken; a large one
	// with a map.
	var seen map[string]*ynode
	if len(n.Content)/2 > smallMapping {
		seen = make(map[string]*ynode, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, ok := d.str(n.Content[i], path)
		if !ok {
			continue
		}
		var prev *ynode
		if seen != nil {
			prev = seen[k.V]
			seen[k.V] = n.Content[i]
		} else {
			for _, p := range out {
				if p.Key.V == k.V {
					prev = p.keyNode
					break
				}
			}
		}
		if prev != nil {
			if seen != nil {
				seen[k.V] = prev
			}
			d.errorf(n.Content[i], path, "key %q is given twice (first at %d:%d)", k.V, prev.Line, prev.Column)
			continue
		}
		out = append(out, pair{Key: k, Val: resolve(n.Content[i+1]), keyNode: n.Content[i]})
	}
	return out
}

// tags reads a mapping of strings to strings.
func (d *decoder) tags(n *ynode, path string) map[string]string {
	ps := d.pairs(n, path)
	if len(ps) == 0 {
		return nil
	}
	kvs := d.kvBuf[:0]
	for _, p := range ps {
		if v, ok := d.str(p.Val, path+"."+p.Key.V); ok {
			kvs = append(kvs, [2]string{p.Key.V, v.V})
		}
	}
	d.kvBuf = kvs
	sort.Slice(kvs, func(i, j int) bool { return kvs[i][0] < kvs[j][0] })
	key := d.keyBuf[:0]
	for _, kv := range kvs {
		key = append(append(key, kv[0]...), 0)
		key = append(append(key, kv[1]...), 0)
	}
	d.keyBuf = key
	if same, ok := d.tagSets[string(key)]; ok {
		return same
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[kv[0]] = kv[1]
	}
	if d.tagSets == nil {
		d.tagSets = map[string]map[string]string{}
	}
	d.tagSets[string(key)] = out
	return out
}

// integer reads an integer scalar.
func (d *decoder) integer(n *ynode, path string) (int, Pos, bool) {
	n = resolve(n)
	if n == nil {
		return 0, Pos{}, false
	}
	if n.Kind != scalarNode || n.ShortTag() != "!!int" {
		d.errorf(n, path, "must be an integer, not %s", kindName(n))
		return 0, Pos{}, false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		d.errorf(n, path, "malformed integer %q", n.Value)
		return 0, Pos{}, false
	}
	return v, d.src.pos(n), true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// didYouMean returns ` (did you mean "x"?)` for a name that differs from a
// known one only by case, or by at most two edits (fewer than its length),
// a likely typo.
func didYouMean(name string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(name, k) {
			return fmt.Sprintf(" (did you mean %q? names are case-sensitive)", k)
		}
	}
	if len(name) >= 3 {
		best, bestD := "", min(3, len(name))
		for _, k := range known {
			if dist := editDistance(strings.ToLower(name), strings.ToLower(k)); dist < bestD {
				best, bestD = k, dist
			}
		}
		if best != "" {
			return fmt.Sprintf(" (did you mean %q?)", best)
		}
	}
	return ""
}

// editDistance is the Levenshtein distance of two short strings, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
