package compliance

import "strings"

// globMatch reports whether the IAM wildcard pattern (* any run, ? one
// character) matches s.
func globMatch(pattern, s string) bool { return covers(pattern, s, false) }

// globCovers reports whether every string the pattern q matches is matched
// by p: p matches q with q's wildcards taken as symbols that only a * of p
// can stand for (a '*' or '?' of q is matched by p's '*' alone). For
// patterns over an alphabet larger than their literals this is exact.
func globCovers(p, q string) bool { return covers(p, q, true) }

func covers(p, q string, qWild bool) bool {
	// Iterative matching with one backtrack point, as for ordinary globs.
	pi, qi := 0, 0
	star, mark := -1, 0
	for qi < len(q) {
		wild := qWild && (q[qi] == '*' || q[qi] == '?')
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, qi
			pi++
		case pi < len(p) && !wild && (p[pi] == '?' || p[pi] == q[qi]):
			pi++
			qi++
		case star >= 0:
			pi = star + 1
			mark++
			qi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// actionCovers reports whether the action pattern p (service:Name, with
// wildcards, case-insensitive as IAM compares actions) matches every action
// the pattern q does.
func actionCovers(p, q string) bool {
	return globCovers(strings.ToLower(p), strings.ToLower(q))
}
