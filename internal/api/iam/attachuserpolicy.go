package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// AttachUserPolicy attaches a managed policy to an IAM user; at most 10 per
// user. The caller needs iam:AttachUserPolicy on the user, with
// iam:PolicyARN and iam:PermissionsBoundary.
func (s *Service) AttachUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	policyArn, err := policyARNParam(c, "PolicyArn")
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name, "policyArn": policyArn}
	if err := s.Authz.Authorize(ctx, c, "iam:AttachUserPolicy", t.arn, t.context(map[string][]string{"iam:PolicyARN": {policyArn}})); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		ref, ok := m.resolvePolicy(acct, policyArn)
		if !ok {
			return notAttachable(policyArn)
		}
		def, err := ownUser(m, acct, t.name)
		if err != nil {
			return err
		}
		refs, err := attachRef(m, acct, refList(def["managedPolicies"]), ref, policyArn, maxManagedPerUser, "PoliciesPerUser")
		if err != nil {
			return err
		}
		def["managedPolicies"] = toAny(refs)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "PolicyNotAttachable", "The policy cannot be attached")
	}
	c.Resources = userResource(t.arn, acct)
	return nil, nil
}
