package validate

// glob is a pattern of *, ? and literal characters as a nondeterministic
// automaton over bit sets of positions: position i is "before p[i]",
// position len(p) accepts. Patterns of up to maxGlob characters fit; longer
// ones use the slower stateSet exploration.
type glob struct {
	n    int
	star bset   // positions holding *
	any  bset   // positions holding ?
	lit  []bset // per symbol of the shared alphabet: positions holding it
}

// bset is a set of up to 256 positions.
type bset [4]uint64

const maxGlob = 255

func (s bset) or(t bset) bset  { return bset{s[0] | t[0], s[1] | t[1], s[2] | t[2], s[3] | t[3]} }
func (s bset) and(t bset) bset { return bset{s[0] & t[0], s[1] & t[1], s[2] & t[2], s[3] & t[3]} }
func (s bset) zero() bool      { return s[0]|s[1]|s[2]|s[3] == 0 }
func (s bset) has(i int) bool  { return s[i/64]>>(i%64)&1 == 1 }
func (s *bset) set(i int)      { s[i/64] |= 1 << (i % 64) }
func (s bset) shift1() bset {
	return bset{s[0] << 1, s[1]<<1 | s[0]>>63, s[2]<<1 | s[1]>>63, s[3]<<1 | s[2]>>63}
}

func newGlob(p []rune, symbols []rune) glob {
	g := glob{n: len(p), lit: make([]bset, len(symbols))}
	for i, r := range p {
		switch r {
		case '*':
			g.star.set(i)
		case '?':
			g.any.set(i)
		default:
			for j, s := range symbols {
				if s == r {
					g.lit[j].set(i)
				}
			}
		}
	}
	return g
}

// closure lets each * match nothing.
func (g *glob) closure(s bset) bset {
	for {
		t := s.or(s.and(g.star).shift1())
		if t == s {
			return s
		}
		s = t
	}
}

func (g *glob) start() bset {
	var s bset
	s.set(0)
	return g.closure(s)
}

// step reads the symbol with index j.
func (g *glob) step(s bset, j int) bset {
	return g.closure(s.and(g.star).or(s.and(g.any.or(g.lit[j])).shift1()))
}

func (g *glob) accepts(s bset) bool { return s.has(g.n) }

// product explores the pairs of states both automata reach on the same
// input. visit returns true to stop (and product returns true); pairs where
// a's set is empty are not explored, nor, when both is set, pairs where b's
// is.
func product(a, b []rune, both bool, visit func(ga, gb *glob, sa, sb bset) bool) bool {
	symbols := alphabet(a, b)
	ga, gb := newGlob(a, symbols), newGlob(b, symbols)
	type pair struct{ a, b bset }
	// The pairs reached are few (a pattern's sets of positions after a
	// prefix), so a slice searched linearly beats a map.
	var seenBuf, queueBuf [16]pair
	seen, queue := seenBuf[:0], append(queueBuf[:0], pair{ga.start(), gb.start()})
	for len(queue) > 0 {
		cur := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		visited := false
		for _, p := range seen {
			if p == cur {
				visited = true
				break
			}
		}
		if visited {
			continue
		}
		seen = append(seen, cur)
		if visit(&ga, &gb, cur.a, cur.b) {
			return true
		}
		for j := range symbols {
			na := ga.step(cur.a, j)
			if na.zero() {
				continue
			}
			nb := gb.step(cur.b, j)
			if both && nb.zero() {
				continue
			}
			queue = append(queue, pair{na, nb})
		}
	}
	return false
}
