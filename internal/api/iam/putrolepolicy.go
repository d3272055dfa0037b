package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/policy"
)

// PutRolePolicy adds or replaces an inline policy of a role. A role's
// inline policies together hold at most 10,240 characters (without white
// space). The caller needs iam:PutRolePolicy on the role, with
// iam:PermissionsBoundary (the role's boundary).
func (s *Service) PutRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
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
	c.RequestParameters = map[string]string{"roleName": t.name, "policyName": name, "policyDocument": doc}
	if err := s.Authz.Authorize(ctx, c, "iam:PutRolePolicy", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownRoleIn(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		inline, err := putInline(m, def, name, doc, maxRoleInlineSize, "role "+t.name)
		if err != nil {
			return err
		}
		def["inlinePolicies"] = inline
		return nil
	})
	if err != nil {
		return nil, invalid(err, "MalformedPolicyDocument", "The policy cannot be used")
	}
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return nil, nil
}

// putInline returns an entity's inline policies with name set to doc
// (replacing a policy of the same name in any case), checking that they
// stay within limit characters together.
func putInline(m *model, def map[string]any, name, doc string, limit int, what string) (map[string]any, error) {
	inline, _ := def["inlinePolicies"].(map[string]any)
	if inline == nil {
		inline = map[string]any{}
	}
	if old, _, ok := inlineDoc(inline, name); ok {
		delete(inline, old)
	}
	inline[name] = doc
	total := 0
	for _, d := range inline {
		total += policySize(m.docText(d))
	}
	if total > limit {
		return nil, awsproto.Errorf("LimitExceeded", "Maximum policy size of %d bytes exceeded for %s", limit, what)
	}
	return inline, nil
}
