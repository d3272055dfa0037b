package policy

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// MatchKind says how a Principal element names a caller, which decides what a
// same-account resource policy grant means
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
type MatchKind uint8

const (
	// MatchNone: the element does not name the caller.
	MatchNone MatchKind = iota
	// MatchAccount: the element names the caller's account ("111122223333"
	// or its root ARN), which delegates to the account's identity policies.
	MatchAccount
	// MatchRole: the element names the role of a role session (or the role
	// itself), or the IAM user of a federated user session; a grant is still
	// limited by that entity's permissions boundary and the session policy.
	MatchRole
	// MatchDirect: the element names the caller itself (user, session,
	// federated user, service, identity provider) or everyone ("*").
	MatchDirect
)

// PrincipalSet is a compiled Principal or NotPrincipal element.
type PrincipalSet struct {
	wildcard  bool
	accounts  []string
	users     []nameRef
	roles     []nameRef
	exact     []string // session, federated-user and other ARNs, compared as written
	services  []string
	federated []string
	canonical []string
}

type nameRef struct{ account, name string }

func compilePrincipal(p *Principal) *PrincipalSet {
	ps := &PrincipalSet{wildcard: p.Wildcard}
	for _, v := range p.AWS {
		ps.addAWS(v.Value)
	}
	for _, v := range p.Service {
		if v.Value == "*" {
			ps.wildcard = true
		}
		ps.services = append(ps.services, v.Value)
	}
	for _, v := range p.Federated {
		ps.federated = append(ps.federated, v.Value)
	}
	for _, v := range p.CanonicalUser {
		ps.canonical = append(ps.canonical, v.Value)
	}
	return ps
}

// addAWS sorts one AWS principal value. Wildcards other than a lone "*" are
// not supported in principals
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
// such a value is compared literally and so matches no caller.
func (ps *PrincipalSet) addAWS(v string) {
	switch {
	case v == "*":
		ps.wildcard = true
		return
	case IsAccountID(v):
		ps.accounts = append(ps.accounts, v)
		return
	}
	a, err := arn.Parse(v)
	if err != nil || arn.HasWildcard(v) {
		ps.exact = append(ps.exact, v)
		return
	}
	typ, rest, _ := strings.Cut(a.Resource, "/")
	switch {
	case a.Service == "iam" && a.Resource == "root":
		ps.accounts = append(ps.accounts, a.Account)
	case a.Service == "iam" && typ == "user" && rest != "":
		ps.users = append(ps.users, nameRef{a.Account, lastSegment(rest)})
	case a.Service == "iam" && typ == "role" && rest != "":
		ps.roles = append(ps.roles, nameRef{a.Account, lastSegment(rest)})
	default:
		ps.exact = append(ps.exact, v)
	}
}

// Match says how the element names the caller.
func (ps *PrincipalSet) Match(c *Caller) MatchKind {
	if ps.wildcard {
		return MatchDirect
	}
	specific, account := ps.listed(c)
	switch {
	case specific && c.Kind == CallerRole:
		return MatchRole
	case specific:
		return MatchDirect
	case c.Kind == CallerAssumedRole && ps.hasRef(ps.roles, c.Account, c.Name):
		return MatchRole
	case c.Kind == CallerFederatedUser && c.UserARN != "" && ps.hasRef(ps.users, c.Account, c.Name):
		return MatchRole
	case account:
		if c.Kind == CallerRoot {
			return MatchDirect
		}
		return MatchAccount
	}
	return MatchNone
}

// listed reports whether the element lists the caller itself (specific) and
// whether it lists the caller's account.
func (ps *PrincipalSet) listed(c *Caller) (specific, account bool) {
	if ps.wildcard {
		return true, true
	}
	switch c.Kind {
	case CallerAnonymous:
		return false, false
	case CallerService:
		return containsFold(ps.services, c.ARN), false
	case CallerWebIdentity:
		return contains(ps.federated, c.ARN), false
	case CallerUser:
		specific = ps.hasRef(ps.users, c.Account, c.Name)
	case CallerRole:
		specific = ps.hasRef(ps.roles, c.Account, c.Name)
	case CallerAssumedRole, CallerFederatedUser:
		specific = contains(ps.exact, c.ARN)
	}
	account = contains(ps.accounts, c.Account)
	if c.Kind == CallerRoot {
		specific = account
	}
	if !specific {
		specific = contains(ps.exact, c.ARN)
	}
	return specific, account
}

// Excludes reports whether a NotPrincipal element exempts the caller from its
// statement
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html):
// the caller must be listed by its own ARN (a role session by its session
// ARN: listing the role exempts none of its sessions) and, when it is from
// another account than the resource, its account must be listed too. A caller
// with a permissions boundary is never exempt from a Deny with NotPrincipal.
func (ps *PrincipalSet) Excludes(c *Caller, resourceAccount string, hasBoundary bool) bool {
	if hasBoundary {
		return false
	}
	specific, account := ps.listed(c)
	if !specific {
		return false
	}
	if c.Account == "" || c.Account == resourceAccount || ps.wildcard {
		return true
	}
	return account
}

func (ps *PrincipalSet) hasRef(refs []nameRef, account, name string) bool {
	for _, r := range refs {
		if r.account == account && r.name == name {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
