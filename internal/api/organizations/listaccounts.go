package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listAccountsInput struct {
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listAccountsResult struct {
	Accounts  []Account `json:"Accounts"`
	NextToken *string   `json:"NextToken,omitempty"`
}

// ListAccounts lists every account of the organization.
func (s *Service) ListAccounts(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listAccountsInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("maxResults", in.MaxResults)
	p, err := paging(in.MaxResults, in.NextToken, c.Action)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{"*"}, nil, false); err != nil {
		return nil, err
	}
	accts, next := pageOf(p, a.o.Accounts)
	created, err := a.created(ctx)
	if err != nil {
		return nil, err
	}
	out := listAccountsResult{Accounts: make([]Account, 0, len(accts)), NextToken: next}
	for _, acc := range accts {
		out.Accounts = append(out.Accounts, a.account(acc, created))
	}
	return out, nil
}
