package securityhub_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store"
)

// assumeVia assumes OrganizationAccountAccessRole in account through the
// replica h, with the admin's key, which the replica that seeded the store
// (seeder) made.
func assumeVia(t *testing.T, h, seeder *servertest.Harness, account string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(h.Config(seeder.AdminKeyID, seeder.AdminSecret, "")).AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("replica")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// Two replicas on one PostgreSQL database agree on Security Hub's and
// AWS Config's state: a finding's workflow, note and CreatedAt, imported
// findings, insights, a detection's finding, and each rule's evaluation
// times and results' recorded times; written through one, read through
// the other.
func TestReplicasAgree(t *testing.T) {
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{TrailOwner: security})
	a, b := hs[0], hs[1]
	ctx := servertest.Ctx(t)
	as := func(h *servertest.Harness, account string) aws.Config { return assumeVia(t, h, a, account) }
	hubA, hubB := sh.NewFromConfig(as(a, security)), sh.NewFromConfig(as(b, security))

	p, err := iam.NewFromConfig(as(a, dev)).CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Everything"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	fa := await(t, "replica A's IAM.1 finding", func() []shtypes.AwsSecurityFinding { return findingsFor(t, hubA, aws.ToString(p.Policy.Arn)) },
		func(fs []shtypes.AwsSecurityFinding) bool { return len(fs) > 0 })
	if len(fa) != 1 {
		t.Fatalf("replica A: %d IAM.1 findings", len(fa))
	}
	if _, err := hubA.BatchUpdateFindings(ctx, &sh.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: fa[0].Id, ProductArn: fa[0].ProductArn}},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusNotified},
		Note:               &shtypes.NoteUpdate{Text: aws.String("ticket SEC-42"), UpdatedBy: aws.String("alice")}}); err != nil {
		t.Fatal(err)
	}
	fb := findingsFor(t, hubB, aws.ToString(p.Policy.Arn))
	if len(fb) != 1 || aws.ToString(fb[0].Id) != aws.ToString(fa[0].Id) || aws.ToString(fb[0].CreatedAt) != aws.ToString(fa[0].CreatedAt) ||
		fb[0].Workflow.Status != shtypes.WorkflowStatusNotified || aws.ToString(fb[0].Note.Text) != "ticket SEC-42" {
		t.Fatalf("replica B sees %+v; want A's finding with its workflow and note", fb)
	}

	// An insight made through B is listed, and refused again, through A.
	if _, err := hubB.CreateInsight(ctx, &sh.CreateInsightInput{Name: aws.String("by account"), GroupByAttribute: aws.String("AwsAccountId"),
		Filters: &shtypes.AwsSecurityFindingFilters{RecordState: eq("ACTIVE")}}); err != nil {
		t.Fatal(err)
	}
	ins, err := hubA.GetInsights(ctx, &sh.GetInsightsInput{})
	if err != nil || len(ins.Insights) != 1 || aws.ToString(ins.Insights[0].Name) != "by account" {
		t.Fatalf("insights through A: %+v %v", ins, err)
	}
	if _, err := hubA.CreateInsight(ctx, &sh.CreateInsightInput{Name: aws.String("by account"), GroupByAttribute: aws.String("AwsAccountId"),
		Filters: &shtypes.AwsSecurityFindingFilters{}}); err == nil {
		t.Error("the same insight was created again through the other replica")
	}

	// A finding imported through A is seen through B.
	imp := shtypes.AwsSecurityFinding{SchemaVersion: aws.String("2018-10-08"), Id: aws.String("scanner/1"),
		ProductArn:  aws.String("arn:aws:securityhub:us-east-1:" + security + ":product/" + security + "/default"),
		GeneratorId: aws.String("scanner"), AwsAccountId: aws.String(security), Types: []string{"Software and Configuration Checks"},
		CreatedAt: aws.String("2026-01-01T00:00:00Z"), UpdatedAt: aws.String("2026-01-01T00:00:00Z"),
		Severity: &shtypes.Severity{Label: shtypes.SeverityLabelLow}, Title: aws.String("t"), Description: aws.String("d"),
		Resources: []shtypes.Resource{{Type: aws.String("Other"), Id: aws.String("x")}}}
	if out, err := hubA.BatchImportFindings(ctx, &sh.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{imp}}); err != nil || aws.ToInt32(out.SuccessCount) != 1 {
		t.Fatalf("import: %+v %v", out, err)
	}
	got, err := hubB.GetFindings(ctx, &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{Id: eq("scanner/1")}})
	if err != nil || len(got.Findings) != 1 {
		t.Fatalf("the imported finding through B: %+v %v", got, err)
	}

	// A trail detection from a call through A, in Security Hub through B.
	cloudtrail.NewFromConfig(as(a, dev)).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("organization-trail")})
	const evasion = "TTPs/Defense Evasion/DefenseEvasion:IAMUser-AnomalousBehavior"
	some := func(fs []shtypes.AwsSecurityFinding) bool { return len(fs) > 0 }
	evA := awaitType(t, hubA, evasion, "the detection through A", some)
	evB := awaitType(t, hubB, evasion, "the detection through B", some)
	if len(evA) != 1 || len(evB) != 1 || aws.ToString(evA[0].Id) != aws.ToString(evB[0].Id) || aws.ToString(evA[0].UpdatedAt) != aws.ToString(evB[0].UpdatedAt) {
		t.Fatalf("the detection: A %+v, B %+v", evA, evB)
	}

	// AWS Config: the same evaluation times and recorded times.
	const rule = "iam-policy-no-statements-with-admin-access"
	status := func(h *servertest.Harness) cfgtypes.ConfigRuleEvaluationStatus {
		out, err := cfg.NewFromConfig(as(h, dev)).DescribeConfigRuleEvaluationStatus(ctx, &cfg.DescribeConfigRuleEvaluationStatusInput{ConfigRuleNames: []string{rule}})
		if err != nil || len(out.ConfigRulesEvaluationStatus) != 1 {
			t.Fatalf("evaluation status: %+v %v", out, err)
		}
		return out.ConfigRulesEvaluationStatus[0]
	}
	recordedAt := func(h *servertest.Harness) string {
		out, err := cfg.NewFromConfig(as(h, dev)).GetComplianceDetailsByResource(ctx, &cfg.GetComplianceDetailsByResourceInput{
			ResourceType: aws.String("AWS::IAM::Policy"), ResourceId: p.Policy.PolicyId})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.EvaluationResults {
			if aws.ToString(e.EvaluationResultIdentifier.EvaluationResultQualifier.ConfigRuleName) == rule {
				return aws.ToTime(e.ResultRecordedTime).String()
			}
		}
		t.Fatal("no result for the policy")
		return ""
	}
	ra, rb := recordedAt(a), recordedAt(b)
	sa, sb := status(a), status(b)
	if ra != rb || !aws.ToTime(sa.LastSuccessfulEvaluationTime).Equal(aws.ToTime(sb.LastSuccessfulEvaluationTime)) ||
		!aws.ToTime(sa.FirstActivatedTime).Equal(aws.ToTime(sb.FirstActivatedTime)) {
		t.Errorf("replicas disagree: recorded %s vs %s; status %+v vs %+v", ra, rb, sa, sb)
	}
}

// Two replicas on one PostgreSQL database: one analyzes (it holds the
// lease securityhub-analysis, which nothing else can take meanwhile), both
// serve what it stores; when it stops, the other takes the lease and the
// analysis goes on: a detection of a call made after the stop reaches
// Security Hub through the replica left.
func TestReplicasShareOneAnalysis(t *testing.T) {
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{TrailOwner: security})
	a, b := hs[0], hs[1]
	ctx := servertest.Ctx(t)
	held := func() bool {
		l, ok, err := a.Store.(store.Leaser).TryLease(ctx, "securityhub-analysis")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			l.Release()
		}
		return !ok
	}
	await(t, "the analysis lease held by a replica", held, func(h bool) bool { return h })

	as := func(h *servertest.Harness, account string) aws.Config { return assumeVia(t, h, a, account) }
	const evasion = "TTPs/Defense Evasion/DefenseEvasion:IAMUser-AnomalousBehavior"
	devB := as(b, dev)
	hubB := sh.NewFromConfig(as(b, security))
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	cloudtrail.NewFromConfig(devB).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("organization-trail")})
	awaitType(t, hubB, evasion, "the detection through the replica left", func(fs []shtypes.AwsSecurityFinding) bool { return len(fs) == 1 })
	if !held() {
		t.Error("the lease is not held after the first holder stopped")
	}
}
