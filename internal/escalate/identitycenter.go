package escalate

import (
	"github.com/securecart/warden/internal/org"
)

// identityCenterEdges adds the edges of Identity Center assignments: a
// principal signed in through Identity Center (a role provisioned from a
// permission set) that may call sso:CreateAccountAssignment can assign its
// own user any permission set in any account, then sign in to the role
// Identity Center provisions for it there.
func (a *analyzer) identityCenterEdges() {
	ic := a.o.IdentityCenter
	if ic == nil {
		return
	}
	var psRoles []*Node
	for _, n := range a.nodes {
		if n.Role != nil && n.Role.PermissionSet != "" {
			psRoles = append(psRoles, n)
		}
	}
	a.groupEdges(psRoles)
	for _, from := range psRoles {
		if !from.may("sso:CreateAccountAssignment") {
			continue
		}
		for _, to := range psRoles {
			if to == from {
				continue
			}
			ps := a.permissionSet(to.Role)
			st := a.decide(from, request{action: "sso:CreateAccountAssignment", resource: ps})
			if st == nil {
				continue
			}
			acct := a.decide(from, request{action: "sso:CreateAccountAssignment", resource: "arn:aws:sso:::account/" + to.Account.ID})
			if acct == nil {
				continue
			}
			acct.Note = "assigns permission set " + to.Role.PermissionSet + " in " + to.Account.Name + " to the caller's own Identity Center user, who signs in to " + to.ARN
			a.edge(from, to, KindAccountAssignment, *st, *acct)
		}
	}
}

// groupEdges adds the edges of Identity Center group memberships: a
// principal signed in through Identity Center that may call
// identitystore:CreateGroupMembership (on the identity store and the
// group) can add its own user to a group, then sign in to the roles of the
// permission sets assigned to the group.
func (a *analyzer) groupEdges(psRoles []*Node) {
	ic := a.o.IdentityCenter
	if ic.IdentityStoreID == "" || a.o.Management == nil {
		return
	}
	store := "arn:aws:identitystore::" + a.o.Management.ID + ":identitystore/" + ic.IdentityStoreID
	for _, from := range psRoles {
		if !from.may("identitystore:CreateGroupMembership") {
			continue
		}
		for _, as := range ic.Assignments {
			if as.Group == nil || onlyThrough(ic.Assignments, from, as.Group) {
				continue
			}
			group := "arn:aws:identitystore:::group/" + as.Group.ID
			var steps []Step
			for _, res := range []string{store, group} {
				st := a.decide(from, request{action: "identitystore:CreateGroupMembership", resource: res})
				if st == nil {
					steps = nil
					break
				}
				steps = append(steps, *st)
			}
			if steps == nil {
				continue
			}
			for _, to := range psRoles {
				if to == from || to.Role.PermissionSet != as.PermissionSet.Name || !assignedIn(as.Accounts, to) {
					continue
				}
				last := steps[len(steps)-1]
				last.Note = "adds the caller's own Identity Center user to group " + as.Group.Name + ", assigned permission set " +
					as.PermissionSet.Name + " in " + to.Account.Name + ": the user signs in to " + to.ARN
				a.edge(from, to, KindGroupMembership, append(steps[:len(steps)-1:len(steps)-1], last)...)
			}
		}
	}
}

func assignedIn(accts []*org.Account, n *Node) bool {
	for _, ac := range accts {
		if ac == n.Account {
			return true
		}
	}
	return false
}

// onlyThrough reports whether every assignment that gives a permission
// set's role to its people goes through the group: they are all in it
// already, and joining it gains nothing.
func onlyThrough(as []*org.Assignment, n *Node, g *org.SSOGroup) bool {
	for _, x := range as {
		if x.PermissionSet.Name == n.Role.PermissionSet && assignedIn(x.Accounts, n) && x.Group != g {
			return false
		}
	}
	return true
}
