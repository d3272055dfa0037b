package awsdata

import (
	"strings"
	"unicode/utf8"
)

// MatchActions returns every action matched by an IAM action pattern such as
// "s3:Get*", "iam:*Role*" or "*", ignoring case; * matches any run of
// characters and ? exactly one. Actions come sorted by service prefix, then
// by name ignoring case. A pattern without wildcards returns at most one action.
func MatchActions(pattern string) []*Action {
	t := services()
	pattern = strings.ToLower(pattern)
	var out []*Action
	svcPat, actPat, ok := strings.Cut(pattern, ":")
	if !ok || strings.Contains(actPat, ":") {
		// No single ':' to align with the one in "service:action": match the
		// whole string (this is how "*" or "*Object" match every service).
		for _, s := range t.list {
			for _, a := range s.load().actions {
				if wildcardMatch(pattern, a.key) {
					out = append(out, a)
				}
			}
		}
		return out
	}
	// Names contain no ':', so the pattern's ':' must meet the action's:
	// match the prefix and the name separately.
	for _, s := range t.list {
		if !wildcardMatch(svcPat, s.Prefix) {
			continue
		}
		for _, a := range s.load().actions {
			if wildcardMatch(actPat, a.key[len(s.Prefix)+1:]) {
				out = append(out, a)
			}
		}
	}
	return out
}

// wildcardMatch reports whether s matches pattern, where * matches any run
// of characters (possibly empty) and ? matches exactly one character. Other
// bytes match themselves; callers fold case first. It runs in O(len(pattern)
// * len(s)) time at worst, without recursion.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0 // the last * seen in pattern, and where in s it started
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				star, mark = p, i
				p++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[i:])
				p, i = p+1, i+n
				continue
			default:
				if c == s[i] {
					p, i = p+1, i+1
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		// Let the last * absorb one more character and retry after it.
		_, n := utf8.DecodeRuneInString(s[mark:])
		mark += n
		p, i = star+1, mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
