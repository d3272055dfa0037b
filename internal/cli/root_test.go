package cli

import (
	"strings"
	"testing"
)

// `warden --help` names each command once, with its short description.
func TestHelpListsEachCommandOnce(t *testing.T) {
	out, _, code := run(t, "", "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	cmds := NewRoot(Env{}).Commands()
	if len(cmds) < 8 {
		t.Fatalf("only %d commands", len(cmds))
	}
	for _, c := range cmds {
		if c.Hidden {
			continue
		}
		n := 0
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == c.Name() {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q is listed %d times in --help:\n%s", c.Name(), n, out)
		}
		if c.Short != "" && !strings.Contains(out, c.Short) {
			t.Errorf("--help lacks %q's description %q", c.Name(), c.Short)
		}
	}
}
