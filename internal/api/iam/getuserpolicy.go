package iam

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
)

type getUserPolicyResult struct {
	UserName       string `xml:"UserName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// GetUserPolicy returns an inline policy of an IAM user, its document
// URL-encoded. The caller needs iam:GetUserPolicy on the user.
func (s *Service) GetUserPolicy(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	name, err := requiredName(c, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name, "policyName": name}
	if err := s.Authz.Authorize(ctx, c, "iam:GetUserPolicy", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	for k, text := range t.rec.Inline {
		if strings.EqualFold(k, name) {
			return getUserPolicyResult{UserName: t.rec.Name, PolicyName: k, PolicyDocument: urlEncode(text)}, nil
		}
	}
	return nil, noSuchEntity("The user policy with name %s cannot be found.", name)
}
