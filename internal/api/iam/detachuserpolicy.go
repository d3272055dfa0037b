package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DetachUserPolicy detaches a managed policy from an IAM user. The caller
// needs iam:DetachUserPolicy on the user, with iam:PolicyARN and
// iam:PermissionsBoundary.
func (s *Service) DetachUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	policyArn, err := policyARNParam(c, "PolicyArn")
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name, "policyArn": policyArn}
	if err := s.Authz.Authorize(ctx, c, "iam:DetachUserPolicy", t.arn, t.context(map[string][]string{"iam:PolicyARN": {policyArn}})); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownUser(m, acct, t.name)
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
	c.Resources = userResource(t.arn, acct)
	return nil, nil
}
