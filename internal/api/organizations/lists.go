package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/org"
)

// The List operations over the organization's tree: ListRoots and
// ListAccounts list the whole organization, ListAccountsForParent and
// ListOrganizationalUnitsForParent what a root or OU holds directly. Each
// pages with MaxResults and NextToken (see paging).

type listInput struct {
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listForParentInput struct {
	ParentID *string `json:"ParentId"`
	listInput
}

type listRootsResult struct {
	Roots     []Root  `json:"Roots"`
	NextToken *string `json:"NextToken,omitempty"`
}

type listAccountsResult struct {
	Accounts  []Account `json:"Accounts"`
	NextToken *string   `json:"NextToken,omitempty"`
}

type listOUsForParentResult struct {
	OrganizationalUnits []OrganizationalUnit `json:"OrganizationalUnits"`
	NextToken           *string              `json:"NextToken,omitempty"`
}

// ListRoots lists the organization's root (an organization has one).
func (s *Service) ListRoots(ctx context.Context, c *api.Call) (any, error) {
	a, p, err := s.listOrganization(ctx, c)
	if err != nil {
		return nil, err
	}
	roots, next := pageOf(p, []Root{a.root()})
	return listRootsResult{Roots: roots, NextToken: next}, nil
}

// ListAccounts lists every account of the organization.
func (s *Service) ListAccounts(ctx context.Context, c *api.Call) (any, error) {
	a, p, err := s.listOrganization(ctx, c)
	if err != nil {
		return nil, err
	}
	return a.accountPage(ctx, p, a.o.Accounts)
}

// ListAccountsForParent lists the accounts directly in a root or OU.
func (s *Service) ListAccountsForParent(ctx context.Context, c *api.Call) (any, error) {
	a, p, ou, err := s.listParent(ctx, c)
	if err != nil {
		return nil, err
	}
	return a.accountPage(ctx, p, ou.Accounts)
}

// ListOrganizationalUnitsForParent lists the OUs directly in a root or OU.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, c *api.Call) (any, error) {
	a, p, ou, err := s.listParent(ctx, c)
	if err != nil {
		return nil, err
	}
	children, next := pageOf(p, ou.Children)
	out := listOUsForParentResult{OrganizationalUnits: make([]OrganizationalUnit, 0, len(children)), NextToken: next}
	for _, ch := range children {
		out.OrganizationalUnits = append(out.OrganizationalUnits, a.ou(ch))
	}
	return out, nil
}

// listOrganization reads MaxResults and NextToken and authorizes a listing
// of the whole organization (on "*").
func (s *Service) listOrganization(ctx context.Context, c *api.Call) (*access, page, error) {
	c.ReadOnly = true
	var in listInput
	if err := decode(c, &in); err != nil {
		return nil, page{}, err
	}
	c.RequestParameters = requestParams("maxResults", in.MaxResults)
	p, err := paging(in.MaxResults, in.NextToken, c.Action)
	if err != nil {
		return nil, page{}, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, page{}, err
	}
	if err := a.allow(ctx, []string{"*"}, nil, false); err != nil {
		return nil, page{}, err
	}
	return a, p, nil
}

// listParent reads ParentId, MaxResults and NextToken, authorizes the
// listing on the parent and finds it.
func (s *Service) listParent(ctx context.Context, c *api.Call) (*access, page, *org.OU, error) {
	c.ReadOnly = true
	var in listForParentInput
	if err := decode(c, &in); err != nil {
		return nil, page{}, nil, err
	}
	c.RequestParameters = requestParams("parentId", in.ParentID, "maxResults", in.MaxResults)
	return s.findParent(ctx, c, &in, nil)
}

// findParent checks ParentId, then what more checks (the other parameters,
// returning what binds the page token besides the parent), then the paging;
// it authorizes the listing on the parent and finds it.
func (s *Service) findParent(ctx context.Context, c *api.Call, in *listForParentInput, more func() ([]string, error)) (*access, page, *org.OU, error) {
	parent, err := parentID("ParentId", in.ParentID)
	if err != nil {
		return nil, page{}, nil, err
	}
	bind := []string{c.Action, parent}
	if more != nil {
		extra, err := more()
		if err != nil {
			return nil, page{}, nil, err
		}
		bind = append(bind, extra...)
	}
	p, err := paging(in.MaxResults, in.NextToken, bind...)
	if err != nil {
		return nil, page{}, nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, page{}, nil, err
	}
	if err := a.allow(ctx, []string{a.containerARN(parent)}, nil, false); err != nil {
		return nil, page{}, nil, err
	}
	ou, ok := a.container(parent)
	if !ok && a.again(ctx) {
		ou, ok = a.container(parent)
	}
	if !ok {
		return nil, page{}, nil, parentNotFound(parent)
	}
	return a, p, ou, nil
}

// accountPage returns a page of accounts as the Account type.
func (a *access) accountPage(ctx context.Context, p page, all []*org.Account) (any, error) {
	accts, next := pageOf(p, all)
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
