package validate

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// globSubset reports whether every string matched by pattern a is matched by
// pattern b, where * matches any run of characters and ? exactly one, and
// other characters match themselves. The answer is exact: it explores the
// product of the two patterns' automata (determinised on the fly) over the
// characters the patterns name plus one symbol for every other character.
func globSubset(a, b string) bool {
	if b == "*" || a == b {
		return true
	}
	if !strings.ContainsAny(b, "*?") {
		return false // b matches one string; a (≠ b) is either another literal or a wildcard pattern matching several
	}
	if !strings.ContainsAny(a, "*?") {
		return globMatch(b, a)
	}
	if !strings.ContainsRune(b, '?') && !strings.ContainsRune(a, witness) {
		// Replace a's wildcards by a character b does not name: the result
		// is one of a's strings, and b can match it only with its *s, which
		// then match whatever a's wildcards stand for. So b matches it
		// exactly when b covers a.
		return globMatch(b, strings.Map(func(r rune) rune {
			if r == '*' || r == '?' {
				return witness
			}
			return r
		}, a))
	}
	ra, rb := []rune(a), []rune(b)
	if !endsAgree(ra, rb, true) {
		return false
	}
	if fb := fixedPrefix(rb); fb == len(rb)-1 && !strings.ContainsRune(b, '?') {
		// b is P* with P literal: a's strings all start with P exactly when
		// a's text before its first * is at least as long and agrees with P
		// (a * or ? earlier can put another character there).
		fa := fixedPrefix(ra)
		if fa < fb {
			return false
		}
		for i := 0; i < fb; i++ {
			if rb[i] != '?' && ra[i] != rb[i] {
				return false
			}
		}
		return true
	}
	if len(ra) <= maxGlob && len(rb) <= maxGlob {
		// a ⊄ b when some input leads a to accept and b not.
		return !product(ra, rb, false, func(ga, gb *glob, sa, sb bset) bool { return ga.accepts(sa) && !gb.accepts(sb) })
	}
	symbols := alphabet(ra, rb)
	start := [2]stateSet{closure(ra, single(len(ra), 0)), closure(rb, single(len(rb), 0))}
	seen := map[string]bool{}
	queue := [][2]stateSet{start}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		k := string(cur[0]) + "|" + string(cur[1])
		if seen[k] {
			continue
		}
		seen[k] = true
		if cur[0][len(ra)] == 1 && cur[1][len(rb)] == 0 {
			return false
		}
		for _, c := range symbols {
			na := step(ra, cur[0], c)
			if na.empty() {
				continue
			}
			queue = append(queue, [2]stateSet{na, step(rb, cur[1], c)})
		}
	}
	return true
}

// witness stands for any character in globSubset; policies do not hold it.
const witness = '\x00'

// endsAgree is a quick necessary condition for L(a) ⊆ L(b) (subset) or
// for L(a) ∩ L(b) ≠ ∅ (not subset): every string of a pattern starts with
// its text before its first * and ends with its text after its last *,
// where ? is any character. Where both texts are fixed at a position, the
// characters must agree: exactly, or with b's ? (for a subset, a's ? allows
// characters b's literal does not; for an intersection either ? will do).
func endsAgree(a, b []rune, subset bool) bool {
	agree := func(ca, cb rune) bool { return cb == '?' || ca == cb || !subset && ca == '?' }
	na, nb := fixedPrefix(a), fixedPrefix(b)
	for i := 0; i < min(na, nb); i++ {
		if !agree(a[i], b[i]) {
			return false
		}
	}
	ta, tb := fixedSuffix(a), fixedSuffix(b)
	for i := 1; i <= min(ta, tb); i++ {
		if !agree(a[len(a)-i], b[len(b)-i]) {
			return false
		}
	}
	return true
}

// fixedPrefix is the length of the pattern's text before its first *.
func fixedPrefix(p []rune) int {
	for i, r := range p {
		if r == '*' {
			return i
		}
	}
	return len(p)
}

// fixedSuffix is the length of the pattern's text after its last *.
func fixedSuffix(p []rune) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '*' {
			return len(p) - 1 - i
		}
	}
	return len(p)
}

// alphabet is the characters two patterns name, plus -1 for every other
// character: the automata treat all characters outside the patterns alike.
func alphabet(a, b []rune) []rune {
	seen := map[rune]bool{}
	var out []rune
	for _, r := range append(append([]rune{}, a...), b...) {
		if r != '*' && r != '?' && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return append(out, -1)
}

// stateSet is a set of positions in a pattern, one byte (0 or 1) per
// position; position len(pattern) is accepting.
type stateSet []byte

func single(n, i int) stateSet {
	s := make(stateSet, n+1)
	s[i] = 1
	return s
}

func (s stateSet) empty() bool {
	for _, b := range s {
		if b != 0 {
			return false
		}
	}
	return true
}

// closure adds the positions reachable by letting a * match nothing.
func closure(p []rune, s stateSet) stateSet {
	for i := 0; i < len(p); i++ {
		if s[i] == 1 && p[i] == '*' {
			s[i+1] = 1
		}
	}
	return s
}

func step(p []rune, s stateSet, c rune) stateSet {
	next := make(stateSet, len(s))
	for i := 0; i < len(p); i++ {
		if s[i] == 0 {
			continue
		}
		switch p[i] {
		case '*':
			next[i] = 1
		case '?':
			next[i+1] = 1
		default:
			if p[i] == c {
				next[i+1] = 1
			}
		}
	}
	return closure(p, next)
}

// globMatch matches s against a pattern of * and ?.
func globMatch(pattern, s string) bool { return arn.Match(pattern, s) }

// actionSubset reports whether action pattern a grants nothing beyond b;
// callers lower-case both, as action names ignore case.
func actionSubset(a, b string) bool { return globSubset(a, b) }

// resourceSubset reports whether resource pattern a matches nothing beyond b,
// following how IAM matches resources: "*" matches everything, ARN patterns
// part by part (case-sensitive), anything else as a whole.
func resourceSubset(a, b string) bool {
	if b == "*" || a == b {
		return true
	}
	if a == "*" {
		return false
	}
	aARN, bARN := strings.HasPrefix(a, "arn:"), strings.HasPrefix(b, "arn:")
	if !aARN && !bARN {
		return globSubset(a, b)
	}
	if !aARN || !bARN {
		return false
	}
	var pa, pb [6]string
	if !arn.Split(a, &pa) || !arn.Split(b, &pb) {
		return false // fewer than six parts: only an identical pattern is known to be covered
	}
	for i := range pa {
		if !globSubset(pa[i], pb[i]) {
			return false
		}
	}
	return true
}
