package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listChildrenInput struct {
	ParentID   *string `json:"ParentId"`
	ChildType  *string `json:"ChildType"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listChildrenResult struct {
	Children  []Child `json:"Children"`
	NextToken *string `json:"NextToken,omitempty"`
}

// ListChildren lists the accounts or the OUs directly in a root or OU.
func (s *Service) ListChildren(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listChildrenInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("parentId", in.ParentID, "childType", in.ChildType, "maxResults", in.MaxResults)
	parent, err := parentID("ParentId", in.ParentID)
	if err != nil {
		return nil, err
	}
	childType, err := required("ChildType", in.ChildType, nil)
	if err != nil {
		return nil, err
	}
	if childType != "ACCOUNT" && childType != "ORGANIZATIONAL_UNIT" {
		return nil, invalidEnum("ChildType", childType, "ACCOUNT, ORGANIZATIONAL_UNIT")
	}
	p, err := paging(in.MaxResults, in.NextToken, c.Action, parent, childType)
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
	var all []Child
	if childType == "ACCOUNT" {
		for _, acc := range ou.Accounts {
			all = append(all, Child{ID: acc.ID, Type: childType})
		}
	} else {
		for _, ch := range ou.Children {
			all = append(all, Child{ID: ch.ID, Type: childType})
		}
	}
	children, next := pageOf(p, all)
	return listChildrenResult{Children: children, NextToken: next}, nil
}
