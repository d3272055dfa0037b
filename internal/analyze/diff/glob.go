package diff

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// mayMeet reports whether some ARN matches both patterns (IAM's ARN
// wildcards: * and ? within each of the first five colon-separated parts,
// and anywhere in the resource part); a pattern that is not ARN-shaped
// ("*") may meet anything.
func mayMeet(a, b string) bool {
	var pa, pb [6]string
	if !splitParts(a, &pa) || !splitParts(b, &pb) {
		return true
	}
	for i := range pa {
		if !globsMeet(pa[i], pb[i]) {
			return false
		}
	}
	return true
}

// splitParts splits an ARN pattern into its six colon-separated parts.
func splitParts(s string, parts *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[5] = s
	return true
}

// globsMeet reports whether some string matches both glob patterns (* any
// run, ? any one character), by the product of their automata.
func globsMeet(a, b string) bool {
	wa, wb := arn.HasWildcard(a), arn.HasWildcard(b)
	switch {
	case !wa && !wb:
		return a == b
	case !wa:
		return arn.Match(b, a)
	case !wb:
		return arn.Match(a, b)
	}
	seen := make([]bool, (len(a)+1)*(len(b)+1))
	var walk func(i, j int) bool
	walk = func(i, j int) bool {
		k := i*(len(b)+1) + j
		if seen[k] {
			return false
		}
		seen[k] = true
		switch {
		case i == len(a) && j == len(b):
			return true
		case i < len(a) && a[i] == '*':
			// The star takes nothing more, or one more character of
			// whatever b takes next.
			if walk(i+1, j) {
				return true
			}
			if j < len(b) {
				return walk(i, j+1)
			}
			return false
		case j < len(b) && b[j] == '*':
			if walk(i, j+1) {
				return true
			}
			if i < len(a) {
				return walk(i+1, j)
			}
			return false
		case i == len(a) || j == len(b):
			return false
		case a[i] == '?' || b[j] == '?' || a[i] == b[j]:
			return walk(i+1, j+1)
		}
		return false
	}
	return walk(0, 0)
}
