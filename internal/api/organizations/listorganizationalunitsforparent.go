package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listOUsForParentInput struct {
	ParentID   *string `json:"ParentId"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listOUsForParentResult struct {
	OrganizationalUnits []OrganizationalUnit `json:"OrganizationalUnits"`
	NextToken           *string              `json:"NextToken,omitempty"`
}

// ListOrganizationalUnitsForParent lists the OUs directly in a root or OU.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listOUsForParentInput
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
	children, next := pageOf(p, ou.Children)
	out := listOUsForParentResult{OrganizationalUnits: make([]OrganizationalUnit, 0, len(children)), NextToken: next}
	for _, ch := range children {
		out.OrganizationalUnits = append(out.OrganizationalUnits, a.ou(ch))
	}
	return out, nil
}
