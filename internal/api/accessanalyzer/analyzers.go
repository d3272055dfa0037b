package accessanalyzer

import (
	"context"
	"regexp"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
)

var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,254}$`)

func analyzerARN(region, account, name string) string {
	return "arn:aws:access-analyzer:" + region + ":" + account + ":analyzer/" + name
}

// delegatedAdmin is the account allowed to create an organization's
// analyzers besides the management account: its delegated administrator
// for access-analyzer.amazonaws.com (organization delegatedAdministrators),
// else the account named Security.
func delegatedAdmin(o *org.Org) string {
	return o.DelegatedAdministratorOr("access-analyzer.amazonaws.com", "Security")
}

func notFound(format string, args ...any) error {
	return awsproto.Errorf("ResourceNotFoundException", format, args...)
}

type createAnalyzerInput struct {
	AnalyzerName string              `json:"analyzerName"`
	Type         string              `json:"type"`
	ArchiveRules []inlineArchiveRule `json:"archiveRules"`
	Tags         map[string]string   `json:"tags"`
	ClientToken  string              `json:"clientToken"`
}

type inlineArchiveRule struct {
	RuleName string               `json:"ruleName"`
	Filter   map[string]criterion `json:"filter"`
}

// CreateAnalyzer creates an analyzer of the caller's account.
func (s *service) CreateAnalyzer(ctx context.Context, c *api.Call) (any, error) {
	var in createAnalyzerInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if !nameRE.MatchString(in.AnalyzerName) {
		return nil, validation("analyzerName: %q must start with a letter and hold up to 255 letters, digits, periods, hyphens and underscores", in.AnalyzerName)
	}
	switch in.Type {
	case "ACCOUNT", "ORGANIZATION":
	case "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS", "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS":
		return nil, validation("type: Warden analyzes external access only: ACCOUNT or ORGANIZATION, not %s", in.Type)
	default:
		return nil, validation("type: %q is not one of ACCOUNT, ORGANIZATION", in.Type)
	}
	arn := analyzerARN(c.Region, c.Identity.Account, in.AnalyzerName)
	if err := s.authz.Authorize(ctx, c, "access-analyzer:CreateAnalyzer", arn, nil); err != nil {
		return nil, err
	}
	o, err := s.state.Org(ctx)
	if err != nil {
		return nil, err
	}
	if in.Type == "ORGANIZATION" {
		if acct := c.Identity.Account; acct != o.Management.ID && acct != delegatedAdmin(o) {
			return nil, validation("An ORGANIZATION analyzer is created from the management account (%s) or the delegated administrator (%s), not from %s", o.Management.ID, delegatedAdmin(o), acct)
		}
	} else if _, ok := o.AccountByID(c.Identity.Account); !ok {
		return nil, validation("account %s is not in the organization", c.Identity.Account)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.analyzers[arn]; ok {
		if in.ClientToken != "" && in.ClientToken == a.clientToken {
			return createAnalyzerResult{ARN: arn}, nil // a retry of the same request
		}
		return nil, awsproto.Errorf("ConflictException", "An analyzer named %s already exists", in.AnalyzerName)
	}
	a := &analyzer{ARN: arn, Name: in.AnalyzerName, Type: in.Type, Account: c.Identity.Account, Region: c.Region,
		CreatedAt: s.now(), Tags: in.Tags, rules: map[string]*archiveRule{}, findings: map[string]*finding{}, clientToken: in.ClientToken}
	if a.Tags == nil {
		a.Tags = map[string]string{}
	}
	for _, r := range in.ArchiveRules {
		if err := checkRule(r.RuleName, r.Filter); err != nil {
			return nil, err
		}
		a.rules[r.RuleName] = &archiveRule{Name: r.RuleName, Filter: r.Filter, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt}
	}
	c.Resources = append(c.Resources, api.Resource{Type: "AWS::AccessAnalyzer::Analyzer", ARN: arn})
	if err := s.refresh(ctx, a, o); err != nil {
		return nil, err
	}
	s.analyzers[arn] = a
	s.watch()
	return createAnalyzerResult{ARN: arn}, nil
}

type createAnalyzerResult struct {
	ARN string `json:"arn"`
}

// lookup finds an analyzer of the caller's account by name.
func (s *service) lookup(c *api.Call, name string) (*analyzer, error) {
	a, ok := s.analyzers[analyzerARN(c.Region, c.Identity.Account, name)]
	if !ok {
		return nil, notFound("Analyzer %s not found", name)
	}
	return a, nil
}

// byARN finds an analyzer by ARN; it must be the caller's account's.
func (s *service) byARN(c *api.Call, arn string) (*analyzer, error) {
	a, ok := s.analyzers[arn]
	if !ok || a.Account != c.Identity.Account {
		return nil, notFound("Analyzer %s not found", arn)
	}
	return a, nil
}

// GetAnalyzer describes an analyzer.
func (s *service) GetAnalyzer(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		AnalyzerName string `json:"analyzerName"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	if err := s.authz.Authorize(ctx, c, "access-analyzer:GetAnalyzer", analyzerARN(c.Region, c.Identity.Account, in.AnalyzerName), nil); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(c, in.AnalyzerName)
	if err != nil {
		return nil, err
	}
	return struct {
		Analyzer analyzerSummary `json:"analyzer"`
	}{a.summary()}, nil
}

// ListAnalyzers lists the caller's account's analyzers in the region.
func (s *service) ListAnalyzers(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Type       string `json:"type"`
		MaxResults *int   `json:"maxResults"`
		NextToken  string `json:"nextToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	if err := s.authz.Authorize(ctx, c, "access-analyzer:ListAnalyzers", "*", nil); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []analyzerSummary
	for _, arn := range sortedKeys(s.analyzers) {
		a := s.analyzers[arn]
		if a.Account != c.Identity.Account || a.Region != c.Region || in.Type != "" && a.Type != in.Type {
			continue
		}
		list = append(list, a.summary())
	}
	return paged("analyzers", list, in.MaxResults, in.NextToken)
}

// DeleteAnalyzer deletes an analyzer with its findings and rules.
func (s *service) DeleteAnalyzer(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		AnalyzerName string `json:"analyzerName"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	arn := analyzerARN(c.Region, c.Identity.Account, in.AnalyzerName)
	if err := s.authz.Authorize(ctx, c, "access-analyzer:DeleteAnalyzer", arn, nil); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookup(c, in.AnalyzerName); err != nil {
		return nil, err
	}
	delete(s.analyzers, arn)
	c.Resources = append(c.Resources, api.Resource{Type: "AWS::AccessAnalyzer::Analyzer", ARN: arn})
	return nil, nil
}
