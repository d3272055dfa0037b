package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
)

type createUserResult struct {
	User User `xml:"User"`
}

// CreateUser creates an IAM user in the caller's account. The caller needs
// iam:CreateUser on the user's ARN, with iam:PermissionsBoundary and the
// request's tags; the SecureCart guardrails deny it outside the management
// account.
func (s *Service) CreateUser(ctx context.Context, c *api.Call) (any, error) {
	name, err := requiredName(c, "UserName", org.MaxUserName)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(c)
	if err != nil {
		return nil, err
	}
	ne, err := readNewEntity(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = ne.record(call.Fields{"userName": name, "path": path})
	acct := c.Identity.Account
	arn := userARN(acct, path, name)
	if err := s.Authz.Authorize(ctx, c, "iam:CreateUser", arn, ne.context()); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(m *model) error {
		acctName, err := m.accountName(acct)
		if err != nil {
			return err
		}
		if m.User(acctName, name) != nil {
			return awsproto.Errorf("EntityAlreadyExists", "User with name %s already exists.", name)
		}
		def := &org.UserDef{Name: name, Account: acctName, Path: path}
		if err := ne.apply(m, acct, &def.Entity); err != nil {
			return err
		}
		m.Users = append(m.Users, def)
		m.d.Meta.Created[arn] = c.Now.UTC()
		return nil
	})
	if err != nil {
		return nil, invalid(err, "InvalidInput", "The user cannot be created")
	}
	m, _, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	u, ok := findUser(m, acct, name)
	if !ok {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	res := createUserResult{User: s.userStruct(ctx, m.d, u, true)}
	c.ResponseElements = call.Fields{"user": res.User}
	c.Resources = userResource(arn, acct)
	return res, nil
}
