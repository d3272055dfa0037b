package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteRolePolicy deletes an inline policy of a role. The caller needs
// iam:DeleteRolePolicy on the role, with iam:PermissionsBoundary.
func (s *Service) DeleteRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	name, err := requiredName(c, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "policyName": name}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteRolePolicy", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownRoleIn(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		return deleteInline(def, name, "The role policy with name %s cannot be found.")
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "The policy cannot be deleted")
	}
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return nil, nil
}

// deleteInline deletes an inline policy of a definition by name (ignoring
// case); notFound words NoSuchEntity.
func deleteInline(def map[string]any, name, notFound string) error {
	inline, _ := def["inlinePolicies"].(map[string]any)
	k, _, ok := inlineDoc(inline, name)
	if !ok {
		return noSuchEntity(notFound, name)
	}
	delete(inline, k)
	if len(inline) == 0 {
		delete(def, "inlinePolicies")
	}
	return nil
}
