package org

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// The expressions IsIAMName, IsIAMPath and IsAccountID were written as.
var (
	refIAMName   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	refIAMPath   = regexp.MustCompile(`^(/|/[\x21-\x7e]+/)$`)
	refAccountID = regexp.MustCompile(`^[0-9]{12}$`)
)

// TestNameChecksMatchExpressions compares the checks with the regular
// expressions they replace on edge cases and on random strings over an
// alphabet of the characters they tell apart.
func TestNameChecksMatchExpressions(t *testing.T) {
	check := func(s string) {
		t.Helper()
		for _, max := range []int{0, 1, 5, 64, MaxRoleName} {
			if got, want := IsIAMName(s, max), len(s) <= max && refIAMName.MatchString(s); got != want {
				t.Errorf("IsIAMName(%q, %d) = %v, want %v", s, max, got, want)
			}
		}
		if got, want := IsIAMPath(s), len(s) <= MaxPathLength && refIAMPath.MatchString(s); got != want {
			t.Errorf("IsIAMPath(%q) = %v, want %v", s, got, want)
		}
		if got, want := IsAccountID(s), refAccountID.MatchString(s); got != want {
			t.Errorf("IsAccountID(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"", "/", "//", "///", "/a/", "/a b/", "/a\x7f/", "/é/", "a/", "/a", "/a/b/",
		"App10Role", "my_role+=,.@-", "role name", "rôle", "a\n", "\na", "123456789012", "12345678901", "1234567890123",
		"12345678901a", "١٢٣٤٥٦٧٨٩٠١٢", "/" + strings.Repeat("x", MaxPathLength-2) + "/", "/" + strings.Repeat("x", MaxPathLength-1) + "/"} {
		check(s)
	}
	alphabet := []string{"a", "Z", "0", "9", "_", "+", "=", ",", ".", "@", "-", "/", " ", "!", "~", "\x7f", "\x20", "\x00", "\n", "é", "ß", "٣"}
	rng := rand.New(rand.NewSource(16))
	for range 20000 {
		var b strings.Builder
		for n := rng.Intn(14); n > 0; n-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		s := b.String()
		check(s)
		check("/" + s + "/")
	}
	digits := "0123456789"
	for range 2000 { // account IDs: mostly digits, 11 to 13 of them
		var b strings.Builder
		for n := 11 + rng.Intn(3); n > 0; n-- {
			if rng.Intn(40) == 0 {
				b.WriteString(alphabet[rng.Intn(len(alphabet))])
			} else {
				b.WriteByte(digits[rng.Intn(10)])
			}
		}
		check(b.String())
	}
}
