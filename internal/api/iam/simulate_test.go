package iam_test

import (
	"strings"
	"testing"
)

type xPosition struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type xStatement struct {
	SourcePolicyID   string     `xml:"SourcePolicyId"`
	SourcePolicyType string     `xml:"SourcePolicyType"`
	StartPosition    *xPosition `xml:"StartPosition"`
	EndPosition      *xPosition `xml:"EndPosition"`
}

type xEvaluation struct {
	EvalActionName              string       `xml:"EvalActionName"`
	EvalResourceName            string       `xml:"EvalResourceName"`
	EvalDecision                string       `xml:"EvalDecision"`
	MatchedStatements           []xStatement `xml:"MatchedStatements>member"`
	MissingContextValues        []string     `xml:"MissingContextValues>member"`
	OrganizationsDecisionDetail *struct {
		AllowedByOrganizations bool `xml:"AllowedByOrganizations"`
	} `xml:"OrganizationsDecisionDetail"`
	PermissionsBoundaryDecisionDetail *struct {
		AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
	} `xml:"PermissionsBoundaryDecisionDetail"`
	ResourceSpecificResults []struct {
		EvalResourceName     string `xml:"EvalResourceName"`
		EvalResourceDecision string `xml:"EvalResourceDecision"`
	} `xml:"ResourceSpecificResults>member"`
}

type simResult struct {
	EvaluationResults []xEvaluation `xml:"EvaluationResults>member"`
	xPage
}

// textAt returns the text of a policy between two positions.
func textAt(t *testing.T, text string, start, end *xPosition) string {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	off := func(p *xPosition) int {
		n := 0
		for i := 0; i < p.Line-1; i++ {
			n += len(lines[i])
		}
		return n + len(string([]rune(lines[p.Line-1])[:p.Column-1]))
	}
	return text[off(start):off(end)]
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	developer := "arn:aws:iam::" + dev + ":role/DeveloperRole"
	var got simResult
	decode(t, f.ok(admin, "SimulatePrincipalPolicy", "PolicySourceArn", developer,
		"ActionNames.member.1", "iam:CreateUser",
		"ActionNames.member.2", "lambda:InvokeFunction",
		"ActionNames.member.3", "iam:CreateRole",
		"ActionNames.member.4", "ec2:RunInstances",
		"ContextEntries.member.1.ContextKeyName", "aws:RequestedRegion",
		"ContextEntries.member.1.ContextKeyValues.member.1", "us-east-1",
		"ContextEntries.member.1.ContextKeyType", "string"), &got)
	if len(got.EvaluationResults) != 4 {
		t.Fatalf("%d results, want 4", len(got.EvaluationResults))
	}
	byAction := map[string]xEvaluation{}
	for _, r := range got.EvaluationResults {
		byAction[r.EvalActionName] = r
		if r.EvalResourceName != "*" {
			t.Errorf("%s: resource %s, want *", r.EvalActionName, r.EvalResourceName)
		}
	}

	// The SCP denies creating users: the organization does not allow it.
	cu := byAction["iam:CreateUser"]
	if cu.EvalDecision != "explicitDeny" || cu.OrganizationsDecisionDetail == nil || cu.OrganizationsDecisionDetail.AllowedByOrganizations {
		t.Errorf("iam:CreateUser = %+v, want explicitDeny not allowed by the organization", cu)
	}

	// Invoking functions is what developers do.
	inv := byAction["lambda:InvokeFunction"]
	if inv.EvalDecision != "allowed" || !inv.OrganizationsDecisionDetail.AllowedByOrganizations ||
		inv.PermissionsBoundaryDecisionDetail == nil || !inv.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("lambda:InvokeFunction = %+v", inv)
	}
	if len(inv.MatchedStatements) == 0 || inv.MatchedStatements[0].SourcePolicyID != "DeveloperPermissions" || inv.MatchedStatements[0].SourcePolicyType != "user-managed" {
		t.Fatalf("lambda:InvokeFunction matched %+v", inv.MatchedStatements)
	}
	// The positions delimit the statement in the text GetPolicyVersion returns.
	var v versionResult
	decode(t, f.ok(admin, "GetPolicyVersion", "PolicyArn", "arn:aws:iam::"+dev+":policy/DeveloperPermissions", "VersionId", "v1"), &v)
	m := inv.MatchedStatements[0]
	stmt := textAt(t, unescape(t, v.PolicyVersion.Document), m.StartPosition, m.EndPosition)
	if !strings.HasPrefix(stmt, "{") || !strings.HasSuffix(stmt, "}") || !strings.Contains(stmt, `"Sid": "DeployAndTroubleshoot"`) || strings.Contains(stmt, "DevBuckets") {
		t.Errorf("the matched statement's text is %q", stmt)
	}

	// Creating a role without the boundary in the context: the boundary's
	// deny applies, and the simulator says which key it lacked.
	cr := byAction["iam:CreateRole"]
	if cr.EvalDecision != "explicitDeny" || cr.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("iam:CreateRole = %+v", cr)
	}
	if strings.Join(cr.MissingContextValues, ",") != "iam:PermissionsBoundary" {
		t.Errorf("MissingContextValues = %v", cr.MissingContextValues)
	}
	if len(cr.MatchedStatements) != 1 || cr.MatchedStatements[0].SourcePolicyID != "DeveloperBoundary" {
		t.Errorf("iam:CreateRole matched %+v", cr.MatchedStatements)
	}
	// Nothing allows developers to run instances.
	if r := byAction["ec2:RunInstances"]; r.EvalDecision != "implicitDeny" || len(r.MatchedStatements) != 0 {
		t.Errorf("ec2:RunInstances = %+v", r)
	}

	// With the boundary as context, on an application role's ARN, it is allowed.
	got = simResult{}
	decode(t, f.ok(admin, "SimulatePrincipalPolicy", "PolicySourceArn", developer,
		"ActionNames.member.1", "iam:CreateRole",
		"ResourceArns.member.1", "arn:aws:iam::"+dev+":role/securecart-app-orders",
		"ResourceArns.member.2", "arn:aws:iam::"+dev+":role/admin",
		"ContextEntries.member.1.ContextKeyName", "iam:PermissionsBoundary",
		"ContextEntries.member.1.ContextKeyValues.member.1", "arn:aws:iam::"+dev+":policy/DeveloperBoundary"), &got)
	if len(got.EvaluationResults) != 2 {
		t.Fatalf("%d results, want 2", len(got.EvaluationResults))
	}
	app, other := got.EvaluationResults[0], got.EvaluationResults[1]
	if app.EvalDecision != "allowed" || app.EvalResourceName != "arn:aws:iam::"+dev+":role/securecart-app-orders" {
		t.Errorf("securecart-app-orders: %+v", app)
	}
	if len(app.ResourceSpecificResults) != 1 || app.ResourceSpecificResults[0].EvalResourceDecision != "allowed" {
		t.Errorf("ResourceSpecificResults = %+v", app.ResourceSpecificResults)
	}
	if other.EvalDecision != "implicitDeny" {
		t.Errorf("admin role: %+v", other)
	}

	// Added policies count as the principal's.
	got = simResult{}
	decode(t, f.ok(admin, "SimulatePrincipalPolicy", "PolicySourceArn", developer,
		"ActionNames.member.1", "s3:GetObject",
		"ResourceArns.member.1", "arn:aws:s3:::reports/x",
		"PolicyInputList.member.1", readS3,
		"ContextEntries.member.1.ContextKeyName", "aws:RequestedRegion",
		"ContextEntries.member.1.ContextKeyValues.member.1", "us-east-1",
		"ContextEntries.member.2.ContextKeyName", "aws:SecureTransport",
		"ContextEntries.member.2.ContextKeyValues.member.1", "true",
		"ContextEntries.member.3.ContextKeyName", "s3:x-amz-server-side-encryption",
		"ContextEntries.member.3.ContextKeyValues.member.1", "AES256"), &got)
	r := got.EvaluationResults[0]
	if r.EvalDecision != "allowed" || len(r.MatchedStatements) == 0 || r.MatchedStatements[0].SourcePolicyID != "PolicyInputList.1" {
		t.Fatalf("with PolicyInputList: %+v", r)
	}
	if s := r.MatchedStatements[0]; textAt(t, readS3, s.StartPosition, s.EndPosition) != readS3[strings.Index(readS3, "{\n            \"Sid\""):strings.LastIndex(readS3, "}\n    ]")+1] {
		t.Errorf("PolicyInputList.1 statement at %+v-%+v", s.StartPosition, s.EndPosition)
	}

	// A bucket's policy takes part.
	got = simResult{}
	decode(t, f.ok(admin, "SimulatePrincipalPolicy", "PolicySourceArn", developer,
		"ActionNames.member.1", "s3:GetObject",
		"ResourceArns.member.1", "arn:aws:s3:::securecart-staging-orders/x",
		"PolicyInputList.member.1", readS3), &got)
	r = got.EvaluationResults[0]
	if r.EvalDecision != "explicitDeny" || len(r.MatchedStatements) == 0 {
		t.Fatalf("the staging orders bucket: %+v", r)
	}
	if s := r.MatchedStatements[0]; s.SourcePolicyID != "arn:aws:s3:::securecart-staging-orders" || s.SourcePolicyType != "resource" || s.StartPosition == nil || s.EndPosition == nil {
		t.Errorf("the bucket policy's statement: %+v", s)
	}

	// Pagination.
	got = simResult{}
	decode(t, f.ok(admin, "SimulatePrincipalPolicy", "PolicySourceArn", developer,
		"ActionNames.member.1", "s3:GetObject", "ActionNames.member.2", "s3:PutObject", "MaxItems", "1"), &got)
	if len(got.EvaluationResults) != 1 || !got.IsTruncated || got.EvaluationResults[0].EvalActionName != "s3:GetObject" {
		t.Fatalf("first page: %+v", got)
	}
	marker := got.Marker
	got = simResult{}
	decode(t, f.ok(admin, "SimulatePrincipalPolicy", "PolicySourceArn", developer,
		"ActionNames.member.1", "s3:GetObject", "ActionNames.member.2", "s3:PutObject", "MaxItems", "1", "Marker", marker), &got)
	if len(got.EvaluationResults) != 1 || got.IsTruncated || got.EvaluationResults[0].EvalActionName != "s3:PutObject" {
		t.Errorf("second page: %+v", got)
	}
}

func TestSimulatePrincipalPolicyErrors(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	developer := "arn:aws:iam::" + dev + ":role/DeveloperRole"
	f.fail(admin, "SimulatePrincipalPolicy", "ValidationError", "ActionNames.member.1", "s3:GetObject")
	f.fail(admin, "SimulatePrincipalPolicy", "ValidationError", "PolicySourceArn", developer)
	f.fail(admin, "SimulatePrincipalPolicy", "InvalidInput", "PolicySourceArn", developer, "ActionNames.member.1", "GetObject")
	e := f.fail(admin, "SimulatePrincipalPolicy", "NoSuchEntity", "PolicySourceArn", "arn:aws:iam::"+dev+":role/NoSuchRole", "ActionNames.member.1", "s3:GetObject")
	if e.Message != "The role with name NoSuchRole cannot be found." {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "SimulatePrincipalPolicy", "MalformedPolicyDocument", "PolicySourceArn", developer, "ActionNames.member.1", "s3:GetObject", "PolicyInputList.member.1", "{")
	f.fail(admin, "SimulatePrincipalPolicy", "ValidationError", "PolicySourceArn", developer, "ActionNames.member.1", "s3:GetObject",
		"ContextEntries.member.1.ContextKeyName", "aws:x", "ContextEntries.member.1.ContextKeyType", "colour")
	// Developers may not simulate: it needs iam:SimulatePrincipalPolicy.
	f.fail(f.sessionOf(dev, "DeveloperRole", "alice"), "SimulatePrincipalPolicy", "AccessDenied", "PolicySourceArn", developer, "ActionNames.member.1", "s3:GetObject")
}

// The management account's users are simulated without SCPs.
func TestSimulateUser(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	f.ok(root, "CreateUser", "UserName", "bob")
	f.ok(root, "PutUserPolicy", "UserName", "bob", "PolicyName", "ReadS3", "PolicyDocument", readS3)
	var got simResult
	decode(t, f.ok(root, "SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:iam::"+mgmt+":user/bob",
		"ActionNames.member.1", "s3:GetObject", "ActionNames.member.2", "iam:CreateUser"), &got)
	r := got.EvaluationResults[0]
	if r.EvalDecision != "allowed" || len(r.MatchedStatements) != 1 || r.MatchedStatements[0].SourcePolicyID != "ReadS3" || r.MatchedStatements[0].SourcePolicyType != "user" {
		t.Errorf("s3:GetObject = %+v", r)
	}
	if r.OrganizationsDecisionDetail == nil || !r.OrganizationsDecisionDetail.AllowedByOrganizations {
		t.Errorf("the management account is not under SCPs: %+v", r.OrganizationsDecisionDetail)
	}
	if r := got.EvaluationResults[1]; r.EvalDecision != "implicitDeny" {
		t.Errorf("iam:CreateUser = %+v", r)
	}
}

func TestSimulateCustomPolicy(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:ListBucket","Resource":"*"}]}`
	var got simResult
	decode(t, f.ok(admin, "SimulateCustomPolicy", "PolicyInputList.member.1", readS3, "PolicyInputList.member.2", deny,
		"ActionNames.member.1", "s3:GetObject", "ActionNames.member.2", "s3:ListBucket", "ActionNames.member.3", "iam:CreateUser"), &got)
	want := []string{"allowed", "explicitDeny", "implicitDeny"}
	for i, r := range got.EvaluationResults {
		if r.EvalDecision != want[i] {
			t.Errorf("%s: %s, want %s", r.EvalActionName, r.EvalDecision, want[i])
		}
		if r.OrganizationsDecisionDetail != nil {
			t.Errorf("%s: a custom simulation has no organization detail", r.EvalActionName)
		}
	}
	if m := got.EvaluationResults[1].MatchedStatements; len(m) != 1 || m[0].SourcePolicyID != "PolicyInputList.2" || m[0].StartPosition == nil {
		t.Errorf("the deny: %+v", m)
	}
	// With a permissions boundary.
	got = simResult{}
	decode(t, f.ok(admin, "SimulateCustomPolicy", "PolicyInputList.member.1", readS3,
		"PermissionsBoundaryPolicyInputList.member.1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`,
		"ActionNames.member.1", "s3:GetObject"), &got)
	if r := got.EvaluationResults[0]; r.EvalDecision != "implicitDeny" || r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("outside the boundary: %+v", r)
	}
	f.fail(admin, "SimulateCustomPolicy", "ValidationError", "ActionNames.member.1", "s3:GetObject")
	f.fail(admin, "SimulateCustomPolicy", "MalformedPolicyDocument", "PolicyInputList.member.1", trustEC2, "ActionNames.member.1", "s3:GetObject")
	f.fail(f.sessionOf(dev, "DeveloperRole", "alice"), "SimulateCustomPolicy", "AccessDenied", "PolicyInputList.member.1", readS3, "ActionNames.member.1", "s3:GetObject")
}
