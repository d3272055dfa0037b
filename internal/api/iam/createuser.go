package iam

import (
	"context"

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
	name, err := requiredName(c, "UserName", 64)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(c)
	if err != nil {
		return nil, err
	}
	boundary := ""
	if c.Params.Has("PermissionsBoundary") {
		if boundary, err = policyARNParam(c, "PermissionsBoundary"); err != nil {
			return nil, err
		}
	}
	tags, err := tagParams(c)
	if err != nil {
		return nil, err
	}
	req := trail{"userName": name, "path": path}
	if boundary != "" {
		req["permissionsBoundary"] = boundary
	}
	if len(tags) > 0 {
		req["tags"] = tags
	}
	c.RequestParameters = req
	acct := c.Identity.Account
	arn := userARN(acct, path, name)
	extra := tagContext(tags, nil)
	if boundary != "" {
		extra["iam:PermissionsBoundary"] = []string{boundary}
	}
	if err := s.Authz.Authorize(ctx, c, "iam:CreateUser", arn, extra); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(m *model) error {
		acctName := m.AccountName(acct)
		if acctName == "" {
			return awsproto.Errorf("AccessDenied", "Account %s is not an account of this organization.", acct)
		}
		if m.User(acctName, name) != nil {
			return awsproto.Errorf("EntityAlreadyExists", "User with name %s already exists.", name)
		}
		def := &org.UserDef{Name: name, Account: acctName, Path: path}
		if boundary != "" {
			ref, ok := m.resolvePolicy(acct, boundary)
			if !ok {
				return boundaryNotFound(boundary)
			}
			def.PermissionsBoundary = ref
		}
		def.SetTags(tagMap(tags))
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
	c.ResponseElements = trail{"user": res.User}
	c.Resources = userResource(arn, acct)
	return res, nil
}
