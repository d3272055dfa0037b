package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/org"
)

// SetDefaultPolicyVersion makes a version of a customer managed policy of
// the caller's account its default version: the one in effect. The caller
// needs iam:SetDefaultPolicyVersion on the policy.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c *api.Call) (any, error) {
	_, _, arn, p, err := s.targetPolicy(ctx, c)
	if err != nil {
		return nil, err
	}
	id, err := versionIDParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"policyArn": arn, "versionId": id}
	if err := s.authorizePolicy(ctx, c, "iam:SetDefaultPolicyVersion", arn); err != nil {
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
			if v.ID != id {
				continue
			}
			if v.Default {
				return nil
			}
			if _, err := ownPolicy(m, acct, arn, true); err != nil {
				return err
			}
			makeDefault(m, def, vs)
			vs[i].Default = true
			def.Document = org.TextDoc(versionText(m, vs[i].Document))
			m.d.Meta.PolicyVersions[arn] = vs
			return nil
		}
		return versionNotFound(arn, id)
	})
	if err != nil {
		return nil, invalid(err, "MalformedPolicyDocument", "The version cannot be the default")
	}
	c.Resources = policyResource(arn, acct)
	return nil, nil
}
