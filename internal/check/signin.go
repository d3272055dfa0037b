package check

import (
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/org"
)

// SignIn is a test of Identity Center access instead of a request: whether
// a directory user may sign in to an account with a permission set (an
// assignment to the user or one of its groups, whose role is provisioned
// in the account).
type SignIn struct {
	User          string
	Account       string // ID (a name, or a {Name} placeholder, in the file)
	PermissionSet string
}

// runSignIn decides a sign-in test: Allow when the user may use the
// permission set in the account, else ImplicitDeny by the trust, with a note
// saying through which assignments, or that there is none.
func (c *Checker) runSignIn(t *Test) (Result, error) {
	s := t.SignIn
	fail := func(format string, args ...any) (Result, error) {
		return Result{}, &Error{File: t.File, Line: t.Line, Col: t.Col, Msg: "test " + quote(t.Name) + ": " + fmt.Sprintf(format, args...)}
	}
	ic := c.Org.IdentityCenter
	if ic == nil {
		return fail("the organization has no Identity Center instance")
	}
	u, ok := ic.SSOUser(s.User)
	if !ok {
		return fail("signIn.user: Identity Center has no user %q", s.User)
	}
	acct, ok := c.Org.AccountByID(s.Account)
	if !ok {
		return fail("signIn.account: no account %q", s.Account)
	}
	var ps *org.PermissionSet
	for _, p := range ic.PermissionSets {
		if p.Name == s.PermissionSet {
			ps = p
		}
	}
	if ps == nil {
		return fail("signIn.permissionSet: Identity Center has no permission set %q", s.PermissionSet)
	}
	// Identity Center signs a person in by assuming the permission set's
	// role in the account (AssumeRoleWithSAML): without an assignment there
	// is no role whose trust admits the person, so a denial is the trust's.
	r := Result{Name: t.Name, Decision: "ImplicitDeny", Expect: t.Expect, DeniedBy: "trust", Reasons: []Reason{}, Test: t}
	r.Note = fmt.Sprintf("no assignment gives %s %s in %s, directly or through a group", s.User, ps.Name, acct.Name)
	for _, g := range ic.Grants(c.Org, u) {
		if g.Account != acct || g.PermissionSet != ps {
			continue
		}
		if _, provisioned := c.Org.Role(acct.ID, ps.RoleName); !provisioned {
			r.Note = fmt.Sprintf("%s is assigned but not provisioned in %s", ps.Name, acct.Name)
			break
		}
		var via []string
		for _, a := range g.Via {
			who := "group " + a.Group.Name
			if a.User != nil {
				who = "user " + a.User.UserName
			}
			via = append(via, fmt.Sprintf("%s (%s)", who, a.Pos))
		}
		r.Decision, r.DeniedBy = "Allow", "none"
		r.Note = "assigned to " + strings.Join(via, ", ")
	}
	switch t.Expect {
	case "allow":
		r.Pass = r.Decision == "Allow"
	case "deny", "implicit-deny":
		r.Pass = r.Decision != "Allow" && (t.DeniedBy == "" || t.DeniedBy == "trust")
	}
	return r, nil
}
