package securityhub

import (
	"context"
	"errors"
	"time"

	"github.com/securecart/warden/internal/detect"
	"github.com/securecart/warden/internal/store"
)

// refreshDetections reads the trail records written since the last call
// and brings the GuardDuty findings they show into Security Hub: a new
// finding appears, a recurring one is updated in place (same Id, new
// UpdatedAt and LastObservedAt, its count in ProductFields), and one whose
// activity has stopped for the archive period is archived. Detection is a
// function of the trail, so every replica gives the same findings. The
// caller holds s.mu, after refreshSources.
func (s *service) refreshDetections(ctx context.Context) error {
	if s.detector == nil {
		s.detector = detect.New(s.detectCfg, func(account string) bool {
			_, ok := s.org.AccountByID(account)
			return ok
		})
	}
	seq, err := s.detector.ReadStored(ctx, s.store, s.trailSeq, nil)
	s.trailSeq = seq
	// An unreadable record is skipped, reported here once: detection goes
	// on past it.
	var skipped *detect.SkippedError
	if errors.As(err, &skipped) {
		s.reportSkipped(skipped)
		if err == error(skipped) {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	found := s.detector.Findings(s.now())
	at := s.now()
	var written []detect.Finding
	err = s.write(ctx, s.findings, func() ([]store.RecordOp, error) {
		var ops []store.RecordOp
		written = written[:0]
		for _, f := range found {
			a := f.ToASFF("us-east-1")
			v := stored{Source: sourceDetection, Finding: Finding{ASFF: a.ASFF, FirstObservedAt: a.FirstObservedAt, LastObservedAt: a.LastObservedAt, ProductFields: a.ProductFields}}
			old, seen := s.findings.Get(a.ID)
			// Only a newer state is written: a replica that has read less of
			// the trail never undoes another's.
			if seen && (old.Value.Source != sourceDetection || old.Value.Finding.UpdatedAt >= a.UpdatedAt) {
				continue
			}
			op, err := s.findings.Op(a.ID, v, old.Version, at)
			if err != nil {
				return nil, err
			}
			ops, written = append(ops, op), append(written, f)
		}
		return ops, nil
	})
	if err != nil {
		return err
	}
	// Alert as GuardDuty's findings reach EventBridge: once, by the
	// replica that wrote the change.
	for _, f := range written {
		if s.log != nil {
			s.log.Warn("GuardDuty finding", "type", f.Kind.Name, "account", f.Account, "principal", f.Principal,
				"count", f.Count, "archived", f.Archived, "id", f.ID(), "description", f.Description)
		}
	}
	return nil
}

// reportSkipped logs the trail records the detector could not read and
// skipped, each once (the next read starts after them).
func (s *service) reportSkipped(e *detect.SkippedError) {
	if s.log == nil {
		return
	}
	for _, r := range e.Records {
		s.log.Error("Security Hub: a trail record is unreadable; the detections skipped it (warden audit verify checks the trail)",
			"seq", r.Seq, "error", r.Err.Error())
	}
	if more := e.Count - len(e.Records); more > 0 {
		s.log.Error("Security Hub: more trail records are unreadable; the detections skipped them", "count", more,
			"after", e.Records[len(e.Records)-1].Seq)
	}
}

// leaseName is the lease (store.Leaser) of Security Hub's analysis.
const leaseName = "securityhub-analysis"

// leading reports whether this replica does the analysis: always with a
// store of one process; with replicas sharing PostgreSQL, the one holding
// the lease, which passes to another within a poll when its holder stops.
// The others serve what it stores and analyze nothing.
func (s *service) leading(ctx context.Context) bool {
	l, ok := s.store.(store.Leaser)
	if !ok {
		return true
	}
	if s.lease != nil {
		if s.lease.Held(ctx) {
			return true
		}
		s.lease.Release()
		s.lease = nil
	}
	lease, ok, err := l.TryLease(ctx, leaseName)
	if err != nil || !ok {
		return false
	}
	s.lease = lease
	return true
}

// requestRefresh asks the Background task for a refresh, without
// waiting for it.
func (s *service) requestRefresh() {
	select {
	case s.kick <- struct{}{}:
	default: // one is already asked for
	}
}

// statePoll is how often watch looks at the organization's state version
// between refreshes: a change (through this replica or another) is
// analyzed within it, before a read asks.
const statePoll = 250 * time.Millisecond

// watch keeps the findings up to date while the server serves, so that
// reads never wait for analysis: it refreshes at start, when the
// organization's state changes, when a read asks, and every Config.Every
// (5 s) for the trail's detections, so that a finding appears, and is
// logged, without a Security Hub call.
func (s *service) watch(ctx context.Context) {
	every := s.detectCfg.Every
	if every <= 0 {
		every = detect.Defaults().Every
	}
	poll := min(statePoll, every)
	t := time.NewTicker(poll)
	defer t.Stop()
	var version int64 = -1
	var last time.Time
	defer func() {
		if s.lease != nil {
			s.lease.Release()
		}
	}()
	for {
		// The version is read before the refresh: a change during it is
		// seen at the next poll.
		_, v, verr := s.state.Versioned(ctx)
		led := s.leading(ctx)
		if led {
			s.mu.Lock()
			err := s.refresh(ctx)
			s.mu.Unlock()
			if err != nil && ctx.Err() == nil && s.log != nil {
				s.log.Warn("Security Hub: refreshing the findings", "error", err.Error())
			}
		}
		if verr == nil {
			version = v
		}
		last = time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
			case <-t.C:
				// A replica without the lease tries for it at every poll.
				if led && time.Since(last) < every {
					if _, v, err := s.state.Versioned(ctx); err != nil || v == version {
						continue
					}
				}
			}
			break
		}
	}
}
