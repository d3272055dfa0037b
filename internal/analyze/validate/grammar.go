package validate

import (
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// checkStatement runs every check of one statement.
func (v *validator) checkStatement(s *statement) {
	v.grammar(s)
	v.emptyElements(s)
	if s.principal != nil {
		v.principal(s)
	}
	v.actionChecks(s)
	v.resourceChecks(s)
	v.conditionChecks(s)
	v.variables(s)
	v.passRoleAndSLR(s)
	v.trustPolicy(s)
	v.servicePrincipal(s)
	v.resourceTypeChecks(s)
}

// grammar checks which elements the policy type requires or forbids
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html).
//
// SCPs use the full IAM policy language since September 2025 (conditions and
// NotAction in Allow statements, resource ARNs, NotResource, wildcards
// anywhere in an action), so the older SCP_SYNTAX_ERROR_* checks other than
// the one for principals no longer apply; Warden's engine evaluates all of
// them.
func (v *validator) grammar(s *statement) {
	t := v.opt.Type
	if s.n.member("Effect") == nil {
		v.add("MISSING_EFFECT", v.at(s.n), "Add an Effect element to the policy statement with a value of Allow or Deny.")
	}
	if s.action == nil {
		v.add("MISSING_ACTION", v.at(s.n), "Add an Action or NotAction element to the policy statement.")
	}
	switch t {
	case policy.Trust:
		if s.resource != nil {
			v.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", v.atKey(s.resource), "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the %s element.", s.resource.name)
		}
	default:
		if s.resource == nil {
			v.add("MISSING_RESOURCE", v.at(s.n), "Add a Resource or NotResource element to the policy statement.")
		}
	}
	p := s.principal
	switch t {
	case policy.Identity, policy.Boundary, policy.Session:
		if p != nil {
			v.add("UNSUPPORTED_PRINCIPAL", v.atKey(p), "The policy type %s does not support the %s element: the policy applies to the principal it is attached to. Remove the %s element.", typeName(t), p.name, p.name)
		}
	case policy.SCP:
		if p != nil {
			v.add("SCP_SYNTAX_ERROR_PRINCIPAL", v.atKey(p), "SCPs do not support specifying principals. Remove the %s element (use conditions such as aws:PrincipalArn to exempt principals).", p.name)
		}
	case policy.RCP:
		v.rcp(s)
	case policy.Resource, policy.Trust:
		if p == nil {
			v.add("MISSING_PRINCIPAL", v.at(s.n), "Add a Principal element to the policy statement: a %s names who it applies to.", typeName(t))
		}
	}
	if t == policy.Trust && p != nil && s.notPrincipal {
		v.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", v.atKey(p), "Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead.")
	}
	if p != nil && s.notPrincipal && s.effect == "Allow" && (t == policy.Resource || t == policy.Endpoint) {
		v.add("ALLOW_WITH_NOT_PRINCIPAL", v.atKey(p), "Using Allow with NotPrincipal can be overly permissive: it allows everyone, including anonymous users, except the principals listed. We recommend that you use Principal instead.")
	}
}

// rcp checks the RCP grammar: "Principal": "*", no NotPrincipal, Deny
// statements with Action, and Allow only as RCPFullAWSAccess has it.
func (v *validator) rcp(s *statement) {
	p := s.principal
	switch {
	case p == nil:
		v.add("RCP_SYNTAX_ERROR_PRINCIPAL", v.at(s.n), "RCP statements must have \"Principal\": \"*\". Add it, and use conditions such as aws:PrincipalOrgID to narrow who the statement applies to.")
	case s.notPrincipal:
		v.add("RCP_SYNTAX_ERROR_NOTPRINCIPAL", v.atKey(p), "RCPs do not support NotPrincipal. Use \"Principal\": \"*\" with a condition such as aws:PrincipalArn.")
	case !isStarPrincipal(p.val):
		v.add("RCP_SYNTAX_ERROR_PRINCIPAL", v.at(p.val), "RCP statements must have \"Principal\": \"*\". Replace the principal with \"*\" and use conditions such as aws:PrincipalOrgID or aws:PrincipalAccount to narrow it.")
	}
	if s.effect == "Deny" && s.notAction && s.action != nil {
		v.add("RCP_SYNTAX_ERROR_NOTACTION", v.atKey(s.action), "RCPs do not support NotAction. List the actions to deny in an Action element.")
	}
	if s.effect == "Allow" {
		full := s.action != nil && !s.notAction && len(s.actions) == 1 && s.actions[0].str == "*" &&
			s.resource != nil && !s.notResource && len(s.resources) == 1 && s.resources[0].str == "*" && s.condition == nil
		if !full {
			v.add("RCP_SYNTAX_ERROR_ALLOW", v.at(s.n.member("Effect").val), "RCPs restrict access and never grant it: an Allow statement may only allow \"*\" on \"*\" without conditions, as RCPFullAWSAccess does. Use Deny statements to restrict.")
		}
	}
}

// isStarPrincipal reports "*" or {"AWS": "*"}.
func isStarPrincipal(n *node) bool {
	if n.kind == '"' {
		return n.str == "*"
	}
	if n.kind != '{' || len(n.members) != 1 || n.members[0].name != "AWS" {
		return false
	}
	vals := n.members[0].val.stringNodes()
	return len(vals) == 1 && vals[0].str == "*"
}

// emptyElements reports elements that are present but hold nothing, which
// makes the statement match nothing (or, for a condition, nothing more).
func (v *validator) emptyElements(s *statement) {
	if s.action != nil && s.action.val.kind == '[' && len(s.action.val.items) == 0 {
		v.add("EMPTY_ARRAY_ACTION", v.at(s.action.val), "This statement includes no actions and does not affect the policy. Specify actions.")
	}
	if s.resource != nil && s.resource.val.kind == '[' && len(s.resource.val.items) == 0 {
		v.add("EMPTY_ARRAY_RESOURCE", v.at(s.resource.val), "This statement includes no resources and does not affect the policy. Specify resources.")
	}
	if c := s.condition; c != nil && c.val.kind == '{' && len(c.val.members) == 0 {
		v.add("EMPTY_OBJECT_CONDITION", v.at(c.val), "This condition block is empty and it does not affect the policy. Specify conditions or remove the Condition element.")
	}
}

func typeName(t policy.Type) string {
	switch t {
	case policy.Identity:
		return "identity policy"
	case policy.Resource:
		return "resource policy"
	case policy.Trust:
		return "role trust policy"
	case policy.SCP:
		return "service control policy"
	case policy.RCP:
		return "resource control policy"
	case policy.Boundary:
		return "permissions boundary"
	case policy.Session:
		return "session policy"
	case policy.Endpoint:
		return "VPC endpoint policy"
	}
	return strings.ToLower(t.String()) + " policy"
}
