package securityhub_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/detect"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/storetest"
)

func byType(t *testing.T, cl *sh.Client, typ string) []shtypes.AwsSecurityFinding {
	t.Helper()
	out, err := cl.GetFindings(servertest.Ctx(t), &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
		Type: eq(typ), ProductName: eq("GuardDuty")}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Findings
}

// awaitType reads the findings of a type until ok accepts them.
func awaitType(t *testing.T, cl *sh.Client, typ, what string, ok func([]shtypes.AwsSecurityFinding) bool) []shtypes.AwsSecurityFinding {
	t.Helper()
	return await(t, what, func() []shtypes.AwsSecurityFinding { return byType(t, cl, typ) }, ok)
}

// byProduct returns every GuardDuty finding.
func byProduct(t *testing.T, cl *sh.Client) []shtypes.AwsSecurityFinding {
	t.Helper()
	out, err := cl.GetFindings(servertest.Ctx(t), &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{ProductName: eq("GuardDuty")}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Findings
}

// The trail's detections reach Security Hub as GuardDuty's findings, seen
// from the Security account (GuardDuty's delegated administrator):
//   - a StopLogging attempt from Dev, refused, is
//     DefenseEvasion:IAMUser/AnomalousBehavior
//     (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#defenseevasion-iam-anomalousbehavior),
//     updated in place when repeated; its twin, GetTrailStatus, finds
//     nothing;
//   - a burst of access-denied errors is Discovery:IAMUser/AnomalousBehavior
//     (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#discovery-iam-anomalousbehavior),
//     one denial short of it nothing;
//   - a finding is archived when its activity has stopped for the archive
//     period.
func TestTrailDetectionsWithTheSDK(t *testing.T) {
	cfg := detect.Defaults()
	cfg.DeniedCount, cfg.DeniedWindow, cfg.ArchiveAfter = 4, time.Minute, 3*time.Minute
	h := servertest.Start(t, servertest.Options{TrailOwner: security, Detections: cfg})
	ctx := servertest.Ctx(t)
	devCfg := assume(t, h, dev)
	secHub := sh.NewFromConfig(assume(t, h, security))
	const evasion = "TTPs/Defense Evasion/DefenseEvasion:IAMUser-AnomalousBehavior"

	// Findings follow the trail (a read never waits for the detections):
	// each check awaits the finding of the latest call, so the calls
	// before it are read too, and what they must not show is checked then.
	ct := cloudtrail.NewFromConfig(devCfg)
	ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("organization-trail")})
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("organization-trail")}); err == nil {
		t.Fatal("StopLogging succeeded")
	}
	got := awaitType(t, secHub, evasion, "after StopLogging", func(fs []shtypes.AwsSecurityFinding) bool { return len(fs) > 0 })
	if len(got) != 1 {
		t.Fatalf("after StopLogging: %d %s findings; want 1", len(got), evasion)
	}
	// The twin, GetTrailStatus (before StopLogging in the trail), shows
	// nothing: no other finding, and this one counts one call.
	if all := byProduct(t, secHub); len(all) != 1 {
		t.Fatalf("after GetTrailStatus and StopLogging: %d GuardDuty findings; want only StopLogging's", len(all))
	}
	f := got[0]
	if aws.ToString(f.AwsAccountId) != dev || aws.ToString(f.ProductArn) != "arn:aws:securityhub:us-east-1::product/aws/guardduty" ||
		f.Severity.Label != shtypes.SeverityLabelMedium || f.RecordState != shtypes.RecordStateActive || f.Compliance != nil ||
		f.ProductFields["aws/guardduty/service/count"] != "1" {
		t.Fatalf("finding = %+v", f)
	}
	h.Clock.Advance(time.Minute)
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("organization-trail")}); err == nil {
		t.Fatal("StopLogging succeeded")
	}
	again := awaitType(t, secHub, evasion, "the second attempt", func(fs []shtypes.AwsSecurityFinding) bool {
		return len(fs) != 1 || fs[0].ProductFields["aws/guardduty/service/count"] != "1"
	})
	if len(again) != 1 || aws.ToString(again[0].Id) != aws.ToString(f.Id) || again[0].ProductFields["aws/guardduty/service/count"] != "2" ||
		aws.ToString(again[0].UpdatedAt) == aws.ToString(f.UpdatedAt) {
		t.Fatalf("a second attempt: %+v; want the same finding updated (count 2, new UpdatedAt)", again)
	}
	// Dev sees its own finding; Staging does not.
	if len(byType(t, sh.NewFromConfig(devCfg), evasion)) != 1 {
		t.Error("Dev does not see its finding")
	}

	// Access denied: a Dev session whose session policy allows only
	// GetCallerIdentity lists roles: 3 denials (one short of the burst)
	// find nothing, the 4th within the minute does.
	const discovery = "TTPs/Discovery/Discovery:IAMUser-AnomalousBehavior"
	narrow, err := sts.NewFromConfig(h.Config("", "", "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("prober"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	c := narrow.Credentials
	prober := iam.NewFromConfig(h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	for i := 1; i <= 4; i++ {
		if _, err := prober.ListRoles(ctx, &iam.ListRolesInput{}); err == nil {
			t.Fatal("ListRoles allowed by a session policy that allows only GetCallerIdentity")
		}
	}
	// Raised by the 4th denial, once: had 3 been enough, the 4th would
	// have counted a second time.
	d := awaitType(t, secHub, discovery, "after 4 denials", func(fs []shtypes.AwsSecurityFinding) bool { return len(fs) > 0 })
	if len(d) != 1 || d[0].ProductFields["aws/guardduty/service/count"] != "1" {
		t.Fatalf("after 4 denials: %+v; want one %s finding counted once", d, discovery)
	}

	// Archived after the archive period without recurrence (the server's
	// clock stays within SigV4's skew of the client's).
	h.Clock.Advance(4 * time.Minute)
	if a := awaitType(t, secHub, evasion, "the archive", func(fs []shtypes.AwsSecurityFinding) bool {
		return len(fs) != 1 || fs[0].RecordState != shtypes.RecordStateActive
	}); len(a) != 1 || a[0].RecordState != shtypes.RecordStateArchived {
		t.Fatalf("after the archive period: %+v; want the finding archived", a)
	}
}

// The detections run in the background while the server serves: a
// finding is stored without any Security Hub call.
func TestDetectionsInTheBackground(t *testing.T) {
	cfg := detect.Defaults()
	cfg.Every = 20 * time.Millisecond
	h := servertest.Start(t, servertest.Options{TrailOwner: security, Detections: cfg})
	ctx := servertest.Ctx(t)
	cloudtrail.NewFromConfig(assume(t, h, dev)).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("organization-trail")})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		recs, err := h.Store.ListRecords(ctx, "securityhub/findings", store.RecordQuery{Prefix: "arn:aws:guardduty:", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 1 && strings.Contains(string(recs[0].Doc), "DefenseEvasion:IAMUser-AnomalousBehavior") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no GuardDuty finding stored within 10 s: %d records", len(recs))
		}
	}
}

// A trail record the detector cannot read (a damaged store) is skipped:
// the findings of the calls after it still come.
func TestDetectionsSkipUnreadableRecord(t *testing.T) {
	h := servertest.Start(t, servertest.Options{TrailOwner: security, Detections: detect.Defaults()})
	ctx := servertest.Ctx(t)
	secHub := sh.NewFromConfig(assume(t, h, security))
	err := h.Store.AppendAudit(ctx, func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return time.Now() }, []byte(`{"eventTime":5}`)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(assume(t, h, dev))
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("organization-trail")}); err == nil {
		t.Fatal("StopLogging succeeded")
	}
	awaitType(t, secHub, "TTPs/Defense Evasion/DefenseEvasion:IAMUser-AnomalousBehavior", "after an unreadable record",
		func(fs []shtypes.AwsSecurityFinding) bool { return len(fs) > 0 })
}
