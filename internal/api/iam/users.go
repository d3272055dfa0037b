package iam

import (
	"context"
	"slices"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/state"
)

// userRec is an IAM user of one account.
type userRec struct {
	Name, Path, ARN string
	Account         string            // ID
	Managed         []string          // ARNs of the attached managed policies
	Inline          map[string]string // inline policy name -> text
	Boundary        string
	Tags            map[string]string
	Groups          []string
}

func userFromDef(m *model, acctID string, def *org.UserDef) *userRec {
	u := &userRec{Name: def.Name, Path: def.IAMPath(), Account: acctID, Groups: slices.Clone(def.Groups)}
	u.ARN = userARN(acctID, u.Path, u.Name)
	u.Managed, u.Inline, u.Boundary, u.Tags = entityPolicies(m, acctID, &def.Entity)
	return u
}

// findUser finds an IAM user of the account by name (ignoring case).
func findUser(m *model, acctID, name string) (*userRec, bool) {
	def := m.User(m.AccountName(acctID), name)
	if def == nil {
		return nil, false
	}
	return userFromDef(m, acctID, def), true
}

// accountUsers returns every IAM user of the account (the org does not
// matter: users are the document's alone).
func accountUsers(m *model, _ *org.Org, acctID string) []*userRec {
	var out []*userRec
	for _, def := range m.UsersIn(m.AccountName(acctID)) {
		out = append(out, userFromDef(m, acctID, def))
	}
	return out
}

// userTarget is the user a call names (UserName), or the calling user or
// root user when the action defaults to the caller.
type userTarget struct {
	rec  *userRec
	name string // "" for the root user
	arn  string
	root bool
}

// targetUser reads UserName and finds the user in the caller's account.
// When optional and UserName is absent, the target is the caller itself:
// its IAM user, or its account's root user; other callers must name a user.
func (s *Service) targetUser(ctx context.Context, c *api.Call, optional bool) (*model, *userTarget, error) {
	var name string
	if c.Params.Has("UserName") || !optional {
		n, err := requiredName(c, "UserName", org.MaxUserName)
		if err != nil {
			return nil, nil, err
		}
		name = n
	}
	m, _, err := s.view(ctx)
	if err != nil {
		return nil, nil, err
	}
	acct := c.Identity.Account
	t := &userTarget{name: name}
	if name == "" {
		switch c.Identity.Kind {
		case policy.CallerRoot: // itself, or a GetSessionToken session of it
			t.root, t.arn = true, "arn:aws:iam::"+acct+":root"
			return m, t, nil
		case policy.CallerUser:
			caller, err := policy.ParseCaller(c.Identity.ARN)
			if err != nil {
				return nil, nil, err
			}
			t.name = caller.Name
		default:
			return nil, nil, validationf("Must specify userName when calling with non-User credentials")
		}
	}
	t.arn = userARN(acct, "/", t.name)
	if u, ok := findUser(m, acct, t.name); ok {
		t.rec, t.arn, t.name = u, u.ARN, u.Name
	}
	return m, t, nil
}

// context returns the condition keys of a call on the user: its tags and
// permissions boundary.
func (t *userTarget) context(extra map[string][]string) map[string][]string {
	if extra == nil {
		extra = map[string][]string{}
	}
	if t.rec == nil {
		return extra
	}
	return entityContext(t.rec.Tags, t.rec.Boundary, extra)
}

// found returns NoSuchEntity for a user that does not exist.
func (t *userTarget) found() error {
	if t.rec == nil && !t.root {
		return noSuchEntity("The user with name %s cannot be found.", t.name)
	}
	return nil
}

// modifiable lets every user change: AWS manages none.
func (t *userTarget) modifiable() error { return nil }

// ownUser returns the user's definition for a change, or NoSuchEntity.
func ownUser(m *model, acctID, name string) (*org.UserDef, error) {
	def := m.User(m.AccountName(acctID), name)
	if def == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return def, nil
}

// userStruct is the User data type of a user.
func (s *Service) userStruct(ctx context.Context, d *state.Doc, u *userRec, withTags bool) User {
	out := User{Path: u.Path, UserName: u.Name, UserID: creds.StableID("AIDA", u.ARN), Arn: u.ARN,
		CreateDate: isoTime(s.created(ctx, d, u.ARN))}
	if withTags {
		out.PermissionsBoundary = boundaryOf(u.Boundary)
		out.Tags = tagList(u.Tags)
	}
	return out
}

// userResource is the trail's record of a user.
func userResource(arn, acct string) []api.Resource {
	return []api.Resource{{ARN: arn, Type: "AWS::IAM::User", Account: acct}}
}

// owner is the store's owner of the target's access keys and MFA
// devices: the user's ARN, or the root user's.
func (t *userTarget) owner() string { return t.arn }

// keyNotFound is IAM's NoSuchEntity for an access key.
func keyNotFound(id string) error {
	return awsproto.Errorf("NoSuchEntity", "The Access Key with id %s cannot be found", id)
}

// listOfUser starts ListAccessKeys and ListMFADevices: it reads UserName
// (the caller when absent) and MaxItems, authorizes action on the user and
// checks that it exists.
func (s *Service) listOfUser(ctx context.Context, c *api.Call, action string) (*userTarget, error) {
	c.ReadOnly = true
	_, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	if t.name != "" {
		c.RequestParameters = map[string]string{"userName": t.name}
	}
	if err := s.Authz.Authorize(ctx, c, action, t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	return t, t.found()
}
