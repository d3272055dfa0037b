package configservice

import (
	"context"
	"sort"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// Compliance is a rule's or a resource's compliance.
type Compliance struct {
	ComplianceType             string        `json:"ComplianceType"`
	ComplianceContributorCount *Contributors `json:"ComplianceContributorCount,omitempty"`
}

// Contributors counts what makes a rule or resource non-compliant.
type Contributors struct {
	CappedCount int  `json:"CappedCount"`
	CapExceeded bool `json:"CapExceeded"`
}

func contributors(n int) *Contributors {
	if n == 0 {
		return nil
	}
	if n > 100 {
		return &Contributors{CappedCount: 100, CapExceeded: true}
	}
	return &Contributors{CappedCount: n}
}

// EvaluationResult is one rule's result on one resource.
type EvaluationResult struct {
	EvaluationResultIdentifier struct {
		EvaluationResultQualifier struct {
			ConfigRuleName string `json:"ConfigRuleName"`
			ResourceType   string `json:"ResourceType"`
			ResourceID     string `json:"ResourceId"`
			EvaluationMode string `json:"EvaluationMode"`
		} `json:"EvaluationResultQualifier"`
		OrderingTimestamp *awsproto.Epoch `json:"OrderingTimestamp"`
	} `json:"EvaluationResultIdentifier"`
	ComplianceType        string          `json:"ComplianceType"`
	ResultRecordedTime    *awsproto.Epoch `json:"ResultRecordedTime"`
	ConfigRuleInvokedTime *awsproto.Epoch `json:"ConfigRuleInvokedTime"`
	Annotation            string          `json:"Annotation,omitempty"`
	// AccountId and AwsRegion are set in an aggregator's results.
	AccountID string `json:"AccountId,omitempty"`
	AwsRegion string `json:"AwsRegion,omitempty"`
}

var complianceTypes = []string{compliance.Compliant, compliance.NonCompliant, compliance.NotApplicable, compliance.InsufficientData}

// decodeTyped reads the body into v and checks its ComplianceTypes.
func decodeTyped(c *api.Call, v any, types *[]string) error {
	if err := decode(c, v); err != nil {
		return err
	}
	return checkTypes(*types)
}

func checkTypes(types []string) error {
	for _, t := range types {
		if !contains(complianceTypes, t) {
			return invalid("ComplianceTypes: %q is not one of %v", t, complianceTypes)
		}
	}
	return nil
}

// view is one account's (or an aggregator's accounts') share of the
// evaluation, with the stored history of its results.
type view struct {
	rep      *compliance.Report
	accounts map[string]bool
	recorded map[string]store.Mirrored[recorded]
	status   map[string]store.Mirrored[ruleStatus]
}

// viewFor evaluates (when due) and returns what the accounts see.
func (s *service) viewFor(ctx context.Context, accounts ...string) (*view, error) {
	run, err := s.evaluation(ctx)
	if err != nil {
		return nil, err
	}
	v := &view{rep: run.Report, accounts: map[string]bool{}, recorded: s.results.All(), status: s.status.All()}
	for _, a := range accounts {
		v.accounts[a] = true
	}
	return v, nil
}

// callerView is the preamble of the calls on the caller's account's
// resources: authorized as action, recorded as reading with params, and
// the account's view.
func (s *service) callerView(ctx context.Context, c *api.Call, action string, params call.Fields) (*view, error) {
	if err := s.authz.Authorize(ctx, c, action, "*", nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	c.RequestParameters = params
	return s.viewFor(ctx, c.Identity.Account)
}

// ruleView is the preamble of the calls on the caller's account's results
// of named rules (all for none): authorized as action, the rules
// (NoSuchConfigRuleException for one not deployed), and the account's
// view.
func (s *service) ruleView(ctx context.Context, c *api.Call, action string, names []string) ([]state.ConfigRule, *view, error) {
	defs, err := s.rulesFor(ctx, c, action, names)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.viewFor(ctx, c.Identity.Account)
	return defs, v, err
}

// results returns the evaluations in the view that match.
func (v *view) results(match func(e *compliance.Evaluation) bool, types []string) []EvaluationResult {
	var out []EvaluationResult
	for i := range v.rep.Evaluations {
		e := &v.rep.Evaluations[i]
		if !v.accounts[e.Resource.Account] || !match(e) {
			continue
		}
		if len(types) > 0 && !contains(types, e.Compliance) {
			continue
		}
		var r EvaluationResult
		q := &r.EvaluationResultIdentifier.EvaluationResultQualifier
		q.ConfigRuleName, q.ResourceType, q.ResourceID, q.EvaluationMode = e.Rule, e.Resource.Type, e.Resource.ID, "DETECTIVE"
		rec := awsproto.Epoch(v.recorded[resultKey(e)].Value.At.UTC())
		invoked := awsproto.Epoch(v.status[e.Rule].Value.Last.UTC())
		r.EvaluationResultIdentifier.OrderingTimestamp = &rec
		r.ComplianceType, r.ResultRecordedTime, r.ConfigRuleInvokedTime = e.Compliance, &rec, &invoked
		r.Annotation = e.Annotation
		if len(r.Annotation) > 256 {
			r.Annotation = r.Annotation[:253] + "..."
		}
		r.AccountID = e.Resource.Account
		out = append(out, r)
	}
	return out
}

// ruleCompliance sums a rule's results in the view.
func (v *view) ruleCompliance(rule string) Compliance {
	nc, c := 0, 0
	for _, e := range v.rep.Evaluations {
		if e.Rule != rule || !v.accounts[e.Resource.Account] {
			continue
		}
		switch e.Compliance {
		case compliance.NonCompliant:
			nc++
		case compliance.Compliant:
			c++
		}
	}
	switch {
	case nc > 0:
		return Compliance{ComplianceType: compliance.NonCompliant, ComplianceContributorCount: contributors(nc)}
	case c > 0:
		return Compliance{ComplianceType: compliance.Compliant}
	}
	return Compliance{ComplianceType: compliance.InsufficientData}
}

type byRuleInput struct {
	ConfigRuleNames []string `json:"ConfigRuleNames"`
	ComplianceTypes []string `json:"ComplianceTypes"`
	NextToken       string   `json:"NextToken"`
}

// DescribeComplianceByConfigRule tells each rule's compliance over the
// caller's account.
func (s *service) DescribeComplianceByConfigRule(ctx context.Context, c *api.Call) (any, error) {
	var in byRuleInput
	if err := decodeTyped(c, &in, &in.ComplianceTypes); err != nil {
		return nil, err
	}
	defs, v, err := s.ruleView(ctx, c, "config:DescribeComplianceByConfigRule", in.ConfigRuleNames)
	if err != nil {
		return nil, err
	}
	type item struct {
		ConfigRuleName string     `json:"ConfigRuleName"`
		Compliance     Compliance `json:"Compliance"`
	}
	var items []item
	for _, d := range defs {
		comp := v.ruleCompliance(d.Name)
		if len(in.ComplianceTypes) == 0 || contains(in.ComplianceTypes, comp.ComplianceType) {
			items = append(items, item{d.Name, comp})
		}
	}
	return paged("ComplianceByConfigRules", items, in.NextToken, 0, 25)
}

type byResourceInput struct {
	ResourceType    string   `json:"ResourceType"`
	ResourceID      string   `json:"ResourceId"`
	ComplianceTypes []string `json:"ComplianceTypes"`
	Limit           int      `json:"Limit"`
	NextToken       string   `json:"NextToken"`
}

// DescribeComplianceByResource tells each of the caller's account's
// resources' compliance over the rules that evaluate it.
func (s *service) DescribeComplianceByResource(ctx context.Context, c *api.Call) (any, error) {
	var in byResourceInput
	if err := decodeTyped(c, &in, &in.ComplianceTypes); err != nil {
		return nil, err
	}
	if in.ResourceID != "" && in.ResourceType == "" {
		return nil, invalid("ResourceType: required with ResourceId")
	}
	v, err := s.callerView(ctx, c, "config:DescribeComplianceByResource", call.Fields{"resourceType": in.ResourceType, "resourceId": in.ResourceID})
	if err != nil {
		return nil, err
	}
	type key struct{ typ, id string }
	nc, comp := map[key]int{}, map[key]bool{}
	var order []key
	for _, e := range v.rep.Evaluations {
		if !v.accounts[e.Resource.Account] || (in.ResourceType != "" && e.Resource.Type != in.ResourceType) || (in.ResourceID != "" && e.Resource.ID != in.ResourceID) {
			continue
		}
		k := key{e.Resource.Type, e.Resource.ID}
		if _, seen := nc[k]; !seen {
			order = append(order, k)
			nc[k] = 0
		}
		switch e.Compliance {
		case compliance.NonCompliant:
			nc[k]++
		case compliance.Compliant:
			comp[k] = true
		}
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].typ != order[j].typ {
			return order[i].typ < order[j].typ
		}
		return order[i].id < order[j].id
	})
	type item struct {
		ResourceType string     `json:"ResourceType"`
		ResourceID   string     `json:"ResourceId"`
		Compliance   Compliance `json:"Compliance"`
	}
	var items []item
	for _, k := range order {
		cp := Compliance{ComplianceType: compliance.InsufficientData}
		switch {
		case nc[k] > 0:
			cp = Compliance{ComplianceType: compliance.NonCompliant, ComplianceContributorCount: contributors(nc[k])}
		case comp[k]:
			cp = Compliance{ComplianceType: compliance.Compliant}
		default:
			cp = Compliance{ComplianceType: compliance.NotApplicable}
		}
		if len(in.ComplianceTypes) == 0 || contains(in.ComplianceTypes, cp.ComplianceType) {
			items = append(items, item{k.typ, k.id, cp})
		}
	}
	return paged("ComplianceByResources", items, in.NextToken, in.Limit, 100)
}

type detailsByRuleInput struct {
	ConfigRuleName  string   `json:"ConfigRuleName"`
	ComplianceTypes []string `json:"ComplianceTypes"`
	Limit           int      `json:"Limit"`
	NextToken       string   `json:"NextToken"`
}

func pageResults(all []EvaluationResult, token string, limit int) (any, error) {
	return paged("EvaluationResults", all, token, limit, 100)
}

// GetComplianceDetailsByConfigRule lists one rule's results on the
// caller's account's resources, of every compliance type unless
// ComplianceTypes names some.
func (s *service) GetComplianceDetailsByConfigRule(ctx context.Context, c *api.Call) (any, error) {
	var in detailsByRuleInput
	if err := decodeTyped(c, &in, &in.ComplianceTypes); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"configRuleName": in.ConfigRuleName}
	_, v, err := s.ruleView(ctx, c, "config:GetComplianceDetailsByConfigRule", []string{in.ConfigRuleName})
	if err != nil {
		return nil, err
	}
	all := v.results(func(e *compliance.Evaluation) bool { return e.Rule == in.ConfigRuleName }, in.ComplianceTypes)
	for i := range all {
		all[i].AccountID = ""
	}
	return pageResults(all, in.NextToken, in.Limit)
}

// GetComplianceDetailsByResource lists every rule's result on one of the
// caller's account's resources.
func (s *service) GetComplianceDetailsByResource(ctx context.Context, c *api.Call) (any, error) {
	var in byResourceInput
	if err := decodeTyped(c, &in, &in.ComplianceTypes); err != nil {
		return nil, err
	}
	if in.ResourceType == "" || in.ResourceID == "" {
		return nil, invalid("ResourceType and ResourceId are required")
	}
	v, err := s.callerView(ctx, c, "config:GetComplianceDetailsByResource", call.Fields{"resourceType": in.ResourceType, "resourceId": in.ResourceID})
	if err != nil {
		return nil, err
	}
	all := v.results(func(e *compliance.Evaluation) bool {
		return e.Resource.Type == in.ResourceType && e.Resource.ID == in.ResourceID
	}, in.ComplianceTypes)
	for i := range all {
		all[i].AccountID = ""
	}
	return pageResults(all, in.NextToken, 0)
}
