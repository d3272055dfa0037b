package iam

import (
	"context"
	"strings"

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
	c.ReadOnly = true
	prefix, err := pathPrefix(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"pathPrefix": prefix}
	if err := s.Authz.Authorize(ctx, c, "iam:ListRoles", "*", nil); err != nil {
		return nil, err
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	var roles []*roleRec
	for _, r := range accountRoles(m, o, c.Identity.Account) {
		if strings.HasPrefix(r.Path, prefix) {
			roles = append(roles, r)
		}
	}
	page, info, err := paginate(c, roles, func(r *roleRec) string { return r.Name })
	if err != nil {
		return nil, err
	}
	res := listRolesResult{Roles: make([]Role, 0, len(page)), pageInfo: info}
	for _, r := range page {
		res.Roles = append(res.Roles, s.roleStruct(ctx, m.d, r, false))
	}
	return res, nil
}
