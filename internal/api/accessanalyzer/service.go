package accessanalyzer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

type service struct {
	authz *api.Authorizer
	state *state.Manager
	audit call.Auditor
	now   func() time.Time

	mu        sync.Mutex
	analyzers map[string]*analyzer // by ARN
	// watching is set while the watcher runs: from the first analyzer's
	// creation until none is left or the state cannot be read.
	watching bool
}

// RefreshEvery bounds how long after a change of the organization an
// analyzer's findings (and the trail records of their changes) wait when
// nobody reads them.
const RefreshEvery = 10 * time.Second

// refreshEvery is RefreshEvery in nanoseconds; tests shorten it.
var refreshEvery atomic.Int64

func init() { refreshEvery.Store(int64(RefreshEvery)) }

// watch refreshes every analyzer's findings every RefreshEvery. It stops
// when no analyzer is left or the organization's state cannot be read (the
// server's store is closed). The caller holds s.mu.
func (s *service) watch() {
	if s.watching {
		return
	}
	s.watching = true
	go func() {
		t := time.NewTicker(time.Duration(refreshEvery.Load()))
		defer t.Stop()
		for range t.C {
			if !s.refreshAll() {
				return
			}
		}
	}()
}

// refreshAll refreshes every analyzer; false stops the watcher.
func (s *service) refreshAll() bool {
	ctx, cancel := context.WithTimeout(context.Background(), RefreshEvery)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.analyzers) == 0 {
		s.watching = false
		return false
	}
	o, err := s.state.Org(ctx)
	if err != nil {
		s.watching = false
		return false
	}
	for _, arn := range sortedKeys(s.analyzers) {
		if err := s.refresh(ctx, s.analyzers[arn], o); err != nil {
			s.watching = false
			return false
		}
	}
	return true
}

func newService(d *api.Deps) *service {
	now := d.Clock
	if now == nil {
		now = time.Now
	}
	return &service{authz: d.Authz, state: d.State, audit: d.Audit, now: now, analyzers: map[string]*analyzer{}}
}

func (s *service) handlers() map[string]api.Handler {
	return map[string]api.Handler{
		"ValidatePolicy":        s.ValidatePolicy,
		"CheckNoPublicAccess":   s.CheckNoPublicAccess,
		"CheckAccessNotGranted": s.CheckAccessNotGranted,
		"CheckNoNewAccess":      s.CheckNoNewAccess,
		"CreateAnalyzer":        s.CreateAnalyzer,
		"GetAnalyzer":           s.GetAnalyzer,
		"ListAnalyzers":         s.ListAnalyzers,
		"DeleteAnalyzer":        s.DeleteAnalyzer,
		"ListFindings":          s.ListFindings,
		"ListFindingsV2":        s.ListFindingsV2,
		"GetFinding":            s.GetFinding,
		"GetFindingV2":          s.GetFindingV2,
		"UpdateFindings":        s.UpdateFindings,
		"CreateArchiveRule":     s.CreateArchiveRule,
		"GetArchiveRule":        s.GetArchiveRule,
		"ListArchiveRules":      s.ListArchiveRules,
		"UpdateArchiveRule":     s.UpdateArchiveRule,
		"DeleteArchiveRule":     s.DeleteArchiveRule,
		"ApplyArchiveRule":      s.ApplyArchiveRule,
	}
}

// analyzer is one analyzer with its findings and archive rules.
type analyzer struct {
	ARN, Name, Type, Account, Region string
	CreatedAt                        time.Time
	Tags                             map[string]string
	rules                            map[string]*archiveRule
	findings                         map[string]*finding
	// computedFor is the organization the findings were computed on.
	computedFor    *org.Org
	clientToken    string
	lastResource   string
	lastAnalyzedAt time.Time
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

func (a *analyzer) summary() analyzerSummary {
	out := analyzerSummary{ARN: a.ARN, Name: a.Name, Type: a.Type, CreatedAt: ts(a.CreatedAt), Status: "ACTIVE", Tags: a.Tags}
	if a.lastResource != "" {
		out.LastResourceAnalyzed = a.lastResource
		out.LastResourceAnalyzedAt = ts(a.lastAnalyzedAt)
	}
	return out
}

// ts is a timestamp as REST-JSON writes it (ISO 8601).
func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *service) record(ctx context.Context, account, region, name string, elements any) error {
	if s.audit == nil {
		return nil
	}
	c := &call.Call{Service: "access-analyzer", Action: name, Region: region, RequestID: newID(), Now: s.now(),
		RecipientAccount: account, SourceIP: "access-analyzer.amazonaws.com", UserAgent: "access-analyzer.amazonaws.com",
		ResponseElements: elements}
	return s.audit.Record(ctx, &call.Event{Call: c, EventSource: "access-analyzer.amazonaws.com", RecipientAccount: account})
}
