package layers

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/securecart/warden/"

// row is one layer of the table.
type row struct {
	num      int
	name     string
	patterns []string // module-relative paths; "X/*" and "X/..." patterns
	ordered  bool     // a package may import the ones listed before it
}

// table is the layer table.
type table []row

var (
	rowRE     = regexp.MustCompile(`^\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|`)
	packageRE = regexp.MustCompile("`([^`]+)`")
)

// readTable parses the table of docs/architecture.md: the rows whose first
// cell is a number.
func readTable(path string) (table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var t table
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		m := rowRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n != len(t)+1 {
			return nil, fmt.Errorf("%s:%d: layer %d follows layer %d", path, line, n, len(t))
		}
		r := row{num: n, name: m[2], ordered: m[4] == "in order"}
		for _, p := range packageRE.FindAllStringSubmatch(m[3], -1) {
			r.patterns = append(r.patterns, p[1])
		}
		if len(r.patterns) == 0 {
			return nil, fmt.Errorf("%s:%d: layer %d names no package", path, line, n)
		}
		t = append(t, r)
	}
	if len(t) == 0 {
		return nil, fmt.Errorf("%s: no layer table", path)
	}
	return t, sc.Err()
}

func matches(pattern, pkg string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return strings.HasPrefix(pkg, base+"/")
	}
	if base, ok := strings.CutSuffix(pattern, "/*"); ok {
		rest, ok := strings.CutPrefix(pkg, base+"/")
		return ok && !strings.Contains(rest, "/")
	}
	return pattern == pkg
}

// place returns a package's layer and its index in the row, preferring an
// exact name to a pattern.
func (t table) place(pkg string) (layer, index int, ok bool) {
	for exact := 1; exact >= 0; exact-- {
		for _, r := range t {
			for i, p := range r.patterns {
				isPattern := strings.HasSuffix(p, "/*") || strings.HasSuffix(p, "/...")
				if (exact == 1) != isPattern && matches(p, pkg) {
					return r.num, i, true
				}
			}
		}
	}
	return 0, 0, false
}

// never are imports the table would allow but the design forbids (issue
// 9): simulate is a reader of its case format, not part of serving, so no
// service and not the server imports it.
var never = []struct{ from, to string }{
	{"internal/api", "internal/simulate"},
	{"internal/api/...", "internal/simulate"},
	{"internal/server", "internal/simulate"},
	{"internal/server/...", "internal/simulate"},
}

// check returns the violations of the table in a graph: package ->
// imported packages, module-relative.
func (t table) check(graph map[string][]string) []string {
	var bad []string
	for pkg, imports := range graph {
		for _, n := range never {
			if matches(n.from, pkg) && slices.Contains(imports, n.to) {
				bad = append(bad, fmt.Sprintf("%s imports %s: never (docs/architecture.md)", pkg, n.to))
			}
		}
		l, i, ok := t.place(pkg)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is not in docs/architecture.md's layer table: add it to the row where it belongs", pkg))
			continue
		}
		for _, imp := range imports {
			il, ii, ok := t.place(imp)
			switch {
			case !ok:
				continue // reported as a package of its own
			case il < l:
			case il == l && t[l-1].ordered && ii < i:
			case il == l && t[l-1].ordered && ii == i && imp != pkg:
				// Two packages of one pattern (X/...): the pattern says nothing
				// of their order, and Go forbids cycles.
			default:
				bad = append(bad, fmt.Sprintf("%s (layer %d, %s) imports %s (layer %d, %s): against docs/architecture.md", pkg, l, t[l-1].name, imp, il, t[il-1].name))
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// graph lists the module's packages and their imports of its own packages,
// from the Go files of each package that are not tests.
func graph(t *testing.T, root string) map[string][]string {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	g := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			continue
		}
		g[pkg] = nil
		for _, imp := range fields[1:] {
			if own, ok := strings.CutPrefix(imp, module); ok {
				g[pkg] = append(g[pkg], own)
			}
		}
	}
	return g
}

func TestImportsFollowTheLayers(t *testing.T) {
	root, _ := filepath.Abs("../..")
	tab, err := readTable(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	g := graph(t, root)
	if len(g) < 30 {
		t.Fatalf("go list found %d packages; want the whole module", len(g))
	}
	for _, v := range tab.check(g) {
		t.Error(v)
	}
}

// TestCheckFindsViolations is the checker's negative twin: a graph that
// runs against the table is refused, naming the import.
func TestCheckFindsViolations(t *testing.T) {
	tab, err := readTable("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		graph map[string][]string
		want  string // "" for none
	}{
		{map[string][]string{"internal/audit": {"internal/call", "internal/store"}}, ""},
		{map[string][]string{"internal/audit": {"internal/api"}}, "internal/audit (layer 9, audit) imports internal/api"},
		{map[string][]string{"internal/eval": {"internal/policy"}}, ""},
		{map[string][]string{"internal/policy": {"internal/eval"}}, "internal/policy (layer 1, engine) imports internal/eval"},
		{map[string][]string{"internal/api/iam": {"internal/api/sts"}}, "internal/api/iam (layer 11, AWS services) imports internal/api/sts"},
		{map[string][]string{"internal/server": {"internal/simulate"}}, "internal/server imports internal/simulate: never"},
		{map[string][]string{"internal/api/sts": {"internal/simulate"}}, "internal/api/sts imports internal/simulate: never"},
		{map[string][]string{"internal/cli": {"internal/simulate", "internal/server"}}, ""},
		{map[string][]string{"internal/authz": {"internal/simulate"}}, "internal/authz (layer 8, decision and analysis) imports internal/simulate"},
		{map[string][]string{"internal/newthing": nil}, "internal/newthing is not in docs/architecture.md's layer table"},
	}
	for _, tc := range cases {
		bad := tab.check(tc.graph)
		switch {
		case tc.want == "" && len(bad) > 0:
			t.Errorf("%v: %v, want no violation", tc.graph, bad)
		case tc.want != "" && (len(bad) != 1 || !strings.Contains(bad[0], tc.want)):
			t.Errorf("%v: %v, want %q", tc.graph, bad, tc.want)
		}
	}
}
