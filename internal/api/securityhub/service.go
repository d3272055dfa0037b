package securityhub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/detect"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

type service struct {
	authz *api.Authorizer
	state *state.Manager
	store store.Store
	now   func() time.Time

	mu      sync.Mutex
	org     *org.Org
	rules   string
	at      time.Time
	current map[string]*Finding // by Id: the findings the sources give now, and every one they gave before (archived)
	updates map[string]*update  // BatchUpdateFindings' changes, by Id
	// imported are the Ids of findings BatchImportFindings stored: the
	// sources never update or archive them.
	imported map[string]bool

	insights insights

	// The trail's detections: the detector, the last trail record it
	// read, and the Ids of the findings it gave.
	detectCfg detect.Config
	detector  *detect.Detector
	trailSeq  int64
	detected  map[string]bool
}

// update is what BatchUpdateFindings changed on a finding.
type update struct {
	workflow, severity, verification string
	note                             *Note
	confidence, criticality          *int
	userFields                       map[string]string
	at                               string
}

func newService(d *api.Deps) *service {
	now := d.Clock
	if now == nil {
		now = time.Now
	}
	cfg := d.Detections
	if cfg == (detect.Config{}) {
		cfg = detect.Defaults()
	}
	return &service{authz: d.Authz, state: d.State, store: d.Store, now: now, detectCfg: cfg, detected: map[string]bool{},
		current: map[string]*Finding{}, updates: map[string]*update{}, imported: map[string]bool{}}
}

func errf(code string, status int, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Status: status, Sender: status < 500, Message: fmt.Sprintf(format, args...)}
}

func invalidInput(format string, args ...any) error {
	return errf("InvalidInputException", 400, format, args...)
}

func decode(c *api.Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return invalidInput("The request body is not valid JSON for %s: %s", c.Action, err.Error())
	}
	return nil
}

// admin is the organization's Security Hub administrator: the Security
// account (the delegated administrator), else the management account.
func admin(o *org.Org) string { return compliance.AuditAccount(o) }

// refresh brings the findings up to date: the sources' (refreshSources)
// and the trail's detections (refreshDetections). The caller holds s.mu.
func (s *service) refresh(ctx context.Context) error {
	if err := s.refreshSources(ctx); err != nil {
		return err
	}
	return s.refreshDetections(ctx)
}

// refreshSources recomputes the findings when the organization or its rules
// changed: new findings appear, changed ones keep their Id and
// FirstObservedAt and take a new UpdatedAt, and those whose cause is gone
// are archived. The caller holds s.mu.
func (s *service) refreshSources(ctx context.Context) error {
	o, meta, err := s.state.Current(ctx)
	if err != nil {
		return err
	}
	defs := compliance.Deployed(meta)
	key, _ := json.Marshal(defs)
	if s.org == o && s.rules == string(key) && s.now().Sub(s.at) < 24*time.Hour {
		return nil
	}
	creds, err := compliance.StoreCredentials(ctx, s.store, o)
	if err != nil {
		return err
	}
	var rules []*compliance.Rule
	for _, d := range defs {
		if r, ok := compliance.Runnable(d); ok {
			rules = append(rules, r)
		}
	}
	now := s.now()
	stamp := now.UTC().Format(time.RFC3339)
	in := &compliance.Input{Org: o, Credentials: creds, Now: now, Trail: compliance.WardenTrail(compliance.AuditAccount(o), true)}
	fresh := map[string]compliance.ASFF{}
	for _, f := range compliance.Evaluate(in, rules, nil).Findings("us-east-1", now) {
		fresh[f.ID] = f
	}
	for _, f := range accessFindings(o, stamp) {
		fresh[f.ID] = f
	}
	for id, f := range fresh {
		old, seen := s.current[id]
		switch {
		case !seen:
			s.current[id] = &Finding{ASFF: f, FirstObservedAt: stamp, LastObservedAt: stamp}
		case s.imported[id]:
		default:
			f.CreatedAt = old.CreatedAt
			if sameResult(&old.ASFF, &f) && old.RecordState == "ACTIVE" {
				old.LastObservedAt = stamp
				continue
			}
			s.current[id] = &Finding{ASFF: f, FirstObservedAt: old.FirstObservedAt, LastObservedAt: stamp}
		}
	}
	for id, f := range s.current {
		if _, still := fresh[id]; still || s.imported[id] || s.detected[id] || f.RecordState == "ARCHIVED" {
			continue
		}
		f.RecordState, f.UpdatedAt = "ARCHIVED", stamp
		f.Workflow.Status = "RESOLVED"
	}
	s.org, s.rules, s.at = o, string(key), now
	return nil
}

func sameResult(a, b *compliance.ASFF) bool {
	return a.Compliance.Status == b.Compliance.Status && a.Description == b.Description && a.Severity == b.Severity
}

// accessFindings are the organization analyzer's external access findings
// as Security Hub receives them from IAM Access Analyzer.
func accessFindings(o *org.Org, stamp string) []compliance.ASFF {
	var out []compliance.ASFF
	for _, f := range analyze.AccessOrg(o, analyze.ZoneOrganization) {
		label, score := "MEDIUM", 40
		if f.IsPublic {
			label, score = "CRITICAL", 90
		}
		a := compliance.ASFF{SchemaVersion: "2018-10-08", ProductName: "IAM Access Analyzer", CompanyName: "AWS", Region: "us-east-1",
			ProductArn: "arn:aws:securityhub:us-east-1::product/aws/access-analyzer", AwsAccountID: f.ResourceOwnerAccount,
			GeneratorID: "aws/access-analyzer", CreatedAt: stamp, UpdatedAt: stamp, RecordState: "ACTIVE",
			Types:       []string{"Software and Configuration Checks/AWS Security Best Practices/External Access Granted"},
			Title:       "AwsResource/" + f.ResourceType + " allows access outside the organization",
			Description: fmt.Sprintf("%v can %v on %s", f.Principal, f.Action, f.Resource),
			Severity:    compliance.ASFFSeverity{Label: label, Normalized: score}}
		a.ID = "arn:aws:access-analyzer:us-east-1:" + compliance.AuditAccount(o) + ":analyzer/organization/arn:aws:access-analyzer:finding/" + f.ID
		a.Remediation.Recommendation.Text = "Narrow the resource policy to the principals that need it, or archive the finding if the access is intended."
		a.Resources = []compliance.ASFFResource{{Type: "Other", ID: f.Resource, Partition: "aws", Region: "us-east-1"}}
		a.Compliance.Status, a.Workflow.Status = "FAILED", "NEW"
		out = append(out, a)
	}
	return out
}

// visible returns the findings the caller's account sees, with
// BatchUpdateFindings' changes applied.
func (s *service) visible(ctx context.Context, c *api.Call) ([]*Finding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	o := s.org
	all := c.Identity.Account == admin(o) || c.Identity.Account == o.Management.ID
	var out []*Finding
	for _, f := range s.current {
		if !all && f.AwsAccountID != c.Identity.Account {
			continue
		}
		g := *f
		if u := s.updates[f.ID]; u != nil {
			applyUpdate(&g, u)
		}
		out = append(out, &g)
	}
	return out, nil
}

func applyUpdate(f *Finding, u *update) {
	if u.workflow != "" {
		f.Workflow.Status = u.workflow
	}
	if u.severity != "" {
		f.Severity.Label = u.severity
		f.Severity.Normalized = map[string]int{"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}[u.severity]
	}
	if u.verification != "" {
		f.VerificationState = u.verification
	}
	if u.note != nil {
		f.Note = u.note
	}
	if u.confidence != nil {
		f.Confidence = u.confidence
	}
	if u.criticality != nil {
		f.Criticality = u.criticality
	}
	if len(u.userFields) > 0 {
		f.UserDefinedFields = u.userFields
	}
	if u.at > f.UpdatedAt {
		f.UpdatedAt = u.at
	}
}

// GetFindings returns the findings that match the filters, sorted and paged.
func (s *service) GetFindings(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		Filters      map[string]json.RawMessage `json:"Filters"`
		SortCriteria []struct {
			Field     string `json:"Field"`
			SortOrder string `json:"SortOrder"`
		} `json:"SortCriteria"`
		NextToken  string `json:"NextToken"`
		MaxResults int    `json:"MaxResults"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "securityhub:GetFindings", hubARN(c), nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	match, err := compileFilters(in.Filters, s.now())
	if err != nil {
		return nil, err
	}
	all, err := s.visible(ctx, c)
	if err != nil {
		return nil, err
	}
	var hits []*Finding
	for _, f := range all {
		if match(f) {
			hits = append(hits, f)
		}
	}
	if err := sortFindings(hits, in.SortCriteria); err != nil {
		return nil, err
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return nil, invalidInput("MaxResults: %d is not between 1 and 100", in.MaxResults)
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(hits) {
			return nil, invalidInput("NextToken: not a token this endpoint gave")
		}
		from = n
	}
	to, next := from+limit, ""
	if to < len(hits) {
		next = strconv.Itoa(to)
	} else {
		to = len(hits)
	}
	out := struct {
		Findings  []*Finding `json:"Findings"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Findings: append([]*Finding{}, hits[from:to]...), NextToken: next}
	return out, nil
}

func shortID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])[:36]
}

func hubARN(c *api.Call) string {
	return "arn:aws:securityhub:" + c.Region + ":" + c.Identity.Account + ":hub/default"
}

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
	s.mu.Lock()
	defer s.mu.Unlock()
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
		if old := s.current[f.ID]; why == "" && old != nil && !s.imported[f.ID] {
			why = "a finding of this Id is Security Hub's own"
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
		s.imported[f.ID] = true
		if old := s.current[f.ID]; old != nil {
			f.FirstObservedAt = firstNonEmpty(f.FirstObservedAt, old.FirstObservedAt)
		}
		s.current[f.ID] = &f
		out.SuccessCount++
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
	u := &update{at: s.now().UTC().Format(time.RFC3339), userFields: in.UserDefinedFields,
		confidence: in.Confidence, criticality: in.Criticality, verification: in.VerificationState}
	if in.Workflow != nil {
		switch in.Workflow.Status {
		case "NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED":
			u.workflow = in.Workflow.Status
		default:
			return nil, invalidInput("Workflow.Status: %q is not one of NEW, NOTIFIED, RESOLVED, SUPPRESSED", in.Workflow.Status)
		}
	}
	if in.Severity != nil {
		if !compliance.ValidSeverity(in.Severity.Label) {
			return nil, invalidInput("Severity.Label: %q is not one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL", in.Severity.Label)
		}
		u.severity = in.Severity.Label
	}
	if in.Note != nil {
		if in.Note.Text == "" || in.Note.UpdatedBy == "" {
			return nil, invalidInput("Note: Text and UpdatedBy are required")
		}
		u.note = &Note{Text: in.Note.Text, UpdatedBy: in.Note.UpdatedBy, UpdatedAt: u.at}
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
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range in.FindingIdentifiers {
		f := byID[id.ID]
		if f == nil || f.ProductArn != id.ProductArn {
			out.Unprocessed = append(out.Unprocessed, unprocessed{ident(id), "FindingNotFound", "no finding of this Id and ProductArn in the caller's view"})
			continue
		}
		merged := *u
		if prev := s.updates[id.ID]; prev != nil {
			merged = mergeUpdates(prev, u)
		}
		s.updates[id.ID] = &merged
		out.Processed = append(out.Processed, ident(id))
	}
	return out, nil
}

func mergeUpdates(prev, next *update) update {
	m := *prev
	if next.workflow != "" {
		m.workflow = next.workflow
	}
	if next.severity != "" {
		m.severity = next.severity
	}
	if next.verification != "" {
		m.verification = next.verification
	}
	if next.note != nil {
		m.note = next.note
	}
	if next.confidence != nil {
		m.confidence = next.confidence
	}
	if next.criticality != nil {
		m.criticality = next.criticality
	}
	if len(next.userFields) > 0 {
		m.userFields = next.userFields
	}
	m.at = next.at
	return m
}
