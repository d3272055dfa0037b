package cli

import "strconv"

// count writes n and a noun, singular when n is 1 ("1 principal",
// "2 principals"): many is the plural, one the singular.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
