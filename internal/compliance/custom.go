package compliance

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"go.yaml.in/yaml/v3"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// CustomIdentifier is the source identifier of an organization's own
// rules, which are CEL expressions.
const CustomIdentifier = "CUSTOM_CEL"

// Custom is an organization's own rule: CEL expressions over one resource
// type's values (see objects.go and docs/compliance.md).
type Custom struct {
	Name         string
	Description  string
	ResourceType string
	// Applies ("" for every resource) picks the resources the rule is
	// about; the others are NOT_APPLICABLE.
	Applies string
	// Compliant decides an applicable resource.
	Compliant string
	// Annotation says what is wrong with a non-compliant resource.
	Annotation  string
	Severity    string
	Remediation string
	Controls    []string
	Pos         string // where the rule is written
}

// env declares what expressions see: the resource, the organization, and
// allowed(principal, action, resource[, context]) deciding with the engine.
func env(o *org.Org, now time.Time) (*cel.Env, error) {
	decide := func(args ...ref.Val) ref.Val {
		if o == nil {
			return types.False
		}
		q := authz.Query{Principal: callerOf(string(args[0].(types.String))), Action: string(args[1].(types.String)),
			Resource: string(args[2].(types.String))}
		if len(args) == 4 {
			ctx, err := contextOf(args[3])
			if err != nil {
				return types.NewErr("allowed: %v", err)
			}
			q.Context = ctx
		}
		_, x, err := authz.Decide(o, q, now)
		if err != nil {
			return types.NewErr("allowed(%s, %s, %s): %v", q.Principal, q.Action, q.Resource, err)
		}
		return types.Bool(x.Decision == eval.Allow)
	}
	return cel.NewEnv(
		cel.Function("accountOf",
			cel.Overload("accountOf_string", []*cel.Type{cel.StringType}, cel.StringType,
				cel.UnaryBinding(func(v ref.Val) ref.Val { return types.String(accountOf(string(v.(types.String)))) }))),
		cel.Variable("resource", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("org", cel.MapType(cel.StringType, cel.DynType)),
		cel.Function("allowed",
			cel.Overload("allowed_principal_action_resource", []*cel.Type{cel.StringType, cel.StringType, cel.StringType}, cel.BoolType,
				cel.FunctionBinding(decide)),
			cel.Overload("allowed_principal_action_resource_context", []*cel.Type{cel.StringType, cel.StringType, cel.StringType, cel.MapType(cel.StringType, cel.DynType)}, cel.BoolType,
				cel.FunctionBinding(decide)),
		),
	)
}

// accountOf returns the account of a principal as policies name it: an
// ARN's account, or a bare 12-digit account ID; "" for anything else
// ("*", a service, a web identity provider).
func accountOf(p string) string {
	if len(p) == 12 && strings.Trim(p, "0123456789") == "" {
		return p
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" {
		return parts[4]
	}
	return ""
}

// callerOf turns a role's ARN into a session of it, as `warden explain`
// takes principals; other ARNs pass unchanged.
func callerOf(p string) string {
	rest, ok := strings.CutPrefix(p, "arn:aws:iam::")
	if !ok {
		return p
	}
	acct, res, ok := strings.Cut(rest, ":role/")
	if !ok {
		return p
	}
	name := res[strings.LastIndexByte(res, '/')+1:]
	return "arn:aws:sts::" + acct + ":assumed-role/" + name + "/warden-compliance"
}

func contextOf(v ref.Val) (map[string][]string, error) {
	m, err := v.ConvertToNative(mapType)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for k, x := range m.(map[string]any) {
		switch x := x.(type) {
		case string:
			out[k] = []string{x}
		case []any:
			for _, s := range x {
				out[k] = append(out[k], fmt.Sprint(s))
			}
		default:
			out[k] = []string{fmt.Sprint(x)}
		}
	}
	return out, nil
}

// compiled is a custom rule's programs for one input.
type compiled struct {
	applies, compliant cel.Program
}

func (c *Custom) compile(e *cel.Env) (*compiled, error) {
	prog := func(what, src string) (cel.Program, error) {
		if src == "" {
			return nil, nil
		}
		ast, iss := e.Compile(src)
		if iss != nil && iss.Err() != nil {
			return nil, fmt.Errorf("%s: rule %s: %s: %v", c.Pos, c.Name, what, iss.Err())
		}
		if ast.OutputType() != cel.BoolType {
			return nil, fmt.Errorf("%s: rule %s: %s must be a boolean expression, not %s", c.Pos, c.Name, what, ast.OutputType())
		}
		return e.Program(ast)
	}
	var out compiled
	var err error
	if out.applies, err = prog("applies", c.Applies); err != nil {
		return nil, err
	}
	if out.compliant, err = prog("compliant", c.Compliant); err != nil {
		return nil, err
	}
	return &out, nil
}

// Rule makes the custom rule a Rule.
func (c *Custom) Rule() *Rule {
	sev := c.Severity
	if sev == "" {
		sev = "MEDIUM"
	}
	return &Rule{Name: c.Name, Identifier: CustomIdentifier, Description: c.Description, ResourceTypes: []string{c.ResourceType},
		Severity: sev, Controls: c.Controls, Remediation: c.Remediation, Page: c.Pos,
		eval: func(in *Input, r *Rule) []Evaluation { return c.evaluate(in) }}
}

func (c *Custom) evaluate(in *Input) []Evaluation {
	e, err := env(in.Org, in.Now)
	var prog *compiled
	if err == nil {
		prog, err = c.compile(e)
	}
	objs := objects(in.Org, c.ResourceType)
	if err != nil {
		out := make([]Evaluation, len(objs))
		for i, o := range objs {
			out[i] = eval1(o.res, InsufficientData, "rule error: "+err.Error(), c.Pos)
		}
		return out
	}
	orgVal := orgValue(in.Org)
	var out []Evaluation
	for _, o := range objs {
		vars := map[string]any{"resource": o.value, "org": orgVal}
		if prog.applies != nil {
			v, _, err := prog.applies.Eval(vars)
			if err != nil {
				out = append(out, eval1(o.res, InsufficientData, "rule error: applies: "+err.Error(), c.Pos))
				continue
			}
			if v != types.True {
				out = append(out, eval1(o.res, NotApplicable, "", o.pos))
				continue
			}
		}
		v, _, err := prog.compliant.Eval(vars)
		switch {
		case err != nil:
			out = append(out, eval1(o.res, InsufficientData, "rule error: compliant: "+err.Error(), c.Pos))
		case v == types.True:
			out = append(out, eval1(o.res, Compliant, "", o.pos))
		default:
			out = append(out, eval1(o.res, NonCompliant, c.Annotation, o.pos))
		}
	}
	return out
}

func orgValue(o *org.Org) map[string]any {
	var accts, ids []any
	for _, a := range o.Accounts {
		accts = append(accts, accountValue(a))
		ids = append(ids, a.ID)
	}
	return map[string]any{"id": o.ID, "managementAccount": o.Management.ID, "accounts": accts, "accountIds": ids}
}

// RuleSet is an organization's rules file: its own rules and the managed
// rules it deploys with parameters.
type RuleSet struct {
	Custom  []*Custom
	Managed []*Rule
}

// Rules are the set's rules: the managed ones, then the custom ones.
func (s *RuleSet) Rules() []*Rule {
	out := append([]*Rule{}, s.Managed...)
	for _, c := range s.Custom {
		out = append(out, c.Rule())
	}
	return out
}

// LoadRules reads a rules file (docs/compliance.md has its format),
// checking every expression; errors say file:line:column.
func LoadRules(path string) (*RuleSet, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseRules(src, path)
}

// ParseRules parses a rules file's text; file names it in errors.
func ParseRules(src []byte, file string) (*RuleSet, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	p := &ruleParser{file: file}
	set := &RuleSet{}
	if len(root.Content) == 0 {
		return set, nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, p.errf(top, "a rules file is a mapping with the keys customRules and managedRules")
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "customRules":
			for _, n := range p.seq(v, "customRules") {
				if c := p.custom(n); c != nil {
					set.Custom = append(set.Custom, c)
				}
			}
		case "managedRules":
			for _, n := range p.seq(v, "managedRules") {
				if r := p.managed(n); r != nil {
					set.Managed = append(set.Managed, r)
				}
			}
		default:
			p.add(k, "unknown key %q: a rules file has customRules and managedRules", k.Value)
		}
	}
	names := map[string]string{}
	for _, r := range set.Rules() {
		if prev, dup := names[r.Name]; dup {
			p.errs = append(p.errs, fmt.Sprintf("%s: rule %s is defined twice (first at %s)", file, r.Name, prev))
		}
		names[r.Name] = r.Page
	}
	if e, err := env(nil, time.Time{}); err == nil {
		for _, c := range set.Custom {
			if _, err := c.compile(e); err != nil {
				p.errs = append(p.errs, err.Error())
			}
		}
	}
	if len(p.errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(p.errs, "\n"))
	}
	return set, nil
}

type ruleParser struct {
	file string
	errs []string
}

func (p *ruleParser) pos(n *yaml.Node) string {
	return fmt.Sprintf("%s:%d:%d", p.file, n.Line, n.Column)
}

func (p *ruleParser) errf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s: %s", p.pos(n), fmt.Sprintf(format, args...))
}

func (p *ruleParser) add(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, p.errf(n, format, args...).Error())
}

func (p *ruleParser) seq(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.add(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

// fields reads a mapping of known keys to nodes.
func (p *ruleParser) fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.add(n, "%s must be a mapping", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !contains(known, k.Value) {
			p.add(k, "unknown key %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
			continue
		}
		out[k.Value] = n.Content[i+1]
	}
	return out
}

func (p *ruleParser) str(f map[string]*yaml.Node, key string) string {
	if n := f[key]; n != nil {
		if n.Kind != yaml.ScalarNode {
			p.add(n, "%s must be a string", key)
			return ""
		}
		return n.Value
	}
	return ""
}

var severities = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

func (p *ruleParser) custom(n *yaml.Node) *Custom {
	f := p.fields(n, "a custom rule", "name", "description", "resourceType", "applies", "compliant", "annotation", "severity", "remediation", "controls")
	if f == nil {
		return nil
	}
	c := &Custom{Name: p.str(f, "name"), Description: p.str(f, "description"), ResourceType: p.str(f, "resourceType"),
		Applies: p.str(f, "applies"), Compliant: p.str(f, "compliant"), Annotation: p.str(f, "annotation"),
		Severity: p.str(f, "severity"), Remediation: p.str(f, "remediation"), Pos: p.pos(n)}
	if cn := f["controls"]; cn != nil {
		for _, x := range p.seq(cn, "controls") {
			c.Controls = append(c.Controls, x.Value)
		}
	}
	switch {
	case c.Name == "":
		p.add(n, "a custom rule needs a name")
	case !validRuleName(c.Name):
		p.add(f["name"], "malformed rule name %q: 1 to 128 letters, digits, - and _", c.Name)
	}
	if !contains(CustomTypes, c.ResourceType) {
		at := n
		if f["resourceType"] != nil {
			at = f["resourceType"]
		}
		p.add(at, "rule %s: resourceType must be one of %s", c.Name, strings.Join(CustomTypes, ", "))
	}
	if c.Compliant == "" {
		p.add(n, "rule %s needs a compliant expression", c.Name)
	}
	if c.Severity != "" && !contains(severities, c.Severity) {
		p.add(f["severity"], "rule %s: severity must be one of %s", c.Name, strings.Join(severities, ", "))
	}
	return c
}

func (p *ruleParser) managed(n *yaml.Node) *Rule {
	f := p.fields(n, "a managed rule", "identifier", "name", "parameters")
	if f == nil {
		return nil
	}
	id := p.str(f, "identifier")
	m, ok := Managed(id)
	if !ok {
		var known []string
		for _, r := range ManagedRules() {
			known = append(known, r.Identifier)
		}
		p.add(n, "unknown managed rule %q (Warden has %s)", id, strings.Join(known, ", "))
		return nil
	}
	params := map[string]string{}
	if pn := f["parameters"]; pn != nil {
		if pn.Kind != yaml.MappingNode {
			p.add(pn, "parameters must be a mapping")
		} else {
			for i := 0; i+1 < len(pn.Content); i += 2 {
				params[pn.Content[i].Value] = pn.Content[i+1].Value
			}
		}
	}
	r, err := m.New(p.str(f, "name"), params)
	if err != nil {
		p.add(n, "%v", err)
		return nil
	}
	return r
}

func validRuleName(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// mapType is the Go type a CEL map converts to.
var mapType = reflect.TypeOf(map[string]any{})
