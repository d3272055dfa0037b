package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DetachRolePolicy detaches a managed policy from a role. The caller needs
// iam:DetachRolePolicy on the role, with iam:PolicyARN and
// iam:PermissionsBoundary.
func (s *Service) DetachRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	policyArn, err := policyARNParam(c, "PolicyArn")
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "policyArn": policyArn}
	if err := s.Authz.Authorize(ctx, c, "iam:DetachRolePolicy", t.arn, t.context(map[string][]string{"iam:PolicyARN": {policyArn}})); err != nil {
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
		refs, err := detachRef(m, acct, refList(def["managedPolicies"]), policyArn)
		if err != nil {
			return err
		}
		if len(refs) == 0 {
			delete(def, "managedPolicies")
		} else {
			def["managedPolicies"] = toAny(refs)
		}
		return nil
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "The policy cannot be detached")
	}
	c.Resources = roleResource(t.arn, acct)
	return nil, nil
}
