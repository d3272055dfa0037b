package compliance

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Rule is a Config rule: an AWS managed rule with its parameters, or an
// organization's own rule.
type Rule struct {
	Name        string            `json:"configRuleName"`
	Identifier  string            `json:"sourceIdentifier"` // AWS's identifier, or CustomIdentifier
	Description string            `json:"description,omitempty"`
	Params      map[string]string `json:"inputParameters,omitempty"`
	// ResourceTypes are the types it evaluates (its scope).
	ResourceTypes []string `json:"resourceTypes"`
	// Periodic rules (account-level ones) run on a schedule as well as on
	// changes.
	Periodic bool `json:"periodic,omitempty"`
	// Severity (LOW, MEDIUM, HIGH, CRITICAL) and Controls (Security Hub's
	// control IDs it backs) place its findings.
	Severity string   `json:"severity"`
	Controls []string `json:"controls,omitempty"`
	// Remediation says how to fix a non-compliant resource.
	Remediation string `json:"remediation,omitempty"`
	// Page is AWS's documentation of the rule.
	Page string `json:"page,omitempty"`

	eval func(in *Input, r *Rule) []Evaluation
}

// Evaluate runs the rule on in.
func (r *Rule) Evaluate(in *Input) []Evaluation {
	out := r.eval(in, r)
	for i := range out {
		out[i].Rule = r.Name
	}
	return out
}

// Param is a parameter a managed rule takes.
type Param struct {
	Name     string
	Required bool
	Default  string
	Kind     string // "string", "csv", "bool", "int"
}

// ManagedRule is an AWS managed rule Warden implements.
type ManagedRule struct {
	Identifier    string
	Name          string // the name AWS's console gives it
	Description   string
	ResourceTypes []string
	Periodic      bool
	Params        []Param
	Severity      string
	Controls      []string
	Remediation   string
	Page          string
	eval          func(in *Input, r *Rule) []Evaluation
}

var managed = map[string]*ManagedRule{}

func register(m *ManagedRule) {
	if _, dup := managed[m.Identifier]; dup {
		panic("compliance: rule registered twice: " + m.Identifier)
	}
	managed[m.Identifier] = m
}

// Managed returns the managed rule with an identifier
// (IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS, ...).
func Managed(identifier string) (*ManagedRule, bool) {
	m, ok := managed[identifier]
	return m, ok
}

// ManagedRules lists the managed rules by identifier.
func ManagedRules() []*ManagedRule {
	out := make([]*ManagedRule, 0, len(managed))
	for _, m := range managed {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identifier < out[j].Identifier })
	return out
}

// New makes a rule of the managed rule with these parameters (nil: the
// defaults), checking them as AWS Config's PutConfigRule does. name ""
// takes the managed rule's own name.
func (m *ManagedRule) New(name string, params map[string]string) (*Rule, error) {
	if name == "" {
		name = m.Name
	}
	got := map[string]string{}
	known := map[string]bool{}
	for _, p := range m.Params {
		known[p.Name] = true
		v, ok := params[p.Name]
		if !ok || v == "" {
			switch {
			case p.Default != "":
				v = p.Default
			case p.Required:
				return nil, fmt.Errorf("rule %s: the parameter %s is required", m.Name, p.Name)
			default:
				continue
			}
		}
		if err := checkParam(p, v); err != nil {
			return nil, fmt.Errorf("rule %s: %w", m.Name, err)
		}
		got[p.Name] = v
	}
	for k := range params {
		if !known[k] {
			return nil, fmt.Errorf("rule %s: unknown parameter %s (it takes %s)", m.Name, k, paramNames(m.Params))
		}
	}
	return &Rule{Name: name, Identifier: m.Identifier, Description: m.Description, Params: got,
		ResourceTypes: m.ResourceTypes, Periodic: m.Periodic, Severity: m.Severity, Controls: m.Controls,
		Remediation: m.Remediation, Page: m.Page, eval: m.eval}, nil
}

func paramNames(ps []Param) string {
	if len(ps) == 0 {
		return "none"
	}
	var n []string
	for _, p := range ps {
		n = append(n, p.Name)
	}
	return strings.Join(n, ", ")
}

func checkParam(p Param, v string) error {
	switch p.Kind {
	case "bool":
		if _, err := strconv.ParseBool(v); err != nil {
			return fmt.Errorf("the parameter %s must be true or false, not %q", p.Name, v)
		}
	case "int":
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("the parameter %s must be a whole number, not %q", p.Name, v)
		}
	}
	return nil
}

func (r *Rule) boolParam(name string) bool {
	b, _ := strconv.ParseBool(r.Params[name])
	return b
}

func (r *Rule) intParam(name string) int {
	n, _ := strconv.Atoi(r.Params[name])
	return n
}

// csvParam splits a comma-separated parameter, trimming spaces.
func (r *Rule) csvParam(name string) []string {
	var out []string
	for _, s := range strings.Split(r.Params[name], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// DefaultRules are the managed rules that take no required parameter,
// with their defaults: what `warden compliance` runs, beside the
// organization's own rules.
func DefaultRules() []*Rule {
	var out []*Rule
	for _, m := range ManagedRules() {
		if r, err := m.New("", nil); err == nil {
			out = append(out, r)
		}
	}
	return out
}
