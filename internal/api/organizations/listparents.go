package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/org"
)

type listParentsInput struct {
	ChildID    *string `json:"ChildId"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listParentsResult struct {
	Parents   []Parent `json:"Parents"`
	NextToken *string  `json:"NextToken,omitempty"`
}

// ListParents lists the root or OU that directly contains an OU or account
// (there is one).
func (s *Service) ListParents(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listParentsInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("childId", in.ChildID, "maxResults", in.MaxResults)
	child, err := required("ChildId", in.ChildID, reChildID)
	if err != nil {
		return nil, err
	}
	p, err := paging(in.MaxResults, in.NextToken, c.Action, child)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.targetARN(child)}, nil, false); err != nil {
		return nil, err
	}
	var parent *org.OU
	_, isAccount := a.o.AccountByID(child)
	if _, isOU := a.container(child); !isAccount && !isOU {
		a.again(ctx)
	}
	if acc, ok := a.o.AccountByID(child); ok {
		parent = a.parentOf(acc)
	} else if ou, ok := a.container(child); ok && ou != a.o.Root {
		parent = ou.Parent
	} else {
		return nil, childNotFound(child)
	}
	pt := Parent{ID: parent.ID, Type: "ORGANIZATIONAL_UNIT"}
	if parent == a.o.Root {
		pt.Type = "ROOT"
	}
	parents, next := pageOf(p, []Parent{pt})
	return listParentsResult{Parents: parents, NextToken: next}, nil
}
