package securityhub

import (
	"context"
	"time"

	"github.com/securecart/warden/internal/analyze"
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
	seq, err := detect.Stored(ctx, s.store, s.trailSeq, s.detector.Observe)
	s.trailSeq = seq
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

// warmAccess brings the incremental access analysis up to the current
// organization without holding s.mu (analyze.Incremental has its own
// lock), so that a read after a change finds it done: at start, which
// spares the first GetFindings the full analysis, and after every tick.
func (s *service) warmAccess(ctx context.Context) {
	o, err := s.state.Org(ctx)
	if err != nil {
		return // the next refresh reports it
	}
	s.access.Analyze(o, analyze.ZoneOrganization, "")
}

// watch runs the detections (and the sources) every Config.Every (5 s)
// while the server serves, so that a finding appears, and is logged,
// without waiting for a Security Hub call.
func (s *service) watch(ctx context.Context) {
	every := s.detectCfg.Every
	if every <= 0 {
		every = detect.Defaults().Every
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.warmAccess(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		err := s.refresh(ctx)
		s.mu.Unlock()
		if err != nil && ctx.Err() == nil && s.log != nil {
			s.log.Warn("Security Hub: reading the trail for detections", "error", err.Error())
		}
	}
}
