package simulate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite "+goldenFile+" with the engine's answers to the corpus")

const (
	corpusDir  = "../../testdata/simulate"
	goldenFile = "../../testdata/simulate/decisions.golden"
)

var corpusNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// TestCorpus runs the project's own cases (testdata/simulate/*.json), each
// written from AWS's documentation and naming its page, through the reader
// and the engine. Every case must get the decision it expects. The whole
// answer of each case (decision, denying layer, deciding statements) must
// also match decisions.golden: a change shows as a diff; `go test
// ./internal/simulate -update` rewrites the file when the change is meant.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if len(files) < 15 {
		t.Fatalf("found %d corpus files; want the whole corpus", len(files))
	}
	var mu sync.Mutex
	got := map[string][]string{} // file -> lines
	t.Run("files", func(t *testing.T) {
		for _, f := range files {
			t.Run(filepath.Base(f), func(t *testing.T) {
				t.Parallel()
				lines := runCorpusFile(t, f)
				mu.Lock()
				got[filepath.Base(f)] = lines
				mu.Unlock()
			})
		}
	})
	var all []string
	for _, f := range files {
		all = append(all, got[filepath.Base(f)]...)
	}
	if len(all) < 300 {
		t.Errorf("the corpus has %d cases; want at least 300", len(all))
	}
	text := "# The engine's answer to every case of testdata/simulate, one per line:\n" +
		"# file, case, decision, denying layer, deciding statements (type policy statement effect).\n" +
		"# Written by `go test ./internal/simulate -update`; read by TestCorpus.\n" +
		strings.Join(all, "\n") + "\n"
	if *update {
		if err := os.WriteFile(goldenFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run `go test ./internal/simulate -update` to write it)", err)
	}
	if d := diffLines(string(want), text); d != "" {
		t.Errorf("the engine's answers differ from %s (- golden, + now); if the change is meant, run `go test ./internal/simulate -update`:\n%s", goldenFile, d)
	}
}

// readCases reads a file of cases.
func readCases(t *testing.T, file string) []*Case {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := ReadFile(src, file)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// runCorpusFile runs one file's cases and returns their golden lines.
func runCorpusFile(t *testing.T, file string) []string {
	var lines []string
	for _, c := range readCases(t, file) {
		r := Run(c, corpusNow)
		if r.Error != "" {
			t.Errorf("%s: %s", c.Label(), r.Error)
		} else if r.Pass == nil || !*r.Pass {
			t.Errorf("%s: got %s, want %s (%s)", c.Label(), r.Decision, r.Expect, r.Note)
		}
		var reasons []string
		for _, rs := range r.Reasons {
			reasons = append(reasons, fmt.Sprintf("%s %s %s %s", rs.PolicyType, rs.Policy, rs.Statement, rs.Effect))
		}
		lines = append(lines, strings.Join([]string{filepath.Base(file), c.Label(), r.Decision, r.DeniedBy, strings.Join(reasons, "; ")}, "\t"))
	}
	return lines
}

// diffLines shows the lines only in want (-) and only in got (+), in order,
// the lines of one case side by side.
func diffLines(want, got string) string {
	key := func(l string) string {
		f := strings.SplitN(l, "\t", 3)
		if len(f) < 3 {
			return l
		}
		return f[0] + "\t" + f[1]
	}
	index := func(text string) (map[string]string, []string) {
		m := map[string]string{}
		var keys []string
		for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if strings.HasPrefix(l, "#") {
				continue
			}
			k := key(l)
			if _, dup := m[k]; !dup {
				keys = append(keys, k)
			}
			m[k] = l
		}
		return m, keys
	}
	w, wkeys := index(want)
	g, gkeys := index(got)
	var b strings.Builder
	for _, k := range gkeys {
		if wl, ok := w[k]; !ok {
			fmt.Fprintf(&b, "+ %s\n", g[k])
		} else if wl != g[k] {
			fmt.Fprintf(&b, "- %s\n+ %s\n", wl, g[k])
		}
	}
	for _, k := range wkeys {
		if _, ok := g[k]; !ok {
			fmt.Fprintf(&b, "- %s\n", w[k])
		}
	}
	return b.String()
}

// TestDiffLines: the diff names changed, added and removed cases, and
// nothing when they agree.
func TestDiffLines(t *testing.T) {
	want := "# header\na.json\tcase 0\tAllow\t\tx\na.json\tcase 1\tImplicitDeny\tidentity\t\nb.json\tcase 0\tAllow\t\ty\n"
	if d := diffLines(want, want); d != "" {
		t.Errorf("same text: diff %q", d)
	}
	got := "a.json\tcase 0\tAllow\t\tx\na.json\tcase 1\tAllow\t\tz\nc.json\tcase 0\tAllow\t\t\n"
	d := diffLines(want, got)
	for _, line := range []string{
		"- a.json\tcase 1\tImplicitDeny\tidentity\t\n+ a.json\tcase 1\tAllow\t\tz\n",
		"+ c.json\tcase 0\tAllow\t\t\n",
		"- b.json\tcase 0\tAllow\t\ty\n",
	} {
		if !strings.Contains(d, line) {
			t.Errorf("diff %q lacks %q", d, line)
		}
	}
	if slices.Contains(strings.Split(d, "\n"), "+ a.json\tcase 0\tAllow\t\tx") {
		t.Errorf("diff shows an unchanged case: %q", d)
	}
}
