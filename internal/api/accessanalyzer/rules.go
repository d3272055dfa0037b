package accessanalyzer

import (
	"context"
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

// archiveRule archives the new findings its filter matches.
type archiveRule struct {
	Name                 string
	Filter               map[string]criterion
	CreatedAt, UpdatedAt time.Time
}

func (r *archiveRule) matches(f *finding) bool { return matchFilter(f, r.Filter) }

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

func (s *service) withRule(ctx context.Context, c *api.Call, action string, readOnly bool, fn func(in *ruleInput, a *analyzer) (any, error)) (any, error) {
	var in ruleInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = readOnly
	if err := s.authz.Authorize(ctx, c, "access-analyzer:"+action, analyzerARN(c.Region, c.Identity.Account, in.AnalyzerName), nil); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(c, in.AnalyzerName)
	if err != nil {
		return nil, err
	}
	return fn(&in, a)
}

// CreateArchiveRule adds a rule to an analyzer.
func (s *service) CreateArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "CreateArchiveRule", false, func(in *ruleInput, a *analyzer) (any, error) {
		if err := checkRule(in.RuleName, in.Filter); err != nil {
			return nil, err
		}
		if _, ok := a.rules[in.RuleName]; ok {
			return nil, awsproto.Errorf("ConflictException", "An archive rule named %s already exists", in.RuleName)
		}
		now := s.now()
		a.rules[in.RuleName] = &archiveRule{Name: in.RuleName, Filter: in.Filter, CreatedAt: now, UpdatedAt: now}
		return nil, nil
	})
}

// GetArchiveRule describes a rule.
func (s *service) GetArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "GetArchiveRule", true, func(in *ruleInput, a *analyzer) (any, error) {
		r, err := a.rule(in.RuleName)
		if err != nil {
			return nil, err
		}
		return struct {
			ArchiveRule archiveRuleSummary `json:"archiveRule"`
		}{r.summary()}, nil
	})
}

// ListArchiveRules lists an analyzer's rules.
func (s *service) ListArchiveRules(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "ListArchiveRules", true, func(in *ruleInput, a *analyzer) (any, error) {
		var list []archiveRuleSummary
		for _, n := range sortedKeys(a.rules) {
			list = append(list, a.rules[n].summary())
		}
		return paged("archiveRules", list, in.MaxResults, in.NextToken)
	})
}

// UpdateArchiveRule replaces a rule's filter.
func (s *service) UpdateArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "UpdateArchiveRule", false, func(in *ruleInput, a *analyzer) (any, error) {
		r, err := a.rule(in.RuleName)
		if err != nil {
			return nil, err
		}
		if err := checkRule(in.RuleName, in.Filter); err != nil {
			return nil, err
		}
		r.Filter, r.UpdatedAt = in.Filter, s.now()
		return nil, nil
	})
}

// DeleteArchiveRule deletes a rule; the findings it archived stay archived.
func (s *service) DeleteArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	return s.withRule(ctx, c, "DeleteArchiveRule", false, func(in *ruleInput, a *analyzer) (any, error) {
		if _, err := a.rule(in.RuleName); err != nil {
			return nil, err
		}
		delete(a.rules, in.RuleName)
		return nil, nil
	})
}

// ApplyArchiveRule archives the active findings a rule matches.
func (s *service) ApplyArchiveRule(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		AnalyzerArn string `json:"analyzerArn"`
		RuleName    string `json:"ruleName"`
	}
	return s.withFindings(ctx, c, &in, "ApplyArchiveRule", func() string { return in.AnalyzerArn }, func(a *analyzer) (any, error) {
		r, err := a.rule(in.RuleName)
		if err != nil {
			return nil, err
		}
		now := s.now()
		for _, id := range sortedKeys(a.findings) {
			if f := a.findings[id]; f.Status == statusActive && r.matches(f) {
				f.Status, f.UpdatedAt = statusArchived, now
			}
		}
		return nil, nil
	})
}

// rule returns the analyzer's rule of the name.
func (a *analyzer) rule(name string) (*archiveRule, error) {
	r, ok := a.rules[name]
	if !ok {
		return nil, notFound("Archive rule %s not found", name)
	}
	return r, nil
}
