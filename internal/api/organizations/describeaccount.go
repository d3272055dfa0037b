package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type describeAccountInput struct {
	AccountID *string `json:"AccountId"`
}

type describeAccountResult struct {
	Account Account `json:"Account"`
}

// DescribeAccount returns an account of the organization.
func (s *Service) DescribeAccount(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in describeAccountInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("accountId", in.AccountID)
	id, err := accountID(in.AccountID)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.accountARN(id)}, nil, false); err != nil {
		return nil, err
	}
	acc, ok := a.o.AccountByID(id)
	if !ok && a.again(ctx) {
		acc, ok = a.o.AccountByID(id)
	}
	if !ok {
		return nil, accountNotFound(id)
	}
	created, err := a.created(ctx)
	if err != nil {
		return nil, err
	}
	return describeAccountResult{Account: a.account(acc, created)}, nil
}
