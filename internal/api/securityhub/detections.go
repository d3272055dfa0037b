package securityhub

import (
	"context"

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
	return s.write(ctx, s.findings, func() ([]store.RecordOp, error) {
		var ops []store.RecordOp
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
			ops = append(ops, op)
		}
		return ops, nil
	})
}
