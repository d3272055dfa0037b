package iam

import (
	"context"

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
	m, page, info, err := listEntities(ctx, s, c, "iam:ListUsers", accountUsers, func(u *userRec) string { return u.Path }, func(u *userRec) string { return u.Name })
	if err != nil {
		return nil, err
	}
	res := listUsersResult{Users: make([]User, 0, len(page)), pageInfo: info}
	for _, u := range page {
		res.Users = append(res.Users, s.userStruct(ctx, m.d, u, false))
	}
	return res, nil
}
