package securityhub

import (
	"context"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/store"
)

// BatchUpdateFindings changes the workflow status, note, severity and the
// other fields customers own, of findings the caller sees.
func (s *service) BatchUpdateFindings(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		FindingIdentifiers []struct {
			ID         string `json:"Id"`
			ProductArn string `json:"ProductArn"`
		} `json:"FindingIdentifiers"`
		Note *struct {
			Text      string `json:"Text"`
			UpdatedBy string `json:"UpdatedBy"`
		} `json:"Note"`
		Severity *struct {
			Label string `json:"Label"`
		} `json:"Severity"`
		VerificationState string            `json:"VerificationState"`
		Confidence        *int              `json:"Confidence"`
		Criticality       *int              `json:"Criticality"`
		UserDefinedFields map[string]string `json:"UserDefinedFields"`
		Workflow          *struct {
			Status string `json:"Status"`
		} `json:"Workflow"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if len(in.FindingIdentifiers) == 0 || len(in.FindingIdentifiers) > 100 {
		return nil, invalidInput("FindingIdentifiers: between 1 and 100")
	}
	u := &update{At: s.now().UTC().Format(time.RFC3339), UserFields: in.UserDefinedFields,
		Confidence: in.Confidence, Criticality: in.Criticality, Verification: in.VerificationState}
	if in.Workflow != nil {
		switch in.Workflow.Status {
		case "NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED":
			u.Workflow = in.Workflow.Status
		default:
			return nil, invalidInput("Workflow.Status: %q is not one of NEW, NOTIFIED, RESOLVED, SUPPRESSED", in.Workflow.Status)
		}
	}
	if in.Severity != nil {
		if !compliance.ValidSeverity(in.Severity.Label) {
			return nil, invalidInput("Severity.Label: %q is not one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL", in.Severity.Label)
		}
		u.Severity = in.Severity.Label
	}
	if in.Note != nil {
		if in.Note.Text == "" || in.Note.UpdatedBy == "" {
			return nil, invalidInput("Note: Text and UpdatedBy are required")
		}
		u.Note = &Note{Text: in.Note.Text, UpdatedBy: in.Note.UpdatedBy, UpdatedAt: u.At}
	}
	if err := s.authz.Authorize(ctx, c, "securityhub:BatchUpdateFindings", hubARN(c), nil); err != nil {
		return nil, err
	}
	seen, err := s.visible(ctx, c)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Finding{}
	for _, f := range seen {
		byID[f.ID] = f
	}
	type ident struct {
		ID         string `json:"Id"`
		ProductArn string `json:"ProductArn"`
	}
	type unprocessed struct {
		FindingIdentifier ident  `json:"FindingIdentifier"`
		ErrorCode         string `json:"ErrorCode"`
		ErrorMessage      string `json:"ErrorMessage"`
	}
	out := struct {
		Processed   []ident       `json:"ProcessedFindings"`
		Unprocessed []unprocessed `json:"UnprocessedFindings"`
	}{Processed: []ident{}, Unprocessed: []unprocessed{}}
	at := s.now()
	err = s.write(ctx, s.updates, func() ([]store.RecordOp, error) {
		out.Processed, out.Unprocessed = []ident{}, []unprocessed{}
		var ops []store.RecordOp
		done := map[string]bool{}
		for _, id := range in.FindingIdentifiers {
			f := byID[id.ID]
			if f == nil || f.ProductArn != id.ProductArn {
				out.Unprocessed = append(out.Unprocessed, unprocessed{ident(id), "FindingNotFound", "no finding of this Id and ProductArn in the caller's view"})
				continue
			}
			if done[id.ID] {
				out.Processed = append(out.Processed, ident(id))
				continue
			}
			merged := *u
			prev, ok := s.updates.Get(id.ID)
			if ok {
				merged = mergeUpdates(&prev.Value, u)
			}
			op, err := s.updates.Op(id.ID, merged, prev.Version, at)
			if err != nil {
				return nil, err
			}
			ops, done[id.ID] = append(ops, op), true
			out.Processed = append(out.Processed, ident(id))
		}
		return ops, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func mergeUpdates(prev, next *update) update {
	m := *prev
	if next.Workflow != "" {
		m.Workflow = next.Workflow
	}
	if next.Severity != "" {
		m.Severity = next.Severity
	}
	if next.Verification != "" {
		m.Verification = next.Verification
	}
	if next.Note != nil {
		m.Note = next.Note
	}
	if next.Confidence != nil {
		m.Confidence = next.Confidence
	}
	if next.Criticality != nil {
		m.Criticality = next.Criticality
	}
	if len(next.UserFields) > 0 {
		m.UserFields = next.UserFields
	}
	m.At = next.At
	return m
}
