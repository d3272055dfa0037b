package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type getPolicyResult struct {
	Policy Policy `xml:"Policy"`
}

// GetPolicy returns a managed policy: a customer managed policy of the
// caller's account or an AWS managed policy. The caller needs iam:GetPolicy
// on it.
func (s *Service) GetPolicy(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	m, o, arn, p, err := s.targetPolicy(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"policyArn": arn}
	if err := s.authorizePolicy(ctx, c, "iam:GetPolicy", arn); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, policyNotFound(arn)
	}
	return getPolicyResult{Policy: s.policyStruct(ctx, m, p, accountUsage(m, o, c.Identity.Account), true)}, nil
}
