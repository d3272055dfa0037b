package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteRole deletes a role of the caller's account. As in AWS, a role
// must have no attached and no inline policies left (DeleteConflict). The
// caller needs iam:DeleteRole on the role.
func (s *Service) DeleteRole(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteRole", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownRoleIn(m, acct, t.name)
		if err != nil {
			return err
		}
		if err := deletable(&def.Entity, nil); err != nil {
			return err
		}
		m.RemoveRole(def)
		delete(m.d.Meta.Created, t.arn)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "Cannot delete entity")
	}
	c.Resources = roleResource(t.arn, acct)
	return nil, nil
}
