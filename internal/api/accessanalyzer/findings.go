package accessanalyzer

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

// Finding statuses.
const (
	statusActive   = "ACTIVE"
	statusArchived = "ARCHIVED"
	statusResolved = "RESOLVED"
)

// finding is a finding as stored (nsFindings): what the analysis found,
// and its life: status and times.
type finding struct {
	analyze.Finding `json:"finding"`
	Status          string    `json:"lifecycle"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
	AnalyzedAt      time.Time `json:"analyzedAt"`
	// version is the stored record's version (not stored itself).
	version int64
}

// findingKey is a finding's key in nsFindings.
func findingKey(analyzerARN, id string) string { return analyzerARN + "/" + id }

// findingsOf returns an analyzer's findings by ID as stored now. The map
// and the findings are shared: callers must not change them.
func (s *service) findingsOf(ctx context.Context, arn string) (map[string]*finding, error) {
	if err := s.findings.Sync(ctx); err != nil {
		return nil, err
	}
	rev := s.findings.Revision()
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if s.index == nil || s.indexRev != rev {
		index := map[string]map[string]*finding{}
		for key, v := range s.findings.All() {
			i := strings.LastIndexByte(key, '/')
			if i < 0 {
				continue
			}
			f := *v.Value
			f.version = v.Version
			if index[key[:i]] == nil {
				index[key[:i]] = map[string]*finding{}
			}
			index[key[:i]][key[i+1:]] = &f
		}
		s.index, s.indexRev = index, rev
	}
	return s.index[arn], nil
}

// change is one change of a finding, recorded in the trail once stored.
type change struct{ name, id, status, resource string }

// reconcile brings an analyzer's stored findings in line with the analysis
// of o (state version version), in one batch together with the analyzer's
// StateVersion, so that of several replicas reconciling at once one wins
// and the others find nothing left to do; each change is then recorded in
// the trail by the replica whose batch stored it.
func (s *service) reconcile(ctx context.Context, arn string, o *org.Org, version int64) error {
	for attempt := 0; ; attempt++ {
		ans, err := s.analyzersNow(ctx)
		if err != nil {
			return err
		}
		cur, ok := ans[arn]
		if !ok || cur.Value.StateVersion >= version {
			return nil
		}
		a := cur.Value.clone()
		kind := analyze.ZoneAccount
		if a.Type == "ORGANIZATION" {
			kind = analyze.ZoneOrganization
		}
		fresh, stats := s.engine.Analyze(o, kind, a.Account)
		stored, err := s.findingsOf(ctx, arn)
		if err != nil {
			return err
		}
		now := s.now()
		ops, changes, err := diffFindings(a, stored, fresh, now)
		if err != nil {
			return err
		}
		a.StateVersion = version
		if stats.Last != "" {
			a.LastResource, a.LastAnalyzedAt = stats.Last, now
		}
		doc, err := json.Marshal(a)
		if err != nil {
			return err
		}
		ops = append(ops, store.RecordOp{Namespace: nsAnalyzers, Key: arn, Doc: doc, Expect: cur.Version, At: now})
		_, err = s.store.ApplyRecords(ctx, ops)
		if (errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound)) && attempt < 20 {
			continue
		}
		if err != nil {
			return err
		}
		return s.recordChanges(ctx, a, changes)
	}
}

// recordChanges records stored changes of an analyzer's findings in the
// trail.
func (s *service) recordChanges(ctx context.Context, a *analyzer, changes []change) error {
	for _, ch := range changes {
		if err := s.record(ctx, a.Account, a.Region, ch.name, call.Fields{"analyzerArn": a.ARN, "id": ch.id, "status": ch.status, "resource": ch.resource}); err != nil {
			return err
		}
	}
	return nil
}

// diffFindings returns the writes that turn the stored findings into the
// fresh ones, and the changes they make: a new finding is created ACTIVE,
// or ARCHIVED when one of the analyzer's archive rules matches it (as is a
// resolved one found again); a finding whose access changed is updated; a
// finding no longer found is RESOLVED.
func diffFindings(a *analyzer, stored map[string]*finding, fresh []analyze.Finding, now time.Time) ([]store.RecordOp, []change, error) {
	byID := make(map[string]*analyze.Finding, len(fresh))
	for i := range fresh {
		f := fresh[i]
		if f.Statement != nil {
			// Positions in the stored state's JSON mean nothing to a
			// reader, and move with every change of the state.
			ref := *f.Statement
			ref.Pos = ""
			f.Statement = &ref
		}
		byID[f.ID] = &f
	}
	var ops []store.RecordOp
	var changes []change
	put := func(f *finding, expect int64, name string) error {
		doc, err := json.Marshal(f)
		if err != nil {
			return err
		}
		ops = append(ops, store.RecordOp{Namespace: nsFindings, Key: findingKey(a.ARN, f.ID), Doc: doc, Expect: expect, At: now})
		changes = append(changes, change{name, f.ID, f.Status, f.Resource})
		return nil
	}
	for _, id := range sortedKeys(byID) {
		f := byID[id]
		old, ok := stored[id]
		switch {
		case !ok, old.Status == statusResolved:
			nf := &finding{Finding: *f, Status: statusActive, CreatedAt: now, UpdatedAt: now, AnalyzedAt: now}
			name, expect := "FindingCreated", int64(0)
			if ok {
				nf.CreatedAt, name, expect = old.CreatedAt, "FindingReopened", old.version
			}
			if a.archives(nf) {
				nf.Status = statusArchived
			}
			if err := put(nf, expect, name); err != nil {
				return nil, nil, err
			}
		case !sameAccess(&old.Finding, f):
			nf := *old
			nf.Finding, nf.UpdatedAt, nf.AnalyzedAt = *f, now, now
			if err := put(&nf, old.version, "FindingUpdated"); err != nil {
				return nil, nil, err
			}
		}
	}
	for _, id := range sortedKeys(stored) {
		if old := stored[id]; byID[id] == nil && old.Status != statusResolved {
			nf := *old
			nf.Status, nf.UpdatedAt, nf.AnalyzedAt = statusResolved, now, now
			if err := put(&nf, old.version, "FindingResolved"); err != nil {
				return nil, nil, err
			}
		}
	}
	return ops, changes, nil
}

// sameAccess reports whether two analyses of a finding say the same: every
// field that is stored (the statement's compiled forms are not).
func sameAccess(a, b *analyze.Finding) bool {
	if a.ID != b.ID || a.Resource != b.Resource || a.ResourceType != b.ResourceType || a.ResourceOwnerAccount != b.ResourceOwnerAccount ||
		a.IsPublic != b.IsPublic || a.Status != b.Status || a.Unsure != b.Unsure || a.Reason != b.Reason ||
		!maps.Equal(a.Principal, b.Principal) || !slices.Equal(a.Action, b.Action) || !maps.Equal(a.Condition, b.Condition) {
		return false
	}
	switch {
	case (a.Example == nil) != (b.Example == nil), (a.Statement == nil) != (b.Statement == nil):
		return false
	case a.Example != nil && (a.Example.Principal != b.Example.Principal || a.Example.Action != b.Example.Action ||
		a.Example.Resource != b.Example.Resource || !maps.EqualFunc(a.Example.Context, b.Example.Context, slices.Equal)):
		return false
	case a.Statement != nil && (a.Statement.Policy != b.Statement.Policy || a.Statement.Sid != b.Statement.Sid ||
		a.Statement.Index != b.Statement.Index || a.Statement.Pos != b.Statement.Pos):
		return false
	}
	return true
}

// withFindings decodes the request into in, authorizes the action on the
// analyzer that arn names (after decoding), and runs fn on it with its
// findings as last stored: reads never wait for an analysis.
func (s *service) withFindings(ctx context.Context, c *api.Call, in any, action string, arn func() string, fn func(a *analyzer, fs map[string]*finding) (any, error)) (any, error) {
	if err := decode(c, in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "access-analyzer:"+action, arn(), nil); err != nil {
		return nil, err
	}
	a, _, err := s.analyzerByARN(ctx, c, arn())
	if err != nil {
		return nil, err
	}
	fs, err := s.findingsOf(ctx, a.ARN)
	if err != nil {
		return nil, err
	}
	return fn(a, fs)
}

// findingBase is what both shapes of a finding hold.
type findingBase struct {
	ID                   string `json:"id"`
	Resource             string `json:"resource"`
	ResourceType         string `json:"resourceType"`
	ResourceOwnerAccount string `json:"resourceOwnerAccount"`
	Status               string `json:"status"`
	CreatedAt            string `json:"createdAt"`
	UpdatedAt            string `json:"updatedAt"`
	AnalyzedAt           string `json:"analyzedAt"`
	Error                string `json:"error,omitempty"`
}

// findingAccess is how a finding's access is described.
type findingAccess struct {
	Principal                        map[string]string `json:"principal"`
	Action                           []string          `json:"action"`
	Condition                        map[string]string `json:"condition"`
	IsPublic                         bool              `json:"isPublic"`
	ResourceControlPolicyRestriction string            `json:"resourceControlPolicyRestriction"`
}

// findingSummary is the Finding and FindingSummary data types.
type findingSummary struct {
	findingBase
	findingAccess
}

// findingSummaryV2 is the FindingSummaryV2 and GetFindingV2 shapes.
type findingSummaryV2 struct {
	findingBase
	FindingType    string           `json:"findingType"`
	FindingDetails []findingDetails `json:"findingDetails,omitempty"`
}

type findingDetails struct {
	ExternalAccessDetails findingAccess `json:"externalAccessDetails"`
}

func (f *finding) base() findingBase {
	b := findingBase{ID: f.ID, Resource: f.Resource, ResourceType: f.ResourceType, ResourceOwnerAccount: f.ResourceOwnerAccount,
		Status: f.Status, CreatedAt: ts(f.CreatedAt), UpdatedAt: ts(f.UpdatedAt), AnalyzedAt: ts(f.AnalyzedAt)}
	if f.Unsure {
		b.Error = "UNSURE: " + f.Reason
	}
	return b
}

func (f *finding) access() findingAccess {
	return findingAccess{Principal: f.Principal, Action: f.Action, Condition: f.Condition, IsPublic: f.IsPublic,
		ResourceControlPolicyRestriction: "APPLIED"}
}

func (f *finding) summary() findingSummary {
	return findingSummary{findingBase: f.base(), findingAccess: f.access()}
}

func (f *finding) summaryV2() findingSummaryV2 {
	return findingSummaryV2{findingBase: f.base(), FindingType: "ExternalAccess"}
}

// values are a finding's values for a filter or sort key
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html);
// ok is false for a key that is not one.
func (f *finding) values(key string) (vals []string, ok bool) {
	switch {
	case key == "id":
		return []string{f.ID}, true
	case key == "resource":
		return []string{f.Resource}, true
	case key == "resourceType":
		return []string{f.ResourceType}, true
	case key == "resourceOwnerAccount":
		return []string{f.ResourceOwnerAccount}, true
	case key == "status":
		return []string{f.Status}, true
	case key == "isPublic":
		return []string{strconv.FormatBool(f.IsPublic)}, true
	case key == "findingType":
		return []string{"ExternalAccess"}, true
	case key == "action":
		return f.Action, true
	case key == "error":
		if f.Unsure {
			return []string{"UNSURE"}, true
		}
		return nil, true
	case key == "createdAt", key == "updatedAt", key == "analyzedAt":
		t := map[string]time.Time{"createdAt": f.CreatedAt, "updatedAt": f.UpdatedAt, "analyzedAt": f.AnalyzedAt}[key]
		return []string{ts(t)}, true
	case strings.HasPrefix(key, "principal."):
		if v, ok := f.Principal[strings.TrimPrefix(key, "principal.")]; ok {
			return []string{v}, true
		}
		return nil, true
	case strings.HasPrefix(key, "condition."):
		if v, ok := f.Condition[strings.TrimPrefix(key, "condition.")]; ok {
			return []string{v}, true
		}
		return nil, true
	}
	return nil, false
}

type listFindingsInput struct {
	AnalyzerArn string               `json:"analyzerArn"`
	Filter      map[string]criterion `json:"filter"`
	Sort        *struct {
		AttributeName string `json:"attributeName"`
		OrderBy       string `json:"orderBy"`
	} `json:"sort"`
	MaxResults *int   `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

func (s *service) listFindings(ctx context.Context, c *api.Call, v2 bool) (any, error) {
	var in listFindingsInput
	c.ReadOnly = true
	return s.withFindings(ctx, c, &in, "ListFindings", func() string { return in.AnalyzerArn }, func(a *analyzer, fs map[string]*finding) (any, error) {
		return listOf(fs, &in, v2)
	})
}

func listOf(fs map[string]*finding, in *listFindingsInput, v2 bool) (any, error) {
	if err := checkFilter(in.Filter); err != nil {
		return nil, err
	}
	var list []*finding
	for _, id := range sortedKeys(fs) {
		if f := fs[id]; matchFilter(f, in.Filter) {
			list = append(list, f)
		}
	}
	if in.Sort != nil && in.Sort.AttributeName != "" {
		if _, ok := (&finding{}).values(in.Sort.AttributeName); !ok {
			return nil, validation("sort.attributeName: %q is not a finding attribute", in.Sort.AttributeName)
		}
		desc := in.Sort.OrderBy == "DESC"
		sort.SliceStable(list, func(i, j int) bool {
			x, _ := list[i].values(in.Sort.AttributeName)
			y, _ := list[j].values(in.Sort.AttributeName)
			less := strings.Join(x, ",") < strings.Join(y, ",")
			if desc {
				return strings.Join(x, ",") > strings.Join(y, ",")
			}
			return less
		})
	}
	if v2 {
		items := make([]findingSummaryV2, 0, len(list))
		for _, f := range list {
			items = append(items, f.summaryV2())
		}
		return paged("findings", items, in.MaxResults, in.NextToken)
	}
	items := make([]findingSummary, 0, len(list))
	for _, f := range list {
		items = append(items, f.summary())
	}
	return paged("findings", items, in.MaxResults, in.NextToken)
}

// ListFindings lists an analyzer's findings.
func (s *service) ListFindings(ctx context.Context, c *api.Call) (any, error) {
	return s.listFindings(ctx, c, false)
}

// ListFindingsV2 lists an analyzer's findings in the V2 shape.
func (s *service) ListFindingsV2(ctx context.Context, c *api.Call) (any, error) {
	return s.listFindings(ctx, c, true)
}

func (s *service) getFinding(ctx context.Context, c *api.Call) (*finding, error) {
	var in struct {
		AnalyzerArn string `json:"analyzerArn"`
		ID          string `json:"id"`
	}
	c.ReadOnly = true
	out, err := s.withFindings(ctx, c, &in, "GetFinding", func() string { return in.AnalyzerArn }, func(a *analyzer, fs map[string]*finding) (any, error) {
		f, ok := fs[in.ID]
		if !ok {
			return nil, notFound("Finding %s not found", in.ID)
		}
		cp := *f
		return &cp, nil
	})
	if err != nil {
		return nil, err
	}
	return out.(*finding), nil
}

// GetFinding describes a finding.
func (s *service) GetFinding(ctx context.Context, c *api.Call) (any, error) {
	f, err := s.getFinding(ctx, c)
	if err != nil {
		return nil, err
	}
	return struct {
		Finding findingSummary `json:"finding"`
	}{f.summary()}, nil
}

// GetFindingV2 describes a finding in the V2 shape, with its details.
func (s *service) GetFindingV2(ctx context.Context, c *api.Call) (any, error) {
	f, err := s.getFinding(ctx, c)
	if err != nil {
		return nil, err
	}
	out := f.summaryV2()
	out.FindingDetails = []findingDetails{{ExternalAccessDetails: f.access()}}
	return out, nil
}

// UpdateFindings archives or unarchives findings, by ID or by resource.
func (s *service) UpdateFindings(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		AnalyzerArn string   `json:"analyzerArn"`
		Status      string   `json:"status"`
		IDs         []string `json:"ids"`
		ResourceArn string   `json:"resourceArn"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if in.Status != statusActive && in.Status != statusArchived {
		return nil, validation("status: %q is not one of ACTIVE, ARCHIVED", in.Status)
	}
	if (len(in.IDs) == 0) == (in.ResourceArn == "") {
		return nil, validation("give either ids or resourceArn")
	}
	if err := s.authz.Authorize(ctx, c, "access-analyzer:UpdateFindings", in.AnalyzerArn, nil); err != nil {
		return nil, err
	}
	return nil, s.setStatus(ctx, c, in.AnalyzerArn, in.Status, func(fs map[string]*finding) ([]*finding, error) {
		var targets []*finding
		for _, id := range in.IDs {
			f, ok := fs[id]
			if !ok {
				return nil, notFound("Finding %s not found", id)
			}
			targets = append(targets, f)
		}
		if in.ResourceArn != "" {
			for _, id := range sortedKeys(fs) {
				if f := fs[id]; f.Resource == in.ResourceArn {
					targets = append(targets, f)
				}
			}
		}
		return targets, nil
	})
}

// setStatus sets the status of the findings pick chooses among the
// analyzer's (resolved ones keep theirs), in one batch retried while
// another writer got there first, and records each change in the trail
// (FindingArchived, FindingUnarchived).
func (s *service) setStatus(ctx context.Context, c *api.Call, arn, status string, pick func(fs map[string]*finding) ([]*finding, error)) error {
	var changes []change
	var a *analyzer
	err := s.retry(ctx, func() error {
		var err error
		if a, _, err = s.analyzerByARN(ctx, c, arn); err != nil {
			return err
		}
		fs, err := s.findingsOf(ctx, arn)
		if err != nil {
			return err
		}
		targets, err := pick(fs)
		if err != nil {
			return err
		}
		now := s.now()
		name := map[string]string{statusArchived: "FindingArchived", statusActive: "FindingUnarchived"}[status]
		var ops []store.RecordOp
		changes = changes[:0]
		for _, f := range targets {
			if f.Status == statusResolved || f.Status == status {
				continue
			}
			nf := *f
			nf.Status, nf.UpdatedAt = status, now
			doc, err := json.Marshal(&nf)
			if err != nil {
				return err
			}
			ops = append(ops, store.RecordOp{Namespace: nsFindings, Key: findingKey(arn, f.ID), Doc: doc, Expect: f.version, At: now})
			changes = append(changes, change{name, f.ID, status, f.Resource})
		}
		_, err = s.store.ApplyRecords(ctx, ops)
		return err
	})
	if err != nil {
		return err
	}
	return s.recordChanges(ctx, a, changes)
}
