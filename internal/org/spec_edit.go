package org

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
)

// The lookups and edits of a Spec. Names follow the format: accounts, OUs,
// SCPs and RCPs match exactly; IAM names (roles, users, groups, managed
// policies) ignore case, as IAM's do.

// Load loads the spec as the loader loads an org file; an invalid spec is an
// ErrorList. Documents that no role or target uses (an SCP attached to
// nothing) are allowed, as the APIs allow them.
func (s *Spec) Load() (*Org, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return LoadFSWith(fstest.MapFS{"state.json": {Data: data}}, "state.json", Options{AllowDetached: true})
}

// Clone returns a deep copy of the spec.
func (s *Spec) Clone() *Spec { return cloneJSON(s) }

// Management returns the management account's name.
func (s *Spec) Management() string {
	if s.Organization == nil {
		return ""
	}
	return s.Organization.ManagementAccount
}

// Account finds an account by name.
func (s *Spec) Account(name string) *AccountDef {
	for _, a := range s.Accounts {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// AccountByID finds an account by ID.
func (s *Spec) AccountByID(id string) *AccountDef {
	for _, a := range s.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// AccountName returns the name of the account with the ID ("" for none).
func (s *Spec) AccountName(id string) string {
	if a := s.AccountByID(id); a != nil {
		return a.Name
	}
	return ""
}

// Members returns the names of the member accounts, in document order.
func (s *Spec) Members() []string {
	var out []string
	for _, a := range s.Accounts {
		if a.Name != s.Management() {
			out = append(out, a.Name)
		}
	}
	return out
}

// ExpandAccounts returns the account names a list gives, "*" expanded to
// every member account, without repeats.
func (s *Spec) ExpandAccounts(list []string) []string {
	var out []string
	add := func(n string) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, n := range list {
		if n == "*" {
			for _, m := range s.Members() {
				add(m)
			}
			continue
		}
		add(n)
	}
	return out
}

// Holds reports whether an accounts list includes the account (by name):
// by name, or through "*" for a member account.
func (s *Spec) Holds(list []string, account string) bool {
	for _, n := range list {
		if n == account || (n == "*" && account != "" && account != s.Management()) {
			return true
		}
	}
	return false
}

// OU finds an OU by name.
func (s *Spec) OU(name string) *OUDef {
	for _, o := range s.OUs {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Policy finds an SCP, RCP or managed policy by type and exact name.
func (s *Spec) Policy(typ, name string) *PolicyDef {
	for _, p := range s.Policies {
		if p.Type == typ && p.Name == name {
			return p
		}
	}
	return nil
}

// RemovePolicy deletes a policy; it reports whether there was one.
func (s *Spec) RemovePolicy(p *PolicyDef) bool {
	i := slices.Index(s.Policies, p)
	if i < 0 {
		return false
	}
	s.Policies = slices.Delete(s.Policies, i, i+1)
	return true
}

// Attached reports whether an SCP or RCP is attached to the target (the
// root as RootName, an OU or account by name).
func (p *PolicyDef) Attached(target string) bool { return slices.Contains(p.Attach, target) }

// AttachTo attaches an SCP or RCP to a target; it reports whether it was
// not attached before.
func (p *PolicyDef) AttachTo(target string) bool {
	if p.Attached(target) {
		return false
	}
	p.Attach = append(p.Attach, target)
	return true
}

// DetachFrom detaches an SCP or RCP; it reports whether it was attached.
func (p *PolicyDef) DetachFrom(target string) bool {
	i := slices.Index(p.Attach, target)
	if i < 0 {
		return false
	}
	p.Attach = slices.Delete(p.Attach, i, i+1)
	return true
}

// ManagedPolicy finds a customer managed policy by name (ignoring case),
// whichever accounts hold it.
func (s *Spec) ManagedPolicy(name string) *PolicyDef {
	for _, p := range s.Policies {
		if p.Type == TypeManaged && strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// ManagedIn returns the customer managed policies that the account holds.
func (s *Spec) ManagedIn(account string) []*PolicyDef {
	var out []*PolicyDef
	for _, p := range s.Policies {
		if p.Type == TypeManaged && s.Holds(p.Accounts, account) {
			out = append(out, p)
		}
	}
	return out
}

// DefaultVersionID is the version ID of a managed policy's default version
// (its Document): the one after its other versions' highest, v1 when it
// has none.
func (p *PolicyDef) DefaultVersionID() string {
	n := 0
	for _, v := range p.Versions {
		n = max(n, VersionNumber(v.ID))
	}
	return "v" + strconv.Itoa(n+1)
}

// IAMPath returns a managed policy's path, "/" when the spec gives none.
func (p *PolicyDef) IAMPath() string { return pathOr(p.Path) }

// ARNIn returns a managed policy's ARN in the account with the ID.
func (p *PolicyDef) ARNIn(accountID string) string {
	return "arn:aws:iam::" + accountID + ":policy" + p.IAMPath() + p.Name
}

// ManagedByARN finds the customer managed policy an ARN names in the
// account with the ID: the account's own copy, at the ARN's path.
func (s *Spec) ManagedByARN(accountID, arn string) *PolicyDef {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::"+accountID+":policy/")
	if !ok {
		return nil
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	path := "/" + rest[:len(rest)-len(name)]
	p := s.ManagedPolicy(name)
	if p == nil || p.IAMPath() != path || p.Name != name || !s.Holds(p.Accounts, s.AccountName(accountID)) {
		return nil
	}
	return p
}

// RefARN returns the ARN of a policy reference as the format writes it in
// the account with the ID: an AWS managed policy's ARN as it is, a customer
// managed policy's name as its copy's ARN there.
func (s *Spec) RefARN(accountID, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	if p := s.ManagedPolicy(ref); p != nil {
		return p.ARNIn(accountID)
	}
	return "arn:aws:iam::" + accountID + ":policy/" + ref
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// IAMPath returns a role's path, "/" when the spec gives none.
func (r *RoleDef) IAMPath() string { return pathOr(r.Path) }

// IAMPath returns a user's path, "/" when the spec gives none.
func (u *UserDef) IAMPath() string { return pathOr(u.Path) }

// IAMPath returns a group's path, "/" when the spec gives none.
func (g *GroupDef) IAMPath() string { return pathOr(g.Path) }

// Role finds the definition of a role (ignoring case) that provisions it
// into the account (by name).
func (s *Spec) Role(account, name string) *RoleDef {
	for _, r := range s.Roles {
		if strings.EqualFold(r.Name, name) && s.Holds(r.Accounts, account) {
			return r
		}
	}
	return nil
}

// RolesIn returns the role definitions provisioned into the account.
func (s *Spec) RolesIn(account string) []*RoleDef {
	var out []*RoleDef
	for _, r := range s.Roles {
		if s.Holds(r.Accounts, account) {
			out = append(out, r)
		}
	}
	return out
}

// OwnRole returns the definition of a role for the account alone: a
// definition shared with other accounts is split in two, the copy for this
// account placed after the original, so that a change touches only it.
func (s *Spec) OwnRole(account, name string) *RoleDef {
	r := s.Role(account, name)
	if r == nil {
		return nil
	}
	return splitOwn(s, &s.Roles, r, func(r *RoleDef) *[]string { return &r.Accounts }, account)
}

// splitOwn returns def (an entry of *list, in the accounts accounts(def)
// holds) for the account alone: the account is taken out of a definition
// shared with others and given a copy of its own, placed after the
// original.
func splitOwn[T any](s *Spec, list *[]*T, def *T, accounts func(*T) *[]string, account string) *T {
	names := s.ExpandAccounts(*accounts(def))
	if len(names) <= 1 {
		*accounts(def) = []string{account}
		return def
	}
	*accounts(def) = slices.DeleteFunc(names, func(n string) bool { return n == account })
	cp := cloneJSON(def)
	*accounts(cp) = []string{account}
	i := slices.Index(*list, def)
	*list = slices.Insert(*list, i+1, cp)
	return cp
}

// RemoveRole deletes a role definition.
func (s *Spec) RemoveRole(r *RoleDef) {
	if i := slices.Index(s.Roles, r); i >= 0 {
		s.Roles = slices.Delete(s.Roles, i, i+1)
	}
}

// RoleEverywhere reports whether a role of that name (ignoring case) is
// provisioned into every member account (accounts: ["*"]), and so into a
// new one.
func (s *Spec) RoleEverywhere(name string) bool {
	for _, r := range s.Roles {
		if strings.EqualFold(r.Name, name) && slices.Contains(r.Accounts, "*") {
			return true
		}
	}
	return false
}

// User finds an IAM user of the account (by name) by name, ignoring case.
func (s *Spec) User(account, name string) *UserDef {
	for _, u := range s.Users {
		if strings.EqualFold(u.Name, name) && u.Account == account {
			return u
		}
	}
	return nil
}

// UsersIn returns the IAM users of the account.
func (s *Spec) UsersIn(account string) []*UserDef {
	var out []*UserDef
	for _, u := range s.Users {
		if u.Account == account {
			out = append(out, u)
		}
	}
	return out
}

// RemoveUser deletes a user definition.
func (s *Spec) RemoveUser(u *UserDef) {
	if i := slices.Index(s.Users, u); i >= 0 {
		s.Users = slices.Delete(s.Users, i, i+1)
	}
}

// GroupsIn returns the IAM groups of the account.
func (s *Spec) GroupsIn(account string) []*GroupDef {
	var out []*GroupDef
	for _, g := range s.Groups {
		if g.Account == account {
			out = append(out, g)
		}
	}
	return out
}

// ServiceLinkedRole finds a service-linked role of the account by exact
// name.
func (s *Spec) ServiceLinkedRole(account, name string) *SLRDef {
	for _, r := range s.ServiceLinkedRoles {
		if r.Name == name && s.Holds(r.Accounts, account) {
			return r
		}
	}
	return nil
}

// cloneJSON deep-copies a value of the spec through its JSON.
func cloneJSON[T any](v *T) *T {
	data, err := json.Marshal(v)
	if err != nil {
		panic("org: a spec value does not marshal: " + err.Error())
	}
	out := new(T)
	if err := json.Unmarshal(data, out); err != nil {
		panic("org: a spec value does not unmarshal: " + err.Error())
	}
	return out
}
