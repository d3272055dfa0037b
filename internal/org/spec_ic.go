package org

import (
	"fmt"
	"slices"
	"strings"
)

// The Identity Center part of a Spec: the directory's users and groups,
// group memberships (a user's Groups), permission sets and account
// assignments. The API the identitystore and sso-admin handlers build on:
//
//	ic := spec.IdentityCenter             // nil: the org has no instance
//	u := ic.User("alice")                 // users by UserName, ignoring case
//	err := ic.AddUser(&SSOUserDef{...})   // validated, unique
//	ic.RemoveUser("alice")                // and the user's assignments
//	g := ic.Group("Developers")           // groups by name, ignoring case
//	err = ic.AddGroup(&SSOGroupDef{...})
//	ic.RemoveGroup("Developers")          // and its memberships and assignments
//	err = ic.AddMember("alice", "Developers")
//	ic.RemoveMember("alice", "Developers")
//	ic.Members("Developers")              // user names
//	ps := ic.PermissionSet("Admin")       // exact name
//	err = ic.AddPermissionSet(&PermissionSetDef{...})
//	ic.RemovePermissionSet("Admin")
//	spec.Assign("Admin", UserPrincipal("alice"), "Dev")   // one account assignment
//	spec.Unassign("Admin", GroupPrincipal("Ops"), "Prod")
//	spec.AccountAssignments()             // every (set, principal, account)
//
// A change is checked here for what belongs to one value (names, lengths,
// patterns, duplicates); the loader judges the whole when the spec is
// stored (Load), as for every other change.

// Principal is an assignment's user or group, by name.
type Principal struct {
	Type string // PrincipalUser or PrincipalGroup
	Name string
}

// Principal types, as sso-admin names them.
const (
	PrincipalUser  = "USER"
	PrincipalGroup = "GROUP"
)

// UserPrincipal returns the principal of a directory user.
func UserPrincipal(name string) Principal { return Principal{Type: PrincipalUser, Name: name} }

// GroupPrincipal returns the principal of a directory group.
func GroupPrincipal(name string) Principal { return Principal{Type: PrincipalGroup, Name: name} }

// AccountAssignment is one permission set given to one principal in one
// account.
type AccountAssignment struct {
	PermissionSet string
	Principal     Principal
	Account       string // name
}

// User finds a directory user by UserName, ignoring case.
func (ic *IdentityCenterDef) User(name string) *SSOUserDef {
	for _, u := range ic.Users {
		if strings.EqualFold(u.UserName, name) {
			return u
		}
	}
	return nil
}

// AddUser adds a directory user with a valid, unused UserName and groups
// that exist.
func (ic *IdentityCenterDef) AddUser(u *SSOUserDef) error {
	if err := CheckSSOUserName(u.UserName); err != nil {
		return err
	}
	if ic.User(u.UserName) != nil {
		return fmt.Errorf("%w: a user named %s already exists", ErrDuplicate, u.UserName)
	}
	if err := ic.checkIDFree(u.ID); err != nil {
		return err
	}
	if err := ic.CheckUser(u); err != nil {
		return err
	}
	for _, g := range u.Groups {
		if ic.Group(g) == nil {
			return fmt.Errorf("%w: group %s", ErrUnknown, g)
		}
	}
	ic.Users = append(ic.Users, u)
	return nil
}

// RemoveUser deletes a directory user and the assignments naming it; it
// reports whether there was one.
func (ic *IdentityCenterDef) RemoveUser(name string) bool {
	u := ic.User(name)
	if u == nil {
		return false
	}
	ic.Users = slices.DeleteFunc(ic.Users, func(x *SSOUserDef) bool { return x == u })
	ic.Assignments = slices.DeleteFunc(ic.Assignments, func(a *AssignmentDef) bool { return a.User == u.UserName })
	return true
}

// Group finds a directory group by name, ignoring case.
func (ic *IdentityCenterDef) Group(name string) *SSOGroupDef {
	for _, g := range ic.Groups {
		if strings.EqualFold(g.Name, name) {
			return g
		}
	}
	return nil
}

// AddGroup adds a directory group with a valid, unused name.
func (ic *IdentityCenterDef) AddGroup(g *SSOGroupDef) error {
	if err := CheckSSOGroupName(g.Name); err != nil {
		return err
	}
	if ic.Group(g.Name) != nil {
		return fmt.Errorf("%w: a group named %s already exists", ErrDuplicate, g.Name)
	}
	if err := ic.checkIDFree(g.ID); err != nil {
		return err
	}
	if err := ic.CheckGroup(g); err != nil {
		return err
	}
	ic.Groups = append(ic.Groups, g)
	return nil
}

// RemoveGroup deletes a directory group, its memberships and the
// assignments naming it; it reports whether there was one.
func (ic *IdentityCenterDef) RemoveGroup(name string) bool {
	g := ic.Group(name)
	if g == nil {
		return false
	}
	ic.Groups = slices.DeleteFunc(ic.Groups, func(x *SSOGroupDef) bool { return x == g })
	for _, u := range ic.Users {
		u.Groups = slices.DeleteFunc(u.Groups, func(x string) bool { return x == g.Name })
	}
	ic.Assignments = slices.DeleteFunc(ic.Assignments, func(a *AssignmentDef) bool { return a.Group == g.Name })
	return true
}

// Members returns the user names of a group's members, in document order.
func (ic *IdentityCenterDef) Members(group string) []string {
	g := ic.Group(group)
	if g == nil {
		return nil
	}
	var out []string
	for _, u := range ic.Users {
		if slices.Contains(u.Groups, g.Name) {
			out = append(out, u.UserName)
		}
	}
	return out
}

// AddMember makes a user a member of a group; both must exist, and the
// membership must be new.
func (ic *IdentityCenterDef) AddMember(user, group string) error {
	u, g := ic.User(user), ic.Group(group)
	switch {
	case u == nil:
		return fmt.Errorf("%w: user %s", ErrUnknown, user)
	case g == nil:
		return fmt.Errorf("%w: group %s", ErrUnknown, group)
	case slices.Contains(u.Groups, g.Name):
		return fmt.Errorf("%w: %s is a member of %s already", ErrDuplicate, u.UserName, g.Name)
	}
	u.Groups = append(u.Groups, g.Name)
	return nil
}

// RemoveMember ends a membership; it reports whether there was one.
func (ic *IdentityCenterDef) RemoveMember(user, group string) bool {
	u, g := ic.User(user), ic.Group(group)
	if u == nil || g == nil || !slices.Contains(u.Groups, g.Name) {
		return false
	}
	u.Groups = slices.DeleteFunc(u.Groups, func(x string) bool { return x == g.Name })
	return true
}

// PermissionSet finds a permission set by its exact name.
func (ic *IdentityCenterDef) PermissionSet(name string) *PermissionSetDef {
	for _, ps := range ic.PermissionSets {
		if ps.Name == name {
			return ps
		}
	}
	return nil
}

// AddPermissionSet adds a valid permission set of an unused name.
func (ic *IdentityCenterDef) AddPermissionSet(ps *PermissionSetDef) error {
	if err := CheckPermissionSet(ps); err != nil {
		return err
	}
	if ic.PermissionSet(ps.Name) != nil {
		return fmt.Errorf("%w: a permission set named %s already exists", ErrDuplicate, ps.Name)
	}
	ic.PermissionSets = append(ic.PermissionSets, ps)
	return nil
}

// RemovePermissionSet deletes a permission set and its assignments; it
// reports whether there was one.
func (ic *IdentityCenterDef) RemovePermissionSet(name string) bool {
	ps := ic.PermissionSet(name)
	if ps == nil {
		return false
	}
	ic.PermissionSets = slices.DeleteFunc(ic.PermissionSets, func(x *PermissionSetDef) bool { return x == ps })
	ic.Assignments = slices.DeleteFunc(ic.Assignments, func(a *AssignmentDef) bool { return a.PermissionSet == name })
	ic.ProvisionedVersions = slices.DeleteFunc(ic.ProvisionedVersions, func(v *ProvisionedVersionDef) bool {
		return v.PermissionSet == nil || v.PermissionSet.Name == name
	})
	ic.Provisioned = slices.DeleteFunc(ic.Provisioned, func(p *ProvisionedDef) bool { return p.PermissionSet == name })
	return true
}

// principal returns an assignment's principal.
func (a *AssignmentDef) principal() Principal {
	if a.User != "" {
		return UserPrincipal(a.User)
	}
	return GroupPrincipal(a.Group)
}

// AssignmentAccounts returns the accounts (names) an assignment covers, in
// document order: those it names and those in its OUs and below.
func (s *Spec) AssignmentAccounts(a *AssignmentDef) []string {
	var out []string
	for _, acct := range s.Accounts {
		if slices.Contains(a.Accounts, acct.Name) || slices.ContainsFunc(a.OUs, func(ou string) bool { return s.inOU(acct, ou) }) {
			out = append(out, acct.Name)
		}
	}
	return out
}

// inOU reports whether an account is in the OU (by name, RootName for the
// root) or below it.
func (s *Spec) inOU(a *AccountDef, ou string) bool {
	if ou == RootName {
		return true
	}
	cur := a.OU
	for depth := 0; cur != "" && cur != RootName && depth <= MaxOUDepth; depth++ {
		if cur == ou {
			return true
		}
		o := s.OU(cur)
		if o == nil {
			return false
		}
		cur = o.Parent
	}
	return false
}

// AccountAssignments returns every account assignment, in document order,
// without repeats.
func (s *Spec) AccountAssignments() []AccountAssignment {
	if s.IdentityCenter == nil {
		return nil
	}
	var out []AccountAssignment
	for _, a := range s.IdentityCenter.Assignments {
		for _, acct := range s.AssignmentAccounts(a) {
			aa := AccountAssignment{PermissionSet: a.PermissionSet, Principal: a.principal(), Account: acct}
			if !slices.Contains(out, aa) {
				out = append(out, aa)
			}
		}
	}
	return out
}

// Assigned reports whether the principal has the permission set in the
// account.
func (s *Spec) Assigned(permissionSet string, p Principal, account string) bool {
	return slices.Contains(s.AccountAssignments(), AccountAssignment{PermissionSet: permissionSet, Principal: p, Account: account})
}

// Assign gives a principal a permission set in an account; all three must
// exist. It reports whether the assignment is new.
func (s *Spec) Assign(permissionSet string, p Principal, account string) (bool, error) {
	ic := s.IdentityCenter
	if ic == nil {
		return false, fmt.Errorf("%w: the organization has no Identity Center instance", ErrUnknown)
	}
	if err := s.checkAssignment(permissionSet, p, account); err != nil {
		return false, err
	}
	if s.Assigned(permissionSet, p, account) {
		return false, nil
	}
	for _, a := range ic.Assignments {
		if a.PermissionSet == permissionSet && a.principal() == p && len(a.OUs) == 0 {
			a.Accounts = append(a.Accounts, account)
			return true, nil
		}
	}
	a := &AssignmentDef{PermissionSet: permissionSet, Accounts: []string{account}}
	if p.Type == PrincipalUser {
		a.User = p.Name
	} else {
		a.Group = p.Name
	}
	ic.Assignments = append(ic.Assignments, a)
	return true, nil
}

func (s *Spec) checkAssignment(permissionSet string, p Principal, account string) error {
	ic := s.IdentityCenter
	switch {
	case ic.PermissionSet(permissionSet) == nil:
		return fmt.Errorf("%w: permission set %s", ErrUnknown, permissionSet)
	case p.Type == PrincipalUser && (ic.User(p.Name) == nil || ic.User(p.Name).UserName != p.Name):
		return fmt.Errorf("%w: user %s", ErrUnknown, p.Name)
	case p.Type == PrincipalGroup && (ic.Group(p.Name) == nil || ic.Group(p.Name).Name != p.Name):
		return fmt.Errorf("%w: group %s", ErrUnknown, p.Name)
	case p.Type != PrincipalUser && p.Type != PrincipalGroup:
		return fmt.Errorf("%w: principal type %q: want USER or GROUP", ErrInvalidValue, p.Type)
	case s.Account(account) == nil:
		return fmt.Errorf("%w: account %s", ErrUnknown, account)
	}
	return nil
}

// Unassign removes a principal's permission set in an account, whether an
// assignment names the account or one of its OUs (that assignment then
// names its other accounts one by one). It reports whether there was one.
func (s *Spec) Unassign(permissionSet string, p Principal, account string) bool {
	ic := s.IdentityCenter
	if ic == nil {
		return false
	}
	found := false
	for _, a := range ic.Assignments {
		if a.PermissionSet != permissionSet || a.principal() != p {
			continue
		}
		covered := s.AssignmentAccounts(a)
		if !slices.Contains(covered, account) {
			continue
		}
		found = true
		a.Accounts = slices.DeleteFunc(covered, func(n string) bool { return n == account })
		a.OUs = nil
	}
	ic.Assignments = slices.DeleteFunc(ic.Assignments, func(a *AssignmentDef) bool {
		return len(a.Accounts) == 0 && len(a.OUs) == 0
	})
	if found && !slices.Contains(s.ProvisionedAccounts(permissionSet), account) {
		// The account's last assignment: its role, of whatever version, goes.
		s.ProvisionLatest(permissionSet, account)
	}
	return found
}

// UserByEmail finds the directory user with an email address, ignoring
// case.
func (ic *IdentityCenterDef) UserByEmail(email string) *SSOUserDef {
	for _, u := range ic.Users {
		if u.HasEmail(email) {
			return u
		}
	}
	return nil
}

// CheckUser checks a user's attributes and that its email addresses and
// external IDs name no other user of the directory.
func (ic *IdentityCenterDef) CheckUser(u *SSOUserDef) error {
	if err := checkSensitive("displayName", u.DisplayName); err != nil {
		return err
	}
	if err := CheckUserAttributes(&u.UserAttributes); err != nil {
		return err
	}
	for _, o := range ic.Users {
		if o == u || strings.EqualFold(o.UserName, u.UserName) {
			continue
		}
		for _, e := range u.Emails {
			if o.HasEmail(e.Value) {
				return fmt.Errorf("%w: the email address %s is the user %s's already", ErrDuplicate, e.Value, o.UserName)
			}
		}
		for _, x := range u.ExternalIDs {
			if HasExternalID(o.ExternalIDs, x.Issuer, x.ID) {
				return fmt.Errorf("%w: the external ID %s %s is the user %s's already", ErrDuplicate, x.Issuer, x.ID, o.UserName)
			}
		}
	}
	return nil
}

// CheckGroup checks a group's external IDs, which must name no other
// group.
func (ic *IdentityCenterDef) CheckGroup(g *SSOGroupDef) error {
	if err := checkSensitive("description", g.Description); err != nil {
		return err
	}
	if err := CheckExternalIDs(g.ExternalIDs); err != nil {
		return err
	}
	for _, o := range ic.Groups {
		if o == g || strings.EqualFold(o.Name, g.Name) {
			continue
		}
		for _, x := range g.ExternalIDs {
			if HasExternalID(o.ExternalIDs, x.Issuer, x.ID) {
				return fmt.Errorf("%w: the external ID %s %s is the group %s's already", ErrDuplicate, x.Issuer, x.ID, o.Name)
			}
		}
	}
	return nil
}
