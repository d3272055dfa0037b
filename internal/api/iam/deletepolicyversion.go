package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// DeletePolicyVersion deletes a version of a customer managed policy of the
// caller's account; not the default version (DeleteConflict). The caller
// needs iam:DeletePolicyVersion on the policy.
func (s *Service) DeletePolicyVersion(ctx context.Context, c *api.Call) (any, error) {
	return s.changeVersion(ctx, c, "iam:DeletePolicyVersion", "DeleteConflict", "Cannot delete the version",
		func(m *model, arn string, _ *org.PolicyDef, vs []state.PolicyVersion, i int) error {
			if vs[i].Default {
				return awsproto.Errorf("DeleteConflict", "Cannot delete the default version of a policy.")
			}
			m.d.Meta.PolicyVersions[arn] = append(vs[:i:i], vs[i+1:]...)
			return nil
		})
}

// changeVersion serves DeletePolicyVersion and SetDefaultPolicyVersion: it
// reads PolicyArn and VersionId, authorizes action on the policy, and
// changes version i of the versions vs of a customer managed policy of the
// caller's account; an org that would not load is an error of code, saying
// what.
func (s *Service) changeVersion(ctx context.Context, c *api.Call, action, code, what string,
	change func(m *model, arn string, def *org.PolicyDef, vs []state.PolicyVersion, i int) error) (any, error) {
	_, _, arn, p, err := s.targetPolicy(ctx, c)
	if err != nil {
		return nil, err
	}
	id, err := versionIDParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"policyArn": arn, "versionId": id}
	if err := s.authorizePolicy(ctx, c, action, arn); err != nil {
		return nil, err
	}
	if p == nil || p.AWS {
		return nil, policyNotFound(arn)
	}
	acct := c.Identity.Account
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownPolicy(m, acct, arn, false)
		if err != nil {
			return err
		}
		vs := versions(m, arn, def, s.created(ctx, m.d, arn))
		for i, v := range vs {
			if v.ID == id {
				return change(m, arn, def, vs, i)
			}
		}
		return versionNotFound(arn, id)
	})
	if err != nil {
		return nil, invalid(err, code, what)
	}
	c.Resources = policyResource(arn, acct)
	return nil, nil
}
