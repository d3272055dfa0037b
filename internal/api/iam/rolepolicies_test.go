package iam_test

import (
	"fmt"
	"strings"
	"testing"
)

type namesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	xPage
}

type attachedResult struct {
	AttachedPolicies []struct {
		PolicyName string `xml:"PolicyName"`
		PolicyArn  string `xml:"PolicyArn"`
	} `xml:"AttachedPolicies>member"`
	xPage
}

func TestRoleInlinePolicies(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	f.ok(admin, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", trustEC2)
	f.ok(admin, "PutRolePolicy", "RoleName", "app", "PolicyName", "ReadS3", "PolicyDocument", readS3)
	f.ok(admin, "PutRolePolicy", "RoleName", "app", "PolicyName", "Another", "PolicyDocument", readS3)

	var got struct {
		RoleName       string `xml:"RoleName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}
	decode(t, f.ok(admin, "GetRolePolicy", "RoleName", "app", "PolicyName", "reads3"), &got)
	if got.RoleName != "app" || got.PolicyName != "ReadS3" {
		t.Errorf("GetRolePolicy = %s %s, want app ReadS3", got.RoleName, got.PolicyName)
	}
	// The document comes back URL-encoded, exactly as it was put.
	if strings.Contains(got.PolicyDocument, "{") || unescape(t, got.PolicyDocument) != readS3 {
		t.Errorf("PolicyDocument = %q, want %q URL-encoded", got.PolicyDocument, readS3)
	}
	var names namesResult
	decode(t, f.ok(admin, "ListRolePolicies", "RoleName", "app"), &names)
	if fmt.Sprint(names.PolicyNames) != "[Another ReadS3]" {
		t.Errorf("ListRolePolicies = %v", names.PolicyNames)
	}

	// The landing zone's inline policies, written in YAML, read as JSON.
	decode(t, f.ok(admin, "GetRolePolicy", "RoleName", "DeploymentRole", "PolicyName", "Deploy"), &got)
	if doc := unescape(t, got.PolicyDocument); !strings.Contains(doc, `"Sid": "UpdateEcsServices"`) || !strings.HasPrefix(doc, "{\n    \"Version\": \"2012-10-17\"") {
		t.Errorf("DeploymentRole's Deploy policy = %s", doc)
	}

	identityWithPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	e := f.fail(admin, "PutRolePolicy", "MalformedPolicyDocument", "RoleName", "app", "PolicyName", "p", "PolicyDocument", identityWithPrincipal)
	if !strings.Contains(e.Message, "Principal") {
		t.Errorf("message %q does not name the Principal", e.Message)
	}
	f.fail(admin, "PutRolePolicy", "MalformedPolicyDocument", "RoleName", "app", "PolicyName", "p", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}]}`)
	f.fail(admin, "PutRolePolicy", "ValidationError", "RoleName", "app", "PolicyName", "bad name", "PolicyDocument", readS3)
	f.fail(admin, "PutRolePolicy", "ValidationError", "RoleName", "app", "PolicyName", "p")
	f.fail(admin, "PutRolePolicy", "NoSuchEntity", "RoleName", "nope", "PolicyName", "p", "PolicyDocument", readS3)
	// A role's inline policies hold at most 10,240 characters together.
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[` +
		strings.TrimSuffix(strings.Repeat(`"arn:aws:s3:::bucket-with-a-long-name/*",`, 130), ",") + `]}]}`
	f.ok(admin, "PutRolePolicy", "RoleName", "app", "PolicyName", "Big1", "PolicyDocument", big)
	e = f.fail(admin, "PutRolePolicy", "LimitExceeded", "RoleName", "app", "PolicyName", "Big2", "PolicyDocument", big)
	if e.Message != "Maximum policy size of 10240 bytes exceeded for role app" {
		t.Errorf("message = %q", e.Message)
	}

	e = f.fail(admin, "GetRolePolicy", "NoSuchEntity", "RoleName", "app", "PolicyName", "nope")
	if e.Message != "The role policy with name nope cannot be found." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(admin, "DeleteRolePolicy", "RoleName", "app", "PolicyName", "another")
	f.fail(admin, "DeleteRolePolicy", "NoSuchEntity", "RoleName", "app", "PolicyName", "another")
	names = namesResult{}
	decode(t, f.ok(admin, "ListRolePolicies", "RoleName", "app"), &names)
	if fmt.Sprint(names.PolicyNames) != "[Big1 ReadS3]" {
		t.Errorf("after DeleteRolePolicy: %v", names.PolicyNames)
	}
	f.fail(admin, "ListRolePolicies", "NoSuchEntity", "RoleName", "nope")
}

func TestRoleManagedPolicies(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	f.ok(admin, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", trustEC2)
	customer := "arn:aws:iam::" + dev + ":policy/DeveloperPermissions"
	f.ok(admin, "AttachRolePolicy", "RoleName", "app", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.ok(admin, "AttachRolePolicy", "RoleName", "app", "PolicyArn", customer)
	f.ok(admin, "AttachRolePolicy", "RoleName", "app", "PolicyArn", customer) // again: no change
	f.ok(admin, "AttachRolePolicy", "RoleName", "app", "PolicyArn", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")

	var got attachedResult
	decode(t, f.ok(admin, "ListAttachedRolePolicies", "RoleName", "app"), &got)
	var list []string
	for _, p := range got.AttachedPolicies {
		list = append(list, p.PolicyName+"="+p.PolicyArn)
	}
	want := "DeveloperPermissions=" + customer + " ReadOnlyAccess=arn:aws:iam::aws:policy/ReadOnlyAccess ViewOnlyAccess=arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	if strings.Join(list, " ") != want {
		t.Errorf("attached = %v, want %s", list, want)
	}
	got = attachedResult{}
	decode(t, f.ok(admin, "ListAttachedRolePolicies", "RoleName", "app", "PathPrefix", "/job-function/"), &got)
	if len(got.AttachedPolicies) != 1 || got.AttachedPolicies[0].PolicyName != "ViewOnlyAccess" {
		t.Errorf("with PathPrefix /job-function/: %v", got.AttachedPolicies)
	}

	e := f.fail(admin, "AttachRolePolicy", "NoSuchEntity", "RoleName", "app", "PolicyArn", "arn:aws:iam::aws:policy/NoSuchPolicy")
	if e.Message != "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable." {
		t.Errorf("message = %q", e.Message)
	}
	// Another account's policy is not attachable.
	f.fail(admin, "AttachRolePolicy", "NoSuchEntity", "RoleName", "app", "PolicyArn", "arn:aws:iam::"+staging+":policy/DeveloperPermissions")
	f.fail(admin, "AttachRolePolicy", "InvalidInput", "RoleName", "app", "PolicyArn", "arn:aws:s3:::not-a-policy-arn")
	f.fail(admin, "AttachRolePolicy", "NoSuchEntity", "RoleName", "nope", "PolicyArn", customer)

	// At most 10 managed policies per role.
	for _, n := range []string{"SecurityAudit", "AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess", "IAMReadOnlyAccess",
		"AWSLambda_ReadOnlyAccess", "CloudWatchReadOnlyAccess", "AmazonSQSReadOnlyAccess"} {
		f.ok(admin, "AttachRolePolicy", "RoleName", "app", "PolicyArn", "arn:aws:iam::aws:policy/"+n)
	}
	e = f.fail(admin, "AttachRolePolicy", "LimitExceeded", "RoleName", "app", "PolicyArn", "arn:aws:iam::aws:policy/AmazonSNSReadOnlyAccess")
	if e.Message != "Cannot exceed quota for PoliciesPerRole: 10" {
		t.Errorf("message = %q", e.Message)
	}

	f.ok(admin, "DetachRolePolicy", "RoleName", "app", "PolicyArn", customer)
	e = f.fail(admin, "DetachRolePolicy", "NoSuchEntity", "RoleName", "app", "PolicyArn", customer)
	if e.Message != "Policy "+customer+" was not found." {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "ListAttachedRolePolicies", "NoSuchEntity", "RoleName", "nope")
}

func TestRolePermissionsBoundary(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	boundary := "arn:aws:iam::" + dev + ":policy/DeveloperBoundary"
	f.ok(admin, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", trustEC2)
	f.ok(admin, "PutRolePermissionsBoundary", "RoleName", "app", "PermissionsBoundary", boundary)
	var got roleResult
	decode(t, f.ok(admin, "GetRole", "RoleName", "app"), &got)
	if b := got.Role.PermissionsBoundary; b == nil || b.PermissionsBoundaryArn != boundary || b.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
		t.Errorf("boundary = %+v, want %s", b, boundary)
	}
	// The org now bounds the role.
	o, err := f.mgr.Org(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := o.Role(dev, "app"); !ok || r.Boundary == nil {
		t.Errorf("the org's role app has no boundary")
	}
	f.ok(admin, "PutRolePermissionsBoundary", "RoleName", "app", "PermissionsBoundary", "arn:aws:iam::aws:policy/PowerUserAccess")
	got = roleResult{}
	decode(t, f.ok(admin, "GetRole", "RoleName", "app"), &got)
	if b := got.Role.PermissionsBoundary; b == nil || b.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Errorf("boundary = %+v, want PowerUserAccess", b)
	}
	e := f.fail(admin, "PutRolePermissionsBoundary", "NoSuchEntity", "RoleName", "app", "PermissionsBoundary", "arn:aws:iam::"+dev+":policy/Nope")
	if !strings.HasPrefix(e.Message, "Scope ARN: ") {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "PutRolePermissionsBoundary", "ValidationError", "RoleName", "app")
	f.ok(admin, "DeleteRolePermissionsBoundary", "RoleName", "app")
	got = roleResult{}
	decode(t, f.ok(admin, "GetRole", "RoleName", "app"), &got)
	if got.Role.PermissionsBoundary != nil {
		t.Errorf("boundary still set: %+v", got.Role.PermissionsBoundary)
	}
	f.fail(admin, "DeleteRolePermissionsBoundary", "NoSuchEntity", "RoleName", "nope")
}
