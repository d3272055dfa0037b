package securityhub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
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
	log   *slog.Logger

	// mu orders this replica's refreshes, which only the Background task
	// (watch) runs: requests never wait for one. Requests' writes go
	// through store.Write, which retries against any concurrent writer.
	mu sync.Mutex
	// kick asks watch for a refresh now: a read sends it and answers with
	// the findings as stored.
	kick chan struct{}
	// lease, held by watch, makes this replica the one that analyzes
	// (leading).
	lease store.Lease
	// live evaluates the Config rules; run is the evaluation the sources'
	// findings were last reconciled with, on the organization org.
	live *compliance.Live
	run  *compliance.LiveRun
	org  *org.Org
	// access is the organization analyzer's external access analysis,
	// kept incrementally: a change reanalyzes only the targets it touched
	// (analyze.Incremental), and the Background task (watch) does it as
	// soon as the state changes, so reads find it done.
	access *analyze.Incremental
	// The findings, BatchUpdateFindings' changes and the insights live in
	// the store (persist.go), so that every replica serves the same.
	findings *store.Mirror[stored]
	updates  *store.Mirror[update]
	insights *store.Mirror[insightDoc]

	// The trail's detections: the detector and the last trail record it
	// read (detections.go).
	detectCfg detect.Config
	detector  *detect.Detector
	trailSeq  int64
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
	return &service{authz: d.Authz, state: d.State, store: d.Store, now: now, log: d.Logger, detectCfg: cfg, live: compliance.NewLive(d.State, d.Store, now),
		access: analyze.NewIncremental(), kick: make(chan struct{}, 1),
		findings: store.NewMirror[stored](d.Store, nsFindings), updates: store.NewMirror[update](d.Store, nsUpdates),
		insights: store.NewMirror[insightDoc](d.Store, nsInsights)}
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

// admin is the organization's Security Hub administrator: its delegated
// administrator for securityhub.amazonaws.com (organization
// delegatedAdministrators), else the audit account.
func admin(o *org.Org) string {
	return o.DelegatedAdministratorOr("securityhub.amazonaws.com", compliance.AuditAccountName(o))
}

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
	run, err := s.live.Current(ctx)
	if err != nil {
		return err
	}
	if run == s.run {
		return nil
	}
	o, stamp := run.Org, run.At.UTC().Format(time.RFC3339)
	fresh := map[string]*stored{}
	for _, f := range run.Report.Findings("us-east-1", run.At) {
		fresh[f.ID] = &stored{Source: sourceControl, Finding: Finding{ASFF: f, FirstObservedAt: stamp, LastObservedAt: stamp}}
	}
	for _, f := range accessFindings(s.access, o, stamp) {
		fresh[f.ID] = &stored{Source: sourceAccess, Finding: Finding{ASFF: f, FirstObservedAt: stamp, LastObservedAt: stamp}}
	}
	if err := s.reconcileSources(ctx, fresh, stamp); err != nil {
		return err
	}
	s.org, s.run = o, run
	return nil
}

func sameResult(a, b *compliance.ASFF) bool {
	return a.Compliance.Status == b.Compliance.Status && a.Description == b.Description && a.Severity == b.Severity
}

// accessFindings are the organization analyzer's external access findings
// as Security Hub receives them from IAM Access Analyzer, from the
// incremental analysis inc (the same findings as analyze.AccessOrg).
func accessFindings(inc *analyze.Incremental, o *org.Org, stamp string) []compliance.ASFF {
	var out []compliance.ASFF
	found, _ := inc.Analyze(o, analyze.ZoneOrganization, "")
	for _, f := range found {
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
// BatchUpdateFindings' changes applied: as stored, by this replica's
// Background task or another's. A read never waits for the analysis (the
// Config rules, the access analysis, the trail's detections): it asks the
// Background task for a refresh and answers with what is there, as
// Security Hub's findings arrive after the change that causes them.
func (s *service) visible(ctx context.Context, c *api.Call) ([]*Finding, error) {
	s.requestRefresh()
	if err := s.findings.Sync(ctx); err != nil {
		return nil, err
	}
	if err := s.updates.Sync(ctx); err != nil {
		return nil, err
	}
	o, err := s.state.Org(ctx)
	if err != nil {
		return nil, err
	}
	all := c.Identity.Account == admin(o) || c.Identity.Account == o.Management.ID
	updates := s.updates.All()
	var out []*Finding
	for _, r := range s.findings.All() {
		f := r.Value.Finding
		if !all && f.AwsAccountID != c.Identity.Account {
			continue
		}
		if u, ok := updates[f.ID]; ok {
			applyUpdate(&f, &u.Value)
		}
		out = append(out, &f)
	}
	return out, nil
}

func applyUpdate(f *Finding, u *update) {
	if u.Workflow != "" {
		f.Workflow.Status = u.Workflow
	}
	if u.Severity != "" {
		f.Severity.Label = u.Severity
		f.Severity.Normalized = map[string]int{"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}[u.Severity]
	}
	if u.Verification != "" {
		f.VerificationState = u.Verification
	}
	if u.Note != nil {
		f.Note = u.Note
	}
	if u.Confidence != nil {
		f.Confidence = u.Confidence
	}
	if u.Criticality != nil {
		f.Criticality = u.Criticality
	}
	if len(u.UserFields) > 0 {
		f.UserDefinedFields = u.UserFields
	}
	if u.At > f.UpdatedAt {
		f.UpdatedAt = u.At
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
