package server

import (
	"regexp"
	"testing"
)

// A request ID is a UUID's form, as AWS's x-amzn-RequestId: 8-4-4-4-12
// lower-case hex digits, different for every request.
func TestRequestIDForm(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID()
		if !form.MatchString(id) || seen[id] {
			t.Fatalf("request ID %q: not the form or repeated", id)
		}
		seen[id] = true
	}
}
