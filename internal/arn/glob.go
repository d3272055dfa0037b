package arn

import "strings"

// Glob is a wildcard pattern prepared for matching: most patterns in real
// policies are literal, or literal with one trailing or leading *, and those
// are matched without the general algorithm.
type Glob struct {
	s    string
	kind globKind
	lit  string   // the literal part for prefix and suffix kinds
	segs []string // globStars: the literal segments between the stars
}

type globKind uint8

const (
	globExact  globKind = iota // no wildcard
	globAny                    // "*"
	globPrefix                 // "literal*"
	globSuffix                 // "*literal"
	globStars                  // several *, no ?: literal segments found in order
	globFull                   // anything else
)

// CompileGlob prepares pattern for Match semantics.
func CompileGlob(pattern string) Glob {
	g := Glob{s: pattern, kind: globFull}
	n := strings.Count(pattern, "*") + strings.Count(pattern, "?")
	switch {
	case n == 0:
		g.kind = globExact
	case pattern == "*":
		g.kind = globAny
	case n == 1 && strings.HasSuffix(pattern, "*"):
		g.kind, g.lit = globPrefix, pattern[:len(pattern)-1]
	case n == 1 && strings.HasPrefix(pattern, "*"):
		g.kind, g.lit = globSuffix, pattern[1:]
	case !strings.Contains(pattern, "?"):
		g.kind, g.segs = globStars, strings.Split(pattern, "*")
	}
	return g
}

// Match reports whether v matches the pattern.
func (g *Glob) Match(v string) bool {
	switch g.kind {
	case globExact:
		return g.s == v
	case globAny:
		return true
	case globPrefix:
		return strings.HasPrefix(v, g.lit)
	case globSuffix:
		return strings.HasSuffix(v, g.lit)
	case globStars:
		return matchStars(g.segs, v)
	}
	return Match(g.s, v)
}

// matchStars matches a pattern of literal segments separated by * (no ?):
// the first segment is a prefix, the last a suffix, and each middle one is
// found leftmost after the one before, which is correct for * alone.
func matchStars(segs []string, v string) bool {
	first, last := segs[0], segs[len(segs)-1]
	if len(v) < len(first)+len(last) || !strings.HasPrefix(v, first) || !strings.HasSuffix(v, last) {
		return false
	}
	rest := v[len(first) : len(v)-len(last)]
	for _, s := range segs[1 : len(segs)-1] {
		i := strings.Index(rest, s)
		if i < 0 {
			return false
		}
		rest = rest[i+len(s):]
	}
	return true
}

// String returns the pattern.
func (g *Glob) String() string { return g.s }
