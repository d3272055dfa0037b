package accessanalyzer

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// criterion is one filter condition
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Criterion.html).
type criterion struct {
	Eq       []string `json:"eq,omitempty"`
	Neq      []string `json:"neq,omitempty"`
	Contains []string `json:"contains,omitempty"`
	Exists   *bool    `json:"exists,omitempty"`
}

func checkFilter(filter map[string]criterion) error {
	for key, c := range filter {
		if _, ok := (&finding{}).values(key); !ok {
			return validation("filter: %q is not a filter key", key)
		}
		if len(c.Eq) == 0 && len(c.Neq) == 0 && len(c.Contains) == 0 && c.Exists == nil {
			return validation("filter %q: give eq, neq, contains or exists", key)
		}
	}
	return nil
}

func matchFilter(f *finding, filter map[string]criterion) bool {
	for key, c := range filter {
		vals, _ := f.values(key)
		if c.Exists != nil && *c.Exists != (len(vals) > 0) {
			return false
		}
		if len(c.Eq) > 0 && !anyOf(vals, c.Eq, func(v, w string) bool { return v == w }) {
			return false
		}
		if len(c.Neq) > 0 && anyOf(vals, c.Neq, func(v, w string) bool { return v == w }) {
			return false
		}
		if len(c.Contains) > 0 && !anyOf(vals, c.Contains, strings.Contains) {
			return false
		}
	}
	return true
}

func anyOf(vals, want []string, eq func(v, w string) bool) bool {
	for _, v := range vals {
		for _, w := range want {
			if eq(v, w) {
				return true
			}
		}
	}
	return false
}

// archiveRule archives the new findings its filter matches
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-archive-rules.html);
// ApplyArchiveRule archives the existing ones.
type archiveRule struct {
	Name      string               `json:"name"`
	Filter    map[string]criterion `json:"filter"`
	CreatedAt time.Time            `json:"createdAt"`
	UpdatedAt time.Time            `json:"updatedAt"`
}

func (r *archiveRule) matches(f *finding) bool { return matchFilter(f, r.Filter) }

// archives reports whether one of the analyzer's rules archives a new
// finding.
func (a *analyzer) archives(f *finding) bool {
	for _, r := range a.Rules {
		if r.matches(f) {
			return true
		}
	}
	return false
}

// archiveRuleSummary is the ArchiveRuleSummary data type.
type archiveRuleSummary struct {
	RuleName  string               `json:"ruleName"`
	Filter    map[string]criterion `json:"filter"`
	CreatedAt string               `json:"createdAt"`
	UpdatedAt string               `json:"updatedAt"`
}

func (r *archiveRule) summary() archiveRuleSummary {
	return archiveRuleSummary{RuleName: r.Name, Filter: r.Filter, CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt)}
}

func checkRule(name string, filter map[string]criterion) error {
	if !nameRE.MatchString(name) {
		return validation("ruleName: %q must start with a letter and hold up to 255 letters, digits, periods, hyphens and underscores", name)
	}
	if len(filter) == 0 {
		return validation("filter: an archive rule needs at least one criterion")
	}
	return checkFilter(filter)
}

type ruleInput struct {
	AnalyzerName string               `json:"analyzerName"`
	RuleName     string               `json:"ruleName"`
	Filter       map[string]criterion `json:"filter"`
	MaxResults   *int                 `json:"maxResults"`
	NextToken    string               `json:"nextToken"`
}

// withRule authorizes action on the analyzer the request names and runs
// fn on the analyzer as stored. When fn returns a changed analyzer, it is
// stored if no other writer changed it meanwhile, retrying otherwise.
func (s *service) withRule(ctx context.Context, c *api.Call, action string, readOnly bool, fn func(in *ruleInput, a *analyzer) (any, *analyzer, error)) (any, error) {
	var in ruleInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = readOnly
	arn := analyzerARN(c.Region, c.Identity.Account, in.AnalyzerName)
	if err := s.authz.Authorize(ctx, c, "access-analyzer:"+action, arn, nil); err != nil {
		return nil, err
	}
	var out any
	err := s.retry(ctx, func() error {
		a, version, err := s.analyzerByARN(ctx, c, arn)
		if err != nil {
			return notFound("Analyzer %s not found", in.AnalyzerName)
		}
		res, changed, err := fn(&in, a.clone())
		if err != nil || changed == nil {
			out = res
			return err
		}
		doc, err := json.Marshal(changed)
		if err != nil {
			return err
		}
		if _, err := s.store.PutRecord(ctx, nsAnalyzers, arn, doc, version, s.now()); err != nil {
			return err
		}
		out = res
		return nil
	})
	return out, err
}

// CreateArchiveRule adds a rule to an analyzer.
func (s *service) CreateArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "CreateArchiveRule", false, func(in *ruleInput, a *analyzer) (any, *analyzer, error) {
		if err := checkRule(in.RuleName, in.Filter); err != nil {
			return nil, nil, err
		}
		if _, ok := a.Rules[in.RuleName]; ok {
			return nil, nil, awsproto.Errorf("ConflictException", "An archive rule named %s already exists", in.RuleName)
		}
		now := s.now()
		a.Rules[in.RuleName] = &archiveRule{Name: in.RuleName, Filter: in.Filter, CreatedAt: now, UpdatedAt: now}
		return nil, a, nil
	})
}

// GetArchiveRule describes a rule.
func (s *service) GetArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "GetArchiveRule", true, func(in *ruleInput, a *analyzer) (any, *analyzer, error) {
		r, err := a.rule(in.RuleName)
		if err != nil {
			return nil, nil, err
		}
		return struct {
			ArchiveRule archiveRuleSummary `json:"archiveRule"`
		}{r.summary()}, nil, nil
	})
}

// ListArchiveRules lists an analyzer's rules.
func (s *service) ListArchiveRules(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "ListArchiveRules", true, func(in *ruleInput, a *analyzer) (any, *analyzer, error) {
		var list []archiveRuleSummary
		for _, n := range sortedKeys(a.Rules) {
			list = append(list, a.Rules[n].summary())
		}
		out, err := paged("archiveRules", list, in.MaxResults, in.NextToken)
		return out, nil, err
	})
}

// UpdateArchiveRule replaces a rule's filter.
func (s *service) UpdateArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "UpdateArchiveRule", false, func(in *ruleInput, a *analyzer) (any, *analyzer, error) {
		r, err := a.rule(in.RuleName)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRule(in.RuleName, in.Filter); err != nil {
			return nil, nil, err
		}
		r.Filter, r.UpdatedAt = in.Filter, s.now()
		return nil, a, nil
	})
}

// DeleteArchiveRule deletes a rule; the findings it archived stay archived.
func (s *service) DeleteArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "DeleteArchiveRule", false, func(in *ruleInput, a *analyzer) (any, *analyzer, error) {
		if _, err := a.rule(in.RuleName); err != nil {
			return nil, nil, err
		}
		delete(a.Rules, in.RuleName)
		return nil, a, nil
	})
}

// ApplyArchiveRule archives the active findings a rule matches.
func (s *service) ApplyArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		AnalyzerArn string `json:"analyzerArn"`
		RuleName    string `json:"ruleName"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "access-analyzer:ApplyArchiveRule", in.AnalyzerArn, nil); err != nil {
		return nil, err
	}
	return nil, s.setStatus(ctx, c, in.AnalyzerArn, statusArchived, func(fs map[string]*finding) ([]*finding, error) {
		a, _, err := s.analyzerByARN(ctx, c, in.AnalyzerArn)
		if err != nil {
			return nil, err
		}
		r, err := a.rule(in.RuleName)
		if err != nil {
			return nil, err
		}
		var targets []*finding
		for _, id := range sortedKeys(fs) {
			if f := fs[id]; f.Status == statusActive && r.matches(f) {
				targets = append(targets, f)
			}
		}
		return targets, nil
	})
}

// rule returns the analyzer's rule of the name.
func (a *analyzer) rule(name string) (*archiveRule, error) {
	r, ok := a.Rules[name]
	if !ok {
		return nil, notFound("Archive rule %s not found", name)
	}
	return r, nil
}
