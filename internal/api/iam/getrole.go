package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type getRoleResult struct {
	Role Role `xml:"Role"`
}

// GetRole returns a role of the caller's account, with its trust policy
// URL-encoded. The caller needs iam:GetRole on the role.
func (s *Service) GetRole(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	m, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:GetRole", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return getRoleResult{Role: s.roleStruct(ctx, m.d, t.rec, true)}, nil
}
