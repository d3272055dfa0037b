// Package check runs access tests against an organization: the `warden
// check` contract of shared/spec/check.md. A test is a request and the
// decision it must get; Warden assembles the principal's whole situation from
// the org and decides it with the engine.
package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Test is one access test, with its placeholders replaced.
type Test struct {
	Name            string
	Principal       string
	Action          string
	Resource        string
	ResourceAccount string
	Context         map[string][]string
	Expect          string // allow, deny, explicit-deny, implicit-deny
	DeniedBy        string // "" or a layer name
	// PrincipalAbsent says the test expects the principal not to exist in
	// the org (principalAbsent: true): without it, a principal the org does
	// not have fails the test, so that a typo cannot pass a deny test.
	PrincipalAbsent bool
	// SignIn, instead of a request, tests Identity Center access.
	SignIn    *SignIn
	File      string
	Line, Col int
	// PrincipalLine and PrincipalCol are where the principal is written.
	PrincipalLine, PrincipalCol int
}

// Error is a malformed test file or a test that names something the org
// does not have.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// ErrorList is every problem found.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// MalformedYAML is the error of a test or guardrail file that does not
// parse, at the line the YAML parser names (its first non-blank column). A
// file written as JSON is reported where its JSON syntax breaks, which the
// YAML parser places at best at the start of the enclosing collection.
func MalformedYAML(file string, src []byte, err error) *Error {
	if looksJSON(src) {
		var v any
		var se *json.SyntaxError
		if jerr := json.Unmarshal(src, &v); errors.As(jerr, &se) {
			p := policy.NewSource(src).Pos(se.Offset - 1)
			return &Error{File: file, Line: p.Line, Col: p.Col, Msg: "malformed JSON: " + se.Error()}
		}
	}
	e := &Error{File: file, Msg: "malformed YAML: " + strings.TrimPrefix(yamlLine.ReplaceAllString(err.Error(), ""), "yaml: ")}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Col = org.FirstColumn(src, e.Line)
	}
	return e
}

// looksJSON reports whether a file is written as JSON rather than YAML's flow
// style: it opens with { or [ followed by a string, a collection or the end
// of it ({"tests": ...), where YAML's flow style has a plain key ({tests: ...}).
func looksJSON(src []byte) bool {
	t := bytes.TrimLeft(src, " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return false
	}
	t = bytes.TrimLeft(t[1:], " \t\r\n")
	return len(t) > 0 && bytes.IndexByte([]byte(`"{[]}`), t[0]) >= 0
}

// ParseYAML reads a test or guardrail file into its node tree. A mapping key
// given twice is an error at its second place, as YAML requires keys to be
// unique (https://yaml.org/spec/1.2.2/#mapping): otherwise the later value
// would silently win, and a test could check something its reader does not see.
func ParseYAML(src []byte, file string) (*yaml.Node, ErrorList) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, ErrorList{MalformedYAML(file, src, err)}
	}
	var errs ErrorList
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			first := map[string]*yaml.Node{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode {
					continue
				}
				if f, ok := first[k.Value]; ok {
					errs = append(errs, &Error{File: file, Line: k.Line, Col: k.Column,
						Msg: fmt.Sprintf("duplicate key %q (first at line %d): keys of a mapping must be unique", k.Value, f.Line)})
					continue
				}
				first[k.Value] = k
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	if len(errs) > 0 {
		return nil, errs
	}
	return &root, nil
}

var expects = map[string]bool{"allow": true, "deny": true, "explicit-deny": true, "implicit-deny": true}

var layers = map[string]bool{"scp": true, "rcp": true, "boundary": true, "session": true, "identity": true, "resource": true, "trust": true, "endpoint": true, "none": true}

var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_.:-]+)\}`)

// Parse reads a test file (YAML or JSON) with a top-level tests: list and
// replaces {Account} and {PermissionSet:NAME} placeholders from o.
func Parse(src []byte, file string, o *org.Org) ([]*Test, error) {
	root, perrs := ParseYAML(src, file)
	if perrs != nil {
		return nil, perrs
	}
	var errs ErrorList
	bad := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, &Error{File: file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, ErrorList{{File: file, Line: 1, Col: 1, Msg: "a test file is a mapping with a tests: list"}}
	}
	doc := root.Content[0]
	var list *yaml.Node
	guardrails := false
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k := doc.Content[i]
		switch k.Value {
		case "tests":
			list = doc.Content[i+1]
		case "guardrails":
			// Package prove reads them (shared/spec/analyze.md).
			guardrails = true
		default:
			bad(k, "unknown field %q: a test file has tests: and guardrails:", k.Value)
		}
	}
	if list == nil && guardrails {
		return nil, nil
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		if list == nil {
			list = doc
		}
		bad(list, "tests: must be a list of tests")
		return nil, errs
	}
	subst := func(n *yaml.Node, s string) string {
		out, err := Substitute(o, s)
		if err != nil {
			bad(n, "%s", err)
		}
		return out
	}
	var tests []*Test
	names := map[string]bool{}
	for i, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			bad(item, "tests[%d]: a test must be a mapping", i)
			continue
		}
		t := &Test{File: file, Line: item.Line, Col: item.Column, Context: map[string][]string{}}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			scalar := func() string {
				if v.Kind != yaml.ScalarNode {
					bad(v, "tests[%d].%s must be a string", i, k.Value)
					return ""
				}
				return subst(v, v.Value)
			}
			switch k.Value {
			case "name":
				t.Name = scalar()
			case "principal":
				t.Principal = scalar()
				t.PrincipalLine, t.PrincipalCol = v.Line, v.Column
				if _, err := policy.ParseCaller(t.Principal); t.Principal != "" && err != nil {
					bad(v, "tests[%d].principal: %v", i, err)
				}
			case "action":
				t.Action = scalar()
				if t.Action != "" && !strings.Contains(t.Action, ":") {
					bad(v, "tests[%d].action: malformed action %q: want service:Action, as in s3:GetObject", i, t.Action)
				}
			case "resource":
				t.Resource = scalar()
			case "resourceAccount":
				t.ResourceAccount = scalar()
				if t.ResourceAccount != "" && !policy.IsAccountID(t.ResourceAccount) {
					bad(v, "tests[%d].resourceAccount: %q is not a 12-digit account ID (or {Name})", i, t.ResourceAccount)
				}
			case "expect":
				t.Expect = scalar()
				if !expects[t.Expect] {
					bad(v, "tests[%d].expect: %q is not allow, deny, explicit-deny or implicit-deny", i, t.Expect)
				}
			case "deniedBy":
				t.DeniedBy = scalar()
				if !layers[t.DeniedBy] {
					bad(v, "tests[%d].deniedBy: %q is not scp, rcp, boundary, session, identity, resource, trust or none", i, t.DeniedBy)
				}
			case "principalAbsent":
				switch {
				case v.Kind == yaml.ScalarNode && v.Tag == "!!bool" && strings.EqualFold(v.Value, "true"):
					t.PrincipalAbsent = true
				case v.Kind == yaml.ScalarNode && v.Tag == "!!bool" && strings.EqualFold(v.Value, "false"):
				default:
					bad(v, "tests[%d].principalAbsent must be true or false", i)
				}
			case "signIn":
				t.SignIn = parseSignIn(v, i, o, subst, bad)
			case "context":
				if v.Kind != yaml.MappingNode {
					bad(v, "tests[%d].context must be a mapping of keys to a string or a list of strings", i)
					continue
				}
				for c := 0; c+1 < len(v.Content); c += 2 {
					ck, cv := v.Content[c], v.Content[c+1]
					switch cv.Kind {
					case yaml.ScalarNode:
						t.Context[ck.Value] = []string{subst(cv, cv.Value)}
					case yaml.SequenceNode:
						vals := []string{}
						for _, e := range cv.Content {
							if e.Kind != yaml.ScalarNode {
								bad(e, "tests[%d].context.%s: values must be strings", i, ck.Value)
								continue
							}
							vals = append(vals, subst(e, e.Value))
						}
						t.Context[ck.Value] = vals
					default:
						bad(cv, "tests[%d].context.%s must be a string or a list of strings", i, ck.Value)
					}
				}
			default:
				bad(k, "tests[%d]: unknown field %q", i, k.Value)
			}
		}
		if t.Expect == "allow" && t.DeniedBy != "" && t.DeniedBy != "none" {
			// A test that expects an allow and names the layer that denies
			// is a contradiction that would otherwise pass unnoticed.
			bad(item, "tests[%d] (%q): deniedBy %q names the layer that decides a denial, but the test expects allow", i, t.Name, t.DeniedBy)
		}
		switch {
		case t.Name == "":
			bad(item, "tests[%d] has no name", i)
		case names[t.Name]:
			bad(item, "tests[%d]: duplicate test name %q", i, t.Name)
		}
		names[t.Name] = true
		switch {
		case t.SignIn != nil && (t.Principal != "" || t.Action != "" || t.Resource != "" || len(t.Context) > 0):
			bad(item, "tests[%d] (%q): a signIn test has no principal, action, resource or context", i, t.Name)
		case t.SignIn != nil && t.Expect == "":
			bad(item, "tests[%d] (%q) needs expect", i, t.Name)
		case t.SignIn == nil && (t.Principal == "" || t.Action == "" || t.Expect == ""):
			bad(item, "tests[%d] (%q) needs principal, action and expect", i, t.Name)
		}
		tests = append(tests, t)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return tests, nil
}

// Substitute replaces the {Account} and {PermissionSet:NAME} placeholders of
// s, as in a test.
func Substitute(o *org.Org, s string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		if ps, ok := strings.CutPrefix(name, "PermissionSet:"); ok {
			if r, ok := o.PermissionSetRoleName(ps); ok {
				return r
			}
			err = fmt.Errorf("unknown permission set %q in %s", ps, m)
			return m
		}
		if a, ok := o.AccountByName(name); ok {
			return a.ID
		}
		err = fmt.Errorf("unknown account %q in %s", name, m)
		return m
	})
	return out, err
}

// parseSignIn reads a test's signIn: user, account (a name or an ID) and
// permissionSet, all required.
func parseSignIn(v *yaml.Node, i int, o *org.Org, subst func(*yaml.Node, string) string, bad func(*yaml.Node, string, ...any)) *SignIn {
	if v.Kind != yaml.MappingNode {
		bad(v, "tests[%d].signIn must be a mapping with user, account and permissionSet", i)
		return &SignIn{}
	}
	s := &SignIn{}
	for c := 0; c+1 < len(v.Content); c += 2 {
		k, val := v.Content[c], v.Content[c+1]
		if val.Kind != yaml.ScalarNode {
			bad(val, "tests[%d].signIn.%s must be a string", i, k.Value)
			continue
		}
		x := subst(val, val.Value)
		switch k.Value {
		case "user":
			s.User = x
		case "account":
			if a, ok := o.AccountByName(x); ok {
				x = a.ID
			}
			s.Account = x
		case "permissionSet":
			s.PermissionSet = x
		default:
			bad(k, "tests[%d].signIn: unknown field %q (want user, account, permissionSet)", i, k.Value)
		}
	}
	if s.User == "" || s.Account == "" || s.PermissionSet == "" {
		bad(v, "tests[%d].signIn needs user, account and permissionSet", i)
	}
	return s
}
