package condition

import (
	"fmt"
	"slices"
	"testing"
)

// A clone answers as its original, and Set and SetDefault on either leave
// the other as it was, also past the original's table size.
func TestContextClone(t *testing.T) {
	orig := NewContext(map[string][]string{"aws:SourceIp": {"10.0.0.1"}, "aws:PrincipalTag/team": {"a", "b"}})
	c := orig.Clone()
	if v, ok := c.Get("AWS:SOURCEIP"); !ok || !slices.Equal(v, []string{"10.0.0.1"}) {
		t.Fatalf("clone's aws:SourceIp %v %v", v, ok)
	}
	c.Set("aws:sourceip", "192.0.2.1")
	c.SetDefault("aws:PrincipalTag/team", "z")
	for i := range 40 {
		c.Set(fmt.Sprintf("k%d", i), "v")
	}
	orig.Set("aws:PrincipalTag/team", "c")
	if v, _ := orig.Get("aws:SourceIp"); !slices.Equal(v, []string{"10.0.0.1"}) {
		t.Errorf("original's aws:SourceIp %v after the clone's Set", v)
	}
	if orig.Len() != 2 {
		t.Errorf("original has %d keys, want 2", orig.Len())
	}
	if v, _ := c.Get("aws:SourceIp"); !slices.Equal(v, []string{"192.0.2.1"}) {
		t.Errorf("clone's aws:SourceIp %v", v)
	}
	if v, _ := c.Get("aws:principaltag/team"); !slices.Equal(v, []string{"a", "b"}) {
		t.Errorf("clone's team %v after the original's Set", v)
	}
	if v, ok := c.Get("k39"); !ok || v[0] != "v" || c.Len() != 42 {
		t.Errorf("clone: k39 %v %v, %d keys", v, ok, c.Len())
	}
}
