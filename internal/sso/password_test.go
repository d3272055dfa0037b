package sso

import (
	"strconv"
	"strings"
	"testing"
)

// TestDummyHashParameters checks that the hash an unknown user's sign-in is
// checked against has the parameters of the hashes HashPassword writes
// now (so that both cost the same), and that it is a valid hash.
func TestDummyHashParameters(t *testing.T) {
	params := func(h string) string {
		parts := strings.Split(h, "$")
		if len(parts) != 6 {
			t.Fatalf("malformed hash %q", h)
		}
		return strings.Join(parts[1:4], "$") + "$salt " + strconv.Itoa(len(parts[4])) + "$key " + strconv.Itoa(len(parts[5]))
	}
	if got, want := params(dummyHash), params(HashPassword("Another1!")); got != want {
		t.Errorf("dummyHash's parameters are %s, new hashes' %s: write out HashPassword(%q) again", got, want, "warden: no such user")
	}
	if !CheckPassword(dummyHash, "warden: no such user") {
		t.Error("dummyHash is not HashPassword(\"warden: no such user\")")
	}
	if CheckPassword(dummyHash, "warden: no such user!") {
		t.Error("dummyHash accepts another password")
	}
}
