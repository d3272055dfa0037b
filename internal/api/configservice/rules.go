package configservice

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// ConfigRule is the API's ConfigRule shape.
type ConfigRule struct {
	ConfigRuleName            string  `json:"ConfigRuleName"`
	ConfigRuleArn             string  `json:"ConfigRuleArn,omitempty"`
	ConfigRuleID              string  `json:"ConfigRuleId,omitempty"`
	Description               string  `json:"Description,omitempty"`
	Scope                     *Scope  `json:"Scope,omitempty"`
	Source                    *Source `json:"Source"`
	InputParameters           string  `json:"InputParameters,omitempty"`
	MaximumExecutionFrequency string  `json:"MaximumExecutionFrequency,omitempty"`
	ConfigRuleState           string  `json:"ConfigRuleState,omitempty"`
	CreatedBy                 string  `json:"CreatedBy,omitempty"`
}

// Scope is the resources a rule evaluates.
type Scope struct {
	ComplianceResourceTypes []string `json:"ComplianceResourceTypes,omitempty"`
	TagKey                  string   `json:"TagKey,omitempty"`
	TagValue                string   `json:"TagValue,omitempty"`
	ComplianceResourceID    string   `json:"ComplianceResourceId,omitempty"`
}

// Source is who owns the rule's logic.
type Source struct {
	Owner            string         `json:"Owner"`
	SourceIdentifier string         `json:"SourceIdentifier,omitempty"`
	SourceDetails    []SourceDetail `json:"SourceDetails,omitempty"`
	// CustomPolicyDetails is a CUSTOM_POLICY rule's runtime and text.
	CustomPolicyDetails *CustomPolicyDetails `json:"CustomPolicyDetails,omitempty"`
}

// CustomPolicyDetails is a custom policy rule's logic: in Warden, CEL
// (PolicyRuntime cel-1.x.x).
type CustomPolicyDetails struct {
	PolicyRuntime          string `json:"PolicyRuntime"`
	PolicyText             string `json:"PolicyText"`
	EnableDebugLogDelivery bool   `json:"EnableDebugLogDelivery,omitempty"`
}

// SourceDetail is one trigger of the rule.
type SourceDetail struct {
	EventSource               string `json:"EventSource,omitempty"`
	MessageType               string `json:"MessageType,omitempty"`
	MaximumExecutionFrequency string `json:"MaximumExecutionFrequency,omitempty"`
}

var ruleNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// authorizeAdmin decides a write of the organization's rules: allowed by
// the caller's policies, and from the management account or the delegated
// administrator, as organization rules are.
func (s *service) authorizeAdmin(ctx context.Context, c *api.Call, action, resource string) (*org.Org, error) {
	if err := s.authz.Authorize(ctx, c, action, resource, nil); err != nil {
		return nil, err
	}
	o, err := s.state.Org(ctx)
	if err != nil {
		return nil, err
	}
	if acct := c.Identity.Account; acct != o.Management.ID && acct != delegatedAdmin(o) {
		return nil, errf("OrganizationAccessDeniedException",
			"Config rules are deployed to every account of the organization: call from the management account (%s) or the delegated administrator (%s), not from %s",
			o.Management.ID, delegatedAdmin(o), acct)
	}
	return o, nil
}

type putConfigRuleInput struct {
	ConfigRule *ConfigRule `json:"ConfigRule"`
	Tags       []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
}

// PutConfigRule adds or updates a rule of the organization.
func (s *service) PutConfigRule(ctx context.Context, c *api.Call) (any, error) {
	var in putConfigRuleInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	r := in.ConfigRule
	if r == nil || r.Source == nil {
		return nil, invalid("ConfigRule: a rule needs a ConfigRuleName and a Source")
	}
	if !ruleNameRE.MatchString(r.ConfigRuleName) {
		return nil, invalid("ConfigRuleName: %q must be 1 to 128 letters, digits, - and _", r.ConfigRuleName)
	}
	c.RequestParameters = call.Fields{"configRule": call.Fields{"configRuleName": r.ConfigRuleName, "source": r.Source}}
	var def state.ConfigRule
	var err error
	switch r.Source.Owner {
	case "AWS":
		def, err = managedDef(r)
	case compliance.OwnerCustomPolicy:
		def, err = customDef(r)
	case "CUSTOM_LAMBDA":
		err = invalid("Source.Owner: Warden runs no Lambda functions: write the rule in CEL, with Owner %s and CustomPolicyDetails.PolicyRuntime %s (docs/compliance.md)", compliance.OwnerCustomPolicy, compliance.CELRuntime)
	default:
		err = invalid("Source.Owner: %q is not one of AWS, %s", r.Source.Owner, compliance.OwnerCustomPolicy)
	}
	if err != nil {
		return nil, err
	}
	arn := ruleARN(c.Region, c.Identity.Account, ruleID(r.ConfigRuleName))
	if _, err := s.authorizeAdmin(ctx, c, "config:PutConfigRule", arn); err != nil {
		return nil, err
	}
	now := s.now()
	_, err = s.state.Mutate(ctx, func(d *state.Doc) error {
		rules := compliance.Deployed(d.Meta)
		def.Created, def.CreatedBy = now, c.Identity.ARN
		replaced := false
		for i, x := range rules {
			if x.Name == def.Name {
				def.Created = x.Created
				rules[i], replaced = def, true
			}
		}
		if !replaced {
			if len(rules) >= 1000 {
				return errf("MaxNumberOfConfigRulesExceededException", "Failed to put rule because the account already has the maximum of 1000 rules.")
			}
			rules = append(rules, def)
		}
		d.Meta.ConfigRules, d.Meta.ConfigRulesSet = append([]state.ConfigRule{}, rules...), true
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: arn, Type: "AWS::Config::ConfigRule", Account: c.Identity.Account}}
	return struct{}{}, nil
}

// apiRule renders a deployed rule for an account.
func apiRule(def state.ConfigRule, region, account string) ConfigRule {
	out := ConfigRule{ConfigRuleName: def.Name, ConfigRuleID: def.ID, ConfigRuleArn: ruleARN(region, account, def.ID),
		Description: def.Description, Source: &Source{Owner: "AWS", SourceIdentifier: def.Identifier},
		ConfigRuleState: "ACTIVE", MaximumExecutionFrequency: def.Frequency}
	if def.Owner == compliance.OwnerCustomPolicy {
		out.Source = &Source{Owner: def.Owner, SourceDetails: []SourceDetail{{EventSource: "aws.config", MessageType: changeTriggers[0]}},
			CustomPolicyDetails: &CustomPolicyDetails{PolicyRuntime: def.PolicyRuntime, PolicyText: def.PolicyText}}
	}
	if m, ok := compliance.Managed(def.Identifier); ok && m.Periodic && out.MaximumExecutionFrequency == "" {
		out.MaximumExecutionFrequency = "TwentyFour_Hours"
	}
	if len(def.Params) > 0 {
		b, _ := json.Marshal(def.Params)
		out.InputParameters = string(b)
	}
	if len(def.ResourceTypes) > 0 {
		out.Scope = &Scope{ComplianceResourceTypes: def.ResourceTypes}
	} else if m, ok := compliance.Managed(def.Identifier); ok && !m.Periodic {
		out.Scope = &Scope{ComplianceResourceTypes: m.ResourceTypes}
	}
	if def.CreatedBy != "" && def.CreatedBy != "warden" {
		out.CreatedBy = "config.amazonaws.com"
	}
	return out
}

type namesInput struct {
	ConfigRuleNames []string `json:"ConfigRuleNames"`
	NextToken       string   `json:"NextToken"`
	Limit           int      `json:"Limit"`
}

// pick returns the deployed rules the names select (all for none), or
// NoSuchConfigRuleException for a name that is not deployed.
func pick(defs []state.ConfigRule, names []string) ([]state.ConfigRule, error) {
	if len(names) == 0 {
		out := append([]state.ConfigRule{}, defs...)
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	}
	var out []state.ConfigRule
	for _, n := range names {
		found := false
		for _, d := range defs {
			if d.Name == n {
				out, found = append(out, d), true
			}
		}
		if !found {
			return nil, noSuchRule(n)
		}
	}
	return out, nil
}

func (s *service) rulesFor(ctx context.Context, c *api.Call, action string, names []string) ([]state.ConfigRule, error) {
	if err := s.authz.Authorize(ctx, c, action, "*", nil); err != nil {
		return nil, err
	}
	_, meta, err := s.state.Current(ctx)
	if err != nil {
		return nil, err
	}
	c.ReadOnly = true
	return pick(compliance.Deployed(meta), names)
}

// DescribeConfigRules lists the organization's rules, in any account.
func (s *service) DescribeConfigRules(ctx context.Context, c *api.Call) (any, error) {
	var in namesInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	defs, err := s.rulesFor(ctx, c, "config:DescribeConfigRules", in.ConfigRuleNames)
	if err != nil {
		return nil, err
	}
	from, to, next, err := page(len(defs), in.NextToken, 0, 25)
	if err != nil {
		return nil, err
	}
	out := struct {
		ConfigRules []ConfigRule `json:"ConfigRules"`
		NextToken   string       `json:"NextToken,omitempty"`
	}{ConfigRules: []ConfigRule{}, NextToken: next}
	for _, d := range defs[from:to] {
		out.ConfigRules = append(out.ConfigRules, apiRule(d, c.Region, c.Identity.Account))
	}
	return out, nil
}

// DeleteConfigRule removes a rule from every account.
func (s *service) DeleteConfigRule(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		ConfigRuleName string `json:"ConfigRuleName"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"configRuleName": in.ConfigRuleName}
	arn := ruleARN(c.Region, c.Identity.Account, ruleID(in.ConfigRuleName))
	if _, err := s.authorizeAdmin(ctx, c, "config:DeleteConfigRule", arn); err != nil {
		return nil, err
	}
	_, err := s.state.Mutate(ctx, func(d *state.Doc) error {
		rules := compliance.Deployed(d.Meta)
		var keep []state.ConfigRule
		for _, r := range rules {
			if r.Name != in.ConfigRuleName {
				keep = append(keep, r)
			}
		}
		if len(keep) == len(rules) {
			return noSuchRule(in.ConfigRuleName)
		}
		d.Meta.ConfigRules, d.Meta.ConfigRulesSet = keep, true
		return nil
	})
	if err != nil {
		var ae *awsproto.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: arn, Type: "AWS::Config::ConfigRule", Account: c.Identity.Account}}
	return struct{}{}, nil
}

// StartConfigRulesEvaluation evaluates the named rules at once.
func (s *service) StartConfigRulesEvaluation(ctx context.Context, c *api.Call) (any, error) {
	var in namesInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if len(in.ConfigRuleNames) > 25 {
		return nil, invalid("ConfigRuleNames: at most 25 rules")
	}
	defs, err := s.rulesFor(ctx, c, "config:StartConfigRulesEvaluation", in.ConfigRuleNames)
	if err != nil {
		return nil, err
	}
	c.ReadOnly = false
	if len(defs) > 0 {
		s.live.Force()
	}
	if _, err := s.evaluation(ctx); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// DescribeConfigRuleEvaluationStatus tells when each rule was evaluated.
func (s *service) DescribeConfigRuleEvaluationStatus(ctx context.Context, c *api.Call) (any, error) {
	var in namesInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	defs, err := s.rulesFor(ctx, c, "config:DescribeConfigRuleEvaluationStatus", in.ConfigRuleNames)
	if err != nil {
		return nil, err
	}
	if _, err := s.evaluation(ctx); err != nil {
		return nil, err
	}
	from, to, next, err := page(len(defs), in.NextToken, in.Limit, 50)
	if err != nil {
		return nil, err
	}
	type status struct {
		ConfigRuleName               string          `json:"ConfigRuleName"`
		ConfigRuleArn                string          `json:"ConfigRuleArn"`
		ConfigRuleID                 string          `json:"ConfigRuleId"`
		LastSuccessfulInvocationTime *awsproto.Epoch `json:"LastSuccessfulInvocationTime,omitempty"`
		LastSuccessfulEvaluationTime *awsproto.Epoch `json:"LastSuccessfulEvaluationTime,omitempty"`
		FirstActivatedTime           *awsproto.Epoch `json:"FirstActivatedTime,omitempty"`
		FirstEvaluationStarted       bool            `json:"FirstEvaluationStarted"`
	}
	out := struct {
		ConfigRulesEvaluationStatus []status `json:"ConfigRulesEvaluationStatus"`
		NextToken                   string   `json:"NextToken,omitempty"`
	}{ConfigRulesEvaluationStatus: []status{}, NextToken: next}
	statuses := s.status.All()
	for _, d := range defs[from:to] {
		st := status{ConfigRuleName: d.Name, ConfigRuleID: d.ID, ConfigRuleArn: ruleARN(c.Region, c.Identity.Account, d.ID),
			FirstActivatedTime: epoch(d.Created)}
		if r, ok := statuses[d.Name]; ok {
			t := r.Value.Last
			st.LastSuccessfulInvocationTime, st.LastSuccessfulEvaluationTime, st.FirstEvaluationStarted = epoch(t), epoch(t), true
		}
		out.ConfigRulesEvaluationStatus = append(out.ConfigRulesEvaluationStatus, st)
	}
	return out, nil
}

func epoch(t time.Time) *awsproto.Epoch {
	if t.IsZero() {
		return nil
	}
	e := awsproto.Epoch(t.UTC())
	return &e
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
