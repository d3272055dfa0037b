package securityhub

import (
	"context"

	"github.com/securecart/warden/internal/detect"
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
	for _, f := range s.detector.Findings(s.now()) {
		a := f.ToASFF("us-east-1")
		if old := s.current[a.ID]; old != nil && old.UpdatedAt == a.UpdatedAt && old.RecordState == a.RecordState {
			continue
		}
		s.current[a.ID] = &Finding{ASFF: a.ASFF, FirstObservedAt: a.FirstObservedAt, LastObservedAt: a.LastObservedAt, ProductFields: a.ProductFields}
		s.detected[a.ID] = true
	}
	return nil
}
