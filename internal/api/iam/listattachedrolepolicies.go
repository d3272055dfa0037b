package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listAttachedResult struct {
	AttachedPolicies []AttachedPolicy `xml:"AttachedPolicies>member"`
	pageInfo
}

// ListAttachedRolePolicies lists the managed policies attached to a role
// whose path starts with PathPrefix. The caller needs
// iam:ListAttachedRolePolicies on the role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	m, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	prefix, err := pathPrefix(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "pathPrefix": prefix}
	if err := s.Authz.Authorize(ctx, c, "iam:ListAttachedRolePolicies", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	page, info, err := paginate(c, m.attachedList(c.Identity.Account, t.rec.Managed, prefix), func(p AttachedPolicy) string { return p.PolicyName + "\x00" + p.PolicyArn })
	if err != nil {
		return nil, err
	}
	return listAttachedResult{AttachedPolicies: page, pageInfo: info}, nil
}
