package securityhub

import (
	"context"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/store"
)

// BatchImportFindings stores findings a product sends, in the caller's
// account (AwsAccountId must be the caller's, as Security Hub requires of
// a product's own account).
func (s *service) BatchImportFindings(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Findings []Finding `json:"Findings"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if len(in.Findings) == 0 || len(in.Findings) > 100 {
		return nil, invalidInput("Findings: between 1 and 100 findings")
	}
	if err := s.authz.Authorize(ctx, c, "securityhub:BatchImportFindings", "arn:aws:securityhub:"+c.Region+":"+c.Identity.Account+":product/"+c.Identity.Account+"/default", nil); err != nil {
		return nil, err
	}
	type failed struct {
		ID           string `json:"Id"`
		ErrorCode    string `json:"ErrorCode"`
		ErrorMessage string `json:"ErrorMessage"`
	}
	out := struct {
		FailedCount  int      `json:"FailedCount"`
		SuccessCount int      `json:"SuccessCount"`
		Failed       []failed `json:"FailedFindings"`
	}{Failed: []failed{}}
	at := s.now()
	err := s.write(ctx, s.findings, func() ([]store.RecordOp, error) {
		out.Failed, out.SuccessCount = []failed{}, 0
		var ops []store.RecordOp
		seen := map[string]bool{}
		for i := range in.Findings {
			f := in.Findings[i]
			var why string
			switch {
			case f.SchemaVersion != "2018-10-08":
				why = "SchemaVersion must be 2018-10-08"
			case f.ID == "" || f.ProductArn == "" || f.GeneratorID == "" || f.Title == "" || f.Description == "" || len(f.Resources) == 0 || len(f.Types) == 0:
				why = "Id, ProductArn, GeneratorId, Types, Title, Description and Resources are required"
			case f.AwsAccountID != c.Identity.Account:
				why = "AwsAccountId must be the caller's account, " + c.Identity.Account
			case !validTime(f.CreatedAt) || !validTime(f.UpdatedAt):
				why = "CreatedAt and UpdatedAt must be ISO 8601 date-times"
			}
			old, exists := s.findings.Get(f.ID)
			switch {
			case why == "" && exists && old.Value.Source != sourceImport:
				why = "a finding of this Id is Security Hub's own"
			case why == "" && seen[f.ID]:
				why = "the Id appears twice in the request"
			}
			if why != "" {
				out.Failed = append(out.Failed, failed{f.ID, "InvalidInput", why})
				continue
			}
			if f.RecordState == "" {
				f.RecordState = "ACTIVE"
			}
			if f.Workflow.Status == "" {
				f.Workflow.Status = "NEW"
			}
			if exists {
				f.FirstObservedAt = firstNonEmpty(f.FirstObservedAt, old.Value.Finding.FirstObservedAt)
			}
			op, err := s.findings.Op(f.ID, stored{Source: sourceImport, Finding: f}, old.Version, at)
			if err != nil {
				return nil, err
			}
			seen[f.ID] = true
			ops = append(ops, op)
			out.SuccessCount++
		}
		return ops, nil
	})
	if err != nil {
		return nil, err
	}
	out.FailedCount = len(out.Failed)
	c.ReadOnly = false
	return out, nil
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
