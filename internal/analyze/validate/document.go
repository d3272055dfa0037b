package validate

import (
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// statement is one statement of the document as written, with what the
// structural checks found usable.
type statement struct {
	n      *node
	sid    *node
	effect string // "Allow", "Deny" or "" when missing or invalid

	principal    *member // Principal or NotPrincipal
	notPrincipal bool
	action       *member // Action or NotAction
	notAction    bool
	resource     *member // Resource or NotResource
	notResource  bool
	condition    *member

	actions   []*node // the string values of Action or NotAction
	resources []*node // the string values of Resource or NotResource
	conds     []*cond

	// The items of Action and Resource that others of the element cover,
	// found by the redundancy checks.
	dropActions, dropResources map[*node]bool
	invalid                    map[*node]bool // actions that name no known action
}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// document checks the top level (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
// and then every statement.
func (v *validator) document(root *node) {
	if root.kind != '{' {
		v.add("DATA_TYPE_MISMATCH", v.at(root), "The text does not match the expected JSON data type object: a policy document is a JSON object with Version and Statement.")
		return
	}
	var stmtMember *member
	version := root.member("Version")
	for _, m := range root.members {
		switch m.name {
		case "Version", "Id":
			if m.val.kind != '"' {
				v.add("DATA_TYPE_MISMATCH", v.at(m.val), "The text does not match the expected JSON data type string: %s is a string.", m.name)
			}
		case "Statement":
			stmtMember = m
		default:
			v.add("INVALID_POLICY_ELEMENT", v.atKey(m), "The policy element %s is not valid.%s A policy document has only Version, Id and Statement; element names are case-sensitive.", m.name, suggestion(m.name, "Version", "Id", "Statement"))
		}
	}
	v.version(root, version)
	v.size(root)
	if stmtMember == nil {
		v.add("MISSING_STATEMENT", v.at(root), "Add a statement to the policy: the document has no Statement element.")
		return
	}
	sn := stmtMember.val
	switch sn.kind {
	case '{':
		v.statements = append(v.statements, v.statement(sn))
	case '[':
		if len(sn.items) == 0 {
			v.add("MISSING_STATEMENT", v.at(sn), "Add a statement to the policy: the Statement array is empty.")
		}
		for _, it := range sn.items {
			if it.kind != '{' {
				v.add("DATA_TYPE_MISMATCH", v.at(it), "The text does not match the expected JSON data type object: a statement is an object, not %s.", article(it.jsonType()))
				continue
			}
			v.statements = append(v.statements, v.statement(it))
		}
	default:
		v.add("DATA_TYPE_MISMATCH", v.at(sn), "The text does not match the expected JSON data type object or array: Statement is a statement object or an array of them, not %s.", article(sn.jsonType()))
	}
	if v.opt.Type == policy.Resource && v.opt.ResourceType == "" && v.looksLikeTrust() {
		v.opt.Type = policy.Trust
	}
	v.sids()
	for _, s := range v.statements {
		v.checkStatement(s)
	}
	v.redundantStatements()
}

// version checks the Version element
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
// SCPs and RCPs are always read as 2012-10-17, which AWS Organizations requires.
func (v *validator) version(root *node, m *member) {
	if m == nil {
		v.vars = false
		if v.opt.Type == policy.SCP || v.opt.Type == policy.RCP {
			v.add("INVALID_VERSION", v.at(root), "The version is missing: %s policies require \"Version\": %q. Add it.", strings.ToUpper(v.opt.Type.String()), policy.Version2012)
		} else {
			v.add("MISSING_VERSION", v.at(root), "We recommend that you specify the Version element to help you with debugging permission issues: add \"Version\": %q, without which policy variables are not substituted.", policy.Version2012)
		}
		v.variablesWithoutVersion(root)
		return
	}
	if m.val.kind != '"' {
		return
	}
	switch m.val.str {
	case policy.Version2012:
		v.vars = true
	case policy.Version2008:
		if v.opt.Type == policy.SCP || v.opt.Type == policy.RCP {
			v.add("INVALID_VERSION", v.at(m.val), "The version %s is not valid for %s policies. Use the following version: %s", m.val.str, strings.ToUpper(v.opt.Type.String()), policy.Version2012)
		}
		v.variablesWithoutVersion(root)
	default:
		v.add("INVALID_VERSION", v.at(m.val), "The version %s is not valid. Use one of the following versions: %s, %s", m.val.str, policy.Version2012, policy.Version2008)
	}
}

// variablesWithoutVersion reports policy variables in a document that does
// not substitute them (Version absent or 2008-10-17): AWS reads ${...}
// literally there.
func (v *validator) variablesWithoutVersion(root *node) {
	walkStrings(root, func(n *node) {
		if strings.Contains(n.str, "${") {
			v.add("VARIABLE_UNSUPPORTED_IN_VERSION", v.at(n), "To include variables in your policy, use the policy version 2012-10-17 or later: with this version %s is matched as literal text.", n.str)
		}
	})
}

// walkStrings calls fn for every string value under n (not member names).
func walkStrings(n *node, fn func(*node)) {
	switch n.kind {
	case '"':
		fn(n)
	case '{':
		for _, m := range n.members {
			walkStrings(m.val, fn)
		}
	case '[':
		for _, it := range n.items {
			walkStrings(it, fn)
		}
	}
}

// statement reads one statement's elements and checks their JSON types and
// combinations.
func (v *validator) statement(n *node) *statement {
	s := &statement{n: n}
	for _, m := range n.members {
		switch m.name {
		case "Sid":
			if m.val.kind != '"' {
				v.add("DATA_TYPE_MISMATCH", v.at(m.val), "The text does not match the expected JSON data type string: Sid is a string.")
				continue
			}
			s.sid = m.val
		case "Effect":
			v.effect(s, m)
		case "Principal", "NotPrincipal":
			if s.principal != nil {
				v.combination(s.principal, m)
				continue
			}
			s.principal, s.notPrincipal = m, m.name == "NotPrincipal"
		case "Action", "NotAction":
			if s.action != nil {
				v.combination(s.action, m)
				continue
			}
			s.action, s.notAction = m, m.name == "NotAction"
			s.actions = v.stringList(m)
		case "Resource", "NotResource":
			if s.resource != nil {
				v.combination(s.resource, m)
				continue
			}
			s.resource, s.notResource = m, m.name == "NotResource"
			s.resources = v.stringList(m)
		case "Condition":
			s.condition = m
		default:
			v.add("INVALID_POLICY_ELEMENT", v.atKey(m), "The policy element %s is not valid.%s A statement has only %s; element names are case-sensitive.", m.name, suggestion(m.name, statementElements...), strings.Join(statementElements, ", "))
		}
	}
	if s.condition != nil {
		s.conds = v.conditionBlock(s, s.condition)
	}
	return s
}

func (v *validator) effect(s *statement, m *member) {
	if m.val.kind != '"' {
		v.add("DATA_TYPE_MISMATCH", v.at(m.val), "The text does not match the expected JSON data type string: Effect is \"Allow\" or \"Deny\".")
		return
	}
	switch m.val.str {
	case "Allow", "Deny":
		s.effect = m.val.str
	default:
		v.add("INVALID_EFFECT", v.at(m.val), "The effect %s is not valid. Use Allow or Deny (case-sensitive).", m.val.str)
	}
}

func (v *validator) combination(first, second *member) {
	v.add("UNSUPPORTED_ELEMENT_COMBINATION", v.atKey(second), "The policy elements %s and %s can not be used in the same statement. Remove one of these elements.", first.name, second.name)
}

// stringList returns the strings of an element that is a string or an array
// of strings, reporting values of any other JSON type.
func (v *validator) stringList(m *member) []*node {
	switch m.val.kind {
	case '"':
		return []*node{m.val}
	case '[':
		for _, it := range m.val.items {
			if it.kind != '"' {
				v.add("DATA_TYPE_MISMATCH", v.at(it), "The text does not match the expected JSON data type string: each %s value is a string.", m.name)
			}
		}
		return m.val.stringNodes()
	}
	v.add("DATA_TYPE_MISMATCH", v.at(m.val), "The text does not match the expected JSON data type string or array: %s is a string or an array of strings, not %s.", m.name, article(m.val.jsonType()))
	return nil
}

// sids checks statement IDs: unique within the policy, alphanumeric in the
// policies IAM and Organizations store
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
// Duplicates are an error where AWS rejects them (resource policies, SCPs,
// RCPs, trust policies) and a warning in identity policies, which IAM stores.
func (v *validator) sids() {
	seen := map[string]*node{}
	for _, s := range v.statements {
		if s.sid == nil {
			continue
		}
		id := s.sid.str
		if id == "" {
			v.add("EMPTY_SID_VALUE", v.at(s.sid), "Add a value to the empty string in the Sid element, or remove the Sid.")
			continue
		}
		if v.alphanumericSids() && !isAlphanumeric(id) {
			v.add("UNSUPPORTED_SID", v.at(s.sid), "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]. %q has others.", id)
		}
		if first, dup := seen[id]; dup {
			code := "UNIQUE_SIDS_REQUIRED"
			switch v.opt.Type {
			case policy.Identity, policy.Boundary, policy.Session:
				code = "UNIQUE_SIDS_RECOMMENDED"
			}
			fl := v.pos.at(first.start)
			v.add(code, v.at(s.sid), "The Sid %q is also used by the statement at line %d. Update the Sid value so that each statement has its own.", id, fl.Line)
			continue
		}
		seen[id] = s.sid
	}
}

// alphanumericSids reports whether the policy type's Sids are limited to
// letters and digits: IAM's policies and the Organizations policies are;
// resource policies of other services allow more (S3 allows spaces).
func (v *validator) alphanumericSids() bool {
	switch v.opt.Type {
	case policy.Resource, policy.Endpoint:
		return false
	}
	return true
}

func isAlphanumeric(s string) bool {
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// suggestion proposes the known name that differs from name only in case,
// or that is one edit away.
func suggestion(name string, known ...string) string {
	for _, k := range known {
		if strings.EqualFold(k, name) || editDistance(strings.ToLower(k), strings.ToLower(name)) <= 1 {
			return " Did you mean " + k + "?"
		}
	}
	return ""
}

func article(t string) string {
	switch t {
	case "array", "object":
		return "an " + t
	case "null":
		return "null"
	}
	return "a " + t
}

// looksLikeTrust reports a resource policy without a resource type that is
// a role trust policy: no statement names a resource and every action is an
// sts: one. AWS's ValidatePolicy reads such a RESOURCE_POLICY as a trust
// policy, as the aws CLI's validate-policy example shows.
func (v *validator) looksLikeTrust() bool {
	any := false
	for _, s := range v.statements {
		if s.resource != nil || s.notAction {
			return false
		}
		for _, a := range s.actions {
			if !strings.HasPrefix(strings.ToLower(a.str), "sts:") {
				return false
			}
			any = true
		}
	}
	return any
}
