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
	live  *compliance.Live

	// Each result's compliance, with when it was first recorded, and each
	// rule's first and last evaluation live in the store (persist.go), so
	// that every replica answers the same; persisted is the evaluation
	// this replica last wrote there.
	results *store.Mirror[recorded]
	status  *store.Mirror[ruleStatus]
	latest  *store.Mirror[resourceCompliance]
	// historyLimit is HistoryLimit (smaller in tests); pruned is set
	// when a history write deleted items (purgeHistory).
	historyLimit int64
	pruned       bool
	mu           sync.Mutex
	persisted    *compliance.LiveRun
}

func newService(d *api.Deps) *service {
	now := d.Clock
	if now == nil {
		now = time.Now
	}
	return &service{authz: d.Authz, state: d.State, store: d.Store, now: now, live: compliance.NewLive(d.State, d.Store, now),
		results: store.NewMirror[recorded](d.Store, nsResults), status: store.NewMirror[ruleStatus](d.Store, nsStatus),
		latest: store.NewMirror[resourceCompliance](d.Store, nsCompliance), historyLimit: HistoryLimit}
}

// evaluation returns the current evaluation (compliance.Live: again when
// the organization or the rules changed, a periodic rule is due, or an
// evaluation was asked for), with its results' history stored, and the
// stored history synced.
func (s *service) evaluation(ctx context.Context) (*compliance.LiveRun, error) {
	run, err := s.live.Current(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if run != s.persisted {
		if err := s.persist(ctx, run); err != nil {
			return nil, err
		}
		s.persisted = run
		return run, nil
	}
	if err := s.results.Sync(ctx); err != nil {
		return nil, err
	}
	return run, s.status.Sync(ctx)
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
// organization besides the management account: its delegated
// administrator for config.amazonaws.com (organization
// delegatedAdministrators), else the audit account.
func delegatedAdmin(o *org.Org) string {
	return o.DelegatedAdministratorOr("config.amazonaws.com", compliance.AuditAccountName(o))
}
