package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type describeOrganizationResult struct {
	Organization Organization `json:"Organization"`
}

// DescribeOrganization returns the organization of the caller's account.
// Any account of the organization may call it.
func (s *Service) DescribeOrganization(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{"*"}, nil, true); err != nil {
		return nil, err
	}
	m := a.o.Management
	return describeOrganizationResult{Organization: Organization{
		ID: a.o.ID, Arn: a.orgARN(), FeatureSet: "ALL",
		MasterAccountArn: a.accountARN(m.ID), MasterAccountID: m.ID, MasterAccountEmail: m.Email,
		AvailablePolicyTypes: a.policyTypes(),
	}}, nil
}
