package iam

import (
	"context"

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
	roleName, policyName, doc, err := s.getInlinePolicy(ctx, c, roleKind, "iam:GetRolePolicy")
	if err != nil {
		return nil, err
	}
	return getRolePolicyResult{RoleName: roleName, PolicyName: policyName, PolicyDocument: doc}, nil
}
