package iam

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
)

type listUsersResult struct {
	Users []User `xml:"Users>member"`
	pageInfo
}

// ListUsers lists the IAM users of the caller's account whose path starts
// with PathPrefix, without their tags and boundaries, as AWS does. The
// caller needs iam:ListUsers.
func (s *Service) ListUsers(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	prefix, err := pathPrefix(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"pathPrefix": prefix}
	if err := s.Authz.Authorize(ctx, c, "iam:ListUsers", "*", nil); err != nil {
		return nil, err
	}
	m, _, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	var users []*userRec
	for _, def := range m.entries("users") {
		if str(def["account"]) != m.nameByID[acct] {
			continue
		}
		if u := userFromDef(m, acct, def); strings.HasPrefix(u.Path, prefix) {
			users = append(users, u)
		}
	}
	page, info, err := paginate(c, users, func(u *userRec) string { return u.Name })
	if err != nil {
		return nil, err
	}
	res := listUsersResult{Users: make([]User, 0, len(page)), pageInfo: info}
	for _, u := range page {
		res.Users = append(res.Users, s.userStruct(ctx, m.d, u, false))
	}
	return res, nil
}
