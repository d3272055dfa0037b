package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listRolesResult struct {
	Roles []Role `xml:"Roles>member"`
	pageInfo
}

// ListRoles lists the roles of the caller's account whose path starts with
// PathPrefix, by name, MaxItems at a time. As in AWS, the list leaves out
// each role's tags and permissions boundary. The caller needs iam:ListRoles.
func (s *Service) ListRoles(ctx context.Context, c *api.Call) (any, error) {
	m, page, info, err := listEntities(ctx, s, c, "iam:ListRoles", accountRoles, func(r *roleRec) string { return r.Path }, func(r *roleRec) string { return r.Name })
	if err != nil {
		return nil, err
	}
	res := listRolesResult{Roles: make([]Role, 0, len(page)), pageInfo: info}
	for _, r := range page {
		res.Roles = append(res.Roles, s.roleStruct(ctx, m.d, r, false))
	}
	return res, nil
}
