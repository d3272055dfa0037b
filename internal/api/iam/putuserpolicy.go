package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/policy"
)

// PutUserPolicy adds or replaces an inline policy of an IAM user; a user's
// inline policies together hold at most 2,048 characters (without white
// space). The caller needs iam:PutUserPolicy on the user, with
// iam:PermissionsBoundary.
func (s *Service) PutUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	name, err := requiredName(c, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	doc := c.Params.Get("PolicyDocument")
	if err := checkDocument("policyDocument", doc, policy.Identity); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name, "policyName": name, "policyDocument": doc}
	if err := s.Authz.Authorize(ctx, c, "iam:PutUserPolicy", t.arn, t.context(nil)); err != nil {
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
		inline, err := putInline(m, def, name, doc, maxUserInlineSize, "user "+t.name)
		if err != nil {
			return err
		}
		def["inlinePolicies"] = inline
		return nil
	})
	if err != nil {
		return nil, invalid(err, "MalformedPolicyDocument", "The policy cannot be used")
	}
	c.Resources = userResource(t.arn, c.Identity.Account)
	return nil, nil
}
