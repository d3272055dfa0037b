package accessanalyzer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/api/accessanalyzer"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store"
)

const (
	mgmt     = "104729381562"
	security = "218364950271"
)

type harness struct {
	*servertest.Harness
	aa  *aa.Client
	iam *iam.Client
}

func start(t *testing.T) *harness {
	t.Helper()
	t.Cleanup(accessanalyzer.SetPollEvery(20 * time.Millisecond))
	h := servertest.Start(t, servertest.Options{TrailOwner: security})
	cfg := h.Config("", "", "")
	return &harness{Harness: h, aa: aa.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg)}
}

// eventually calls fn until it returns nil, for up to 10 seconds, and
// fails with its last error: findings follow the organization within a
// bounded delay, not before the call that changed it returns.
func eventually(t *testing.T, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// findingEvents counts the trail's events of finding changes by name.
func findingEvents(t *testing.T, st store.Store) map[string]int {
	t.Helper()
	names := map[string]int{}
	recs, _, err := audit.Lookup(t.Context(), st, audit.Filter{Attribute: "EventSource", Value: "access-analyzer.amazonaws.com"}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.HasPrefix(r.Record.EventName, "Finding") {
			names[r.Record.EventName]++
		}
	}
	return names
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestPolicyChecksWithTheSDK(t *testing.T) {
	h := start(t)
	ctx := servertest.Ctx(t)

	v, err := h.aa.ValidatePolicy(ctx, &aa.ValidatePolicyInput{PolicyType: aatypes.PolicyTypeIdentityPolicy,
		PolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range v.Findings {
		if f.FindingType == aatypes.ValidatePolicyFindingTypeError && aws.ToString(f.IssueCode) == "INVALID_ACTION" {
			found = true
		}
	}
	if !found {
		t.Fatalf("ValidatePolicy findings: %+v", v.Findings)
	}

	pub, err := h.aa.CheckNoPublicAccess(ctx, &aa.CheckNoPublicAccessInput{ResourceType: aatypes.AccessCheckResourceTypeS3Bucket,
		PolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`)})
	if err != nil || pub.Result != aatypes.CheckNoPublicAccessResultFail || len(pub.Reasons) != 1 || aws.ToString(pub.Reasons[0].StatementId) != "Everyone" || aws.ToInt32(pub.Reasons[0].StatementIndex) != 0 {
		t.Fatalf("CheckNoPublicAccess: %v %+v", err, pub)
	}
	ng, err := h.aa.CheckAccessNotGranted(ctx, &aa.CheckAccessNotGrantedInput{PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy,
		PolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}`),
		Access:         []aatypes.Access{{Actions: []string{"iam:PassRole"}}}})
	if err != nil || ng.Result != aatypes.CheckAccessNotGrantedResultPass {
		t.Fatalf("CheckAccessNotGranted: %v %+v", err, ng)
	}
	nn, err := h.aa.CheckNoNewAccess(ctx, &aa.CheckNoNewAccessInput{PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy,
		NewPolicyDocument:      aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`),
		ExistingPolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}`)})
	if err != nil || nn.Result != aatypes.CheckNoNewAccessResultFail || len(nn.Reasons) == 0 {
		t.Fatalf("CheckNoNewAccess: %v %+v", err, nn)
	}
	_, err = h.aa.CheckNoPublicAccess(ctx, &aa.CheckNoPublicAccessInput{ResourceType: "AWS::EC2::Instance", PolicyDocument: aws.String(`{}`)})
	if code(err) != "ValidationException" {
		t.Fatalf("unknown resource type: %v", err)
	}
}

func TestAnalyzersAndFindingsWithTheSDK(t *testing.T) {
	h := start(t)
	ctx := servertest.Ctx(t)

	created, err := h.aa.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aatypes.TypeOrganization})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.Arn)
	if arn != "arn:aws:access-analyzer:us-east-1:"+mgmt+":analyzer/org" {
		t.Fatalf("arn %s", arn)
	}
	if _, err := h.aa.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aatypes.TypeOrganization}); code(err) != "ConflictException" {
		t.Fatalf("second analyzer of the name: %v", err)
	}
	eventually(t, "GetAnalyzer ACTIVE", func() error {
		got, err := h.aa.GetAnalyzer(ctx, &aa.GetAnalyzerInput{AnalyzerName: aws.String("org")})
		if err != nil || got.Analyzer.Type != aatypes.TypeOrganization || got.Analyzer.Status != aatypes.AnalyzerStatusActive {
			return fmt.Errorf("%v %+v", err, got)
		}
		return nil
	})
	if _, err := h.aa.GetAnalyzer(ctx, &aa.GetAnalyzerInput{AnalyzerName: aws.String("none")}); code(err) != "ResourceNotFoundException" {
		t.Fatalf("missing analyzer: %v", err)
	}

	// SecureCart trusts one account outside the organization: the vendor's.
	list, err := h.aa.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn)})
	if err != nil || len(list.Findings) != 1 || !strings.HasSuffix(aws.ToString(list.Findings[0].Resource), ":role/VendorAccessRole") || list.Findings[0].Principal["AWS"] != "111122223333" {
		t.Fatalf("ListFindings: %v %+v", err, list)
	}
	vendor := list.Findings[0]
	if vendor.Status != aatypes.FindingStatusActive || aws.ToBool(vendor.IsPublic) {
		t.Fatalf("vendor finding %+v", vendor)
	}
	f, err := h.aa.GetFinding(ctx, &aa.GetFindingInput{AnalyzerArn: aws.String(arn), Id: vendor.Id})
	if err != nil || f.Finding.ResourceType != aatypes.ResourceTypeAwsIamRole || len(f.Finding.Action) != 1 || f.Finding.Action[0] != "sts:AssumeRole" {
		t.Fatalf("GetFinding: %v %+v", err, f)
	}
	v2, err := h.aa.GetFindingV2(ctx, &aa.GetFindingV2Input{AnalyzerArn: aws.String(arn), Id: vendor.Id})
	if err != nil || v2.FindingType != aatypes.FindingTypeExternalAccess || len(v2.FindingDetails) != 1 {
		t.Fatalf("GetFindingV2: %v %+v", err, v2)
	}

	// A trust policy opened to anyone through IAM: the next read has it,
	// and the trail records the new finding.
	public := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}`
	if _, err := h.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("open-door"), AssumeRolePolicyDocument: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	var openID *string
	eventually(t, "public findings", func() error {
		pubs, err := h.aa.ListFindingsV2(ctx, &aa.ListFindingsV2Input{AnalyzerArn: aws.String(arn), Filter: map[string]aatypes.Criterion{"isPublic": {Eq: []string{"true"}}}})
		if err != nil || len(pubs.Findings) != 1 || aws.ToString(pubs.Findings[0].Resource) != "arn:aws:iam::"+mgmt+":role/open-door" {
			return fmt.Errorf("%v %+v", err, pubs)
		}
		openID = pubs.Findings[0].Id
		return nil
	})

	// Pagination: one finding per page, two pages.
	p1, err := h.aa.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn), MaxResults: aws.Int32(1)})
	if err != nil || len(p1.Findings) != 1 || p1.NextToken == nil {
		t.Fatalf("page 1: %v %+v", err, p1)
	}
	p2, err := h.aa.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn), MaxResults: aws.Int32(1), NextToken: p1.NextToken})
	if err != nil || len(p2.Findings) != 1 || p2.NextToken != nil || aws.ToString(p2.Findings[0].Id) == aws.ToString(p1.Findings[0].Id) {
		t.Fatalf("page 2: %v %+v", err, p2)
	}

	// Archive the vendor's finding; an archive rule archives it too.
	if _, err := h.aa.UpdateFindings(ctx, &aa.UpdateFindingsInput{AnalyzerArn: aws.String(arn), Ids: []string{aws.ToString(vendor.Id)}, Status: aatypes.FindingStatusUpdateArchived}); err != nil {
		t.Fatal(err)
	}
	active, err := h.aa.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn), Filter: map[string]aatypes.Criterion{"status": {Eq: []string{"ACTIVE"}}}})
	if err != nil || len(active.Findings) != 1 || aws.ToString(active.Findings[0].Id) != aws.ToString(openID) {
		t.Fatalf("active after archiving: %v %+v", err, active)
	}
	if _, err := h.aa.CreateArchiveRule(ctx, &aa.CreateArchiveRuleInput{AnalyzerName: aws.String("org"), RuleName: aws.String("roles"),
		Filter: map[string]aatypes.Criterion{"resourceType": {Eq: []string{"AWS::IAM::Role"}}}}); err != nil {
		t.Fatal(err)
	}
	rules, err := h.aa.ListArchiveRules(ctx, &aa.ListArchiveRulesInput{AnalyzerName: aws.String("org")})
	if err != nil || len(rules.ArchiveRules) != 1 || aws.ToString(rules.ArchiveRules[0].RuleName) != "roles" {
		t.Fatalf("ListArchiveRules: %v %+v", err, rules)
	}
	if _, err := h.aa.ApplyArchiveRule(ctx, &aa.ApplyArchiveRuleInput{AnalyzerArn: aws.String(arn), RuleName: aws.String("roles")}); err != nil {
		t.Fatal(err)
	}
	active, err = h.aa.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn), Filter: map[string]aatypes.Criterion{"status": {Eq: []string{"ACTIVE"}}}})
	if err != nil || len(active.Findings) != 0 {
		t.Fatalf("active after the rule: %v %+v", err, active)
	}

	// Closing the door resolves its finding, recorded in the trail.
	if _, err := h.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("open-door")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "resolved after deleting the role", func() error {
		f, err = h.aa.GetFinding(ctx, &aa.GetFindingInput{AnalyzerArn: aws.String(arn), Id: openID})
		if err != nil || f.Finding.Status != aatypes.FindingStatusResolved {
			return fmt.Errorf("%v %+v", err, f)
		}
		return nil
	})
	names := findingEvents(t, h.Store)
	// Two created, the vendor's archived by UpdateFindings and the open
	// door's by the rule, the open door's resolved.
	if names["FindingCreated"] != 2 || names["FindingArchived"] != 2 || names["FindingResolved"] != 1 || len(names) != 3 {
		t.Fatalf("finding events in the trail: %v", names)
	}

	an, err := h.aa.ListAnalyzers(ctx, &aa.ListAnalyzersInput{})
	if err != nil || len(an.Analyzers) != 1 {
		t.Fatalf("ListAnalyzers: %v %+v", err, an)
	}
	if _, err := h.aa.DeleteAnalyzer(ctx, &aa.DeleteAnalyzerInput{AnalyzerName: aws.String("org")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.aa.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn)}); code(err) != "ResourceNotFoundException" {
		t.Fatalf("findings of a deleted analyzer: %v", err)
	}
}

// Unread findings follow the organization within the watcher's period: a
// trust policy opened through IAM is recorded in the trail without any
// ListFindings. The record is a service event Access Analyzer makes by
// itself: its userIdentity the analyzer's account and invokedBy the
// service, no type, the change in serviceEventDetails (AWS CloudTrail User
// Guide, "AWS service events": the example of an automatic key rotation).
func TestFindingsFollowTheOrgUnread(t *testing.T) {
	h := start(t)
	ctx := servertest.Ctx(t)
	an, err := h.aa.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("acct"), Type: aatypes.TypeAccount})
	if err != nil {
		t.Fatal(err)
	}
	acct := strings.Split(aws.ToString(an.Arn), ":")[4]
	public := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}`
	if _, err := h.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("open-door"), AssumeRolePolicyDocument: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		recs, _, err := audit.Lookup(ctx, h.Store, audit.Filter{Attribute: "EventName", Value: "FindingCreated"}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if !strings.Contains(string(r.Raw), "role/open-door") {
				continue
			}
			var raw struct {
				UserIdentity        json.RawMessage `json:"userIdentity"`
				EventType           string          `json:"eventType"`
				Recipient           string          `json:"recipientAccountId"`
				ResponseElements    json.RawMessage `json:"responseElements"`
				ServiceEventDetails map[string]any  `json:"serviceEventDetails"`
			}
			if err := json.Unmarshal(r.Raw, &raw); err != nil {
				t.Fatal(err)
			}
			if want := `{"accountId":"` + acct + `","invokedBy":"access-analyzer.amazonaws.com"}`; string(raw.UserIdentity) != want || raw.EventType != "AwsServiceEvent" ||
				raw.Recipient != acct || string(raw.ResponseElements) != "null" || raw.ServiceEventDetails["analyzerArn"] != aws.ToString(an.Arn) {
				t.Errorf("FindingCreated record %s\nwant userIdentity %s, a service event of account %s with the change in serviceEventDetails", r.Raw, want, acct)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no FindingCreated record for the opened role")
}
