package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// PutUserPermissionsBoundary sets or replaces an IAM user's permissions
// boundary. The caller needs iam:PutUserPermissionsBoundary on the user,
// with iam:PermissionsBoundary set to the new boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	boundary, err := policyARNParam(c, "PermissionsBoundary")
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name, "permissionsBoundary": boundary}
	if err := s.Authz.Authorize(ctx, c, "iam:PutUserPermissionsBoundary", t.arn, t.context(map[string][]string{"iam:PermissionsBoundary": {boundary}})); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		ref, ok := m.resolvePolicy(acct, boundary)
		if !ok {
			return boundaryNotFound(boundary)
		}
		def, err := ownUser(m, acct, t.name)
		if err != nil {
			return err
		}
		def["permissionsBoundary"] = ref
		return nil
	})
	if err != nil {
		return nil, invalid(err, "PolicyNotAttachable", "The policy cannot be a permissions boundary")
	}
	c.Resources = userResource(t.arn, acct)
	return nil, nil
}
