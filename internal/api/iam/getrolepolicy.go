package iam

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
)

type getRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// GetRolePolicy returns an inline policy of a role, its document
// URL-encoded as AWS returns it. The caller needs iam:GetRolePolicy on the
// role.
func (s *Service) GetRolePolicy(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	name, err := requiredName(c, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"roleName": t.name, "policyName": name}
	if err := s.Authz.Authorize(ctx, c, "iam:GetRolePolicy", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	for k, text := range t.rec.Inline {
		if strings.EqualFold(k, name) {
			return getRolePolicyResult{RoleName: t.rec.Name, PolicyName: k, PolicyDocument: urlEncode(text)}, nil
		}
	}
	return nil, noSuchEntity("The role policy with name %s cannot be found.", name)
}
