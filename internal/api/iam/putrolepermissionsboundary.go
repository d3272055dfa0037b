package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// PutRolePermissionsBoundary sets or replaces a role's permissions
// boundary: an AWS managed policy, or a customer managed policy of the
// caller's account. The caller needs iam:PutRolePermissionsBoundary on the
// role, with iam:PermissionsBoundary set to the new boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	boundary, err := policyARNParam(c, "PermissionsBoundary")
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "permissionsBoundary": boundary}
	if err := s.Authz.Authorize(ctx, c, "iam:PutRolePermissionsBoundary", t.arn, t.context(map[string][]string{"iam:PermissionsBoundary": {boundary}})); err != nil {
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
		ref, ok := m.resolvePolicy(acct, boundary)
		if !ok {
			return boundaryNotFound(boundary)
		}
		def, err := ownRoleIn(m, acct, t.name)
		if err != nil {
			return err
		}
		def["permissionsBoundary"] = ref
		return nil
	})
	if err != nil {
		return nil, invalid(err, "PolicyNotAttachable", "The policy cannot be a permissions boundary")
	}
	c.Resources = roleResource(t.arn, acct)
	return nil, nil
}
