package iam

import (
	"context"

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
	userName, policyName, doc, err := s.getInlinePolicy(ctx, c, userKind, "iam:GetUserPolicy")
	if err != nil {
		return nil, err
	}
	return getUserPolicyResult{UserName: userName, PolicyName: policyName, PolicyDocument: doc}, nil
}
