package diff

import "strings"

// mayMeet reports whether some ARN matches both patterns (IAM's ARN
// wildcards: * and ? within each of the first five colon-separated parts,
// and anywhere in the resource part); a pattern that is not ARN-shaped
// ("*") may meet anything.
func mayMeet(a, b string) bool {
	pa, pb := strings.SplitN(a, ":", 6), strings.SplitN(b, ":", 6)
	if len(pa) < 6 || len(pb) < 6 {
		return true
	}
	for i := range pa {
		if !globsMeet(pa[i], pb[i]) {
			return false
		}
	}
	return true
}

// globsMeet reports whether some string matches both glob patterns (* any
// run, ? any one character), by the product of their automata.
func globsMeet(a, b string) bool {
	type state struct{ i, j int }
	seen := map[state]bool{}
	var walk func(i, j int) bool
	walk = func(i, j int) bool {
		s := state{i, j}
		if seen[s] {
			return false
		}
		seen[s] = true
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
