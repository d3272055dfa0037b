package configservice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/state"
)

var aggregatorNameRE = regexp.MustCompile(`^[\w\-]{1,256}$`)

// Aggregator is the API's ConfigurationAggregator shape.
type Aggregator struct {
	ConfigurationAggregatorName   string          `json:"ConfigurationAggregatorName"`
	ConfigurationAggregatorArn    string          `json:"ConfigurationAggregatorArn"`
	AccountAggregationSources     []AccountSource `json:"AccountAggregationSources,omitempty"`
	OrganizationAggregationSource *OrgSource      `json:"OrganizationAggregationSource,omitempty"`
	CreationTime                  *awsproto.Epoch `json:"CreationTime,omitempty"`
	LastUpdatedTime               *awsproto.Epoch `json:"LastUpdatedTime,omitempty"`
}

// AccountSource aggregates named accounts.
type AccountSource struct {
	AccountIDs    []string `json:"AccountIds"`
	AllAwsRegions bool     `json:"AllAwsRegions,omitempty"`
	AwsRegions    []string `json:"AwsRegions,omitempty"`
}

// OrgSource aggregates the whole organization.
type OrgSource struct {
	RoleArn       string   `json:"RoleArn"`
	AllAwsRegions bool     `json:"AllAwsRegions,omitempty"`
	AwsRegions    []string `json:"AwsRegions,omitempty"`
}

func aggregatorARN(region, account, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + name))
	return "arn:aws:config:" + region + ":" + account + ":config-aggregator/config-aggregator-" + hex.EncodeToString(sum[:])[:8]
}

func noSuchAggregator(name string) error {
	return errf("NoSuchConfigurationAggregatorException", "The configuration aggregator '%s' does not exist.", name)
}

// PutConfigurationAggregator creates or updates an aggregator of the
// caller's account: of the organization (from the management account or
// the delegated administrator) or of named accounts of it.
func (s *service) PutConfigurationAggregator(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Name      string          `json:"ConfigurationAggregatorName"`
		Accounts  []AccountSource `json:"AccountAggregationSources"`
		OrgSource *OrgSource      `json:"OrganizationAggregationSource"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if !aggregatorNameRE.MatchString(in.Name) {
		return nil, invalid("ConfigurationAggregatorName: %q must be 1 to 256 letters, digits, _ and -", in.Name)
	}
	if (in.OrgSource == nil) == (len(in.Accounts) == 0) {
		return nil, invalid("Give either AccountAggregationSources or OrganizationAggregationSource")
	}
	c.RequestParameters = call.Fields{"configurationAggregatorName": in.Name}
	arn := aggregatorARN(c.Region, c.Identity.Account, in.Name)
	if err := s.authz.Authorize(ctx, c, "config:PutConfigurationAggregator", arn, nil); err != nil {
		return nil, err
	}
	o, err := s.state.Org(ctx)
	if err != nil {
		return nil, err
	}
	agg := state.ConfigAggregator{Name: in.Name, Account: c.Identity.Account, Organization: in.OrgSource != nil}
	if agg.Organization {
		if acct := c.Identity.Account; acct != o.Management.ID && acct != delegatedAdmin(o) {
			return nil, errf("OrganizationAccessDeniedException", "An organization aggregator is created in the management account (%s) or the delegated administrator (%s), not in %s",
				o.Management.ID, delegatedAdmin(o), acct)
		}
	}
	for _, src := range in.Accounts {
		for _, id := range src.AccountIDs {
			if _, ok := o.AccountByID(id); !ok {
				return nil, invalid("AccountAggregationSources: %s is not an account of the organization", id)
			}
			agg.Accounts = append(agg.Accounts, id)
		}
	}
	now := s.now()
	var saved state.ConfigAggregator
	_, err = s.state.Mutate(ctx, func(d *state.Doc) error {
		a := agg
		a.Created, a.Updated = now, now
		for i, x := range d.Meta.ConfigAggregators {
			if x.Account == a.Account && x.Name == a.Name {
				a.Created = x.Created
				d.Meta.ConfigAggregators[i], saved = a, a
				return nil
			}
		}
		d.Meta.ConfigAggregators, saved = append(d.Meta.ConfigAggregators, a), a
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: arn, Type: "AWS::Config::ConfigurationAggregator", Account: c.Identity.Account}}
	return struct {
		ConfigurationAggregator Aggregator `json:"ConfigurationAggregator"`
	}{apiAggregator(saved, c.Region, in.OrgSource, in.Accounts)}, nil
}

func apiAggregator(a state.ConfigAggregator, region string, org *OrgSource, accts []AccountSource) Aggregator {
	out := Aggregator{ConfigurationAggregatorName: a.Name, ConfigurationAggregatorArn: aggregatorARN(region, a.Account, a.Name),
		CreationTime: epoch(a.Created), LastUpdatedTime: epoch(a.Updated)}
	switch {
	case a.Organization && org != nil:
		out.OrganizationAggregationSource = org
	case a.Organization:
		out.OrganizationAggregationSource = &OrgSource{RoleArn: "arn:aws:iam::" + a.Account + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", AllAwsRegions: true}
	case accts != nil:
		out.AccountAggregationSources = accts
	default:
		out.AccountAggregationSources = []AccountSource{{AccountIDs: a.Accounts, AllAwsRegions: true}}
	}
	return out
}

// aggregatorsOf returns the caller's account's aggregators.
func (s *service) aggregatorsOf(ctx context.Context, account string) ([]state.ConfigAggregator, error) {
	_, meta, err := s.state.Current(ctx)
	if err != nil {
		return nil, err
	}
	var out []state.ConfigAggregator
	for _, a := range meta.ConfigAggregators {
		if a.Account == account {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DescribeConfigurationAggregators lists the caller's account's aggregators.
func (s *service) DescribeConfigurationAggregators(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Names     []string `json:"ConfigurationAggregatorNames"`
		NextToken string   `json:"NextToken"`
		Limit     int      `json:"Limit"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "config:DescribeConfigurationAggregators", "*", nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	all, err := s.aggregatorsOf(ctx, c.Identity.Account)
	if err != nil {
		return nil, err
	}
	if len(in.Names) > 0 {
		var picked []state.ConfigAggregator
		for _, n := range in.Names {
			found := false
			for _, a := range all {
				if a.Name == n {
					picked, found = append(picked, a), true
				}
			}
			if !found {
				return nil, noSuchAggregator(n)
			}
		}
		all = picked
	}
	from, to, next, err := page(len(all), in.NextToken, in.Limit, 10)
	if err != nil {
		return nil, err
	}
	out := struct {
		ConfigurationAggregators []Aggregator `json:"ConfigurationAggregators"`
		NextToken                string       `json:"NextToken,omitempty"`
	}{ConfigurationAggregators: []Aggregator{}, NextToken: next}
	for _, a := range all[from:to] {
		out.ConfigurationAggregators = append(out.ConfigurationAggregators, apiAggregator(a, c.Region, nil, nil))
	}
	return out, nil
}

// DeleteConfigurationAggregator deletes one of the caller's account's
// aggregators.
func (s *service) DeleteConfigurationAggregator(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Name string `json:"ConfigurationAggregatorName"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"configurationAggregatorName": in.Name}
	arn := aggregatorARN(c.Region, c.Identity.Account, in.Name)
	if err := s.authz.Authorize(ctx, c, "config:DeleteConfigurationAggregator", arn, nil); err != nil {
		return nil, err
	}
	_, err := s.state.Mutate(ctx, func(d *state.Doc) error {
		for i, a := range d.Meta.ConfigAggregators {
			if a.Account == c.Identity.Account && a.Name == in.Name {
				d.Meta.ConfigAggregators = append(d.Meta.ConfigAggregators[:i:i], d.Meta.ConfigAggregators[i+1:]...)
				return nil
			}
		}
		return noSuchAggregator(in.Name)
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// aggregatorView returns the view of the caller's aggregator.
func (s *service) aggregatorView(ctx context.Context, c *api.Call, name, action string) (*view, error) {
	if err := s.authz.Authorize(ctx, c, action, aggregatorARN(c.Region, c.Identity.Account, name), nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	c.RequestParameters = call.Fields{"configurationAggregatorName": name}
	aggs, err := s.aggregatorsOf(ctx, c.Identity.Account)
	if err != nil {
		return nil, err
	}
	for _, a := range aggs {
		if a.Name != name {
			continue
		}
		accts := a.Accounts
		if a.Organization {
			o, err := s.state.Org(ctx)
			if err != nil {
				return nil, err
			}
			accts = nil
			for _, x := range o.Accounts {
				accts = append(accts, x.ID)
			}
		}
		return s.viewFor(ctx, accts...)
	}
	return nil, noSuchAggregator(name)
}

// GetAggregateComplianceDetailsByConfigRule lists one rule's results in one
// aggregated account.
func (s *service) GetAggregateComplianceDetailsByConfigRule(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Name           string `json:"ConfigurationAggregatorName"`
		ConfigRuleName string `json:"ConfigRuleName"`
		AccountID      string `json:"AccountId"`
		AwsRegion      string `json:"AwsRegion"`
		ComplianceType string `json:"ComplianceType"`
		Limit          int    `json:"Limit"`
		NextToken      string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if in.ConfigRuleName == "" || in.AccountID == "" || in.AwsRegion == "" {
		return nil, invalid("ConfigRuleName, AccountId and AwsRegion are required")
	}
	if in.ComplianceType != "" {
		if err := checkTypes([]string{in.ComplianceType}); err != nil {
			return nil, err
		}
	}
	v, err := s.aggregatorView(ctx, c, in.Name, "config:GetAggregateComplianceDetailsByConfigRule")
	if err != nil {
		return nil, err
	}
	var types []string
	if in.ComplianceType != "" {
		types = []string{in.ComplianceType}
	}
	all := v.results(func(e *compliance.Evaluation) bool {
		return e.Rule == in.ConfigRuleName && e.Resource.Account == in.AccountID
	}, types)
	for i := range all {
		all[i].AwsRegion = in.AwsRegion
	}
	return paged("AggregateEvaluationResults", all, in.NextToken, in.Limit, 100)
}

// DescribeAggregateComplianceByConfigRules tells each rule's compliance in
// each aggregated account.
func (s *service) DescribeAggregateComplianceByConfigRules(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Name    string `json:"ConfigurationAggregatorName"`
		Filters struct {
			ConfigRuleName string `json:"ConfigRuleName"`
			ComplianceType string `json:"ComplianceType"`
			AccountID      string `json:"AccountId"`
			AwsRegion      string `json:"AwsRegion"`
		} `json:"Filters"`
		Limit     int    `json:"Limit"`
		NextToken string `json:"NextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	v, err := s.aggregatorView(ctx, c, in.Name, "config:DescribeAggregateComplianceByConfigRules")
	if err != nil {
		return nil, err
	}
	region := in.Filters.AwsRegion
	if region == "" {
		region = c.Region
	}
	type item struct {
		ConfigRuleName string     `json:"ConfigRuleName"`
		Compliance     Compliance `json:"Compliance"`
		AccountID      string     `json:"AccountId"`
		AwsRegion      string     `json:"AwsRegion"`
	}
	accounts := make([]string, 0, len(v.accounts))
	for a := range v.accounts {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	var items []item
	for _, r := range v.rep.Rules {
		if in.Filters.ConfigRuleName != "" && r.Name != in.Filters.ConfigRuleName {
			continue
		}
		for _, a := range accounts {
			if in.Filters.AccountID != "" && a != in.Filters.AccountID {
				continue
			}
			one := &view{rep: v.rep, accounts: map[string]bool{a: true}}
			comp := one.ruleCompliance(r.Name)
			if in.Filters.ComplianceType != "" && comp.ComplianceType != in.Filters.ComplianceType {
				continue
			}
			items = append(items, item{r.Name, comp, a, region})
		}
	}
	return paged("AggregateComplianceByConfigRules", items, in.NextToken, in.Limit, 1000)
}
