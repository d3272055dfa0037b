package iam

import (
	"context"
	"slices"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// DeletePolicy deletes a customer managed policy of the caller's account.
// As in AWS, it must be attached to nothing and have no version but the
// default one left (DeleteConflict). Warden also refuses to delete a policy
// that is a permissions boundary or that a permission set names. The caller
// needs iam:DeletePolicy on the policy.
func (s *Service) DeletePolicy(ctx context.Context, c *api.Call) (any, error) {
	_, _, arn, p, err := s.targetPolicy(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"policyArn": arn}
	if err := s.authorizePolicy(ctx, c, "iam:DeletePolicy", arn); err != nil {
		return nil, err
	}
	if p == nil || p.AWS {
		return nil, policyNotFound(arn)
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		def := m.ManagedByARN(acct, arn)
		if def == nil {
			return policyNotFound(arn)
		}
		o, err := s.State.Org(ctx)
		if err != nil {
			return err
		}
		u := accountUsage(m, o, acct)
		if u.attached[arn] > 0 {
			return awsproto.Errorf("DeleteConflict", "Cannot delete a policy attached to entities.")
		}
		if u.boundary[arn] > 0 {
			return awsproto.Errorf("DeleteConflict", "Cannot delete a policy used as a permissions boundary.")
		}
		if len(m.d.Meta.PolicyVersions[arn]) > 1 {
			return awsproto.Errorf("DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		acctName := m.AccountName(acct)
		rest := slices.DeleteFunc(m.ExpandAccounts(def.Accounts), func(n string) bool { return n == acctName })
		if len(rest) == 0 {
			m.RemovePolicy(def)
		} else {
			def.Accounts = rest
		}
		delete(m.d.Meta.PolicyVersions, arn)
		delete(m.d.Meta.Created, arn)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "DeleteConflict", "Cannot delete the policy")
	}
	c.Resources = policyResource(arn, acct)
	return nil, nil
}
