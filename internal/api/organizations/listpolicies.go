package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listPoliciesInput struct {
	Filter     *string `json:"Filter"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listPoliciesResult struct {
	Policies  []PolicySummary `json:"Policies"`
	NextToken *string         `json:"NextToken,omitempty"`
}

// ListPolicies lists the organization's policies of a type (Filter), AWS
// managed ones included. Types that Warden does not keep have none.
func (s *Service) ListPolicies(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listPoliciesInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("filter", in.Filter, "maxResults", in.MaxResults)
	t, err := policyType("Filter", in.Filter)
	if err != nil {
		return nil, err
	}
	p, err := paging(in.MaxResults, in.NextToken, c.Action, t)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{"*"}, policyContext(t), false); err != nil {
		return nil, err
	}
	var all []pol
	if _, kept := formatType[t]; kept && a.typeEnabled(t) {
		all = a.policies(t)
	}
	items, next := pageOf(p, all)
	return listPoliciesResult{Policies: summaries(items), NextToken: next}, nil
}

func summaries(ps []pol) []PolicySummary {
	out := make([]PolicySummary, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.summary())
	}
	return out
}
