package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteUserPolicy deletes an inline policy of an IAM user. The caller
// needs iam:DeleteUserPolicy on the user, with iam:PermissionsBoundary.
func (s *Service) DeleteUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	name, err := requiredName(c, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name, "policyName": name}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteUserPolicy", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownUser(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		return deleteInline(def, name, "The user policy with name %s cannot be found.")
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "The policy cannot be deleted")
	}
	c.Resources = userResource(t.arn, c.Identity.Account)
	return nil, nil
}
