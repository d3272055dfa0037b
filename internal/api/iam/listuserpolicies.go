package iam

import (
	"context"
	"sort"

	"github.com/securecart/warden/internal/api"
)

// ListUserPolicies lists the names of an IAM user's inline policies. The
// caller needs iam:ListUserPolicies on the user.
func (s *Service) ListUserPolicies(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:ListUserPolicies", t.arn, t.context(nil)); err != nil {
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
