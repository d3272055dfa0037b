package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// SetDefaultPolicyVersion makes a version of a customer managed policy of
// the caller's account its default version: the one in effect. The caller
// needs iam:SetDefaultPolicyVersion on the policy.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c *api.Call) (any, error) {
	return s.changeVersion(ctx, c, "iam:SetDefaultPolicyVersion", "MalformedPolicyDocument", "The version cannot be the default",
		func(m *model, arn string, def *org.PolicyDef, vs []state.PolicyVersion, i int) error {
			if vs[i].Default {
				return nil
			}
			if _, err := ownPolicy(m, c.Identity.Account, arn, true); err != nil {
				return err
			}
			makeDefault(m, def, vs)
			vs[i].Default = true
			def.Document = org.TextDoc(versionText(m, vs[i].Document))
			m.d.Meta.PolicyVersions[arn] = vs
			return nil
		})
}
