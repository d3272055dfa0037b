package compliance

import (
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// The rules on roles, users and groups and what is attached to them.

func init() {
	register(&ManagedRule{
		Identifier: "IAM_NO_INLINE_POLICY_CHECK", Name: "iam-no-inline-policy-check",
		Description:   "Checks that no IAM user, role or group has an inline policy.",
		ResourceTypes: []string{TypeUser, TypeRole, TypeGroup},
		Severity:      "LOW",
		Remediation:   "Move the inline policy into a customer managed policy and attach that.",
		Page:          "https://docs.aws.amazon.com/config/latest/developerguide/iam-no-inline-policy-check.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			var out []Evaluation
			for _, e := range entities(in.Org, TypeUser, TypeRole, TypeGroup) {
				if e.role != nil && e.role.ServiceLinked {
					out = append(out, eval1(e.res, NotApplicable, "a service-linked role: AWS manages its policies", e.pos))
					continue
				}
				if n := e.attached.InlineNames; len(n) > 0 {
					out = append(out, eval1(e.res, NonCompliant, "has inline policies: "+strings.Join(n, ", "), e.pos))
					continue
				}
				out = append(out, eval1(e.res, Compliant, "", e.pos))
			}
			return out
		},
	})
	register(&ManagedRule{
		Identifier: "IAM_USER_NO_POLICIES_CHECK", Name: "iam-user-no-policies-check",
		Description:   "Checks that no IAM user has policies attached directly: users get permissions through groups.",
		ResourceTypes: []string{TypeUser},
		Severity:      "LOW", Controls: []string{"IAM.2"},
		Remediation: "Attach the policies to a group and make the user a member of it.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-user-no-policies-check.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			var out []Evaluation
			for _, e := range entities(in.Org, TypeUser) {
				if n := len(e.attached.ManagedARNs) + len(e.attached.InlineNames); n > 0 {
					out = append(out, eval1(e.res, NonCompliant, fmt.Sprintf("has %d policies of its own: %s", n,
						strings.Join(append(append([]string{}, e.attached.ManagedARNs...), e.attached.InlineNames...), ", ")), e.pos))
					continue
				}
				out = append(out, eval1(e.res, Compliant, "", e.pos))
			}
			return out
		},
	})
	register(&ManagedRule{
		Identifier: "IAM_ROLE_MANAGED_POLICY_CHECK", Name: "iam-role-managed-policy-check",
		Description:   "Checks that every managed policy of the list is attached to each IAM role.",
		ResourceTypes: []string{TypeRole},
		Params:        []Param{{Name: "managedPolicyArns", Kind: "csv", Required: true}},
		Severity:      "MEDIUM",
		Remediation:   "Attach the listed managed policies to the role.",
		Page:          "https://docs.aws.amazon.com/config/latest/developerguide/iam-role-managed-policy-check.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			want := r.csvParam("managedPolicyArns")
			return perEntity(in, []string{TypeRole}, func(e *entity) (string, string) {
				if missing := filter(want, e.attached.ManagedARNs, false); len(missing) > 0 {
					return NonCompliant, "does not have " + strings.Join(missing, ", ") + " attached"
				}
				return Compliant, ""
			})
		},
	})
	register(&ManagedRule{
		Identifier: "IAM_POLICY_BLACKLISTED_CHECK", Name: "iam-policy-blacklisted-check",
		Description:   "Checks that no IAM user, group or role has any of the listed managed policies attached.",
		ResourceTypes: []string{TypeUser, TypeGroup, TypeRole},
		Params: []Param{{Name: "policyArns", Kind: "csv", Default: "arn:aws:iam::aws:policy/AdministratorAccess"},
			{Name: "exceptionList", Kind: "string"}},
		Severity:    "HIGH",
		Remediation: "Detach the listed policy and attach one that grants only what is needed.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-blacklisted-check.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			banned := r.csvParam("policyArns")
			except := parseExceptionList(r.Params["exceptionList"])
			return perEntity(in, []string{TypeUser, TypeGroup, TypeRole}, func(e *entity) (string, string) {
				if except.has(e.res) {
					return NotApplicable, "in the rule's exceptionList"
				}
				if hit := filter(banned, e.attached.ManagedARNs, true); len(hit) > 0 {
					return NonCompliant, "has " + strings.Join(hit, ", ") + " attached"
				}
				return Compliant, ""
			})
		},
	})
	register(&ManagedRule{
		Identifier: "IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS", Name: "iam-inline-policy-blocked-kms-actions",
		Description:   "Checks that the inline policies of IAM users, roles and groups do not allow blocked actions on all AWS KMS keys.",
		ResourceTypes: []string{TypeUser, TypeRole, TypeGroup},
		Params: []Param{{Name: "blockedActionsPatterns", Kind: "csv", Default: "kms:Decrypt,kms:ReEncryptFrom"},
			{Name: "excludeRoleByManagementAccount", Kind: "bool", Default: "false"}},
		Severity: "MEDIUM", Controls: []string{"KMS.2"},
		Remediation: "Allow the blocked KMS actions only on the keys that need them (key ARNs), not on every key.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-inline-policy-blocked-kms-actions.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			blocked := r.csvParam("blockedActionsPatterns")
			exclMgmt := r.boolParam("excludeRoleByManagementAccount")
			var out []Evaluation
			for _, e := range entities(in.Org, TypeUser, TypeRole, TypeGroup) {
				if exclMgmt && e.role != nil && e.role.Account == in.Org.Management {
					out = append(out, eval1(e.res, NotApplicable, "a role of the management account, which excludeRoleByManagementAccount leaves out", e.pos))
					continue
				}
				inl := e.inline()
				if len(inl) == 0 {
					out = append(out, eval1(e.res, NotApplicable, "no inline policy", e.pos))
					continue
				}
				ev := eval1(e.res, Compliant, "", e.pos)
				for i, p := range inl {
					if why, where := firstBad(in, p, func(s *policy.Statement) string { return blockedKMS(s, blocked) }); why != "" {
						ev = eval1(e.res, NonCompliant, "inline policy "+e.attached.InlineNames[i]+": "+why, where)
						break
					}
				}
				out = append(out, ev)
			}
			return out
		},
	})
}

// perEntity evaluates each entity of the types with f.
func perEntity(in *Input, types []string, f func(e *entity) (string, string)) []Evaluation {
	var out []Evaluation
	for _, e := range entities(in.Org, types...) {
		verdict, why := f(&e)
		out = append(out, eval1(e.res, verdict, why, e.pos))
	}
	return out
}

// filter returns the values of want that are (in true) or are not (in
// false) in have.
func filter(want, have []string, in bool) []string {
	var out []string
	for _, w := range want {
		if contains(have, w) == in {
			out = append(out, w)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// exceptions is iam-policy-blacklisted-check's exceptionList:
// "users:[user1;user2], groups:[group1;group2], roles:[role1;role2;role3]",
// with names, not ARNs (AWS's page says an ARN is not valid there).
type exceptions map[string]map[string]bool

func parseExceptionList(s string) exceptions {
	out := exceptions{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), ",")) {
		kind, rest, ok := strings.Cut(s, ":")
		if !ok {
			break
		}
		rest = strings.TrimSpace(rest)
		list := rest
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				end = len(rest) - 1
			}
			list, s = rest[1:end], rest[end+1:]
		} else {
			list, s, _ = strings.Cut(rest, ",")
		}
		set := out[strings.ToLower(strings.TrimSpace(kind))]
		if set == nil {
			set = map[string]bool{}
			out[strings.ToLower(strings.TrimSpace(kind))] = set
		}
		for _, n := range strings.Split(list, ";") {
			if n = strings.TrimSpace(n); n != "" {
				set[n] = true
			}
		}
	}
	return out
}

func (x exceptions) has(r Resource) bool {
	kind := map[string]string{TypeUser: "users", TypeGroup: "groups", TypeRole: "roles"}[r.Type]
	return x[kind][r.Name]
}
