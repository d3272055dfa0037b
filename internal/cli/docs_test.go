package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// firstBlock returns the first fenced block of the language in a file of
// docs/.
func firstBlock(t *testing.T, doc, lang string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", doc))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```" + lang + "\n(.*?)\n```").FindSubmatch(data)
	if m == nil {
		t.Fatalf("docs/%s has no %s block", doc, lang)
	}
	return string(m[1])
}

// The examples of the format documents run as they are written, and give
// the answers the documents show.
func TestFormatDocumentExamples(t *testing.T) {
	dir := t.TempDir()
	kase := filepath.Join(dir, "case.json")
	if err := os.WriteFile(kase, []byte(firstBlock(t, "simulate-format.md", "json")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "", "simulate", "--format", "json", kase)
	if code != 0 || !strings.Contains(out, `"decision":"ImplicitDeny","expect":"ImplicitDeny","pass":true`) || !strings.Contains(out, `"deniedBy":"scp"`) {
		t.Errorf("docs/simulate-format.md's case: exit %d\n%s%s", code, out, stderr)
	}

	tests := filepath.Join(dir, "tests.yaml")
	if err := os.WriteFile(tests, []byte(firstBlock(t, "check-format.md", "yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = run(t, "", "check", "--format", "json", tests)
	if code != 0 || !strings.Contains(out, `"decision":"ExplicitDeny","expect":"deny","pass":true,"deniedBy":"scp"`) {
		t.Errorf("docs/check-format.md's test: exit %d\n%s%s", code, out, stderr)
	}
}
