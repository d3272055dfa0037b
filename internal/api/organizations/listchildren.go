package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listChildrenInput struct {
	ChildType *string `json:"ChildType"`
	listForParentInput
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
	var childType string
	_, p, ou, err := s.findParent(ctx, c, &in.listForParentInput, func() ([]string, error) {
		t, err := required("ChildType", in.ChildType, nil)
		if err != nil {
			return nil, err
		}
		if t != "ACCOUNT" && t != "ORGANIZATIONAL_UNIT" {
			return nil, invalidEnum("ChildType", t, "ACCOUNT, ORGANIZATIONAL_UNIT")
		}
		childType = t
		return []string{t}, nil
	})
	if err != nil {
		return nil, err
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
