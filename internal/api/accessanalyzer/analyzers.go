package accessanalyzer

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
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

// Analyzer statuses: CREATING until its first analysis is stored.
const (
	analyzerCreating = "CREATING"
	analyzerActive   = "ACTIVE"
)

// analyzer is one analyzer as stored (nsAnalyzers), with its archive rules.
type analyzer struct {
	ARN            string                  `json:"arn"`
	Name           string                  `json:"name"`
	Type           string                  `json:"type"`
	Account        string                  `json:"account"`
	Region         string                  `json:"region"`
	CreatedAt      time.Time               `json:"createdAt"`
	Tags           map[string]string       `json:"tags"`
	ClientToken    string                  `json:"clientToken,omitempty"`
	Rules          map[string]*archiveRule `json:"rules"`
	LastResource   string                  `json:"lastResource,omitempty"`
	LastAnalyzedAt time.Time               `json:"lastAnalyzedAt,omitzero"`
	// StateVersion is the version of the organization's state its findings
	// reflect: 0 until the first analysis.
	StateVersion int64 `json:"stateVersion"`
}

// analyzerSummary is the AnalyzerSummary data type.
type analyzerSummary struct {
	ARN                    string            `json:"arn"`
	Name                   string            `json:"name"`
	Type                   string            `json:"type"`
	CreatedAt              string            `json:"createdAt"`
	Status                 string            `json:"status"`
	Tags                   map[string]string `json:"tags"`
	LastResourceAnalyzed   string            `json:"lastResourceAnalyzed,omitempty"`
	LastResourceAnalyzedAt string            `json:"lastResourceAnalyzedAt,omitempty"`
}

func (a *analyzer) status() string {
	if a.StateVersion == 0 {
		return analyzerCreating
	}
	return analyzerActive
}

func (a *analyzer) summary() analyzerSummary {
	out := analyzerSummary{ARN: a.ARN, Name: a.Name, Type: a.Type, CreatedAt: ts(a.CreatedAt), Status: a.status(), Tags: a.Tags}
	if a.LastResource != "" {
		out.LastResourceAnalyzed = a.LastResource
		out.LastResourceAnalyzedAt = ts(a.LastAnalyzedAt)
	}
	return out
}

// clone copies the analyzer deeply enough to change its rules.
func (a *analyzer) clone() *analyzer {
	c := *a
	c.Rules = make(map[string]*archiveRule, len(a.Rules))
	for n, r := range a.Rules {
		cr := *r
		c.Rules[n] = &cr
	}
	return &c
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

// CreateAnalyzer creates an analyzer of the caller's account. It answers at
// once; the analyzer is CREATING until the worker stored its first
// analysis.
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
	now := s.now()
	a := &analyzer{ARN: arn, Name: in.AnalyzerName, Type: in.Type, Account: c.Identity.Account, Region: c.Region,
		CreatedAt: now, Tags: in.Tags, Rules: map[string]*archiveRule{}, ClientToken: in.ClientToken}
	if a.Tags == nil {
		a.Tags = map[string]string{}
	}
	for _, r := range in.ArchiveRules {
		if err := checkRule(r.RuleName, r.Filter); err != nil {
			return nil, err
		}
		a.Rules[r.RuleName] = &archiveRule{Name: r.RuleName, Filter: r.Filter, CreatedAt: now, UpdatedAt: now}
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.PutRecord(ctx, nsAnalyzers, arn, doc, 0, now); errors.Is(err, store.ErrExists) {
		if prev, perr := s.store.Record(ctx, nsAnalyzers, arn); perr == nil && in.ClientToken != "" {
			if old, derr := decodeJSON[analyzer](prev.Doc); derr == nil && old.ClientToken == in.ClientToken {
				return createAnalyzerResult{ARN: arn}, nil // a retry of the same request
			}
		}
		return nil, awsproto.Errorf("ConflictException", "An analyzer named %s already exists", in.AnalyzerName)
	} else if err != nil {
		return nil, err
	}
	c.Resources = append(c.Resources, api.Resource{Type: "AWS::AccessAnalyzer::Analyzer", ARN: arn})
	s.ensureWorker()
	return createAnalyzerResult{ARN: arn}, nil
}

type createAnalyzerResult struct {
	ARN string `json:"arn"`
}

// analyzerByARN returns the caller's analyzer by ARN, as stored now, with
// its version.
func (s *service) analyzerByARN(ctx context.Context, c *api.Call, arn string) (*analyzer, int64, error) {
	s.ensureWorker()
	ans, err := s.analyzersNow(ctx)
	if err != nil {
		return nil, 0, err
	}
	a, ok := ans[arn]
	if !ok || a.Value.Account != c.Identity.Account {
		return nil, 0, notFound("Analyzer %s not found", arn)
	}
	return a.Value, a.Version, nil
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
	arn := analyzerARN(c.Region, c.Identity.Account, in.AnalyzerName)
	if err := s.authz.Authorize(ctx, c, "access-analyzer:GetAnalyzer", arn, nil); err != nil {
		return nil, err
	}
	a, _, err := s.analyzerByARN(ctx, c, arn)
	if err != nil {
		return nil, notFound("Analyzer %s not found", in.AnalyzerName)
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
	s.ensureWorker()
	ans, err := s.analyzersNow(ctx)
	if err != nil {
		return nil, err
	}
	var list []analyzerSummary
	for _, arn := range sortedKeys(ans) {
		a := ans[arn].Value
		if a.Account != c.Identity.Account || a.Region != c.Region || in.Type != "" && a.Type != in.Type {
			continue
		}
		list = append(list, a.summary())
	}
	return paged("analyzers", list, in.MaxResults, in.NextToken)
}

// DeleteAnalyzer deletes an analyzer with its findings and rules, in one
// batch.
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
	err := s.retry(ctx, func() error {
		_, version, err := s.analyzerByARN(ctx, c, arn)
		if err != nil {
			return notFound("Analyzer %s not found", in.AnalyzerName)
		}
		now := s.now()
		ops := []store.RecordOp{{Namespace: nsAnalyzers, Key: arn, Delete: true, Expect: version, At: now}}
		fs, err := s.findingsOf(ctx, arn)
		if err != nil {
			return err
		}
		for _, id := range sortedKeys(fs) {
			ops = append(ops, store.RecordOp{Namespace: nsFindings, Key: findingKey(arn, id), Delete: true, Expect: fs[id].version, At: now})
		}
		_, err = s.store.ApplyRecords(ctx, ops)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.Resources = append(c.Resources, api.Resource{Type: "AWS::AccessAnalyzer::Analyzer", ARN: arn})
	return nil, nil
}

// retry runs a read-modify-write fn again while another writer (a replica,
// the worker) got there first, up to 20 times.
func (s *service) retry(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if (!errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound)) || attempt == 19 {
			if errors.Is(err, store.ErrConflict) {
				return awsproto.Errorf("ConflictException", "the analyzer changed while the request was applied: retry")
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
