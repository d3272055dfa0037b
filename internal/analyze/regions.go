package analyze

import (
	"sort"
	"strings"
	"sync"
)

// nfa runs one pattern over a string: a state is the set of token positions
// reached, as a bitset.
type nfa struct {
	toks  []tok
	words int
}

func newNFA(p *pattern) *nfa {
	return &nfa{toks: p.toks, words: (len(p.toks) + 1 + 63) / 64}
}

type bits []uint64

func (b bits) has(i int) bool { return b[i/64]&(1<<(uint(i)%64)) != 0 }
func (b bits) set(i int)      { b[i/64] |= 1 << (uint(i) % 64) }

func (n *nfa) closure(b bits) bits {
	for i := 0; i < len(n.toks); i++ {
		if b.has(i) && n.toks[i].wild == '*' {
			b.set(i + 1)
		}
	}
	return b
}

func (n *nfa) start() bits {
	b := make(bits, n.words)
	b.set(0)
	return n.closure(b)
}

func (n *nfa) step(b bits, c byte) bits {
	out := make(bits, n.words)
	for i, t := range n.toks {
		if !b.has(i) {
			continue
		}
		switch {
		case t.wild == '*':
			if !(t.noColon && c == ':' || t.noSlash && c == '/') {
				out.set(i)
			}
		case t.wild == '?':
			if !(t.noColon && c == ':' || t.noSlash && c == '/') {
				out.set(i + 1)
			}
		case t.ch == c || t.fold && lowerASCII(t.ch) == lowerASCII(c):
			out.set(i + 1)
		}
	}
	return n.closure(out)
}

func (n *nfa) accepts(b bits) bool { return b.has(len(n.toks)) }

func (n *nfa) dead(b bits) bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// region is one non-empty cell of the partition that a list of patterns
// makes of all strings: the strings that match exactly the patterns in
// matches.
type region struct {
	rep     string // the shortest string of the cell (first in byte order)
	matches []bool // per pattern
}

// maxRegionStates bounds the product automaton's exploration; beyond it the
// partition is reported incomplete.
const maxRegionStates = 1 << 15

// regions partitions all strings by which patterns they match and returns
// one representative per non-empty cell. This is exact: it explores the
// product of the patterns' automata breadth first over an alphabet of every
// character the patterns name (in both cases where one folds) and one
// character they do not name (any such character behaves alike), so every
// reachable combination of pattern states, and hence every cell, is found
// with its shortest string. ok is false when the exploration hit its bound;
// the regions found are still real but some cells may be missing.
func regions(pats []pattern, fresh byte) (out []region, ok bool) {
	alpha := map[byte]bool{fresh: true}
	for i := range pats {
		for _, t := range pats[i].toks {
			if t.wild != 0 {
				if t.noColon {
					alpha[':'] = true
				}
				continue
			}
			alpha[t.ch] = true
			if t.fold {
				alpha[lowerASCII(t.ch)] = true
				alpha[upperASCII(t.ch)] = true
			}
		}
	}
	// The fresh letter first, so that representatives read as "any other
	// value" where they can.
	letters := []byte{fresh}
	for c := 0; c < 256; c++ {
		if alpha[byte(c)] && byte(c) != fresh {
			letters = append(letters, byte(c))
		}
	}
	return regionsOver(pats, letters)
}

// regionsOver is regions over a given alphabet: the cells of the strings
// made of letters only.
func regionsOver(pats []pattern, letters []byte) (out []region, ok bool) {
	key := regionKey(pats, letters)
	if v, found := regionCache.get(key); found {
		return v.rs, v.ok
	}
	out, ok = computeRegionsLiterals(pats, letters)
	regionCache.put(key, cachedRegions{out, ok})
	return out, ok
}

// cachedRegions is a computed partition; callers must not modify it.
type cachedRegions struct {
	rs []region
	ok bool
}

// regionCache memoizes partitions: an organization's policies repeat the
// same patterns (one trust policy shape per role, one bucket policy shape per
// account). It is bounded: when full, it starts over.
var regionCache = boundedCache{max: 1 << 14}

type boundedCache struct {
	mu  sync.Mutex
	max int
	m   map[string]cachedRegions
}

func (c *boundedCache) get(k string) (cachedRegions, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *boundedCache) put(k string, v cachedRegions) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]cachedRegions)
	}
	c.m[k] = v
}

func regionKey(pats []pattern, letters []byte) string {
	var b strings.Builder
	b.Write(letters)
	for _, p := range pats {
		b.WriteByte(0)
		for _, t := range p.toks {
			flags := t.wild
			if t.fold {
				flags |= 1
			}
			if t.noColon {
				flags |= 2
			}
			if t.noSlash {
				flags |= 4
			}
			b.WriteByte(flags)
			b.WriteByte(t.ch)
		}
	}
	return b.String()
}

func computeRegions(pats []pattern, letters []byte) (out []region, ok bool) {
	// Each pattern's automaton is made deterministic as the exploration
	// reaches its states (a state is its set of token positions, numbered
	// in order of discovery), so that a step of the product is one table
	// look-up per pattern and a product state is a vector of numbers. The
	// exploration is the same as over the sets themselves: same order,
	// same cells, same representatives, same bound.
	dfas := make([]*dfa, len(pats))
	for i := range pats {
		dfas[i] = newDFA(&pats[i], len(letters))
	}
	type state struct {
		ids []int32
		s   string
	}
	key := func(ids []int32) string {
		b := make([]byte, 4*len(ids))
		for i, id := range ids {
			b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(id), byte(id>>8), byte(id>>16), byte(id>>24)
		}
		return string(b)
	}
	start := state{ids: make([]int32, len(pats))} // state 0 of each is its start
	seen := map[string]bool{key(start.ids): true}
	cells := map[string]bool{}
	queue := []state{start}
	sig := make([]byte, len(pats))
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for i, d := range dfas {
			sig[i] = '0'
			if d.acc[st.ids[i]] {
				sig[i] = '1'
			}
		}
		if !cells[string(sig)] {
			cells[string(sig)] = true
			acc := make([]bool, len(pats))
			for i := range sig {
				acc[i] = sig[i] == '1'
			}
			out = append(out, region{rep: st.s, matches: acc})
		}
		next := make([]int32, len(pats))
		for li, c := range letters {
			for i, d := range dfas {
				next[i] = d.step(st.ids[i], li, c)
			}
			k := key(next)
			if seen[k] {
				continue
			}
			if len(seen) >= maxRegionStates {
				return out, false
			}
			seen[k] = true
			queue = append(queue, state{ids: next, s: st.s + string(c)})
			next = make([]int32, len(pats))
		}
	}
	return out, true
}

// minLiterals is how many distinct literals make computeRegionsLiterals
// leave them out of the product.
const minLiterals = 4

// computeRegionsLiterals is computeRegions (the same cells, representatives
// and order) with the patterns that denote one string each (literals that do
// not fold case: declared resources' ARNs, the splits of accounts' resources)
// left out of the product, whose every state would otherwise carry one
// automaton per literal: over thousands of resources the product costs the
// literals squared. Each literal s is a cell of its own, {s}; every other
// cell is a cell of the remaining patterns less the literals it holds, whose
// shortest string (first in the alphabet's order) is that of the cell of the
// remaining patterns unless that string is a literal (then the whole product
// is explored, as computeRegions does). Cells are then put in computeRegions'
// order: its breadth-first exploration finds each cell at its shortest
// string, shorter first, equal lengths in the alphabet's order.
func computeRegionsLiterals(pats []pattern, letters []byte) ([]region, bool) {
	var wild []int
	lits := map[string][]int{}
	var order []string
	for i := range pats {
		s, ok := pats[i].literal()
		if !ok {
			wild = append(wild, i)
			continue
		}
		if _, seen := lits[s]; !seen {
			order = append(order, s)
		}
		lits[s] = append(lits[s], i)
	}
	if len(order) < minLiterals {
		return computeRegions(pats, letters)
	}
	sub := make([]pattern, len(wild))
	for j, i := range wild {
		sub[j] = pats[i]
	}
	ws, ok := computeRegions(sub, letters)
	if !ok {
		return computeRegions(pats, letters)
	}
	var rank [256]int
	inAlpha := [256]bool{}
	for i, c := range letters {
		rank[c], inAlpha[c] = i, true
	}
	out := make([]region, 0, len(ws)+len(order))
	for _, w := range ws {
		if _, isLit := lits[w.rep]; isLit {
			return computeRegions(pats, letters)
		}
		m := make([]bool, len(pats))
		for j, i := range wild {
			m[i] = w.matches[j]
		}
		out = append(out, region{rep: w.rep, matches: m})
	}
next:
	for _, s := range order {
		for k := 0; k < len(s); k++ {
			if !inAlpha[s[k]] {
				// Not a string over the alphabet: in no cell.
				continue next
			}
		}
		m := make([]bool, len(pats))
		for _, i := range wild {
			m[i] = pats[i].match(s)
		}
		for _, i := range lits[s] {
			m[i] = true
		}
		out = append(out, region{rep: s, matches: m})
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a].rep, out[b].rep
		if len(x) != len(y) {
			return len(x) < len(y)
		}
		for k := 0; k < len(x); k++ {
			if x[k] != y[k] {
				return rank[x[k]] < rank[y[k]]
			}
		}
		return false
	})
	return out, true
}

// literal is the one string a pattern denotes, when it has no wildcard and
// does not fold case.
func (p *pattern) literal() (string, bool) {
	b := make([]byte, len(p.toks))
	for i, t := range p.toks {
		if t.wild != 0 || t.fold {
			return "", false
		}
		b[i] = t.ch
	}
	return string(b), true
}

// dfa is a pattern's nfa made deterministic lazily over an alphabet given
// by index: states are numbered token-position sets, state 0 the start.
type dfa struct {
	n       *nfa
	ids     map[string]int32
	sets    []bits
	acc     []bool
	trans   [][]int32 // per state, per letter index; -1 until computed
	letters int
}

func newDFA(p *pattern, letters int) *dfa {
	d := &dfa{n: newNFA(p), ids: map[string]int32{}, letters: letters}
	d.intern(d.n.start())
	return d
}

func (d *dfa) intern(b bits) int32 {
	var sb strings.Builder
	for _, w := range b {
		for k := 0; k < 8; k++ {
			sb.WriteByte(byte(w >> (8 * k)))
		}
	}
	k := sb.String()
	if id, ok := d.ids[k]; ok {
		return id
	}
	id := int32(len(d.sets))
	d.ids[k] = id
	d.sets = append(d.sets, b)
	d.acc = append(d.acc, d.n.accepts(b))
	t := make([]int32, d.letters)
	for i := range t {
		t[i] = -1
	}
	d.trans = append(d.trans, t)
	return id
}

// step is the state after letter c, the li-th of the alphabet.
func (d *dfa) step(id int32, li int, c byte) int32 {
	if t := d.trans[id][li]; t >= 0 {
		return t
	}
	t := d.intern(d.n.step(d.sets[id], c))
	d.trans[id][li] = t
	return t
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// freshByte picks a letter that no pattern names, so that a representative
// made of it matches only what wildcards match.
func freshByte(pats []pattern) byte {
	used := map[byte]bool{}
	for _, p := range pats {
		for _, t := range p.toks {
			used[lowerASCII(t.ch)] = true
		}
	}
	for _, c := range []byte("zqxjkvwyubfgmhpdlctnrsoiae0123456789") {
		if !used[c] {
			return c
		}
	}
	return '~'
}
