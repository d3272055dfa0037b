package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listRootsInput struct {
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listRootsResult struct {
	Roots     []Root  `json:"Roots"`
	NextToken *string `json:"NextToken,omitempty"`
}

// ListRoots lists the organization's root (an organization has one).
func (s *Service) ListRoots(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listRootsInput
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
	roots, next := pageOf(p, []Root{a.root()})
	return listRootsResult{Roots: roots, NextToken: next}, nil
}
