package compliance

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// ASFF is a finding in the AWS Security Finding Format, version 2018-10-08
// (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html),
// with the fields Security Hub's control findings fill.
type ASFF struct {
	SchemaVersion string          `json:"SchemaVersion"`
	ID            string          `json:"Id"`
	ProductArn    string          `json:"ProductArn"`
	ProductName   string          `json:"ProductName"`
	CompanyName   string          `json:"CompanyName"`
	Region        string          `json:"Region"`
	GeneratorID   string          `json:"GeneratorId"`
	AwsAccountID  string          `json:"AwsAccountId"`
	Types         []string        `json:"Types"`
	CreatedAt     string          `json:"CreatedAt"`
	UpdatedAt     string          `json:"UpdatedAt"`
	Severity      ASFFSeverity    `json:"Severity"`
	Title         string          `json:"Title"`
	Description   string          `json:"Description"`
	Remediation   ASFFRemediation `json:"Remediation"`
	Resources     []ASFFResource  `json:"Resources"`
	Compliance    ASFFCompliance  `json:"Compliance,omitzero"`
	Workflow      ASFFWorkflow    `json:"Workflow"`
	RecordState   string          `json:"RecordState"`
}

// ASFFSeverity is a finding's severity.
type ASFFSeverity struct {
	Label      string `json:"Label"`
	Normalized int    `json:"Normalized"`
	// Product is the product's own score (GuardDuty's 2, 5 or 8).
	Product float64 `json:"Product,omitempty"`
}

// ASFFRemediation says how to fix it.
type ASFFRemediation struct {
	Recommendation struct {
		Text string `json:"Text"`
		URL  string `json:"Url,omitempty"`
	} `json:"Recommendation"`
}

// ASFFResource is the resource a finding is about.
type ASFFResource struct {
	Type      string `json:"Type"`
	ID        string `json:"Id"`
	Partition string `json:"Partition"`
	Region    string `json:"Region"`
}

// ASFFCompliance is a control finding's result.
type ASFFCompliance struct {
	Status              string   `json:"Status"` // PASSED, FAILED, WARNING, NOT_AVAILABLE
	SecurityControlID   string   `json:"SecurityControlId,omitempty"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

// ASFFWorkflow is the finding's workflow state.
type ASFFWorkflow struct {
	Status string `json:"Status"` // NEW, NOTIFIED, SUPPRESSED, RESOLVED
}

var asffTypes = map[string]string{TypePolicy: "AwsIamPolicy", TypeRole: "AwsIamRole", TypeUser: "AwsIamUser",
	TypeGroup: "AwsIamGroup", TypeAccount: "AwsAccount", TypeBucket: "AwsS3Bucket"}

var severityScore = map[string]int{"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}

// Findings renders the report's evaluations as Security Hub findings, one
// per rule and resource: FAILED for NON_COMPLIANT, PASSED for COMPLIANT,
// NOT_AVAILABLE for INSUFFICIENT_DATA; NOT_APPLICABLE ones are left out, as
// Security Hub leaves them out. region names where the findings are
// recorded; aggregator is the account that aggregates them.
func (r *Report) Findings(region string, now time.Time) []ASFF {
	stamp := now.UTC().Format(time.RFC3339)
	var out []ASFF
	for _, e := range r.Evaluations {
		rule := r.Rule(e.Rule)
		if rule == nil || e.Compliance == NotApplicable {
			continue
		}
		f := ASFF{SchemaVersion: "2018-10-08", ProductName: "Security Hub", CompanyName: "AWS", Region: region,
			ProductArn:   "arn:aws:securityhub:" + region + "::product/aws/securityhub",
			AwsAccountID: e.Resource.Account, CreatedAt: stamp, UpdatedAt: stamp, RecordState: "ACTIVE",
			Types:       []string{"Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"},
			Title:       rule.Description,
			Description: rule.Description,
			Severity:    ASFFSeverity{Label: rule.Severity, Normalized: severityScore[rule.Severity]},
		}
		f.GeneratorID = "aws-config-rule/" + rule.Name
		if len(rule.Controls) > 0 {
			f.GeneratorID = "security-control/" + rule.Controls[0]
			f.Compliance.SecurityControlID = rule.Controls[0]
			f.Title = rule.Controls[0] + " " + rule.Description
		}
		if rule.Identifier == CustomIdentifier {
			f.Types = []string{"Software and Configuration Checks/Organization Policies"}
		}
		switch e.Compliance {
		case NonCompliant:
			f.Compliance.Status, f.Workflow.Status = "FAILED", "NEW"
			f.Description = e.Resource.Name + ": " + e.Annotation
		case Compliant:
			f.Compliance.Status, f.Workflow.Status = "PASSED", "RESOLVED"
		default:
			f.Compliance.Status, f.Workflow.Status = "NOT_AVAILABLE", "NEW"
			f.Description = e.Annotation
		}
		f.Remediation.Recommendation.Text = rule.Remediation
		if strings.HasPrefix(rule.Page, "https://") {
			f.Remediation.Recommendation.URL = rule.Page
		}
		typ := asffTypes[e.Resource.Type]
		if typ == "" {
			typ = "Other"
		}
		id := e.Resource.ARN
		if id == "" {
			id = "AWS::::Account:" + e.Resource.ID
			if e.Resource.Type != TypeAccount {
				id = e.Resource.Type + ":" + e.Resource.ID
			}
		}
		f.Resources = []ASFFResource{{Type: typ, ID: id, Partition: "aws", Region: region}}
		sum := sha256.Sum256([]byte(rule.Name + "\x00" + e.Resource.Account + "\x00" + e.Resource.Type + "\x00" + e.Resource.ID))
		f.ID = "arn:aws:securityhub:" + region + ":" + e.Resource.Account + ":security-control/" + rule.Name + "/finding/" + hex.EncodeToString(sum[:16])
		out = append(out, f)
	}
	return out
}
