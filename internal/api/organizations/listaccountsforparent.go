package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listAccountsForParentInput struct {
	ParentID   *string `json:"ParentId"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

// ListAccountsForParent lists the accounts directly in a root or OU.
func (s *Service) ListAccountsForParent(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listAccountsForParentInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("parentId", in.ParentID, "maxResults", in.MaxResults)
	parent, err := parentID("ParentId", in.ParentID)
	if err != nil {
		return nil, err
	}
	p, err := paging(in.MaxResults, in.NextToken, c.Action, parent)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.containerARN(parent)}, nil, false); err != nil {
		return nil, err
	}
	ou, ok := a.container(parent)
	if !ok && a.again(ctx) {
		ou, ok = a.container(parent)
	}
	if !ok {
		return nil, parentNotFound(parent)
	}
	accts, next := pageOf(p, ou.Accounts)
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
