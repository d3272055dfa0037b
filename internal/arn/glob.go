package arn

import "strings"

// Glob is a wildcard pattern prepared for matching: most patterns in real
// policies are literal, or literal with one trailing or leading *, and those
// are matched without the general algorithm.
type Glob struct {
	s    string
	kind globKind
	lit  string // the literal part for prefix and suffix kinds
}

type globKind uint8

const (
	globExact  globKind = iota // no wildcard
	globAny                    // "*"
	globPrefix                 // "literal*"
	globSuffix                 // "*literal"
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
	}
	return Match(g.s, v)
}

// String returns the pattern.
func (g *Glob) String() string { return g.s }
