package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listPoliciesForTargetInput struct {
	TargetID   *string `json:"TargetId"`
	Filter     *string `json:"Filter"`
	MaxResults *int32  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

// ListPoliciesForTarget lists the policies of a type attached directly to a
// root, OU or account.
func (s *Service) ListPoliciesForTarget(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in listPoliciesForTargetInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("targetId", in.TargetID, "filter", in.Filter, "maxResults", in.MaxResults)
	tid, err := targetID(in.TargetID)
	if err != nil {
		return nil, err
	}
	t, err := policyType("Filter", in.Filter)
	if err != nil {
		return nil, err
	}
	p, err := paging(in.MaxResults, in.NextToken, c.Action, tid, t)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.targetARN(tid)}, policyContext(t), false); err != nil {
		return nil, err
	}
	target, ok := a.target(tid)
	if !ok && a.again(ctx) {
		target, ok = a.target(tid)
	}
	if !ok {
		return nil, targetNotFound(tid)
	}
	var all []pol
	if _, kept := formatType[t]; kept && a.typeEnabled(t) {
		all = a.attachedTo(target, t)
	}
	items, next := pageOf(p, all)
	return listPoliciesResult{Policies: summaries(items), NextToken: next}, nil
}
