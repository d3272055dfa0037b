package securityhub

import (
	"context"
	"encoding/json"

	"github.com/securecart/warden/internal/store"
)

// Security Hub's state in the store's records, shared by every replica:
//
//   - securityhub/findings, by finding Id: every finding with its source:
//     the Config rules' control findings and the Access Analyzer findings
//     (recomputed from the organization, archived when their cause is
//     gone), the trail's detections (detections.go) and the findings
//     products imported (BatchImportFindings);
//   - securityhub/updates, by finding Id: what BatchUpdateFindings changed;
//   - securityhub/insights, by insight ARN.
//
// A replica writes what it found changed with the versions it read; on a
// conflict it rereads and tries again, so that concurrent replicas never
// lose a write and a finding's first observation is the first writer's.
const (
	nsFindings = "securityhub/findings"
	nsUpdates  = "securityhub/updates"
	nsInsights = "securityhub/insights"
)

// A finding's source.
const (
	sourceControl   = "control"
	sourceAccess    = "access-analyzer"
	sourceDetection = "guardduty"
	sourceImport    = "import"
)

// stored is a finding as the store keeps it.
type stored struct {
	Source  string  `json:"source"`
	Finding Finding `json:"finding"`
}

// update is what BatchUpdateFindings changed on a finding.
type update struct {
	Workflow     string            `json:"workflow,omitempty"`
	Severity     string            `json:"severity,omitempty"`
	Verification string            `json:"verification,omitempty"`
	Note         *Note             `json:"note,omitempty"`
	Confidence   *int              `json:"confidence,omitempty"`
	Criticality  *int              `json:"criticality,omitempty"`
	UserFields   map[string]string `json:"userFields,omitempty"`
	At           string            `json:"at"`
}

// insightDoc is a saved insight.
type insightDoc struct {
	ARN     string                     `json:"arn"`
	Name    string                     `json:"name"`
	GroupBy string                     `json:"groupBy"`
	Filters map[string]json.RawMessage `json:"filters"`
}

// write applies the ops plan makes from m as synced (store.Write).
func (s *service) write(ctx context.Context, m store.Syncer, plan func() ([]store.RecordOp, error)) error {
	return store.Write(ctx, s.store, plan, m)
}

// reconcileSources stores the sources' findings as found now: a new one
// as is; a changed one keeping its CreatedAt and FirstObservedAt, with a
// new UpdatedAt; and archives (RecordState ARCHIVED, Workflow RESOLVED)
// the sources' findings not found any more.
func (s *service) reconcileSources(ctx context.Context, fresh map[string]*stored, stamp string) error {
	at := s.now()
	return s.write(ctx, s.findings, func() ([]store.RecordOp, error) {
		all := s.findings.All()
		var ops []store.RecordOp
		add := func(id string, v stored, expect int64) error {
			op, err := s.findings.Op(id, v, expect, at)
			ops = append(ops, op)
			return err
		}
		for id, f := range fresh {
			old, seen := all[id]
			switch {
			case !seen:
				if err := add(id, *f, 0); err != nil {
					return nil, err
				}
			case old.Value.Source != f.Source:
				// An imported finding of this Id stays the product's.
			case sameResult(&old.Value.Finding.ASFF, &f.Finding.ASFF) && old.Value.Finding.RecordState == "ACTIVE":
			default:
				g := *f
				g.Finding.CreatedAt, g.Finding.FirstObservedAt = old.Value.Finding.CreatedAt, old.Value.Finding.FirstObservedAt
				if err := add(id, g, old.Version); err != nil {
					return nil, err
				}
			}
		}
		for id, old := range all {
			src := old.Value.Source
			if _, still := fresh[id]; still || (src != sourceControl && src != sourceAccess) || old.Value.Finding.RecordState == "ARCHIVED" {
				continue
			}
			g := old.Value
			g.Finding.RecordState, g.Finding.UpdatedAt, g.Finding.LastObservedAt = "ARCHIVED", stamp, stamp
			g.Finding.Workflow.Status = "RESOLVED"
			if err := add(id, g, old.Version); err != nil {
				return nil, err
			}
		}
		return ops, nil
	})
}
