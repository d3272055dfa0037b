package iam

import (
	"context"
	"sort"

	"github.com/securecart/warden/internal/api"
)

type listPolicyNamesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	pageInfo
}

// ListRolePolicies lists the names of a role's inline policies. The caller
// needs iam:ListRolePolicies on the role.
func (s *Service) ListRolePolicies(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:ListRolePolicies", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(t.rec.Inline))
	for k := range t.rec.Inline {
		names = append(names, k)
	}
	sort.Strings(names)
	page, info, err := paginate(c, names, func(n string) string { return n })
	if err != nil {
		return nil, err
	}
	return listPolicyNamesResult{PolicyNames: page, pageInfo: info}, nil
}
