package sso

import (
	"context"
	"errors"
	"time"

	"github.com/securecart/warden/internal/org"
)

// ErrNoUser is a user name or ID the identity store does not hold.
var ErrNoUser = errors.New("sso: no such user")

// User is a person of Identity Center's identity store.
type User struct {
	ID          string // the identity store user ID
	UserName    string
	DisplayName string
	Email       string // the primary email address (else the first); "" for none
}

// Role is a permission set a person may use in an account (the portal's
// "role"): assigned to the person or to one of the person's groups, and
// provisioned there as an AWSReservedSSO_ role.
type Role struct {
	AccountID       string
	AccountName     string
	AccountEmail    string
	PermissionSet   string // the portal's roleName
	RoleARN         string // the provisioned role
	RoleName        string
	SessionDuration time.Duration
	// Description is the permission set's description; Policies names its
	// AWS managed policies, customer managed policies and inline policy, as
	// the portal shows what the role can do.
	Description string
	Policies    []string
	// Groups names the groups the assignment comes through; Direct is set
	// when the person is assigned as a user.
	Groups []string
	Direct bool
}

// Instance names the Identity Center instance.
type Instance struct {
	InstanceARN     string
	IdentityStoreID string
	Account         string // the management account, which owns the instance
}

// IdentityStoreARN is the instance's identity store ARN, as CloudTrail's
// onBehalfOf names it.
func (in Instance) IdentityStoreARN() string {
	return "arn:aws:identitystore::" + in.Account + ":identitystore/" + in.IdentityStoreID
}

// Directory is what sign-in reads of Identity Center: its users and what
// each may use.
type Directory interface {
	Instance(ctx context.Context) (Instance, error)
	UserByName(ctx context.Context, userName string) (User, error) // ErrNoUser
	UserByID(ctx context.Context, id string) (User, error)         // ErrNoUser
	// Roles lists what a user may use, by account (in the org's order) and
	// permission set name.
	Roles(ctx context.Context, userID string) ([]Role, error)
	// Users lists every user (for the initial passwords).
	Users(ctx context.Context) ([]User, error)
}

// Orgs gives the current organization.
type Orgs interface {
	Org(ctx context.Context) (*org.Org, error)
}

// OrgDirectory reads Identity Center from the organization's model.
type OrgDirectory struct{ Orgs Orgs }

func (d OrgDirectory) ic(ctx context.Context) (*org.Org, *org.IdentityCenter, error) {
	o, err := d.Orgs.Org(ctx)
	if err != nil {
		return nil, nil, err
	}
	if o.IdentityCenter == nil {
		return o, &org.IdentityCenter{}, nil
	}
	return o, o.IdentityCenter, nil
}

// Instance implements Directory.
func (d OrgDirectory) Instance(ctx context.Context) (Instance, error) {
	o, ic, err := d.ic(ctx)
	if err != nil {
		return Instance{}, err
	}
	return Instance{InstanceARN: ic.InstanceARN, IdentityStoreID: ic.IdentityStoreID, Account: o.Management.ID}, nil
}

func user(ic *org.IdentityCenter, u *org.SSOUser) User {
	return User{ID: u.ID, UserName: u.UserName, DisplayName: u.DisplayName, Email: u.Attributes.PrimaryEmail()}
}

// UserByEmail finds the user with an email address (any of the user's
// Emails, ignoring case; addresses are unique in the directory), as SAML
// sign-in matches a NameID of format emailAddress.
func (d OrgDirectory) UserByEmail(ctx context.Context, email string) (User, error) {
	_, ic, err := d.ic(ctx)
	if err != nil {
		return User{}, err
	}
	if u, ok := ic.UserByEmail(email); ok && !u.Attributes.Disabled() {
		return user(ic, u), nil
	}
	return User{}, ErrNoUser
}

// UserByName implements Directory.
func (d OrgDirectory) UserByName(ctx context.Context, userName string) (User, error) {
	_, ic, err := d.ic(ctx)
	if err != nil {
		return User{}, err
	}
	for _, u := range ic.Users {
		if u.UserName == userName && !u.Attributes.Disabled() {
			return user(ic, u), nil
		}
	}
	return User{}, ErrNoUser
}

// UserByID implements Directory.
func (d OrgDirectory) UserByID(ctx context.Context, id string) (User, error) {
	_, ic, err := d.ic(ctx)
	if err != nil {
		return User{}, err
	}
	if u := userByID(ic, id); u != nil {
		return user(ic, u), nil
	}
	return User{}, ErrNoUser
}

// Users implements Directory.
func (d OrgDirectory) Users(ctx context.Context) ([]User, error) {
	_, ic, err := d.ic(ctx)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range ic.Users {
		out = append(out, user(ic, u))
	}
	return out, nil
}

// Roles implements Directory: the user's grants (org.IdentityCenter.Grants)
// whose role is provisioned in the account.
func (d OrgDirectory) Roles(ctx context.Context, userID string) ([]Role, error) {
	o, ic, err := d.ic(ctx)
	if err != nil {
		return nil, err
	}
	u := userByID(ic, userID)
	if u == nil {
		return nil, ErrNoUser
	}
	var out []Role
	for _, g := range ic.Grants(o, u) {
		role, ok := o.Role(g.Account.ID, g.PermissionSet.RoleName)
		if !ok {
			continue // not provisioned: it does not exist
		}
		out = append(out, Role{AccountID: g.Account.ID, AccountName: g.Account.Name, AccountEmail: g.Account.Email,
			PermissionSet: g.PermissionSet.Name, RoleARN: role.ARN, RoleName: role.Name,
			// The session duration as provisioned in the account (the role's
			// maximum), which a change to the permission set reaches with
			// ProvisionPermissionSet.
			SessionDuration: time.Duration(role.MaxSessionDuration) * time.Second,
			Description:     g.PermissionSet.Description, Policies: policyNames(g.PermissionSet)})
		r := &out[len(out)-1]
		for _, a := range g.Via {
			if a.Group != nil {
				r.Groups = append(r.Groups, a.Group.Name)
			} else {
				r.Direct = true
			}
		}
	}
	return out, nil
}

// userByID finds an enabled user by ID: a disabled user (UserStatus
// DISABLED, SCIM active false) is no one to sign-in, the portal and
// token refreshes, so its sign-ins end at its next call.
func userByID(ic *org.IdentityCenter, id string) *org.SSOUser {
	for _, u := range ic.Users {
		if u.ID == id && !u.Attributes.Disabled() {
			return u
		}
	}
	return nil
}

// policyNames names a permission set's policies: AWS managed policies by
// ARN, customer managed ones by name, and "inline policy".
func policyNames(ps *org.PermissionSet) []string {
	var out []string
	for _, p := range ps.ManagedPolicies {
		out = append(out, p.Name)
	}
	out = append(out, ps.CustomerManaged...)
	if ps.Inline != nil {
		out = append(out, "inline policy")
	}
	return out
}

// UserNames maps the directory's user IDs to their user names: who an
// Identity Center user's trail record is, when it names the person by
// onBehalfOf.userId alone (audit.UsernameOf).
func UserNames(ctx context.Context, d Directory) (map[string]string, error) {
	us, err := d.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(us))
	for _, u := range us {
		out[u.ID] = u.UserName
	}
	return out, nil
}
