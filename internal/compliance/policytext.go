package compliance

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"go.yaml.in/yaml/v3"
)

// CELRuntime is the PolicyRuntime of the organization's own rules put
// through AWS Config's API (PutConfigRule, Source Owner CUSTOM_POLICY). AWS
// Config's custom policy rules are written in CloudFormation Guard
// (PolicyRuntime guard-2.x.x); Warden's are written in CEL.
const CELRuntime = "cel-1.x.x"

// GuardRuntime is AWS Config's PolicyRuntime for Guard rules, which Warden
// does not evaluate.
const GuardRuntime = "guard-2.x.x"

// ParsePolicyText makes a custom rule of a PutConfigRule's
// CustomPolicyDetails.PolicyText, for resources of one type. The text is
// either a CEL expression, the rule's compliant expression, or a YAML
// mapping with a rules file's keys for one rule: compliant (required),
// applies, annotation, severity, remediation, controls. Every expression is
// compiled and type-checked; errors say PolicyText:line:column.
func ParsePolicyText(name, description, resourceType, text string) (*Custom, error) {
	if !contains(CustomTypes, resourceType) {
		return nil, fmt.Errorf("a CEL rule evaluates one resource type, one of %s; not %q", strings.Join(CustomTypes, ", "), resourceType)
	}
	c := &Custom{Name: name, Description: description, ResourceType: resourceType, Pos: "PolicyText"}
	var root yaml.Node
	mapping := yaml.Unmarshal([]byte(text), &root) == nil && len(root.Content) == 1 && root.Content[0].Kind == yaml.MappingNode
	var nodes map[string]*yaml.Node
	if !mapping {
		c.Compliant = text
	} else {
		p := &ruleParser{file: "PolicyText"}
		nodes = p.fields(root.Content[0], "PolicyText", "compliant", "applies", "annotation", "severity", "remediation", "controls")
		c.Compliant, c.Applies = p.str(nodes, "compliant"), p.str(nodes, "applies")
		c.Annotation, c.Severity, c.Remediation = p.str(nodes, "annotation"), p.str(nodes, "severity"), p.str(nodes, "remediation")
		if cn := nodes["controls"]; cn != nil {
			for _, x := range p.seq(cn, "controls") {
				c.Controls = append(c.Controls, x.Value)
			}
		}
		if c.Severity != "" && !contains(severities, c.Severity) {
			p.add(nodes["severity"], "severity must be one of %s", strings.Join(severities, ", "))
		}
		if nodes["compliant"] == nil {
			p.add(root.Content[0], "a rule needs a compliant expression")
		}
		if len(p.errs) > 0 {
			return nil, fmt.Errorf("%s", strings.Join(p.errs, "; "))
		}
	}
	if strings.TrimSpace(c.Compliant) == "" {
		return nil, fmt.Errorf("PolicyText:1:1: a rule needs a compliant expression")
	}
	e, err := env(nil, time.Time{})
	if err != nil {
		return nil, err
	}
	var errs []string
	check := func(what, src string, at func(line, col int) (int, int)) {
		if src == "" {
			return
		}
		ast, iss := e.Compile(src)
		if iss != nil && iss.Err() != nil {
			for _, x := range iss.Errors() {
				l, col := at(x.Location.Line(), x.Location.Column())
				errs = append(errs, fmt.Sprintf("PolicyText:%d:%d: %s: %s", l, col, what, x.Message))
			}
			return
		}
		if ast.OutputType() != cel.BoolType {
			l, col := at(1, 0)
			errs = append(errs, fmt.Sprintf("PolicyText:%d:%d: %s must be a boolean expression, not %s", l, col, what, ast.OutputType()))
		}
	}
	if !mapping {
		check("compliant", c.Compliant, func(l, col int) (int, int) { return l, col + 1 })
	} else {
		lines := strings.Split(text, "\n")
		check("compliant", c.Compliant, scalarPlace(nodes["compliant"], lines))
		check("applies", c.Applies, scalarPlace(nodes["applies"], lines))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	if c.Annotation == "" {
		c.Annotation = "the resource does not satisfy the rule's compliant expression"
	}
	return c, nil
}

// scalarPlace maps a line and 0-based column inside a YAML scalar's value
// to the line and 1-based column of the text it was written in: a quoted
// or plain scalar starts at its node; a block scalar (| or >) on the
// lines after its indicator, at their indentation.
func scalarPlace(n *yaml.Node, lines []string) func(line, col int) (int, int) {
	return func(line, col int) (int, int) {
		if n == nil {
			return line, col + 1
		}
		switch n.Style {
		case yaml.LiteralStyle, yaml.FoldedStyle:
			// The block's indentation is its first line's.
			indent := 0
			if n.Line < len(lines) {
				indent = len(lines[n.Line]) - len(strings.TrimLeft(lines[n.Line], " "))
			}
			return n.Line + line, indent + col + 1
		case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
			if line == 1 {
				return n.Line, n.Column + 1 + col
			}
		}
		if line == 1 {
			return n.Line, n.Column + col
		}
		return n.Line + line - 1, col + 1
	}
}
