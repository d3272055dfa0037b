package org

import (
	"slices"
	"strings"
)

// IAM groups, identity providers and resource policies of a Spec.

// Group finds an IAM group of the account (by name) by name, ignoring case.
func (s *Spec) Group(account, name string) *GroupDef {
	for _, g := range s.Groups {
		if strings.EqualFold(g.Name, name) && g.Account == account {
			return g
		}
	}
	return nil
}

// JoinGroup makes the user a member of a group (by name); it reports
// whether the user was not a member before.
func (u *UserDef) JoinGroup(group string) bool {
	if slices.ContainsFunc(u.Groups, func(g string) bool { return strings.EqualFold(g, group) }) {
		return false
	}
	u.Groups = append(u.Groups, group)
	return true
}

// LeaveGroup ends the user's membership of a group; it reports whether
// there was one.
func (u *UserDef) LeaveGroup(group string) bool {
	n := len(u.Groups)
	u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return strings.EqualFold(g, group) })
	return len(u.Groups) < n
}

// Provider finds an identity provider of the account (by name) by type
// ("saml" or "oidc") and name.
func (s *Spec) Provider(account, typ, name string) *ProviderDef {
	for _, p := range s.IdentityProviders {
		if p.Type == typ && p.Name == name && s.Holds(p.Accounts, account) {
			return p
		}
	}
	return nil
}

// OwnProvider returns the definition of an identity provider for the
// account alone: a definition shared with other accounts is split in two,
// the copy for this account placed after the original, so that a change
// touches only it.
func (s *Spec) OwnProvider(account, typ, name string) *ProviderDef {
	p := s.Provider(account, typ, name)
	if p == nil {
		return nil
	}
	return splitOwn(s, &s.IdentityProviders, p, func(p *ProviderDef) *[]string { return &p.Accounts }, account)
}

// RemoveProvider deletes an identity provider definition.
func (s *Spec) RemoveProvider(p *ProviderDef) {
	if i := slices.Index(s.IdentityProviders, p); i >= 0 {
		s.IdentityProviders = slices.Delete(s.IdentityProviders, i, i+1)
	}
}

// Resource finds a resource with a resource-based policy by ARN.
func (s *Spec) Resource(arn string) *ResourceDef {
	for _, r := range s.Resources {
		if r.ARN == arn {
			return r
		}
	}
	return nil
}

// PutResourcePolicy sets a resource's policy, declaring the resource (owned
// by the account, by name; "" for the account its ARN names) if the spec
// does not have it.
func (s *Spec) PutResourcePolicy(arn, account string, doc PolicyDoc) *ResourceDef {
	r := s.Resource(arn)
	if r == nil {
		r = &ResourceDef{ARN: arn, Account: account}
		s.Resources = append(s.Resources, r)
	}
	r.Policy = doc
	return r
}

// RemoveResource deletes a resource's declaration and policy; it reports
// whether there was one.
func (s *Spec) RemoveResource(arn string) bool {
	n := len(s.Resources)
	s.Resources = slices.DeleteFunc(s.Resources, func(r *ResourceDef) bool { return r.ARN == arn })
	return len(s.Resources) < n
}
