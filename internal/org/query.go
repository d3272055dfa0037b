package org

import (
	"strings"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// AccountByName returns the account with the given name.
func (o *Org) AccountByName(name string) (*Account, bool) {
	a, ok := o.byName[name]
	return a, ok
}

// AccountByID returns the account with the given 12-digit ID.
func (o *Org) AccountByID(id string) (*Account, bool) {
	a, ok := o.byID[id]
	return a, ok
}

// OUByName returns the OU with the given name ("Root" for the root).
func (o *Org) OUByName(name string) (*OU, bool) {
	if name == RootName {
		return o.Root, true
	}
	ou, ok := o.ouByName[name]
	return ou, ok
}

// Role returns the role with the given name in the account with the given
// ID. Names are matched exactly.
func (o *Org) Role(accountID, name string) (*Role, bool) {
	r, ok := o.roles[roleKey{accountID, name}]
	return r, ok
}

// User returns the IAM user with the given name in the account with the
// given ID.
func (o *Org) User(accountID, name string) (*User, bool) {
	u, ok := o.users[accountID+"/"+name]
	return u, ok
}

// UserPolicies returns a user's identity policies: its own, then each of its
// groups'.
func (o *Org) UserPolicies(u *User) []*policy.Policy {
	out := append([]*policy.Policy(nil), u.Policies...)
	for _, g := range u.Groups {
		out = append(out, g.Policies...)
	}
	return out
}

// SCPLevels returns the SCPs that apply to an account's principals, one
// level each for the root, every OU from the top down and the account. It
// returns nil for the management account, for an account the organization
// does not have, and when the organization defines no SCP (SCPs disabled).
// The result is shared: do not modify it.
func (o *Org) SCPLevels(accountID string) []eval.Level {
	if a, ok := o.byID[accountID]; ok {
		return a.scp
	}
	return nil
}

// RCPLevels returns the RCPs that apply to an account's resources, in the
// shape of SCPLevels; levels may be empty, since RCPFullAWSAccess, attached
// everywhere, is implicit. It returns nil for the management account and for
// an account the organization does not have. The result is shared.
func (o *Org) RCPLevels(accountID string) []eval.Level {
	if a, ok := o.byID[accountID]; ok {
		return a.rcp
	}
	return nil
}

// ResourcePolicy returns the declared resource with the given ARN.
func (o *Org) ResourcePolicy(arn string) (*Resource, bool) {
	r, ok := o.resources[arn]
	return r, ok
}

// OrgPaths returns the value of aws:PrincipalOrgPaths for a principal of the
// account: the organization ID, the root ID and the IDs of the OUs down to
// the account's, each followed by a slash, as in
// o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/. It returns "" for an account the
// organization does not have.
func (o *Org) OrgPaths(accountID string) string {
	if a, ok := o.byID[accountID]; ok {
		return a.orgPath
	}
	return ""
}

// PermissionSetRoleName returns the name of the role the permission set is
// provisioned as: AWSReservedSSO_<name>_<16 hex>.
func (o *Org) PermissionSetRoleName(name string) (string, bool) {
	r, ok := o.psRoles[name]
	return r, ok
}

// ancestors returns the OUs from the top down to the account's own; empty
// for an account under the root.
func (a *Account) ancestors() []*OU {
	var out []*OU
	for ou := a.OU; ou != nil && ou.Parent != nil; ou = ou.Parent {
		out = append(out, ou)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// precompute fills in each account's SCP and RCP levels and org path, so
// that the queries of every request are lookups.
func (l *loader) precompute() {
	o := l.o
	compiled := func(ps []*Policy) []*policy.Policy {
		out := make([]*policy.Policy, 0, len(ps))
		for _, p := range ps {
			if p.Compiled != nil {
				out = append(out, p.Compiled)
			}
		}
		return out
	}
	rootSCP, rootRCP := compiled(o.Root.SCPs), compiled(o.Root.RCPs)
	ouSCP, ouRCP := map[*OU][]*policy.Policy{}, map[*OU][]*policy.Policy{}
	for _, ou := range o.OUs {
		ouSCP[ou], ouRCP[ou] = compiled(ou.SCPs), compiled(ou.RCPs)
	}
	for _, a := range o.Accounts {
		var b strings.Builder
		b.WriteString(o.ID + "/" + o.RootID + "/")
		anc := a.ancestors()
		for _, ou := range anc {
			b.WriteString(ou.ID + "/")
		}
		a.orgPath = b.String()
		if a == o.Management {
			continue
		}
		levels := func(root []*policy.Policy, per map[*OU][]*policy.Policy, own []*Policy) []eval.Level {
			out := make([]eval.Level, 0, len(anc)+2)
			out = append(out, eval.Level{Target: RootName, Policies: root})
			for _, ou := range anc {
				out = append(out, eval.Level{Target: ou.Name, Policies: per[ou]})
			}
			return append(out, eval.Level{Target: a.Name, Policies: compiled(own)})
		}
		if o.scpEnabled {
			a.scp = levels(rootSCP, ouSCP, a.SCPs)
		}
		a.rcp = levels(rootRCP, ouRCP, a.RCPs)
	}
}
