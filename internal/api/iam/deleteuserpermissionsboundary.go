package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteUserPermissionsBoundary removes an IAM user's permissions boundary.
// The caller needs iam:DeleteUserPermissionsBoundary on the user, with
// iam:PermissionsBoundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteUserPermissionsBoundary", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if t.rec.Boundary == "" {
		return nil, nil
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownUser(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		delete(def, "permissionsBoundary")
		return nil
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "The permissions boundary cannot be removed")
	}
	c.Resources = userResource(t.arn, c.Identity.Account)
	return nil, nil
}
