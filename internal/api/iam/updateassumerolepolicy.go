package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// UpdateAssumeRolePolicy replaces a role's trust policy. The caller needs
// iam:UpdateAssumeRolePolicy on the role.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	doc := c.Params.Get("PolicyDocument")
	if err := checkDocument("policyDocument", doc, policy.Trust); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "policyDocument": doc}
	if err := s.Authz.Authorize(ctx, c, "iam:UpdateAssumeRolePolicy", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	if policySize(doc) > maxTrustSize {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d", maxTrustSize)
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownRoleIn(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		def.Trust = org.TextDoc(doc)
		return nil
	})
	if err != nil {
		return nil, invalid(err, "MalformedPolicyDocument", "Invalid principal in policy")
	}
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return nil, nil
}
