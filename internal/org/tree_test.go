package org

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestTree(t *testing.T) {
	for _, tc := range []struct{ org, golden string }{
		{"testdata/valid/org.yaml", "testdata/tree/valid.txt"},
		{"testdata/dir", "testdata/tree/dir.txt"},
	} {
		o := mustLoad(t, tc.org)
		var b strings.Builder
		Tree(o, &b)
		if *update {
			if err := os.WriteFile(tc.golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(tc.golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if got := b.String(); got != string(want) {
			t.Errorf("Tree(%s):\n%s\nwant (%s):\n%s", tc.org, got, tc.golden, want)
		}
	}
}
