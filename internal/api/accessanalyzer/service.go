package accessanalyzer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// The store's namespaces of Access Analyzer (store.Records).
const (
	// nsAnalyzers holds each analyzer (analyzer), by ARN, with its archive
	// rules and the state version its findings were last reconciled with.
	nsAnalyzers = "accessanalyzer/analyzers"
	// nsFindings holds each finding (finding), by ANALYZER-ARN/ID.
	nsFindings = "accessanalyzer/findings"
)

type service struct {
	authz *api.Authorizer
	state *state.Manager
	store store.Store
	audit call.Auditor
	now   func() time.Time
	log   *slog.Logger

	analyzers *store.Mirror[*analyzer]
	findings  *store.Mirror[*finding]
	engine    *analyze.Incremental

	// index is the findings by analyzer, built from one snapshot of the
	// findings mirror (revision indexRev).
	indexMu  sync.Mutex
	index    map[string]map[string]*finding
	indexRev int64

	pass sync.Mutex // one analysis pass at a time in this replica
	kick chan struct{}
}

// PollEvery is how often the analysis worker looks for a change of the
// organization (or of the analyzers) that its findings do not reflect yet.
// A change is reflected in the findings PollEvery plus the analysis of the
// resources it touches after it is stored (BENCHMARKS.md measures it).
const PollEvery = 250 * time.Millisecond

// pollEvery is PollEvery in nanoseconds; tests shorten it.
var pollEvery atomic.Int64

func init() { pollEvery.Store(int64(PollEvery)) }

func newService(d *api.Deps) *service {
	now := d.Clock
	if now == nil {
		now = time.Now
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &service{authz: d.Authz, state: d.State, store: d.Store, audit: d.Audit, now: now, log: log,
		engine: analyze.NewIncremental(), kick: make(chan struct{}, 1)}
	if d.Store != nil {
		s.analyzers = store.NewMirror[*analyzer](d.Store, nsAnalyzers)
		s.findings = store.NewMirror[*finding](d.Store, nsFindings)
	}
	return s
}

func decodeJSON[T any](doc []byte) (*T, error) {
	v := new(T)
	return v, json.Unmarshal(doc, v)
}

// analyzersNow returns every analyzer as stored now, by ARN.
func (s *service) analyzersNow(ctx context.Context) (map[string]store.Mirrored[*analyzer], error) {
	if err := s.analyzers.Sync(ctx); err != nil {
		return nil, err
	}
	return s.analyzers.All(), nil
}

// ensureWorker asks the worker for a pass at once (it never blocks: a
// pass already asked for is enough).
func (s *service) ensureWorker() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// work is the service's Background task: an analysis pass every pollEvery,
// and at once when kicked, until the server stops. A failed pass (the
// store unreachable) is logged and tried again on the next tick.
func (s *service) work(ctx context.Context) {
	t := time.NewTicker(time.Duration(pollEvery.Load()))
	defer t.Stop()
	for {
		if _, err := s.runPass(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("access analyzer: analysis pass failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// runPass reconciles every analyzer whose findings are older than the
// organization's state, and returns how many analyzers there are.
func (s *service) runPass(ctx context.Context) (int, error) {
	s.pass.Lock()
	defer s.pass.Unlock()
	ans, err := s.analyzersNow(ctx)
	if err != nil {
		return 0, err
	}
	if len(ans) == 0 {
		return 0, nil
	}
	o, version, err := s.state.Versioned(ctx)
	if err != nil {
		return 0, err
	}
	for _, arn := range sortedKeys(ans) {
		if ans[arn].Value.StateVersion >= version {
			continue
		}
		if err := s.reconcile(ctx, arn, o, version); err != nil {
			return 0, err
		}
	}
	return len(ans), nil
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

// record writes one change of a finding to the trail, as an event of
// access-analyzer.amazonaws.com in the analyzer's account: a service event
// Access Analyzer makes by itself, its userIdentity the account and
// invokedBy the service, the change in serviceEventDetails (AWS service
// events,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/non-api-aws-service-events.html).
func (s *service) record(ctx context.Context, account, region, name string, details any) error {
	if s.audit == nil {
		return nil
	}
	c := &call.Call{Service: "access-analyzer", Action: name, Region: region, RequestID: newID(), Now: s.now(),
		RecipientAccount: account, SourceIP: "access-analyzer.amazonaws.com", UserAgent: "access-analyzer.amazonaws.com",
		InvokedBy: "access-analyzer.amazonaws.com", EventType: "AwsServiceEvent", ServiceEventDetails: details}
	return s.audit.Record(ctx, &call.Event{Call: c, EventSource: "access-analyzer.amazonaws.com", RecipientAccount: account})
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
