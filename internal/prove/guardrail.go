package prove

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/org"
)

// Guardrail is one property of the organization, with its placeholders
// replaced: no request by a principal matching Principals (and no glob of
// Except), of one of Accounts, for one of Actions on a resource matching
// Resources, is allowed, whatever the context beyond Context.
type Guardrail struct {
	Name       string
	Principals []string // globs over principal ARNs; empty: every principal
	Except     []string
	Accounts   []string // account IDs; empty: every account
	Actions    []string // actions or globs over AWS's reference
	Resources  []string // globs; empty: every resource
	Context    map[string][]string
	Expect     string // "denied"
	File       string
	Line, Col  int
}

// Parse reads the guardrails: list of a guardrail or test file (YAML or
// JSON). A file without one has no guardrails. Errors are check.ErrorList,
// with file:line:column.
func Parse(src []byte, file string, o *org.Org) ([]*Guardrail, error) {
	root, perrs := check.ParseYAML(src, file)
	if perrs != nil {
		return nil, perrs
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, check.ErrorList{{File: file, Line: 1, Col: 1, Msg: "a guardrail file is a mapping with a guardrails: list"}}
	}
	var errs check.ErrorList
	bad := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, &check.Error{File: file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
	}
	doc := root.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		switch k := doc.Content[i]; k.Value {
		case "guardrails":
			list = doc.Content[i+1]
		case "tests":
			// Package check reads them.
		default:
			bad(k, "unknown field %q: a guardrail file has guardrails: and tests:", k.Value)
		}
	}
	if list == nil {
		if len(errs) > 0 {
			return nil, errs
		}
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		bad(list, "guardrails: must be a list of guardrails")
		return nil, errs
	}
	var out []*Guardrail
	names := map[string]bool{}
	for i, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			bad(item, "guardrails[%d]: a guardrail must be a mapping", i)
			continue
		}
		g := &Guardrail{File: file, Line: item.Line, Col: item.Column, Context: map[string][]string{}}
		expand := func(n *yaml.Node) string {
			s, err := check.Substitute(o, n.Value)
			if err != nil {
				bad(n, "guardrails[%d]: %s", i, err)
			}
			return s
		}
		scalar := func(k, v *yaml.Node) string {
			if v.Kind != yaml.ScalarNode {
				bad(v, "guardrails[%d].%s must be a string", i, k.Value)
				return ""
			}
			return expand(v)
		}
		strs := func(k, v *yaml.Node) []string {
			if v.Kind == yaml.ScalarNode {
				return []string{expand(v)}
			}
			if v.Kind != yaml.SequenceNode {
				bad(v, "guardrails[%d].%s must be a list of strings", i, k.Value)
				return nil
			}
			var ss []string
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode || e.Value == "" {
					bad(e, "guardrails[%d].%s: each entry must be a non-empty string", i, k.Value)
					continue
				}
				ss = append(ss, expand(e))
			}
			return ss
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			switch k.Value {
			case "name":
				g.Name = scalar(k, v)
			case "principals":
				g.Principals = strs(k, v)
			case "except":
				g.Except = strs(k, v)
			case "accounts":
				for n, name := range strs(k, v) {
					a, ok := o.AccountByName(name)
					if !ok {
						a, ok = o.AccountByID(name)
					}
					if !ok {
						at := v
						if v.Kind == yaml.SequenceNode && n < len(v.Content) {
							at = v.Content[n]
						}
						bad(at, "guardrails[%d].accounts: the org has no account %q", i, name)
						continue
					}
					g.Accounts = append(g.Accounts, a.ID)
				}
			case "actions":
				g.Actions = strs(k, v)
				for _, a := range g.Actions {
					if !strings.Contains(a, ":") {
						bad(v, "guardrails[%d].actions: %q is not service:action", i, a)
					}
				}
			case "resources":
				g.Resources = strs(k, v)
			case "context":
				if v.Kind != yaml.MappingNode {
					bad(v, "guardrails[%d].context must be a mapping of keys to values", i)
					continue
				}
				for c := 0; c+1 < len(v.Content); c += 2 {
					ck, cv := v.Content[c], v.Content[c+1]
					if cv.Kind != yaml.ScalarNode && cv.Kind != yaml.SequenceNode {
						bad(cv, "guardrails[%d].context.%s must be a string or a list of strings", i, ck.Value)
						continue
					}
					g.Context[ck.Value] = strs(ck, cv)
				}
			case "expect":
				g.Expect = scalar(k, v)
				if g.Expect != "denied" {
					bad(v, "guardrails[%d].expect: %q is not denied", i, g.Expect)
				}
			default:
				bad(k, "guardrails[%d]: unknown field %q", i, k.Value)
			}
		}
		switch {
		case g.Name == "":
			bad(item, "guardrails[%d]: a guardrail needs a name", i)
		case names[g.Name]:
			bad(item, "guardrails[%d]: duplicate name %q", i, g.Name)
		}
		names[g.Name] = true
		if len(g.Actions) == 0 {
			bad(item, "guardrails[%d]: a guardrail needs actions", i)
		}
		if g.Expect == "" {
			g.Expect = "denied"
		}
		out = append(out, g)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}
