package cloudtrail_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	wcloudtrail "github.com/securecart/warden/internal/api/cloudtrail"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store/sqlite"
)

const (
	mgmt     = "104729381562"
	security = "218364950271"
	dev      = "436205817493"
)

// harness is a server with the durable trail, as `warden serve` runs it.
type harness struct {
	*servertest.Harness
	trail *audit.Trail
}

func start(t *testing.T, now time.Time) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key := creds.NewKey()
	sealer, err := creds.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	trail, err := audit.Open(ctx, st, sealer, audit.Options{Owner: security, DigestEvery: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { trail.Close() }) // after the server stops
	h := servertest.Start(t, servertest.Options{Store: st, MasterKey: key, Audit: trail, Now: now})
	return &harness{Harness: h, trail: trail}
}

// principal is a set of credentials.
type principal struct{ key, secret, token string }

var admin = principal{} // warden-admin, the management account's administrator (the harness's admin)

func (h *harness) cfg(p principal) aws.Config { return h.Config(p.key, p.secret, p.token) }

func (h *harness) ct(p principal) *cloudtrail.Client { return cloudtrail.NewFromConfig(h.cfg(p)) }

// assume assumes a role as p.
func (h *harness) assume(t *testing.T, p principal, roleARN, session string) (principal, error) {
	t.Helper()
	out, err := sts.NewFromConfig(h.cfg(p)).AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)})
	if err != nil {
		return principal{}, err
	}
	c := out.Credentials
	return principal{aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)}, nil
}

func oaar(account string) string {
	return "arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("not an API error: %v", err)
}

// traffic makes calls whose records the lookups below find: phase A at
// t0, phase B at t1.
type traffic struct {
	t0, t1        time.Time
	sec, devAdmin principal
}

func makeTraffic(t *testing.T, h *harness) *traffic {
	t.Helper()
	ctx := servertest.Ctx(t)
	tr := &traffic{t0: h.Clock.Now()}
	// Phase A: the management account's administrator looks itself up and assumes the
	// administrator roles of Security and Dev (each recorded in both
	// accounts).
	if _, err := sts.NewFromConfig(h.cfg(admin)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	var err error
	if tr.sec, err = h.assume(t, admin, oaar(security), "auditor"); err != nil {
		t.Fatal(err)
	}
	if tr.devAdmin, err = h.assume(t, admin, oaar(dev), "devadmin"); err != nil {
		t.Fatal(err)
	}
	// Phase B, five minutes later: Dev's administrator is refused a user
	// by the SCP and looks itself up; warden-admin creates a user.
	h.Clock.Advance(5 * time.Minute)
	tr.t1 = h.Clock.Now()
	if _, err := iam.NewFromConfig(h.cfg(tr.devAdmin)).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("CreateUser in Dev: %v, want AccessDenied", err)
	}
	if _, err := sts.NewFromConfig(h.cfg(tr.devAdmin)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(h.cfg(admin)).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	// The lookups come five minutes later still.
	h.Clock.Advance(5 * time.Minute)
	return tr
}

// lookup runs LookupEvents and returns the events, failing the test on an
// error.
func lookup(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []cttypes.Event {
	t.Helper()
	out, err := c.LookupEvents(servertest.Ctx(t), in)
	if err != nil {
		t.Fatalf("LookupEvents(%s): %v", describe(in), err)
	}
	return out.Events
}

func describe(in *cloudtrail.LookupEventsInput) string {
	var s []string
	for _, a := range in.LookupAttributes {
		s = append(s, string(a.AttributeKey)+"="+aws.ToString(a.AttributeValue))
	}
	if in.StartTime != nil {
		s = append(s, "start="+in.StartTime.UTC().Format(time.RFC3339))
	}
	if in.EndTime != nil {
		s = append(s, "end="+in.EndTime.UTC().Format(time.RFC3339))
	}
	return strings.Join(s, " ")
}

// summary is an event as the assertions compare it.
func summary(e cttypes.Event) string {
	return fmt.Sprintf("%s/%s by %s", aws.ToString(e.EventSource), aws.ToString(e.EventName), aws.ToString(e.Username))
}

func summaries(evs []cttypes.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, summary(e))
	}
	return out
}

// record decodes an event's CloudTrail record.
func record(t *testing.T, e cttypes.Event) audit.Record {
	t.Helper()
	var r audit.Record
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r); err != nil {
		t.Fatalf("CloudTrailEvent is not a record: %v: %s", err, aws.ToString(e.CloudTrailEvent))
	}
	return r
}

func attr(k cttypes.LookupAttributeKey, v string) []cttypes.LookupAttribute {
	return []cttypes.LookupAttribute{{AttributeKey: k, AttributeValue: aws.String(v)}}
}

// The Go SDK names CloudTrail's operations in X-Amz-Target as
// "CloudTrail_20131101.<Operation>", botocore (the AWS CLI, boto3) as
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>";
// AWS accepts both.
func TestSDKTargetNames(t *testing.T) {
	h := start(t, time.Time{})
	sec, err := h.assume(t, admin, oaar(security), "auditor")
	if err != nil {
		t.Fatal(err)
	}
	ctx := servertest.Ctx(t)
	_, err1 := h.ct(sec).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	_, err2 := h.ct(sec).ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	for _, err := range []error{err1, err2} {
		if err != nil {
			t.Errorf("%v (the server's JSON dispatch must accept the target prefix CloudTrail_20131101 as well as com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101)", err)
		}
	}
}

// TestLookupEvents drives LookupEvents with the real SDK client as a
// principal of the Security account, which owns the organization's trail.
func TestLookupEvents(t *testing.T) {
	// Start ten minutes back, so that the clock can move on twice by five
	// minutes and stay within SigV4's 15-minute skew of the wall clock the
	// SDK signs with.
	h := start(t, time.Now().UTC().Add(-10*time.Minute).Truncate(time.Second))
	tr := makeTraffic(t, h)
	ct := h.ct(tr.sec)
	// Every lookup below but the unbounded ones ends before the lookups
	// themselves, which are recorded too.
	end := aws.Time(tr.t1.Add(time.Minute))

	const (
		assumeAdmin = "sts.amazonaws.com/AssumeRole by warden-admin"
		gciAdmin    = "sts.amazonaws.com/GetCallerIdentity by warden-admin"
		gciDev      = "sts.amazonaws.com/GetCallerIdentity by devadmin"
		createDev   = "iam.amazonaws.com/CreateUser by devadmin"
		createAlice = "iam.amazonaws.com/CreateUser by warden-admin"
	)
	devKey := tr.devAdmin.key
	all := lookup(t, ct, &cloudtrail.LookupEventsInput{EndTime: end})
	if got, want := summaries(all), []string{createAlice, gciDev, createDev, assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin, gciAdmin}; !slices.Equal(got, want) {
		t.Fatalf("every event, newest first:\ngot  %q\nwant %q", got, want)
	}
	for i, e := range all {
		r := record(t, e)
		if r.EventID != aws.ToString(e.EventId) || r.EventName != aws.ToString(e.EventName) || r.EventSource != aws.ToString(e.EventSource) ||
			r.UserIdentity.AccessKeyID != aws.ToString(e.AccessKeyId) || fmt.Sprint(r.ReadOnly) != aws.ToString(e.ReadOnly) {
			t.Errorf("event %d does not match its CloudTrailEvent: %+v vs %+v", i, e, r)
		}
		if i > 0 && e.EventTime.After(*all[i-1].EventTime) {
			t.Errorf("event %d (%s) is newer than event %d (%s)", i, e.EventTime, i-1, all[i-1].EventTime)
		}
	}
	// A cross-account AssumeRole is recorded in both accounts with one
	// shared event ID; the newest two are Dev's.
	r0, r1 := record(t, all[3]), record(t, all[4])
	if r0.SharedEventID == "" || r0.SharedEventID != r1.SharedEventID || r0.RecipientAccountID != dev || r1.RecipientAccountID != mgmt {
		t.Errorf("Dev's AssumeRole records: shared %q/%q, recipients %s/%s; want one shared ID, in Dev then the management account",
			r0.SharedEventID, r1.SharedEventID, r0.RecipientAccountID, r1.RecipientAccountID)
	}
	if !strings.Contains(aws.ToString(all[2].CloudTrailEvent), `"errorCode":"AccessDenied"`) {
		t.Errorf("the refused CreateUser lacks its error: %s", aws.ToString(all[2].CloudTrailEvent))
	}
	if rs := all[0].Resources; len(rs) != 1 || aws.ToString(rs[0].ResourceType) != "AWS::IAM::User" || aws.ToString(rs[0].ResourceName) != "arn:aws:iam::"+mgmt+":user/alice" {
		t.Errorf("CreateUser alice resources = %+v", rs)
	}

	tests := []struct {
		key   cttypes.LookupAttributeKey
		value string
		want  []string
	}{
		{cttypes.LookupAttributeKeyEventName, "AssumeRole", []string{assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin}},
		{cttypes.LookupAttributeKeyEventName, "GetCallerIdentity", []string{gciDev, gciAdmin}},
		{cttypes.LookupAttributeKeyEventName, "DeleteTrail", []string{}},
		{cttypes.LookupAttributeKeyUsername, "devadmin", []string{gciDev, createDev}},
		{cttypes.LookupAttributeKeyUsername, "warden-admin", []string{createAlice, assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin, gciAdmin}},
		{cttypes.LookupAttributeKeyResourceName, "alice", []string{createAlice}},
		{cttypes.LookupAttributeKeyResourceName, "arn:aws:iam::" + mgmt + ":user/alice", []string{createAlice}},
		{cttypes.LookupAttributeKeyResourceName, oaar(dev), []string{assumeAdmin, assumeAdmin}},
		{cttypes.LookupAttributeKeyResourceType, "AWS::IAM::Role", []string{assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin}},
		{cttypes.LookupAttributeKeyResourceType, "AWS::IAM::User", []string{createAlice}},
		{cttypes.LookupAttributeKeyEventSource, "iam.amazonaws.com", []string{createAlice, createDev}},
		{cttypes.LookupAttributeKeyEventSource, "sts.amazonaws.com", []string{gciDev, assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin, gciAdmin}},
		{cttypes.LookupAttributeKeyAccessKeyId, devKey, []string{gciDev, createDev}},
		{cttypes.LookupAttributeKeyReadOnly, "true", []string{gciDev, gciAdmin}},
		{cttypes.LookupAttributeKeyReadOnly, "false", []string{createAlice, createDev, assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin}},
		{cttypes.LookupAttributeKeyEventId, aws.ToString(all[4].EventId), []string{assumeAdmin}},
	}
	for _, tt := range tests {
		got := lookup(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: attr(tt.key, tt.value), EndTime: end})
		if g := summaries(got); !slices.Equal(g, tt.want) {
			t.Errorf("%s=%s:\ngot  %q\nwant %q", tt.key, tt.value, g, tt.want)
		}
		// Each is the subsequence of every event that has the attribute.
		var ids []string
		for _, e := range got {
			ids = append(ids, aws.ToString(e.EventId))
		}
		var want []string
		for _, e := range all {
			if slices.Contains(ids, aws.ToString(e.EventId)) {
				want = append(want, aws.ToString(e.EventId))
			}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s=%s: events %v are not in the order of every event's %v", tt.key, tt.value, ids, want)
		}
	}
	if got := lookup(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventId, aws.ToString(all[4].EventId))}); len(got) != 1 || aws.ToString(got[0].EventId) != aws.ToString(all[4].EventId) {
		t.Errorf("EventId lookup without a time range: %q", summaries(got))
	}

	// Time ranges: both ends included, at the second.
	for _, tc := range []struct {
		name       string
		start, end time.Time
		want       []string
	}{
		{"phase A", tr.t0, tr.t0, []string{assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin, gciAdmin}},
		{"phase B", tr.t1, tr.t1, []string{createAlice, gciDev, createDev}},
		{"between the phases", tr.t0.Add(time.Second), tr.t1.Add(-time.Second), []string{}},
		{"both phases", tr.t0, tr.t1, []string{createAlice, gciDev, createDev, assumeAdmin, assumeAdmin, assumeAdmin, assumeAdmin, gciAdmin}},
	} {
		got := lookup(t, ct, &cloudtrail.LookupEventsInput{StartTime: aws.Time(tc.start), EndTime: aws.Time(tc.end)})
		if g := summaries(got); !slices.Equal(g, tc.want) {
			t.Errorf("%s (%s to %s):\ngot  %q\nwant %q", tc.name, tc.start.Format(time.RFC3339), tc.end.Format(time.RFC3339), g, tc.want)
		}
	}
	// Without a range, the lookups so far are found too, newest first.
	latest := lookup(t, ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)})
	if len(latest) != 1 || aws.ToString(latest[0].EventName) != "LookupEvents" || aws.ToString(latest[0].EventSource) != "cloudtrail.amazonaws.com" || aws.ToString(latest[0].Username) != "auditor" {
		t.Errorf("the newest event = %q, want the last LookupEvents by auditor", summaries(latest))
	}

	// Pages of three: 3, 3, 2, the same events in the same order.
	var paged []string
	var sizes []int
	p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{EndTime: end, MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(servertest.Ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Events))
		for _, e := range page.Events {
			paged = append(paged, aws.ToString(e.EventId))
		}
	}
	var allIDs []string
	for _, e := range all {
		allIDs = append(allIDs, aws.ToString(e.EventId))
	}
	if !slices.Equal(sizes, []int{3, 3, 2}) || !slices.Equal(paged, allIDs) {
		t.Errorf("pages of 3: sizes %v, events %v; want [3 3 2] and %v", sizes, paged, allIDs)
	}
	// Pages of an attribute's events.
	out, err := ct.LookupEvents(servertest.Ctx(t), &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "AssumeRole"), MaxResults: aws.Int32(3)})
	if err != nil || len(out.Events) != 3 || out.NextToken == nil {
		t.Fatalf("first page of AssumeRole: %v, %+v", err, out)
	}
	out2, err := ct.LookupEvents(servertest.Ctx(t), &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "AssumeRole"), MaxResults: aws.Int32(3), NextToken: out.NextToken})
	if err != nil || len(out2.Events) != 1 || out2.NextToken != nil || aws.ToString(out2.Events[0].EventId) != allIDs[6] {
		t.Errorf("second page of AssumeRole: %v, %q, token %v; want the oldest AssumeRole record and no token", err, summaries(out2.Events), out2.NextToken)
	}
}

// A page whose scan runs out of ScanBudget holds the events found so far,
// perhaps none, and a NextToken to go on from, as CloudTrail's pages may
// hold fewer events than MaxResults: the SDK's paginator, following the
// tokens, gets every event exactly once, in the same order as without the
// budget (API_LookupEvents, NextToken).
func TestLookupEventsScanBudget(t *testing.T) {
	h := start(t, time.Now().UTC().Add(-10*time.Minute).Truncate(time.Second))
	tr := makeTraffic(t, h)
	ct := h.ct(tr.sec)
	end := aws.Time(tr.t1.Add(time.Minute))
	ids := func(in *cloudtrail.LookupEventsInput) (ids []string, pages int) {
		p := cloudtrail.NewLookupEventsPaginator(ct, in)
		for p.HasMorePages() {
			out, err := p.NextPage(servertest.Ctx(t))
			if err != nil {
				t.Fatalf("LookupEvents(%s): %v", describe(in), err)
			}
			pages++
			for _, e := range out.Events {
				ids = append(ids, aws.ToString(e.EventId)+" "+summary(e))
			}
		}
		return ids, pages
	}
	inputs := []*cloudtrail.LookupEventsInput{
		{EndTime: end},
		{EndTime: end, LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "AssumeRole")},
		{EndTime: end, LookupAttributes: attr(cttypes.LookupAttributeKeyUsername, "devadmin")},
	}
	var want [][]string
	for _, in := range inputs {
		got, pages := ids(in)
		if len(got) < 2 || pages != 1 {
			t.Fatalf("LookupEvents(%s) without a budget to speak of: %d events in %d pages, want 2 or more in one", describe(in), len(got), pages)
		}
		want = append(want, got)
	}
	defer func(b time.Duration) { wcloudtrail.ScanBudget = b }(wcloudtrail.ScanBudget)
	wcloudtrail.ScanBudget = time.Nanosecond // every page stops after the first record it reads
	first, err := ct.LookupEvents(servertest.Ctx(t), &cloudtrail.LookupEventsInput{EndTime: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Events) > 1 || first.NextToken == nil {
		t.Fatalf("first page with the budget spent: %d events, NextToken %v; want at most one and a token", len(first.Events), first.NextToken)
	}
	for i, in := range inputs {
		got, pages := ids(in)
		if !slices.Equal(got, want[i]) {
			t.Errorf("LookupEvents(%s) page by page:\ngot  %q\nwant %q", describe(in), got, want[i])
		}
		if pages <= len(want[i]) {
			t.Errorf("LookupEvents(%s): %d pages for %d events, want a page per record read", describe(in), pages, len(want[i]))
		}
	}
}

func TestLookupEventsErrors(t *testing.T) {
	h := start(t, time.Time{})
	sec, err := h.assume(t, admin, oaar(security), "auditor")
	if err != nil {
		t.Fatal(err)
	}
	ct := h.ct(sec)
	now := h.Clock.Now()
	for _, tc := range []struct {
		name string
		in   *cloudtrail.LookupEventsInput
		want string
	}{
		{"two attributes", &cloudtrail.LookupEventsInput{LookupAttributes: append(attr(cttypes.LookupAttributeKeyEventName, "AssumeRole"), attr(cttypes.LookupAttributeKeyUsername, "root")...)}, "InvalidLookupAttributesException"},
		{"unknown attribute", &cloudtrail.LookupEventsInput{LookupAttributes: attr("Color", "blue")}, "InvalidLookupAttributesException"},
		{"empty value", &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "")}, "InvalidLookupAttributesException"},
		{"bad token", &cloudtrail.LookupEventsInput{NextToken: aws.String("not-a-token")}, "InvalidNextTokenException"},
		{"token of another shape", &cloudtrail.LookupEventsInput{NextToken: aws.String("c2VxOi0x")}, "InvalidNextTokenException"}, // "seq:-1"
		{"start after end", &cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))}, "InvalidTimeRangeException"},
		{"MaxResults 51", &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{"MaxResults 0", &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)}, "InvalidMaxResultsException"},
	} {
		_, err := ct.LookupEvents(servertest.Ctx(t), tc.in)
		if got := apiCode(err); got != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
	if out, err := ct.LookupEvents(servertest.Ctx(t), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50)}); err != nil || len(out.Events) == 0 {
		t.Errorf("MaxResults 50: %v, %+v", err, out)
	}
}

// Only principals of the Security account, which owns the trail, that are
// allowed cloudtrail:LookupEvents read it.
func TestLookupEventsAccess(t *testing.T) {
	h := start(t, time.Time{})
	ctx := servertest.Ctx(t)
	sec, err := h.assume(t, admin, oaar(security), "auditor")
	if err != nil {
		t.Fatal(err)
	}
	devAdmin, err := h.assume(t, admin, oaar(dev), "devadmin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.ct(sec).LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
		t.Errorf("Security's administrator: %v", err)
	}
	for name, p := range map[string]principal{"the management account's administrator": admin, "Dev's administrator": devAdmin} {
		_, err := h.ct(p).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
		if apiCode(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "kept in account "+security) {
			t.Errorf("LookupEvents as %s: %v, want AccessDeniedException naming account %s", name, err, security)
		}
		_, err = h.ct(p).ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
		if apiCode(err) != "AccessDeniedException" {
			t.Errorf("ListPublicKeys as %s: %v, want AccessDeniedException", name, err)
		}
	}
	// SecurityAuditRole trusts only the SecurityAudit permission set's
	// sign-in with MFA: an administrator's session cannot assume it.
	if _, err := h.assume(t, sec, "arn:aws:iam::"+security+":role/SecurityAuditRole", "audit"); apiCode(err) != "AccessDenied" {
		t.Errorf("AssumeRole SecurityAuditRole from an administrator session without MFA: %v, want AccessDenied", err)
	}
	// A principal of the Security account without cloudtrail:LookupEvents
	// is refused by its identity policies.
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}`, oaar(security))
	ic := iam.NewFromConfig(h.cfg(sec))
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("NoTrail"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("NoTrail"), PolicyName: aws.String("ListKeysOnly"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:ListPublicKeys","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	noTrail, err := h.assume(t, sec, "arn:aws:iam::"+security+":role/NoTrail", "notrail")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.ct(noTrail).LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); apiCode(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "cloudtrail:LookupEvents") {
		t.Errorf("LookupEvents by a Security role without the permission: %v, want AccessDeniedException", err)
	}
	if _, err := h.ct(noTrail).ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{}); err != nil {
		t.Errorf("ListPublicKeys by a Security role allowed it: %v", err)
	}
	// The refusals are in the trail.
	denied := lookup(t, h.ct(sec), &cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyUsername, "notrail")})
	if len(denied) != 2 || !strings.Contains(aws.ToString(denied[1].CloudTrailEvent), `"errorCode":"AccessDenied`) {
		t.Errorf("the refused lookup is not recorded: %q", summaries(denied))
	}
}

// ListPublicKeys returns the key whose signatures seal the trail's
// digests.
func TestListPublicKeysVerifiesDigests(t *testing.T) {
	h := start(t, time.Time{})
	ctx := servertest.Ctx(t)
	sec, err := h.assume(t, admin, oaar(security), "auditor")
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		if _, err := sts.NewFromConfig(h.cfg(sec)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.trail.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := h.ct(sec).ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.PublicKeyList) != 1 {
		t.Fatalf("%d public keys, want 1", len(out.PublicKeyList))
	}
	k := out.PublicKeyList[0]
	if len(k.Value) != ed25519.PublicKeySize {
		t.Fatalf("public key of %d bytes, want an Ed25519 key", len(k.Value))
	}
	sum := sha256.Sum256(k.Value)
	if got := aws.ToString(k.Fingerprint); got != hex.EncodeToString(sum[:]) {
		t.Errorf("fingerprint %s, want the key's SHA-256 %x", got, sum)
	}
	if k.ValidityStartTime == nil || k.ValidityEndTime == nil || !k.ValidityStartTime.Before(*k.ValidityEndTime) {
		t.Errorf("validity %v to %v", k.ValidityStartTime, k.ValidityEndTime)
	}
	digests, err := h.Store.AuditDigests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(digests) < 2 {
		t.Fatalf("%d digests, want at least 2", len(digests))
	}
	for _, d := range digests {
		var doc audit.DigestDoc
		if err := json.Unmarshal(d.Data, &doc); err != nil {
			t.Fatal(err)
		}
		if !ed25519.Verify(ed25519.PublicKey(k.Value), d.Data, d.Sig) {
			t.Errorf("the digest of records %d-%d does not verify with the listed key", doc.FirstSeq, doc.LastSeq)
		}
		if doc.PublicKeyFinger != aws.ToString(k.Fingerprint) {
			t.Errorf("the digest of records %d-%d names key %s, want %s", doc.FirstSeq, doc.LastSeq, doc.PublicKeyFinger, aws.ToString(k.Fingerprint))
		}
		// A changed document does not.
		changed := []byte(strings.Replace(string(d.Data), `"records":`, `"records":1`, 1))
		if ed25519.Verify(ed25519.PublicKey(k.Value), changed, d.Sig) {
			t.Errorf("a changed digest verifies")
		}
	}
}
