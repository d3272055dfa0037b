package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// AttachRolePolicy attaches a managed policy (AWS managed, or customer
// managed in the caller's account) to a role; at most 10 per role. The
// caller needs iam:AttachRolePolicy on the role, with iam:PolicyARN and
// iam:PermissionsBoundary.
func (s *Service) AttachRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	policyArn, err := policyARNParam(c, "PolicyArn")
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "policyArn": policyArn}
	if err := s.Authz.Authorize(ctx, c, "iam:AttachRolePolicy", t.arn, t.context(map[string][]string{"iam:PolicyARN": {policyArn}})); err != nil {
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
		ref, ok := m.resolvePolicy(acct, policyArn)
		if !ok {
			return notAttachable(policyArn)
		}
		def, err := ownRoleIn(m, acct, t.name)
		if err != nil {
			return err
		}
		refs, err := attachRef(m, acct, refList(def["managedPolicies"]), ref, policyArn, maxManagedPerRole, "PoliciesPerRole")
		if err != nil {
			return err
		}
		def["managedPolicies"] = toAny(refs)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "PolicyNotAttachable", "The policy cannot be attached")
	}
	c.Resources = roleResource(t.arn, acct)
	return nil, nil
}

// attachRef adds a policy reference to a list unless the policy is in it
// already, keeping the list within max.
func attachRef(m *model, acct string, refs []string, ref, policyArn string, max int, quota string) ([]string, error) {
	for _, r := range refs {
		if m.sameRef(acct, r, policyArn) {
			return refs, nil
		}
	}
	if len(refs) >= max {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for %s: %d", quota, max)
	}
	return append(refs, ref), nil
}

// detachRef removes a policy from a list of references; NoSuchEntity when
// it is not attached.
func detachRef(m *model, acct string, refs []string, policyArn string) ([]string, error) {
	for i, r := range refs {
		if m.sameRef(acct, r, policyArn) {
			return append(refs[:i:i], refs[i+1:]...), nil
		}
	}
	return nil, noSuchEntity("Policy %s was not found.", policyArn)
}
