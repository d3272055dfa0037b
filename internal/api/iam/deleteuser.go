package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// DeleteUser deletes an IAM user of the caller's account. As in AWS, it
// must have no access keys, MFA devices, inline or attached policies or
// groups left (DeleteConflict). The caller needs iam:DeleteUser on the user.
func (s *Service) DeleteUser(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteUser", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	keys, err := s.Store.AccessKeys(ctx, t.arn)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		return nil, awsproto.Errorf("DeleteConflict", "Cannot delete entity, must delete access keys first.")
	}
	devs, err := s.Store.MFADevices(ctx, t.arn)
	if err != nil {
		return nil, err
	}
	if len(devs) > 0 {
		return nil, awsproto.Errorf("DeleteConflict", "Cannot delete entity, must remove MFA device first.")
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownUser(m, acct, t.name)
		if err != nil {
			return err
		}
		if err := deletable(&def.Entity, def.Groups); err != nil {
			return err
		}
		m.RemoveUser(def)
		delete(m.d.Meta.Created, t.arn)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "Cannot delete entity")
	}
	c.Resources = userResource(t.arn, acct)
	return nil, nil
}
