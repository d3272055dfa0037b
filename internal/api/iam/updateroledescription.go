package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"

	"github.com/securecart/warden/internal/api"
)

type updateRoleDescriptionResult struct {
	Role Role `xml:"Role"`
}

// UpdateRoleDescription changes a role's description and returns the role.
// The caller needs iam:UpdateRoleDescription on the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	if !c.Params.Has("Description") {
		return nil, validationf("1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null")
	}
	desc, _, err := description(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "description": desc}
	if err := s.Authz.Authorize(ctx, c, "iam:UpdateRoleDescription", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	if err := s.setRoleFields(ctx, c, t, desc, true, 0); err != nil {
		return nil, err
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := findRole(m, o, c.Identity.Account, t.name)
	if !ok {
		return nil, noSuchEntity("The role with name %s cannot be found.", t.name)
	}
	res := updateRoleDescriptionResult{Role: s.roleStruct(ctx, m.d, r, true)}
	c.ResponseElements = call.Fields{"role": res.Role}
	return res, nil
}
