package org

import (
	"math"
	"strings"
	"testing"
	"unsafe"
)

// TestNodeSize keeps the loader's node at 64 bytes: a large organization's
// files are a million of them, and every byte is a page the kernel hands
// the process (BENCHMARKS.md, "Who can").
func TestNodeSize(t *testing.T) {
	if got := unsafe.Sizeof(ynode{}); got != 64 {
		t.Errorf("ynode is %d bytes, want 64", got)
	}
}

func TestPos32(t *testing.T) {
	for _, c := range []struct {
		in   int
		want int32
	}{{1, 1}, {12345, 12345}, {math.MaxInt32, math.MaxInt32}, {math.MaxInt32 + 1, math.MaxInt32}, {math.MaxInt, math.MaxInt32}} {
		if got := pos32(c.in); got != c.want {
			t.Errorf("pos32(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestReadersShareNoText checks that the trees the fast readers build keep
// none of the file's bytes, which they scan in place (textOf): overwriting
// the bytes after the read changes no value.
func TestReadersShareNoText(t *testing.T) {
	for _, c := range []struct {
		name string
		read func([]byte) (*ynode, bool)
		text string
	}{
		{"yaml", fastYAML, "accounts:\n  - {name: Dev, id: \"222222222222\"}\n  - name: Prod\n    tags: {team: 'a b'}\n"},
		{"json", fastJSON, `{"accounts": [{"name": "Dev", "id": "222222222222"}, {"name": "Prod", "tags": {"team": "a b"}}]}`},
	} {
		data := []byte(c.text)
		root, ok := c.read(data)
		if !ok {
			t.Fatalf("%s: the fast reader declined %q", c.name, c.text)
		}
		var values func(n *ynode, out []string) []string
		values = func(n *ynode, out []string) []string {
			out = append(out, n.Value)
			for _, k := range n.Content {
				out = values(k, out)
			}
			return out
		}
		before := values(root, nil)
		for i := range data {
			data[i] = 'x'
		}
		after := values(root, nil)
		if strings.Join(before, "|") != strings.Join(after, "|") || !strings.Contains(strings.Join(after, "|"), "222222222222") {
			t.Errorf("%s: values before the text was overwritten %q, after %q", c.name, before, after)
		}
	}
}
