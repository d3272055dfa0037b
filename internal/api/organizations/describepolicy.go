package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type describePolicyInput struct {
	PolicyID *string `json:"PolicyId"`
}

// DescribePolicy returns a policy with its document.
func (s *Service) DescribePolicy(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in describePolicyInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("policyId", in.PolicyID)
	id, err := policyID(in.PolicyID)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	p, ok, err := a.allowPolicy(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, policyNotFound(id)
	}
	d, err := s.doc(ctx)
	if err != nil {
		return nil, err
	}
	return policyResult{Policy: describe(p, d)}, nil
}
