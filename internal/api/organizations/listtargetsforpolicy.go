package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listTargetsForPolicyInput struct {
	PolicyID   *string `json:"PolicyId"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

type listTargetsForPolicyResult struct {
	Targets   []PolicyTargetSummary `json:"Targets"`
	NextToken *string               `json:"NextToken,omitempty"`
}

// ListTargetsForPolicy lists the roots, OUs and accounts a policy is
// attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listTargetsForPolicyInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("policyId", in.PolicyID, "maxResults", in.MaxResults)
	id, err := policyID(in.PolicyID)
	if err != nil {
		return nil, err
	}
	pg, err := paging(in.MaxResults, in.NextToken, c.Action, id)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	p, ok, err := a.allowPolicy(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, policyNotFound(id)
	}
	targets, next := pageOf(pg, a.targetsOf(p))
	out := listTargetsForPolicyResult{Targets: make([]PolicyTargetSummary, 0, len(targets)), NextToken: next}
	for _, t := range targets {
		out.Targets = append(out.Targets, a.targetSummary(t))
	}
	return out, nil
}
