package arn

// Match reports whether value matches the IAM wildcard pattern, where * matches
// any run of characters (including none) and ? exactly one character. Matching
// is case-sensitive and compares bytes, except that ? consumes one whole UTF-8
// encoded character.
func Match(pattern, value string) bool {
	return match(pattern, value, false)
}

// MatchFold is Match with ASCII case folding, for action names, which IAM
// compares without regard to case.
func MatchFold(pattern, value string) bool {
	return match(pattern, value, true)
}

// HasWildcard reports whether s contains * or ?.
func HasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

// match is the classic iterative glob with single-star backtracking: linear in
// practice, O(len(p)*len(v)) in the worst case, and free of allocations.
func match(p, v string, fold bool) bool {
	pi, vi := 0, 0
	star, mark := -1, 0
	for vi < len(v) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				star, mark = pi, vi
				pi++
				continue
			case c == '?':
				pi++
				vi += runeLen(v, vi)
				continue
			case c == v[vi] || (fold && lower(c) == lower(v[vi])):
				pi++
				vi++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark += runeLen(v, mark)
		vi = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// runeLen is the length of the UTF-8 sequence starting at s[i], so that ?
// matches one character rather than one byte.
func runeLen(s string, i int) int {
	c := s[i]
	n := 1
	switch {
	case c >= 0xF0:
		n = 4
	case c >= 0xE0:
		n = 3
	case c >= 0xC0:
		n = 2
	}
	if i+n > len(s) {
		return len(s) - i
	}
	return n
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// EqualFold reports whether a and b are equal under ASCII case folding.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// MatchEscaped is Match for a pattern in which a backslash makes the next
// character literal (\*, \?, \\). Policy variables produce such patterns: a
// substituted value and the escapes ${*} and ${?} stand for themselves, not for
// wildcards (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
func MatchEscaped(p, v string) bool {
	pi, vi := 0, 0
	star, mark := -1, 0
	for vi < len(v) {
		if pi < len(p) {
			c := p[pi]
			switch {
			case c == '*':
				star, mark = pi, vi
				pi++
				continue
			case c == '?':
				pi++
				vi += runeLen(v, vi)
				continue
			case c == '\\' && pi+1 < len(p):
				if p[pi+1] == v[vi] {
					pi += 2
					vi++
					continue
				}
			case c == v[vi]:
				pi++
				vi++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark += runeLen(v, mark)
		vi = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// Escape returns s with the characters that MatchEscaped treats specially
// escaped, so that s matches only itself.
func Escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' || s[i] == '\\' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+n)
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}
