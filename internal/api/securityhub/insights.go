package securityhub

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/store"
)

// Insights: saved filters with a grouping, per account, kept in the store
// (securityhub/insights, by ARN).

// CreateInsight saves an insight in the caller's account.
func (s *service) CreateInsight(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Name             string                     `json:"Name"`
		Filters          map[string]json.RawMessage `json:"Filters"`
		GroupByAttribute string                     `json:"GroupByAttribute"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if in.Name == "" || stringFields[in.GroupByAttribute] == nil {
		return nil, invalidInput("Name is required and GroupByAttribute must be a string field of the findings (%s)", strings.Join(sortedKeys(stringFields), ", "))
	}
	if _, err := compileFilters(in.Filters, s.now()); err != nil {
		return nil, err
	}
	arn := "arn:aws:securityhub:" + c.Region + ":" + c.Identity.Account + ":insight/" + c.Identity.Account + "/custom/" + shortID(in.Name)
	if err := s.authz.Authorize(ctx, c, "securityhub:CreateInsight", hubARN(c), nil); err != nil {
		return nil, err
	}
	op, err := s.insights.Op(arn, insightDoc{ARN: arn, Name: in.Name, GroupBy: in.GroupByAttribute, Filters: in.Filters}, 0, s.now())
	if err != nil {
		return nil, err
	}
	if _, err := s.store.ApplyRecords(ctx, []store.RecordOp{op}); errors.Is(err, store.ErrConflict) {
		return nil, errf("ResourceConflictException", 409, "An insight named %s exists", in.Name)
	} else if err != nil {
		return nil, err
	}
	return struct {
		InsightArn string `json:"InsightArn"`
	}{arn}, nil
}

func (s *service) insightOf(ctx context.Context, arn string) (insightDoc, bool, error) {
	if err := s.insights.Sync(ctx); err != nil {
		return insightDoc{}, false, err
	}
	x, ok := s.insights.Get(arn)
	return x.Value, ok, nil
}

// GetInsights lists the caller's account's insights.
func (s *service) GetInsights(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		InsightArns []string `json:"InsightArns"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "securityhub:GetInsights", hubARN(c), nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	type item struct {
		InsightArn       string                     `json:"InsightArn"`
		Name             string                     `json:"Name"`
		Filters          map[string]json.RawMessage `json:"Filters"`
		GroupByAttribute string                     `json:"GroupByAttribute"`
	}
	out := struct {
		Insights []item `json:"Insights"`
	}{Insights: []item{}}
	if err := s.insights.Sync(ctx); err != nil {
		return nil, err
	}
	prefix := "arn:aws:securityhub:" + c.Region + ":" + c.Identity.Account + ":insight/"
	all := s.insights.All()
	for _, arn := range sortedKeys(all) {
		x := all[arn].Value
		if strings.HasPrefix(x.ARN, prefix) && (len(in.InsightArns) == 0 || contains(in.InsightArns, x.ARN)) {
			out.Insights = append(out.Insights, item{x.ARN, x.Name, x.Filters, x.GroupBy})
		}
	}
	return out, nil
}
