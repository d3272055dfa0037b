package validate

import (
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// Role trust policies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html,
// https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html).

const githubOIDC = "token.actions.githubusercontent.com"

// trustPolicy checks the actions of a trust policy against its principals
// and the conditions that federated principals need.
func (v *validator) trustPolicy(s *statement) {
	if v.opt.Type != policy.Trust || s.principal == nil || s.notPrincipal || s.principal.val.kind != '{' {
		return
	}
	p := s.principal.val
	var saml, oidc, service []*node
	for _, m := range p.members {
		for _, val := range m.val.stringNodes() {
			switch m.name {
			case "Federated":
				if samlProvider.MatchString(val.str) {
					saml = append(saml, val)
				} else {
					oidc = append(oidc, val)
				}
			case "Service":
				service = append(service, val)
			}
		}
	}
	if !s.notAction {
		v.mismatchedActions(s, saml, oidc)
	}
	if s.effect == "Allow" {
		v.oidcConditions(s, oidc)
		v.rolesAnywhere(s, service)
		v.actionForKeys(s)
	}
}

// mismatchedActions reports sts:AssumeRole* actions that the statement's
// federated principals cannot use: SAML providers call
// sts:AssumeRoleWithSAML, OIDC providers sts:AssumeRoleWithWebIdentity.
func (v *validator) mismatchedActions(s *statement, saml, oidc []*node) {
	federated := append(append([]*node{}, saml...), oidc...)
	for _, a := range s.actions {
		low := strings.ToLower(a.str)
		var bad []*node
		switch low {
		case "sts:assumerole":
			bad = federated
		case "sts:assumerolewithsaml":
			bad = oidc
		case "sts:assumerolewithwebidentity":
			bad = saml
		}
		if len(bad) == 0 {
			continue
		}
		names := make([]string, len(bad))
		locs := []Location{v.at(a)}
		for i, b := range bad {
			names[i] = b.str
			locs = append(locs, v.at(b))
		}
		v.addAt("MISMATCHED_ACTION_FOR_PRINCIPAL", locs, "The "+a.str+" action is invalid with the following principal(s): "+strings.Join(names, ", ")+". Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use either of the two options.")
	}
}

// oidcConditions reports OIDC principals without a condition on their own
// claims, and GitHub's without a specific repository.
func (v *validator) oidcConditions(s *statement, oidc []*node) {
	for _, p := range oidc {
		host := strings.ToLower(p.str)
		if i := strings.Index(host, ":oidc-provider/"); i >= 0 {
			host = host[i+len(":oidc-provider/"):]
		}
		hasClaim := false
		var sub []*cond
		for _, c := range s.conds {
			prefix, claim, _ := strings.Cut(c.lower(), ":")
			if prefix == host {
				hasClaim = true
				if claim == "sub" {
					sub = append(sub, c)
				}
			}
		}
		switch {
		case host == githubOIDC && len(sub) == 0:
			v.add("MISSING_GITHUB_REPO_CONDITION_KEY", v.at(p), "Granting a federated GitHub principal permissions without a condition key can allow more sources to assume the role than you intended. Add the %s:sub condition key and specify the branch and repository name in the value, such as repo:my-org/my-repo:ref:refs/heads/main.", githubOIDC)
		case !hasClaim:
			v.add("MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", v.at(p), "Using an Open ID Connect principal without a condition can be overly permissive. Add condition keys with a prefix that matches your federated OIDC principal %s (such as %s:aud) to ensure that only the intended identity provider assumes the role.", p.str, host)
		}
		for _, c := range sub {
			if host != githubOIDC {
				continue
			}
			for _, val := range c.values {
				if strings.Contains(val.str, "*") {
					v.add("SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", v.at(val), "Using a wildcard (*) in %s:sub (%s) can allow requests from more sources than you intended. Specify the value of %s:sub with the repository and branch name.", githubOIDC, val.str, githubOIDC)
				}
			}
		}
	}
}

// rolesAnywhere reports a Roles Anywhere trust that lacks one of the three
// actions the service needs.
func (v *validator) rolesAnywhere(s *statement, service []*node) {
	var ra *node
	for _, p := range service {
		if p.str == "rolesanywhere.amazonaws.com" {
			ra = p
		}
	}
	if ra == nil || s.notAction {
		return
	}
	var missing []string
	for _, need := range []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"} {
		found := false
		for _, a := range s.actions {
			if globMatch(strings.ToLower(a.str), strings.ToLower(need)) || a.str == "*" {
				found = true
			}
		}
		if !found {
			missing = append(missing, need)
		}
	}
	if len(missing) > 0 {
		v.add("MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", v.at(ra), "The rolesanywhere.amazonaws.com service principal requires the sts:AssumeRole, sts:SetSourceIdentity, and sts:TagSession permissions to assume a role. Add %s to the Action element.", strings.Join(missing, ", "))
	}
}

// actionForKeys reports session condition keys whose action is missing: a
// source identity is set only with sts:SetSourceIdentity and session tags
// only with sts:TagSession, so a condition on them never sees a value
// otherwise.
func (v *validator) actionForKeys(s *statement) {
	if s.notAction {
		return
	}
	has := func(action string) bool {
		for _, a := range s.actions {
			if globMatch(strings.ToLower(a.str), action) {
				return true
			}
		}
		return false
	}
	for _, c := range s.conds {
		low := c.lower()
		var need string
		switch {
		case low == "sts:sourceidentity":
			need = "sts:SetSourceIdentity"
		case strings.HasPrefix(low, "aws:requesttag/"), low == "aws:tagkeys", low == "sts:transitivetagkeys":
			need = "sts:TagSession"
		default:
			continue
		}
		if !has(strings.ToLower(need)) {
			v.add("MISSING_ACTION_FOR_CONDITION_KEY", v.atKey(c.key), "The %s action must be in the action block to allow setting values for the condition key %s. Add %s to the action block.", need, c.name(), need)
		}
	}
}
