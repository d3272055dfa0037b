package eval

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPure keeps the engine pure, as DESIGN.md requires: eval and the
// packages it builds on import no storage, networking or logging, and never
// read the wall clock or the environment. Parsing times is allowed; asking for
// the time is not.
func TestPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Dir}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{"net", "net/http", "net/rpc", "database/sql", "log", "log/slog", "log/syslog", "os/exec", "crypto/tls", "embed"}
	allowedOwn := map[string]bool{
		"github.com/securecart/warden/internal/arn":       true,
		"github.com/securecart/warden/internal/condition": true,
		"github.com/securecart/warden/internal/policy":    true,
		"github.com/securecart/warden/internal/eval":      true,
	}
	var own []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, dir, _ := strings.Cut(line, " ")
		for _, f := range forbidden {
			if path == f {
				t.Errorf("eval depends on %s", path)
			}
		}
		if strings.HasPrefix(path, "github.com/securecart/warden/") {
			if !allowedOwn[path] {
				t.Errorf("eval depends on %s: only arn, condition and policy are below it", path)
			}
			own = append(own, dir)
		} else if strings.Contains(path, ".") && !strings.HasPrefix(path, "github.com/go-json-experiment/json") {
			t.Errorf("eval depends on third-party package %s: layers 0 and 1 use only the standard library and go-json-experiment/json", path)
		}
	}
	if len(own) < 4 {
		t.Fatalf("go list found %d of the engine's own packages; want 4", len(own))
	}
	banned := map[string]bool{
		"time.Now": true, "time.Since": true, "time.Until": true, "time.Sleep": true, "time.After": true, "time.Tick": true, "time.NewTimer": true,
		"os.Getenv": true, "os.LookupEnv": true, "os.Open": true, "os.ReadFile": true, "os.Create": true, "os.WriteFile": true,
		"fmt.Print": true, "fmt.Println": true, "fmt.Printf": true,
	}
	fset := token.NewFileSet()
	for _, dir := range own {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && banned[id.Name+"."+sel.Sel.Name] {
					t.Errorf("%s: calls %s.%s: the engine takes time and input from its caller", fset.Position(sel.Pos()), id.Name, sel.Sel.Name)
				}
				return true
			})
		}
	}
}
