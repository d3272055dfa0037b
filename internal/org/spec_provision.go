package org

import "slices"

// Provisioning, as IAM Identity Center does it (sso-admin API Reference,
// CreateAccountAssignment and ProvisionPermissionSet): an account
// assignment provisions its permission set into the account as it is then
// (the role AWSReservedSSO_<name>_<hex>); a later change to the permission
// set (its policies, boundary, session duration, description) does not
// reach the roles already provisioned until ProvisionPermissionSet runs for
// their accounts. The spec keeps, for each permission set, the older
// versions still provisioned and where (IdentityCenterDef's
// ProvisionedVersions); an account that none names has the latest.
//
//	spec.ProvisionedAccounts("Admin")    // accounts the set is provisioned to
//	spec.StaleAccounts("Admin")          // those that hold an older version
//	spec.BeforeSetChange("Admin")        // call before changing the set
//	spec.ProvisionLatest("Admin", "Dev") // ProvisionPermissionSet, or a new assignment
//
// Removing an account's last assignment of a set removes its role there,
// and with it the older version (Unassign); deleting the set removes its
// versions (RemovePermissionSet). ProvisionTo provisions a set to an
// account where it has no assignment (IdentityCenterDef's Provisioned).

// ProvisionedAccounts returns the accounts (names) a permission set is
// provisioned to: those an assignment of it covers, and those
// ProvisionPermissionSet provisioned it to without one, in document order.
func (s *Spec) ProvisionedAccounts(permissionSet string) []string {
	var out []string
	for _, a := range s.AccountAssignments() {
		if a.PermissionSet == permissionSet && !slices.Contains(out, a.Account) {
			out = append(out, a.Account)
		}
	}
	if p := s.provisionedWithout(permissionSet); p != nil {
		for _, acct := range p.Accounts {
			if !slices.Contains(out, acct) && s.Account(acct) != nil {
				out = append(out, acct)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return s.accountIndex(a) - s.accountIndex(b) })
	return out
}

func (s *Spec) accountIndex(name string) int {
	return slices.IndexFunc(s.Accounts, func(a *AccountDef) bool { return a.Name == name })
}

// StaleAccounts returns the accounts (names) where an older version of the
// permission set is provisioned.
func (s *Spec) StaleAccounts(permissionSet string) []string {
	provisioned := s.ProvisionedAccounts(permissionSet)
	var out []string
	for _, acct := range provisioned {
		if s.versionIn(permissionSet, acct) != nil {
			out = append(out, acct)
		}
	}
	return out
}

// versionIn returns the older version of a permission set provisioned in an
// account, or nil.
func (s *Spec) versionIn(permissionSet, account string) *ProvisionedVersionDef {
	if s.IdentityCenter == nil {
		return nil
	}
	for _, v := range s.IdentityCenter.ProvisionedVersions {
		if v.PermissionSet != nil && v.PermissionSet.Name == permissionSet && slices.Contains(v.Accounts, account) {
			return v
		}
	}
	return nil
}

// BeforeSetChange keeps the permission set as it is in every account
// where it is provisioned at its latest version, before a change: those
// accounts keep this version until ProvisionLatest.
func (s *Spec) BeforeSetChange(permissionSet string) {
	ic := s.IdentityCenter
	if ic == nil || ic.PermissionSet(permissionSet) == nil {
		return
	}
	var latest []string
	for _, acct := range s.ProvisionedAccounts(permissionSet) {
		if s.versionIn(permissionSet, acct) == nil {
			latest = append(latest, acct)
		}
	}
	if len(latest) == 0 {
		return
	}
	ic.ProvisionedVersions = append(ic.ProvisionedVersions, &ProvisionedVersionDef{
		PermissionSet: cloneJSON(ic.PermissionSet(permissionSet)), Accounts: latest})
}

// ProvisionLatest provisions the permission set's latest version into an
// account: the account no longer holds an older one.
func (s *Spec) ProvisionLatest(permissionSet, account string) {
	s.dropVersions(func(v *ProvisionedVersionDef) bool { return v.PermissionSet.Name == permissionSet }, account)
}

// ProvisionTo is ProvisionPermissionSet to one account: the permission
// set's latest version is provisioned there, assigned or not (AWS creates
// the role in an account without an assignment too). An account it is
// provisioned to without an assignment keeps its role until the set is
// deleted.
func (s *Spec) ProvisionTo(permissionSet, account string) {
	ic := s.IdentityCenter
	if ic == nil || ic.PermissionSet(permissionSet) == nil {
		return
	}
	if !slices.Contains(s.ProvisionedAccounts(permissionSet), account) {
		p := s.provisionedWithout(permissionSet)
		if p == nil {
			p = &ProvisionedDef{PermissionSet: permissionSet}
			ic.Provisioned = append(ic.Provisioned, p)
		}
		p.Accounts = append(p.Accounts, account)
	}
	s.ProvisionLatest(permissionSet, account)
}

// provisionedWithout returns the accounts a permission set was provisioned
// to without an assignment, or nil.
func (s *Spec) provisionedWithout(permissionSet string) *ProvisionedDef {
	if s.IdentityCenter == nil {
		return nil
	}
	for _, p := range s.IdentityCenter.Provisioned {
		if p.PermissionSet == permissionSet {
			return p
		}
	}
	return nil
}

// dropVersions removes an account (every account when "") from the
// versions match selects, and the versions left without accounts.
func (s *Spec) dropVersions(match func(*ProvisionedVersionDef) bool, account string) {
	ic := s.IdentityCenter
	if ic == nil {
		return
	}
	for _, v := range ic.ProvisionedVersions {
		if v.PermissionSet != nil && match(v) {
			v.Accounts = slices.DeleteFunc(v.Accounts, func(a string) bool { return account == "" || a == account })
		}
	}
	ic.ProvisionedVersions = slices.DeleteFunc(ic.ProvisionedVersions, func(v *ProvisionedVersionDef) bool {
		return v.PermissionSet == nil || len(v.Accounts) == 0
	})
}

// PruneVersions removes from the older versions the accounts where their
// permission set is no longer provisioned (its assignments there were
// removed with a user or a group).
func (s *Spec) PruneVersions() {
	ic := s.IdentityCenter
	if ic == nil {
		return
	}
	for _, v := range ic.ProvisionedVersions {
		if v.PermissionSet == nil {
			continue
		}
		provisioned := s.ProvisionedAccounts(v.PermissionSet.Name)
		v.Accounts = slices.DeleteFunc(v.Accounts, func(a string) bool { return !slices.Contains(provisioned, a) })
	}
	s.dropVersions(func(*ProvisionedVersionDef) bool { return false }, "")
}

// ProvisionedSet returns the permission set as it is provisioned in an
// account (an older version, or the latest), or nil when it does not
// exist.
func (s *Spec) ProvisionedSet(permissionSet, account string) *PermissionSetDef {
	if v := s.versionIn(permissionSet, account); v != nil {
		return v.PermissionSet
	}
	if s.IdentityCenter == nil {
		return nil
	}
	return s.IdentityCenter.PermissionSet(permissionSet)
}
