package validate

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// passRoleAndSLR reports Allow statements that grant iam:PassRole (a
// security warning: it lets the caller hand any role to a service) or
// iam:CreateServiceLinkedRole (a warning) on every role, through wildcards in
// the action or the resource, NotAction or NotResource
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-resource).
// A resource that covers only some roles, such as role/Service*, is not
// reported, as AWS does not.
func (v *validator) passRoleAndSLR(s *statement) {
	if s.effect != "Allow" || s.action == nil || s.resource == nil || !v.identityLike() {
		return // SCPs, RCPs and endpoint policies grant nothing; resource policies name other principals
	}
	// A condition on the service the role goes to (iam:PassedToService) or
	// the service that creates it (iam:AWSServiceName) is the remedy AWS
	// names besides role ARNs: with one the statement is not reported.
	if !s.hasPositiveCondition("iam:passedtoservice") {
		v.allRoles(s, "iam:passrole", "PASS_ROLE", "iam:PassRole permissions")
	}
	if !s.hasPositiveCondition("iam:awsservicename") {
		v.allRoles(s, "iam:createservicelinkedrole", "CREATE_SLR", "creation of unintended service-linked roles")
	}
}

// hasPositiveCondition reports a condition on the (lower-cased) key with an
// operator that is not negated, so that it narrows what the statement allows.
func (s *statement) hasPositiveCondition(key string) bool {
	for _, c := range s.conds {
		if c.lower() == key && c.opOK && !c.op.Negated() && c.op.Base != "Null" {
			return true
		}
	}
	return false
}

// allRoles reports a statement that allows the (lower-cased) action on every
// role; prefix is the issue codes' prefix.
func (v *validator) allRoles(s *statement, action, prefix, what string) {
	var grant *node // the action granting it; nil with NotAction
	explicit := false
	if s.notAction {
		for _, a := range s.actions {
			if globMatch(strings.ToLower(a.str), action) {
				return // NotAction excludes it
			}
		}
	} else {
		for _, a := range s.actions {
			low := strings.ToLower(a.str)
			if low == action {
				grant, explicit = a, true
				break
			}
			if grant == nil && globMatch(low, action) {
				grant = a
			}
		}
		if grant == nil {
			return
		}
	}
	var code string
	var loc Location
	if s.notResource {
		for _, r := range s.resources {
			if coversAllRoles(r.str) {
				return // NotResource excludes every role
			}
		}
		loc = v.atKey(s.resource)
		switch {
		case s.notAction:
			code = "_WITH_NOT_ACTION_AND_NOT_RESOURCE"
		case explicit:
			code = "_WITH_NOT_RESOURCE"
		default:
			code = "_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"
		}
	} else {
		var star *node
		for _, r := range s.resources {
			if coversAllRoles(r.str) {
				star = r
				break
			}
		}
		if star == nil {
			return
		}
		loc = v.at(star)
		switch {
		case s.notAction:
			code = "_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"
		case explicit:
			code = "_WITH_STAR_IN_RESOURCE"
		default:
			code = "_WITH_STAR_IN_ACTION_AND_RESOURCE"
		}
	}
	locs := []Location{loc}
	if grant != nil {
		locs = append([]Location{v.at(grant)}, locs...)
	}
	v.addAt(prefix+code, locs, passRoleDetails(prefix, code, what))
}

func passRoleDetails(prefix, code, what string) string {
	how := map[string]string{
		"_WITH_NOT_RESOURCE":                    "Using the action with NotResource",
		"_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE": "Using an action with a wildcard (*) and NotResource",
		"_WITH_NOT_ACTION_AND_NOT_RESOURCE":     "Using NotAction with NotResource",
		"_WITH_STAR_IN_RESOURCE":                "Using the action with wildcards (*) in the resource",
		"_WITH_STAR_IN_ACTION_AND_RESOURCE":     "Using wildcards (*) in the action and the resource",
		"_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION": "Using a resource with wildcards (*) and NotAction",
	}[code]
	fix := "We recommend that you specify role ARNs, or role paths, in the Resource element, and add the iam:PassedToService condition key."
	if prefix == "CREATE_SLR" {
		fix = "We recommend that you specify the service-linked role ARNs, or add the iam:AWSServiceName condition key."
	}
	return how + " can be overly permissive because it allows " + what + " on every role. " + fix
}

// coversAllRoles reports a resource pattern that matches every IAM role of
// an account: "*", or an iam ARN whose resource part covers role/*.
func coversAllRoles(r string) bool {
	if r == "*" {
		return true
	}
	var p [6]string
	if !arn.Split(r, &p) || p[0] != "arn" {
		return false
	}
	return globMatch(p[2], "iam") && globSubset("role/*", p[5])
}
