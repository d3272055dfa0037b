package configservice

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

type service struct {
	authz *api.Authorizer
	state *state.Manager
	store store.Store
	now   func() time.Time

	mu sync.Mutex
	// The last evaluation: of this org, with these rules, at this time.
	org      *org.Org
	rulesKey string
	report   *compliance.Report
	rules    []ruleEntry
	at       time.Time
	forced   map[string]bool // rules StartConfigRulesEvaluation asked for
	// recorded is when each result's current compliance was first
	// recorded: rule, resource type and ID -> compliance and time.
	recorded map[resultKey]recordedResult
	// first and last evaluations by rule name.
	first, last map[string]time.Time
}

type resultKey struct{ rule, typ, id string }

type recordedResult struct {
	compliance string
	at         time.Time
}

// ruleEntry is a deployed rule: its stored definition and the rule to run.
type ruleEntry struct {
	def  state.ConfigRule
	rule *compliance.Rule
}

func newService(d *api.Deps) *service {
	now := d.Clock
	if now == nil {
		now = time.Now
	}
	return &service{authz: d.Authz, state: d.State, store: d.Store, now: now,
		recorded: map[resultKey]recordedResult{}, first: map[string]time.Time{}, last: map[string]time.Time{}, forced: map[string]bool{}}
}

// entries makes the deployed rules runnable.
func entries(defs []state.ConfigRule) []ruleEntry {
	var out []ruleEntry
	for _, d := range defs {
		if r, ok := compliance.Runnable(d); ok {
			out = append(out, ruleEntry{def: d, rule: r})
		}
	}
	return out
}

func rulesKey(defs []state.ConfigRule) string {
	key := ""
	for _, d := range defs {
		key += d.ID + "\x00"
		for _, k := range sortedKeys(d.Params) {
			key += k + "=" + d.Params[k] + "\x00"
		}
		for _, t := range d.ResourceTypes {
			key += t + "\x00"
		}
		key += "\x01"
	}
	return key
}

// periodicEvery is how often periodic rules run (AWS's default
// MaximumExecutionFrequency, TwentyFour_Hours).
const periodicEvery = 24 * time.Hour

var frequencies = map[string]time.Duration{
	"One_Hour": time.Hour, "Three_Hours": 3 * time.Hour, "Six_Hours": 6 * time.Hour,
	"Twelve_Hours": 12 * time.Hour, "TwentyFour_Hours": 24 * time.Hour,
}

// evaluation returns the current evaluation, evaluating again when the
// organization or the rules changed, a periodic rule is due, or an
// evaluation was asked for.
func (s *service) evaluation(ctx context.Context) (*compliance.Report, []ruleEntry, *org.Org, error) {
	o, meta, err := s.state.Current(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	defs := compliance.Deployed(meta)
	key := rulesKey(defs)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	due := len(s.forced) > 0
	for _, e := range s.rules {
		if e.rule.Periodic {
			every := periodicEvery
			if f, ok := frequencies[e.def.Frequency]; ok {
				every = f
			}
			if now.Sub(s.last[e.def.Name]) >= every {
				due = true
			}
		}
	}
	if s.report != nil && s.org == o && s.rulesKey == key && !due {
		return s.report, s.rules, o, nil
	}
	creds, err := compliance.StoreCredentials(ctx, s.store, o)
	if err != nil {
		return nil, nil, nil, err
	}
	rules := entries(defs)
	list := make([]*compliance.Rule, len(rules))
	for i, e := range rules {
		list[i] = e.rule
	}
	in := &compliance.Input{Org: o, Credentials: creds, Now: now, Trail: compliance.WardenTrail(compliance.AuditAccount(o), true)}
	rep := compliance.Evaluate(in, list, nil)
	for _, e := range rep.Evaluations {
		k := resultKey{e.Rule, e.Resource.Type, e.Resource.ID}
		if r, ok := s.recorded[k]; !ok || r.compliance != e.Compliance {
			s.recorded[k] = recordedResult{e.Compliance, now}
		}
	}
	for _, e := range rules {
		if _, ok := s.first[e.def.Name]; !ok {
			s.first[e.def.Name] = now
		}
		s.last[e.def.Name] = now
	}
	s.org, s.rulesKey, s.report, s.rules, s.at, s.forced = o, key, rep, rules, now, map[string]bool{}
	return rep, rules, o, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ruleID(name string) string { return compliance.RuleID(name) }

func ruleARN(region, account, id string) string {
	return "arn:aws:config:" + region + ":" + account + ":config-rule/" + id
}

// delegatedAdmin is the account that administers Config for the
// organization besides the management account: the account named
// Security.
func delegatedAdmin(o *org.Org) string {
	return compliance.AuditAccount(o)
}
