package org

// Grant is a permission set a directory user may use in an account: the
// assignments that give it, to the user or to one of the user's groups.
type Grant struct {
	Account       *Account
	PermissionSet *PermissionSet
	Via           []*Assignment
}

// Grants lists what a user may use, by account (in the org's order) and
// permission set (in the instance's order). Whether the role is
// provisioned is the org's to say (Org.Role): an assignment provisions it.
func (ic *IdentityCenter) Grants(o *Org, u *SSOUser) []Grant {
	inGroup := map[*SSOGroup]bool{}
	for _, g := range u.Groups {
		inGroup[g] = true
	}
	type key struct {
		acct *Account
		ps   *PermissionSet
	}
	via := map[key][]*Assignment{}
	for _, a := range ic.Assignments {
		if a.PermissionSet == nil || !(a.User == u || (a.Group != nil && inGroup[a.Group])) {
			continue
		}
		for _, acct := range a.Accounts {
			k := key{acct, a.PermissionSet}
			via[k] = append(via[k], a)
		}
	}
	var out []Grant
	for _, acct := range o.Accounts {
		for _, ps := range ic.PermissionSets {
			if v := via[key{acct, ps}]; len(v) > 0 {
				out = append(out, Grant{Account: acct, PermissionSet: ps, Via: v})
			}
		}
	}
	return out
}

// SSOUser finds a directory user by exact UserName.
func (ic *IdentityCenter) SSOUser(userName string) (*SSOUser, bool) {
	for _, u := range ic.Users {
		if u.UserName == userName {
			return u, true
		}
	}
	return nil, false
}
