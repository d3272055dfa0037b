package reach

import (
	"strings"

	"github.com/securecart/warden/internal/org"
)

// Kind is a kind of principal.
type Kind uint8

// The kinds of principals who-can lists.
const (
	KindRoot          Kind = iota + 1 // an account's root user
	KindUser                          // an IAM user
	KindRole                          // an IAM role (its sessions)
	KindPermissionSet                 // the role an Identity Center permission set is provisioned as
	KindService                       // an AWS service principal
	KindFederated                     // the users of a SAML or OIDC identity provider
	KindOutside                       // a principal of an account outside the organization
	KindAnyone                        // anyone: a grant to "*" outside the organization
)

var kindNames = [...]string{"", "root", "user", "role", "permission-set", "service", "federated", "outside", "anyone"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "?"
}

// InOrg reports whether principals of the kind live in the organization's
// accounts (root users, IAM users, roles, permission sets' roles), not
// outside it (services, identity providers' users, other accounts, anyone).
func (k Kind) InOrg() bool {
	return k >= KindRoot && k <= KindPermissionSet
}

// sessionName is the role session name requests of a role are made as.
const sessionName = "warden-reach"

// Principal is one principal: of the organization (a root user, an IAM user,
// a role, a permission set's role) or outside it (a service, an identity
// provider's users, another account, anyone).
type Principal struct {
	// ARN names the principal: the role's, user's or root user's ARN, the
	// service's name, the identity provider's ARN, the outside principal's
	// ARN (an account as its root ARN), "*" for anyone.
	ARN     string
	Kind    Kind
	Account string    // its account ("" for services, providers and anyone)
	Role    *org.Role // for KindRole and KindPermissionSet
	User    *org.User // for KindUser
	// Caller is the ARN its requests are made as: a role's session, the
	// user, the root user, the service's name, the provider's ARN.
	Caller string
	// Context holds the keys AWS sets for a principal outside the org
	// (a service's source account, an outside account's organization).
	Context map[string][]string
}

// InOrg reports whether the principal is one of the organization's.
func (p *Principal) InOrg() bool {
	switch p.Kind {
	case KindRoot, KindUser, KindRole, KindPermissionSet:
		return true
	}
	return false
}

// principals indexes the organization's principals by account and by ARN.
type principals struct {
	all       []*Principal
	byAccount map[string][]*Principal
	byARN     map[string]*Principal
	byRole    map[*org.Role]*Principal
}

func indexPrincipals(o *org.Org) *principals {
	ix := &principals{
		byAccount: make(map[string][]*Principal, len(o.Accounts)),
		byARN:     make(map[string]*Principal, len(o.Roles)+len(o.Users)+len(o.Accounts)),
		byRole:    make(map[*org.Role]*Principal, len(o.Roles)),
	}
	add := func(p *Principal) {
		ix.all = append(ix.all, p)
		ix.byAccount[p.Account] = append(ix.byAccount[p.Account], p)
		ix.byARN[p.ARN] = p
		if p.Role != nil {
			ix.byRole[p.Role] = p
		}
	}
	for _, a := range o.Accounts {
		root := "arn:aws:iam::" + a.ID + ":root"
		add(&Principal{ARN: root, Kind: KindRoot, Account: a.ID, Caller: root})
		for _, r := range a.Roles {
			add(rolePrincipal(r))
		}
	}
	for _, u := range o.Users {
		if u.Account != nil {
			add(&Principal{ARN: u.ARN, Kind: KindUser, Account: u.Account.ID, User: u, Caller: u.ARN})
		}
	}
	return ix
}

func rolePrincipal(r *org.Role) *Principal {
	k := KindRole
	if r.PermissionSet != "" {
		k = KindPermissionSet
	}
	return &Principal{ARN: r.ARN, Kind: k, Account: r.Account.ID, Role: r,
		Caller: "arn:aws:sts::" + r.Account.ID + ":assumed-role/" + r.Name + "/" + sessionName}
}

// Lookup finds a principal of the organization by its ARN: a role's ARN
// (with or without its path) or a session of it, a user's, a root user's or
// a bare account ID.
func (g *Graph) Lookup(s string) (*Principal, bool) {
	if p, ok := g.ix.byARN[s]; ok {
		return p, true
	}
	if len(s) == 12 {
		p, ok := g.ix.byARN["arn:aws:iam::"+s+":root"]
		return p, ok
	}
	var acct, name string
	switch {
	case strings.HasPrefix(s, "arn:aws:iam::") && strings.Contains(s, ":role/"):
		acct, name = s[len("arn:aws:iam::"):strings.Index(s, ":role/")], s[strings.LastIndexByte(s, '/')+1:]
	case strings.HasPrefix(s, "arn:aws:sts::") && strings.Contains(s, ":assumed-role/"):
		rest := s[strings.Index(s, ":assumed-role/")+len(":assumed-role/"):]
		acct = s[len("arn:aws:sts::"):strings.Index(s, ":assumed-role/")]
		name, _, _ = strings.Cut(rest, "/")
	default:
		return nil, false
	}
	r, ok := g.o.Role(acct, name)
	if !ok {
		return nil, false
	}
	p, ok := g.ix.byRole[r]
	return p, ok
}
