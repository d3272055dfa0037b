package org

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadFiles loads each organization under testdata/bad and compares its
// errors with the expected ones: the "# want: " lines of a file, or the lines
// of want.txt in a folder.
func TestBadFiles(t *testing.T) {
	entries, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		path := filepath.Join("testdata", "bad", e.Name())
		var want []string
		switch {
		case e.IsDir() && e.Name() != "docs":
			data, err := os.ReadFile(filepath.Join(path, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			want = strings.Split(strings.TrimSpace(string(data)), "\n")
		case strings.HasSuffix(e.Name(), ".yaml"):
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(data), "\n") {
				if w, ok := strings.CutPrefix(line, "# want: "); ok {
					want = append(want, w)
				}
			}
		default:
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			if len(want) == 0 {
				t.Fatalf("%s gives no expected errors", path)
			}
			o, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%s) succeeded (%d accounts), want errors:\n%s", path, len(o.Accounts), strings.Join(want, "\n"))
			}
			if _, ok := err.(ErrorList); !ok {
				t.Errorf("the error is a %T, want an ErrorList", err)
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("Load(%s) errors:\n%s\nwant:\n%s", path, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d bad cases found", n)
	}
}
