package securityhub

import (
	"github.com/securecart/warden/internal/compliance"
)

// Finding is a finding as the API returns it: ASFF with the fields
// Security Hub adds and the ones BatchUpdateFindings changes.
type Finding struct {
	compliance.ASFF
	FirstObservedAt   string            `json:"FirstObservedAt,omitempty"`
	LastObservedAt    string            `json:"LastObservedAt,omitempty"`
	Confidence        *int              `json:"Confidence,omitempty"`
	Criticality       *int              `json:"Criticality,omitempty"`
	VerificationState string            `json:"VerificationState,omitempty"`
	Note              *Note             `json:"Note,omitempty"`
	UserDefinedFields map[string]string `json:"UserDefinedFields,omitempty"`
	ProductFields     map[string]string `json:"ProductFields,omitempty"`
}

// Note is a finding's note.
type Note struct {
	Text      string `json:"Text"`
	UpdatedBy string `json:"UpdatedBy"`
	UpdatedAt string `json:"UpdatedAt"`
}

// fields reads a finding's filterable fields by the filter names of
// AwsSecurityFindingFilters.
var stringFields = map[string]func(f *Finding) []string{
	"ProductArn":   func(f *Finding) []string { return []string{f.ProductArn} },
	"AwsAccountId": func(f *Finding) []string { return []string{f.AwsAccountID} },
	"Id":           func(f *Finding) []string { return []string{f.ID} },
	"GeneratorId":  func(f *Finding) []string { return []string{f.GeneratorID} },
	"Region":       func(f *Finding) []string { return []string{f.Region} },
	"Type":         func(f *Finding) []string { return f.Types },
	"Title":        func(f *Finding) []string { return []string{f.Title} },
	"Description":  func(f *Finding) []string { return []string{f.Description} },
	"ProductName":  func(f *Finding) []string { return []string{f.ProductName} },
	"CompanyName":  func(f *Finding) []string { return []string{f.CompanyName} },
	"RecommendationText": func(f *Finding) []string {
		return []string{f.Remediation.Recommendation.Text}
	},
	"ResourceType": func(f *Finding) []string {
		return resources(f, func(r compliance.ASFFResource) string { return r.Type })
	},
	"ResourceId": func(f *Finding) []string { return resources(f, func(r compliance.ASFFResource) string { return r.ID }) },
	"ResourcePartition": func(f *Finding) []string {
		return resources(f, func(r compliance.ASFFResource) string { return r.Partition })
	},
	"ResourceRegion": func(f *Finding) []string {
		return resources(f, func(r compliance.ASFFResource) string { return r.Region })
	},
	"ComplianceStatus":            func(f *Finding) []string { return []string{f.Compliance.Status} },
	"ComplianceSecurityControlId": func(f *Finding) []string { return []string{f.Compliance.SecurityControlID} },
	"WorkflowStatus":              func(f *Finding) []string { return []string{f.Workflow.Status} },
	"RecordState":                 func(f *Finding) []string { return []string{f.RecordState} },
	"SeverityLabel":               func(f *Finding) []string { return []string{f.Severity.Label} },
	"VerificationState":           func(f *Finding) []string { return []string{f.VerificationState} },
	"NoteText": func(f *Finding) []string {
		if f.Note == nil {
			return []string{""}
		}
		return []string{f.Note.Text}
	},
}

var dateFields = map[string]func(f *Finding) string{
	"CreatedAt":       func(f *Finding) string { return f.CreatedAt },
	"UpdatedAt":       func(f *Finding) string { return f.UpdatedAt },
	"FirstObservedAt": func(f *Finding) string { return f.FirstObservedAt },
	"LastObservedAt":  func(f *Finding) string { return f.LastObservedAt },
}

var numberFields = map[string]func(f *Finding) (float64, bool){
	"SeverityNormalized": func(f *Finding) (float64, bool) { return float64(f.Severity.Normalized), true },
	"Confidence":         func(f *Finding) (float64, bool) { return intOf(f.Confidence) },
	"Criticality":        func(f *Finding) (float64, bool) { return intOf(f.Criticality) },
}

var mapFields = map[string]func(f *Finding) map[string]string{
	"UserDefinedFields": func(f *Finding) map[string]string { return f.UserDefinedFields },
	"ProductFields":     func(f *Finding) map[string]string { return f.ProductFields },
}

func intOf(p *int) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return float64(*p), true
}

func resources(f *Finding, get func(compliance.ASFFResource) string) []string {
	out := make([]string, len(f.Resources))
	for i, r := range f.Resources {
		out[i] = get(r)
	}
	return out
}
