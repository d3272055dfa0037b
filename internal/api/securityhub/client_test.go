package securityhub_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/server/servertest"
)

const (
	security = "218364950271"
	dev      = "436205817493"
)

func assume(t *testing.T, h *servertest.Harness, account string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(h.Config("", "", "")).AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("hub-test")})
	if err != nil {
		t.Fatalf("AssumeRole in %s: %v", account, err)
	}
	c := out.Credentials
	return h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func eq(v string) []shtypes.StringFilter {
	return []shtypes.StringFilter{{Value: aws.String(v), Comparison: shtypes.StringFilterComparisonEquals}}
}

// await reads until ok accepts what read returns, and returns that:
// Security Hub's findings follow the change that causes them (the
// Background task analyzes it; a read never waits), as AWS's do. 15 s
// bounds the wait.
func await[T any](t *testing.T, what string, read func() T, ok func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v := read()
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15 s; last read %+v", what, v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// findingsFor returns the IAM.1 findings on one resource.
func findingsFor(t *testing.T, cl *sh.Client, resource string) []shtypes.AwsSecurityFinding {
	t.Helper()
	out, err := cl.GetFindings(servertest.Ctx(t), &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
		ResourceId: eq(resource), ComplianceSecurityControlId: eq("IAM.1")}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Findings
}

// A `*:*` customer managed policy created in Dev appears as a failed IAM.1
// finding in the Security account (the delegated administrator) and in Dev;
// deleting it archives the finding.
func TestAdminPolicyFindingWithTheSDK(t *testing.T) {
	h := servertest.Start(t, servertest.Options{TrailOwner: security})
	ctx := servertest.Ctx(t)
	devCfg := assume(t, h, dev)
	devIAM, devHub := iam.NewFromConfig(devCfg), sh.NewFromConfig(devCfg)
	secHub := sh.NewFromConfig(assume(t, h, security))

	p, err := devIAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("TooMuch"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(p.Policy.Arn)
	fs := await(t, "an IAM.1 finding on "+arn+" from Security", func() []shtypes.AwsSecurityFinding { return findingsFor(t, secHub, arn) },
		func(fs []shtypes.AwsSecurityFinding) bool { return len(fs) > 0 })
	if len(fs) != 1 {
		t.Fatalf("IAM.1 findings on %s from Security: %d", arn, len(fs))
	}
	f := fs[0]
	if f.Compliance.Status != shtypes.ComplianceStatusFailed || f.RecordState != shtypes.RecordStateActive || aws.ToString(f.AwsAccountId) != dev ||
		aws.ToString(f.SchemaVersion) != "2018-10-08" || f.Severity.Label != shtypes.SeverityLabelHigh || aws.ToString(f.GeneratorId) != "security-control/IAM.1" {
		t.Fatalf("finding = %+v", f)
	}
	if len(findingsFor(t, devHub, arn)) != 1 {
		t.Error("Dev does not see its own finding")
	}
	// Another member account sees none of Dev's findings.
	if got := findingsFor(t, sh.NewFromConfig(assume(t, h, "545318026714")), arn); len(got) != 0 {
		t.Errorf("Staging sees Dev's finding: %d", len(got))
	}

	// Workflow: notified, with a note, from the Security account.
	up, err := secHub.BatchUpdateFindings(ctx, &sh.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: f.Id, ProductArn: f.ProductArn}},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusNotified},
		Note:               &shtypes.NoteUpdate{Text: aws.String("asked the team"), UpdatedBy: aws.String("sam")}})
	if err != nil || len(up.ProcessedFindings) != 1 || len(up.UnprocessedFindings) != 0 {
		t.Fatalf("BatchUpdateFindings: %v %+v", err, up)
	}
	got, err := secHub.GetFindings(ctx, &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
		Id: eq(aws.ToString(f.Id)), WorkflowStatus: eq("NOTIFIED")}})
	if err != nil || len(got.Findings) != 1 || aws.ToString(got.Findings[0].Note.Text) != "asked the team" {
		t.Fatalf("after update: %v %+v", err, got)
	}
	bad, err := secHub.BatchUpdateFindings(ctx, &sh.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("nope"), ProductArn: f.ProductArn}},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusResolved}})
	if err != nil || len(bad.UnprocessedFindings) != 1 {
		t.Fatalf("unknown finding: %v %+v", err, bad)
	}

	if _, err := devIAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	fs = await(t, "the finding archived after DeletePolicy", func() []shtypes.AwsSecurityFinding { return findingsFor(t, secHub, arn) },
		func(fs []shtypes.AwsSecurityFinding) bool {
			return len(fs) != 1 || fs[0].RecordState != shtypes.RecordStateActive
		})
	if len(fs) != 1 || fs[0].RecordState != shtypes.RecordStateArchived || aws.ToString(fs[0].Id) != aws.ToString(f.Id) {
		t.Fatalf("after DeletePolicy: %+v", fs)
	}
	active, err := secHub.GetFindings(ctx, &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
		ResourceId: eq(arn), RecordState: eq("ACTIVE")}})
	if err != nil || len(active.Findings) != 0 {
		t.Fatalf("active findings after delete: %v %d", err, len(active.Findings))
	}
}

func TestFiltersStandardsAndImport(t *testing.T) {
	h := servertest.Start(t, servertest.Options{TrailOwner: security})
	ctx := servertest.Ctx(t)
	secHub := sh.NewFromConfig(assume(t, h, security))

	// String filters: PREFIX joined by OR, NOT_EQUALS by AND. The
	// landing zone's findings are there once the first analysis is.
	out := await(t, "failed IAM findings in the landing zone", func() *sh.GetFindingsOutput {
		out, err := secHub.GetFindings(ctx, &sh.GetFindingsInput{MaxResults: aws.Int32(100), Filters: &shtypes.AwsSecurityFindingFilters{
			ResourceType:     []shtypes.StringFilter{{Value: aws.String("AwsIam"), Comparison: shtypes.StringFilterComparisonPrefix}},
			ComplianceStatus: []shtypes.StringFilter{{Value: aws.String("PASSED"), Comparison: shtypes.StringFilterComparisonNotEquals}},
		}, SortCriteria: []shtypes.SortCriterion{{Field: aws.String("SeverityNormalized"), SortOrder: shtypes.SortOrderDescending}}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}, func(out *sh.GetFindingsOutput) bool { return len(out.Findings) > 0 })
	last := 101
	for _, f := range out.Findings {
		if f.Compliance.Status == shtypes.ComplianceStatusPassed || len(f.Resources) == 0 || aws.ToString(f.Resources[0].Type)[:6] != "AwsIam" {
			t.Errorf("filter let through %s %s", f.Compliance.Status, aws.ToString(f.Resources[0].Type))
		}
		n := int(*f.Severity.Normalized)
		if n > last {
			t.Errorf("not sorted by severity: %d after %d", n, last)
		}
		last = n
	}
	// EQUALS with NOT_EQUALS on one field is an error.
	_, err := secHub.GetFindings(ctx, &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{RecordState: []shtypes.StringFilter{
		{Value: aws.String("ACTIVE"), Comparison: shtypes.StringFilterComparisonEquals}, {Value: aws.String("ARCHIVED"), Comparison: shtypes.StringFilterComparisonNotEquals}}}})
	if err == nil {
		t.Error("EQUALS with NOT_EQUALS was accepted")
	}

	// Standards and their controls.
	en, err := secHub.GetEnabledStandards(ctx, &sh.GetEnabledStandardsInput{})
	if err != nil || len(en.StandardsSubscriptions) != 2 {
		t.Fatalf("GetEnabledStandards: %v %+v", err, en)
	}
	ctl, err := secHub.DescribeStandardsControls(ctx, &sh.DescribeStandardsControlsInput{StandardsSubscriptionArn: en.StandardsSubscriptions[0].StandardsSubscriptionArn})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, c := range ctl.Controls {
		ids[aws.ToString(c.ControlId)] = true
	}
	if !ids["IAM.1"] || !ids["IAM.4"] || !ids["CloudTrail.1"] {
		t.Errorf("FSBP controls: %v", ids)
	}

	// A product's own finding, imported and then found.
	now := "2026-12-01T00:00:00Z"
	imp, err := secHub.BatchImportFindings(ctx, &sh.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{{
		SchemaVersion: aws.String("2018-10-08"), Id: aws.String("scanner/1"), ProductArn: aws.String("arn:aws:securityhub:us-east-1:" + security + ":product/" + security + "/default"),
		GeneratorId: aws.String("scanner"), AwsAccountId: aws.String(security), Types: []string{"Software and Configuration Checks"},
		CreatedAt: aws.String(now), UpdatedAt: aws.String(now), Severity: &shtypes.Severity{Label: shtypes.SeverityLabelLow},
		Title: aws.String("t"), Description: aws.String("d"), Resources: []shtypes.Resource{{Type: aws.String("Other"), Id: aws.String("x")}}},
		{SchemaVersion: aws.String("2018-10-08"), Id: aws.String("scanner/2"), ProductArn: aws.String("p"), GeneratorId: aws.String("g"),
			AwsAccountId: aws.String(dev), Types: []string{"x"}, CreatedAt: aws.String(now), UpdatedAt: aws.String(now),
			Title: aws.String("t"), Description: aws.String("d"), Resources: []shtypes.Resource{{Type: aws.String("Other"), Id: aws.String("y")}}}}})
	if err != nil || aws.ToInt32(imp.SuccessCount) != 1 || aws.ToInt32(imp.FailedCount) != 1 {
		t.Fatalf("BatchImportFindings: %v %+v", err, imp)
	}
	got, err := secHub.GetFindings(ctx, &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{Id: eq("scanner/1")}})
	if err != nil || len(got.Findings) != 1 {
		t.Fatalf("imported finding: %v %+v", err, got)
	}
}
