package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteRolePermissionsBoundary removes a role's permissions boundary. The
// caller needs iam:DeleteRolePermissionsBoundary on the role, with
// iam:PermissionsBoundary (the boundary removed).
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteRolePermissionsBoundary", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	if t.rec.Boundary == "" {
		return nil, nil
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownRoleIn(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		delete(def, "permissionsBoundary")
		return nil
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "The permissions boundary cannot be removed")
	}
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return nil, nil
}
