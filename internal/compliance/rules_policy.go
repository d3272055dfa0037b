package compliance

import (
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// The rules on customer managed policies' statements.

func init() {
	register(&ManagedRule{
		Identifier: "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", Name: "iam-policy-no-statements-with-admin-access",
		Description:   `Checks if the customer managed IAM policies have Allow statements that grant "Action": "*" over "Resource": "*".`,
		ResourceTypes: []string{TypePolicy},
		Params:        []Param{{Name: "excludePermissionBoundaryPolicy", Kind: "bool", Default: "false"}},
		Severity:      "HIGH", Controls: []string{"IAM.1"},
		Remediation: "Grant only the actions and resources the policy's users need: replace \"Action\": \"*\" over \"Resource\": \"*\" with the services' actions.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-admin-access.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			return policyRule(in, r, func(s *policy.Statement) string {
				if s.Effect == effectAllow && !s.NotAction && !s.NotResource && hasValue(s.Action, "*") && hasValue(s.Resource, "*") {
					return `allows "Action": "*" over "Resource": "*"`
				}
				return ""
			})
		},
	})
	register(&ManagedRule{
		Identifier: "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS", Name: "iam-policy-no-statements-with-full-access",
		Description:   `Checks if the customer managed IAM policies grant all actions of an AWS service ("service:*").`,
		ResourceTypes: []string{TypePolicy},
		Params:        []Param{{Name: "excludePermissionBoundaryPolicy", Kind: "bool", Default: "false"}},
		Severity:      "LOW", Controls: []string{"IAM.21"},
		Remediation: "Name the actions of the service that the policy's users need instead of \"service:*\".",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-full-access.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			return policyRule(in, r, func(s *policy.Statement) string {
				if s.Effect != effectAllow || s.NotAction {
					return ""
				}
				for _, a := range s.Action {
					if a.Value == "*" || strings.HasSuffix(a.Value, ":*") {
						return fmt.Sprintf("allows %q: every action of %s", a.Value, serviceOf(a.Value))
					}
				}
				return ""
			})
		},
	})
	register(&ManagedRule{
		Identifier: "IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS", Name: "iam-customer-policy-blocked-kms-actions",
		Description:   "Checks that the customer managed IAM policies do not allow blocked actions on all AWS KMS keys.",
		ResourceTypes: []string{TypePolicy},
		Params: []Param{{Name: "blockedActionsPatterns", Kind: "csv", Default: "kms:Decrypt,kms:ReEncryptFrom"},
			{Name: "excludePermissionBoundaryPolicy", Kind: "bool", Default: "false"}},
		Severity: "MEDIUM", Controls: []string{"KMS.1"},
		Remediation: "Allow the blocked KMS actions only on the keys that need them (key ARNs), not on every key.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-customer-policy-blocked-kms-actions.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			blocked := r.csvParam("blockedActionsPatterns")
			return policyRule(in, r, func(s *policy.Statement) string { return blockedKMS(s, blocked) })
		},
	})
}

// policyRule evaluates every customer managed policy of the organization,
// in every account that holds it, with a statement test that returns why a
// statement is non-compliant ("" when it is not).
func policyRule(in *Input, r *Rule, bad func(*policy.Statement) string) []Evaluation {
	var out []Evaluation
	excludeBoundary := r.boolParam("excludePermissionBoundaryPolicy")
	for _, p := range customerPolicies(in.Org) {
		if excludeBoundary && p.boundary {
			out = append(out, eval1(p.res, NotApplicable, "used as a permissions boundary, which excludePermissionBoundaryPolicy leaves out", p.pos))
			continue
		}
		if why, where := firstBad(in, p.doc, bad); why != "" {
			out = append(out, eval1(p.res, NonCompliant, why, where))
			continue
		}
		out = append(out, eval1(p.res, Compliant, "", p.pos))
	}
	return out
}

// firstBad returns the first statement of doc that bad reports, with why
// and where.
func firstBad(in *Input, doc *policy.Policy, bad func(*policy.Statement) string) (string, string) {
	for _, s := range doc.Doc.Statements {
		if why := bad(s); why != "" {
			return fmt.Sprintf("statement %s %s", s.Label(), why), in.position(doc, s)
		}
	}
	return "", ""
}

func hasValue(list []policy.Str, v string) bool {
	for _, s := range list {
		if s.Value == v {
			return true
		}
	}
	return false
}

func serviceOf(action string) string {
	if svc, _, ok := strings.Cut(action, ":"); ok {
		return svc
	}
	return "every service"
}

// allKMSKeys is the pattern of every KMS key's ARN.
const allKMSKeys = "arn:aws:kms:*:*:key/*"

// blockedKMS reports an Allow statement that allows one of the blocked
// action patterns on every KMS key.
func blockedKMS(s *policy.Statement, blocked []string) string {
	if s.Effect != effectAllow || s.NotAction || s.NotResource {
		return ""
	}
	onAll := false
	for _, res := range s.Resource {
		if globCovers(res.Value, allKMSKeys) {
			onAll = true
			break
		}
	}
	if !onAll {
		return ""
	}
	for _, b := range blocked {
		for _, a := range s.Action {
			if actionCovers(a.Value, b) {
				return fmt.Sprintf("allows %s (%q) on every KMS key", b, a.Value)
			}
		}
	}
	return ""
}

// effectAllow is an Allow statement's Effect.
const effectAllow = "Allow"
