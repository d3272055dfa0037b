package accessanalyzer

import (
	"context"
	"github.com/securecart/warden/internal/call"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/org"
)

// Finding statuses.
const (
	statusActive   = "ACTIVE"
	statusArchived = "ARCHIVED"
	statusResolved = "RESOLVED"
)

// finding is a finding with its life: status and times.
type finding struct {
	analyze.Finding
	Status     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	AnalyzedAt time.Time
}

// refresh recomputes the analyzer's findings when the organization changed
// since they were computed, and records each change in the trail. The
// caller holds s.mu.
func (s *service) refresh(ctx context.Context, a *analyzer, o *org.Org) error {
	if a.computedFor == o {
		return nil
	}
	now := s.now()
	kind := analyze.ZoneAccount
	if a.Type == "ORGANIZATION" {
		kind = analyze.ZoneOrganization
	}
	info := analyze.OrgInfoOf(o)
	fresh := map[string]analyze.Finding{}
	for _, t := range analyze.Targets(o) {
		if kind == analyze.ZoneAccount && t.Owner != a.Account {
			continue
		}
		z := analyze.Zone{Kind: kind, Account: t.Owner, Org: info}
		for _, f := range analyze.Access(&t, &z) {
			fresh[f.ID] = f
		}
		a.lastResource, a.lastAnalyzedAt = t.ARN, now
	}
	type change struct{ name, id, status, resource string }
	var changes []change
	for _, id := range sortedKeys(fresh) {
		f := fresh[id]
		old, ok := a.findings[id]
		switch {
		case !ok:
			nf := &finding{Finding: f, Status: statusActive, CreatedAt: now, UpdatedAt: now, AnalyzedAt: now}
			for _, r := range sortedKeys(a.rules) {
				if a.rules[r].matches(nf) {
					nf.Status = statusArchived
				}
			}
			a.findings[id] = nf
			changes = append(changes, change{"FindingCreated", id, nf.Status, f.Resource})
		case old.Status == statusResolved:
			old.Finding, old.Status, old.UpdatedAt, old.AnalyzedAt = f, statusActive, now, now
			changes = append(changes, change{"FindingReopened", id, old.Status, f.Resource})
		default:
			old.Finding, old.AnalyzedAt = f, now
		}
	}
	for _, id := range sortedKeys(a.findings) {
		f := a.findings[id]
		if _, ok := fresh[id]; !ok && f.Status != statusResolved {
			f.Status, f.UpdatedAt, f.AnalyzedAt = statusResolved, now, now
			changes = append(changes, change{"FindingResolved", id, f.Status, f.Resource})
		}
	}
	for _, ch := range changes {
		if err := s.record(ctx, a.Account, a.Region, ch.name, call.Fields{"analyzerArn": a.ARN, "id": ch.id, "status": ch.status, "resource": ch.resource}); err != nil {
			return err
		}
	}
	a.computedFor = o
	return nil
}

// withFindings decodes the request into in, authorizes the action on the
// analyzer that arn names (after decoding), and runs fn on it with its
// findings up to date, under s.mu.
func (s *service) withFindings(ctx context.Context, c *api.Call, in any, action string, arn func() string, fn func(a *analyzer) (any, error)) (any, error) {
	if err := decode(c, in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "access-analyzer:"+action, arn(), nil); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.current(ctx, c, arn())
	if err != nil {
		return nil, err
	}
	return fn(a)
}

// current returns the caller's analyzer by ARN with its findings up to date.
// The caller holds s.mu.
func (s *service) current(ctx context.Context, c *api.Call, arn string) (*analyzer, error) {
	a, err := s.byARN(c, arn)
	if err != nil {
		return nil, err
	}
	o, err := s.state.Org(ctx)
	if err != nil {
		return nil, err
	}
	return a, s.refresh(ctx, a, o)
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
	return s.withFindings(ctx, c, &in, "ListFindings", func() string { return in.AnalyzerArn }, func(a *analyzer) (any, error) {
		return listOf(a, &in, v2)
	})
}

func listOf(a *analyzer, in *listFindingsInput, v2 bool) (any, error) {
	if err := checkFilter(in.Filter); err != nil {
		return nil, err
	}
	var list []*finding
	for _, id := range sortedKeys(a.findings) {
		if f := a.findings[id]; matchFilter(f, in.Filter) {
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
	out, err := s.withFindings(ctx, c, &in, "GetFinding", func() string { return in.AnalyzerArn }, func(a *analyzer) (any, error) {
		f, ok := a.findings[in.ID]
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
	return s.withFindings(ctx, c, &in, "UpdateFindings", func() string { return in.AnalyzerArn }, func(a *analyzer) (any, error) {
		if in.Status != statusActive && in.Status != statusArchived {
			return nil, validation("status: %q is not one of ACTIVE, ARCHIVED", in.Status)
		}
		if (len(in.IDs) == 0) == (in.ResourceArn == "") {
			return nil, validation("give either ids or resourceArn")
		}
		var targets []*finding
		for _, id := range in.IDs {
			f, ok := a.findings[id]
			if !ok {
				return nil, notFound("Finding %s not found", id)
			}
			targets = append(targets, f)
		}
		if in.ResourceArn != "" {
			for _, id := range sortedKeys(a.findings) {
				if f := a.findings[id]; f.Resource == in.ResourceArn {
					targets = append(targets, f)
				}
			}
		}
		now := s.now()
		for _, f := range targets {
			if f.Status != statusResolved && f.Status != in.Status {
				f.Status, f.UpdatedAt = in.Status, now
			}
		}
		return nil, nil
	})
}
