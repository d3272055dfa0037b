package compliance

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// Live evaluates the organization's deployed rules on the live state, as
// `warden serve`'s AWS Config and Security Hub see them: again when the
// organization or the rules changed (the configuration-change trigger),
// when a periodic rule's frequency has passed, or when asked (Force);
// otherwise the last evaluation stands. Safe for concurrent use.
type Live struct {
	state *state.Manager
	store store.Store
	now   func() time.Time

	// access keeps the S3 rules' access analysis between evaluations.
	access *analyze.Incremental

	mu     sync.Mutex
	cur    *LiveRun
	key    string
	last   map[string]time.Time // by rule name: this replica's last evaluation
	forced bool
}

// LiveRun is one evaluation of the deployed rules.
type LiveRun struct {
	Report *Report
	Org    *org.Org
	Defs   []state.ConfigRule // the deployed rules
	Ran    []state.ConfigRule // those that ran (Runnable)
	At     time.Time
	// State is the version of the stored state evaluated: versions only
	// grow, so a replica whose copy is behind another's (within the
	// store's bound on staleness) can tell that a result recorded from a
	// newer state is not its to overwrite.
	State int64
}

// NewLive evaluates over a server's state and store (for the credential
// report), with its clock.
func NewLive(m *state.Manager, st store.Store, now func() time.Time) *Live {
	if now == nil {
		now = time.Now
	}
	return &Live{state: m, store: st, now: now, last: map[string]time.Time{}, access: analyze.NewIncremental()}
}

// PeriodicEvery is how often periodic rules run unless their
// MaximumExecutionFrequency says otherwise (AWS's default,
// TwentyFour_Hours).
const PeriodicEvery = 24 * time.Hour

// Frequencies are AWS Config's MaximumExecutionFrequency values.
var Frequencies = map[string]time.Duration{
	"One_Hour": time.Hour, "Three_Hours": 3 * time.Hour, "Six_Hours": 6 * time.Hour,
	"Twelve_Hours": 12 * time.Hour, "TwentyFour_Hours": 24 * time.Hour,
}

// Force makes the next Current evaluate (StartConfigRulesEvaluation).
func (l *Live) Force() {
	l.mu.Lock()
	l.forced = true
	l.mu.Unlock()
}

// Current returns the current evaluation, evaluating when due.
func (l *Live) Current(ctx context.Context) (*LiveRun, error) {
	o, meta, version, err := l.state.CurrentVersion(ctx)
	if err != nil {
		return nil, err
	}
	defs := Deployed(meta)
	k, _ := json.Marshal(defs)
	key := string(k)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	due := l.forced
	if l.cur != nil {
		for _, d := range l.cur.Ran {
			if r, ok := Runnable(d); ok && r.Periodic {
				every := PeriodicEvery
				if f, ok := Frequencies[d.Frequency]; ok {
					every = f
				}
				if now.Sub(l.last[d.Name]) >= every {
					due = true
				}
			}
		}
	}
	if l.cur != nil && l.cur.Org == o && l.key == key && !due {
		return l.cur, nil
	}
	creds, err := StoreCredentials(ctx, l.store, o)
	if err != nil {
		return nil, err
	}
	var ran []state.ConfigRule
	var rules []*Rule
	for _, d := range defs {
		if r, ok := Runnable(d); ok {
			ran, rules = append(ran, d), append(rules, r)
		}
	}
	in := &Input{Org: o, Credentials: creds, Now: now, Trail: WardenTrail(AuditAccount(o), true), Access: l.access}
	l.cur = &LiveRun{Report: Evaluate(in, rules, nil), Org: o, Defs: defs, Ran: ran, At: now, State: version}
	l.key, l.forced = key, false
	for _, d := range ran {
		l.last[d.Name] = now
	}
	return l.cur, nil
}
