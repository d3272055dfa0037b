package iam_test

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/creds"
)

type policyResult struct {
	Policy xPolicy `xml:"Policy"`
}

type versionResult struct {
	PolicyVersion struct {
		Document         string `xml:"Document"`
		VersionID        string `xml:"VersionId"`
		IsDefaultVersion bool   `xml:"IsDefaultVersion"`
		CreateDate       string `xml:"CreateDate"`
	} `xml:"PolicyVersion"`
}

type versionsResult struct {
	Versions []struct {
		VersionID        string `xml:"VersionId"`
		IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	} `xml:"Versions>member"`
	xPage
}

func TestCreatePolicy(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	var got policyResult
	decode(t, f.ok(admin, "CreatePolicy", "PolicyName", "ReadS3", "Path", "/app/", "PolicyDocument", readS3,
		"Description", "Reads buckets", "Tags.member.1.Key", "team", "Tags.member.1.Value", "orders"), &got)
	arn := "arn:aws:iam::" + dev + ":policy/app/ReadS3"
	p := got.Policy
	if p.Arn != arn || p.PolicyName != "ReadS3" || p.Path != "/app/" || p.DefaultVersionID != "v1" || !p.IsAttachable || p.AttachmentCount != 0 {
		t.Errorf("CreatePolicy = %+v", p)
	}
	if want := creds.StableID("ANPA", arn); p.PolicyID != want || !strings.HasPrefix(p.PolicyID, "ANPA") {
		t.Errorf("PolicyId = %s, want %s", p.PolicyID, want)
	}
	if p.CreateDate != "2026-11-22T12:00:00Z" || p.Description != "Reads buckets" {
		t.Errorf("CreateDate, Description = %s, %q", p.CreateDate, p.Description)
	}

	got = policyResult{}
	decode(t, f.ok(admin, "GetPolicy", "PolicyArn", arn), &got)
	if got.Policy.Arn != arn || got.Policy.Description != "Reads buckets" {
		t.Errorf("GetPolicy = %+v", got.Policy)
	}
	var v versionResult
	decode(t, f.ok(admin, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v1"), &v)
	if unescape(t, v.PolicyVersion.Document) != readS3 || !v.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion v1 = %+v", v.PolicyVersion)
	}

	// Attaching counts.
	f.ok(admin, "AttachRolePolicy", "RoleName", "DeploymentRole", "PolicyArn", arn)
	got = policyResult{}
	decode(t, f.ok(admin, "GetPolicy", "PolicyArn", arn), &got)
	if got.Policy.AttachmentCount != 1 {
		t.Errorf("AttachmentCount = %d, want 1", got.Policy.AttachmentCount)
	}

	e := f.fail(admin, "CreatePolicy", "EntityAlreadyExists", "PolicyName", "ReadS3", "PolicyDocument", readS3)
	if e.Message != "A policy called ReadS3 already exists. Duplicate names are not allowed." {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "CreatePolicy", "MalformedPolicyDocument", "PolicyName", "P", "PolicyDocument", trustEC2)
	f.fail(admin, "CreatePolicy", "MalformedPolicyDocument", "PolicyName", "P", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)
	f.fail(admin, "CreatePolicy", "ValidationError", "PolicyName", "P")
	f.fail(admin, "CreatePolicy", "ValidationError", "PolicyName", strings.Repeat("p", 129), "PolicyDocument", readS3)
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[` +
		strings.TrimSuffix(strings.Repeat(`"arn:aws:s3:::bucket-with-a-long-name/*",`, 160), ",") + `]}]}`
	e = f.fail(admin, "CreatePolicy", "LimitExceeded", "PolicyName", "Big", "PolicyDocument", big)
	if e.Message != "Cannot exceed quota for PolicySize: 6144" {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "GetPolicy", "NoSuchEntity", "PolicyArn", "arn:aws:iam::"+dev+":policy/Nope")
	// The path is part of the ARN.
	f.fail(admin, "GetPolicy", "NoSuchEntity", "PolicyArn", "arn:aws:iam::"+dev+":policy/ReadS3")
}

// A customer managed policy the landing zone gives several accounts can be
// created in another account only with the same content: the org format
// defines it once.
func TestCreatePolicyOfSharedName(t *testing.T) {
	f := newFixture(t)
	prodAdmin := f.sessionOf(prod, "OrganizationAccountAccessRole", "admin")
	f.fail(prodAdmin, "CreatePolicy", "InvalidInput", "PolicyName", "DeveloperBoundary", "PolicyDocument", readS3)

	devAdmin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	var v versionResult
	decode(t, f.ok(devAdmin, "GetPolicyVersion", "PolicyArn", "arn:aws:iam::"+dev+":policy/DeveloperPermissions", "VersionId", "v1"), &v)
	var def policyResult
	decode(t, f.ok(devAdmin, "GetPolicy", "PolicyArn", "arn:aws:iam::"+dev+":policy/DeveloperPermissions"), &def)
	if def.Policy.Description == "" {
		t.Fatal("DeveloperPermissions has no description")
	}
	var got policyResult
	decode(t, f.ok(prodAdmin, "CreatePolicy", "PolicyName", "DeveloperPermissions", "PolicyDocument", unescape(t, v.PolicyVersion.Document),
		"Description", def.Policy.Description), &got)
	if got.Policy.Arn != "arn:aws:iam::"+prod+":policy/DeveloperPermissions" {
		t.Errorf("Arn = %s", got.Policy.Arn)
	}
}

func TestPolicyVersions(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	arn := "arn:aws:iam::" + dev + ":policy/ReadS3"
	f.ok(admin, "CreatePolicy", "PolicyName", "ReadS3", "PolicyDocument", readS3)
	v2doc := strings.Replace(readS3, "s3:ListBucket", "s3:GetBucketLocation", 1)
	var v versionResult
	decode(t, f.ok(admin, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", v2doc, "SetAsDefault", "true"), &v)
	if v.PolicyVersion.VersionID != "v2" || !v.PolicyVersion.IsDefaultVersion || v.PolicyVersion.Document != "" {
		t.Errorf("CreatePolicyVersion = %+v", v.PolicyVersion)
	}
	var p policyResult
	decode(t, f.ok(admin, "GetPolicy", "PolicyArn", arn), &p)
	if p.Policy.DefaultVersionID != "v2" {
		t.Errorf("DefaultVersionId = %s, want v2", p.Policy.DefaultVersionID)
	}
	// The org uses the new default version.
	o, err := f.mgr.Org(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pol := range o.Policies {
		if pol.Name == "ReadS3" && pol.Compiled.Doc.Statements[0].Action[1].Value != "s3:GetBucketLocation" {
			t.Errorf("the org's ReadS3 allows %v", pol.Compiled.Doc.Statements[0].Action)
		}
	}
	for _, n := range []string{"v3", "v4", "v5"} {
		decode(t, f.ok(admin, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", readS3), &v)
		if v.PolicyVersion.VersionID != n || v.PolicyVersion.IsDefaultVersion {
			t.Errorf("version = %+v, want %s not default", v.PolicyVersion, n)
		}
	}
	e := f.fail(admin, "CreatePolicyVersion", "LimitExceeded", "PolicyArn", arn, "PolicyDocument", readS3)
	if !strings.Contains(e.Message, "up to 5 versions") {
		t.Errorf("message = %q", e.Message)
	}
	var list versionsResult
	decode(t, f.ok(admin, "ListPolicyVersions", "PolicyArn", arn), &list)
	var ids []string
	for _, x := range list.Versions {
		id := x.VersionID
		if x.IsDefaultVersion {
			id += "*"
		}
		ids = append(ids, id)
	}
	if strings.Join(ids, " ") != "v5 v4 v3 v2* v1" {
		t.Errorf("versions = %v, want v5 v4 v3 v2* v1", ids)
	}
	v = versionResult{}
	decode(t, f.ok(admin, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v1"), &v)
	if unescape(t, v.PolicyVersion.Document) != readS3 || v.PolicyVersion.IsDefaultVersion {
		t.Errorf("v1 = %+v", v.PolicyVersion)
	}

	e = f.fail(admin, "DeletePolicyVersion", "DeleteConflict", "PolicyArn", arn, "VersionId", "v2")
	if e.Message != "Cannot delete the default version of a policy." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(admin, "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v1")
	p = policyResult{}
	decode(t, f.ok(admin, "GetPolicy", "PolicyArn", arn), &p)
	if p.Policy.DefaultVersionID != "v1" {
		t.Errorf("DefaultVersionId = %s, want v1", p.Policy.DefaultVersionID)
	}
	// v2 keeps its document once it is no longer the default.
	v = versionResult{}
	decode(t, f.ok(admin, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v2"), &v)
	if unescape(t, v.PolicyVersion.Document) != v2doc {
		t.Errorf("v2 = %s, want %s", unescape(t, v.PolicyVersion.Document), v2doc)
	}
	f.fail(admin, "SetDefaultPolicyVersion", "NoSuchEntity", "PolicyArn", arn, "VersionId", "v9")
	f.fail(admin, "GetPolicyVersion", "NoSuchEntity", "PolicyArn", arn, "VersionId", "v9")
	f.fail(admin, "GetPolicyVersion", "ValidationError", "PolicyArn", arn, "VersionId", "2")
	f.fail(admin, "CreatePolicyVersion", "MalformedPolicyDocument", "PolicyArn", arn, "PolicyDocument", "[]")
	f.fail(admin, "CreatePolicyVersion", "NoSuchEntity", "PolicyArn", "arn:aws:iam::"+dev+":policy/Nope", "PolicyDocument", readS3)

	// A policy with versions besides the default cannot be deleted.
	e = f.fail(admin, "DeletePolicy", "DeleteConflict", "PolicyArn", arn)
	if !strings.Contains(e.Message, "more than one version") {
		t.Errorf("message = %q", e.Message)
	}
	for _, n := range []string{"v2", "v3", "v4", "v5"} {
		f.ok(admin, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", n)
	}
	f.fail(admin, "DeletePolicyVersion", "NoSuchEntity", "PolicyArn", arn, "VersionId", "v5")
	// Nor one attached to something.
	f.ok(admin, "AttachRolePolicy", "RoleName", "DeploymentRole", "PolicyArn", arn)
	e = f.fail(admin, "DeletePolicy", "DeleteConflict", "PolicyArn", arn)
	if e.Message != "Cannot delete a policy attached to entities." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(admin, "DetachRolePolicy", "RoleName", "DeploymentRole", "PolicyArn", arn)
	f.ok(admin, "DeletePolicy", "PolicyArn", arn)
	f.fail(admin, "GetPolicy", "NoSuchEntity", "PolicyArn", arn)
	f.fail(admin, "DeletePolicy", "NoSuchEntity", "PolicyArn", arn)
}

// The landing zone's DeveloperPermissions is one definition for Dev and
// Staging: Dev may add versions but not change the default document.
func TestSharedPolicyVersions(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	arn := "arn:aws:iam::" + dev + ":policy/DeveloperPermissions"
	f.ok(admin, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", readS3)
	e := f.fail(admin, "SetDefaultPolicyVersion", "InvalidInput", "PolicyArn", arn, "VersionId", "v2")
	if !strings.Contains(e.Message, "Dev, Staging") {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "CreatePolicyVersion", "InvalidInput", "PolicyArn", arn, "PolicyDocument", readS3, "SetAsDefault", "true")
	// Staging's copy has one version.
	var list versionsResult
	decode(t, f.ok(f.sessionOf(staging, "OrganizationAccountAccessRole", "admin"), "ListPolicyVersions", "PolicyArn", "arn:aws:iam::"+staging+":policy/DeveloperPermissions"), &list)
	if len(list.Versions) != 1 {
		t.Errorf("Staging's DeveloperPermissions has %d versions, want 1", len(list.Versions))
	}
}

func TestAWSManagedPolicies(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	var p policyResult
	decode(t, f.ok(admin, "GetPolicy", "PolicyArn", arn), &p)
	if p.Policy.Arn != arn || p.Policy.PolicyName != "ReadOnlyAccess" || p.Policy.Path != "/" || !strings.HasPrefix(p.Policy.PolicyID, "ANPA") {
		t.Errorf("GetPolicy ReadOnlyAccess = %+v", p.Policy)
	}
	var v versionResult
	decode(t, f.ok(admin, "GetPolicyVersion", "PolicyArn", arn, "VersionId", p.Policy.DefaultVersionID), &v)
	if !strings.Contains(unescape(t, v.PolicyVersion.Document), "Statement") {
		t.Errorf("ReadOnlyAccess document = %s", v.PolicyVersion.Document)
	}
	// Read-only: AWS changes them, nobody else, the management account's root
	// user included.
	f.fail(admin, "CreatePolicyVersion", "AccessDenied", "PolicyArn", arn, "PolicyDocument", readS3)
	f.fail(admin, "DeletePolicy", "AccessDenied", "PolicyArn", arn)
	f.fail(rootOf(mgmt), "SetDefaultPolicyVersion", "AccessDenied", "PolicyArn", arn, "VersionId", "v1")
	f.fail(admin, "GetPolicy", "NoSuchEntity", "PolicyArn", "arn:aws:iam::aws:policy/NoSuchPolicy")
}

func TestListPolicies(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	type listResult struct {
		Policies []xPolicy `xml:"Policies>member"`
		xPage
	}
	var local listResult
	decode(t, f.ok(admin, "ListPolicies", "Scope", "Local"), &local)
	byName := map[string]xPolicy{}
	for _, p := range local.Policies {
		byName[p.PolicyName] = p
		if p.Description != "" {
			t.Errorf("ListPolicies returned %s's description", p.PolicyName)
		}
	}
	if len(local.Policies) != 2 || byName["DeveloperPermissions"].AttachmentCount != 1 || byName["DeveloperBoundary"].PermissionsBoundaryUsageCount == 0 {
		t.Errorf("local policies = %+v", local.Policies)
	}
	var none listResult
	decode(t, f.ok(f.sessionOf(prod, "OrganizationAccountAccessRole", "admin"), "ListPolicies", "Scope", "Local"), &none)
	if len(none.Policies) != 0 {
		t.Errorf("Prod has local policies %+v", none.Policies)
	}

	// AWS's policies, page by page.
	var awsPage listResult
	decode(t, f.ok(admin, "ListPolicies", "Scope", "AWS", "MaxItems", "100"), &awsPage)
	if len(awsPage.Policies) != 100 || !awsPage.IsTruncated || awsPage.Marker == "" {
		t.Fatalf("first page: %d policies, truncated %v", len(awsPage.Policies), awsPage.IsTruncated)
	}
	var next listResult
	decode(t, f.ok(admin, "ListPolicies", "Scope", "AWS", "MaxItems", "100", "Marker", awsPage.Marker), &next)
	if len(next.Policies) == 0 || next.Policies[0].Arn == awsPage.Policies[99].Arn || next.Policies[0].PolicyName < awsPage.Policies[99].PolicyName {
		t.Errorf("second page starts with %s after %s", next.Policies[0].PolicyName, awsPage.Policies[99].PolicyName)
	}

	// Only what is attached in the account.
	var attached listResult
	decode(t, f.ok(admin, "ListPolicies", "OnlyAttached", "true", "MaxItems", "1000"), &attached)
	names := map[string]bool{}
	for _, p := range attached.Policies {
		names[p.PolicyName] = true
		if p.AttachmentCount == 0 && p.PermissionsBoundaryUsageCount == 0 {
			t.Errorf("OnlyAttached returned unattached %s", p.PolicyName)
		}
	}
	for _, n := range []string{"AdministratorAccess", "DeveloperPermissions", "DeveloperBoundary", "ReadOnlyAccess"} {
		if !names[n] {
			t.Errorf("OnlyAttached is missing %s", n)
		}
	}
	var bounds listResult
	decode(t, f.ok(admin, "ListPolicies", "PolicyUsageFilter", "PermissionsBoundary", "OnlyAttached", "true"), &bounds)
	if len(bounds.Policies) != 1 || bounds.Policies[0].PolicyName != "DeveloperBoundary" {
		t.Errorf("boundaries = %+v", bounds.Policies)
	}
	var jobs listResult
	decode(t, f.ok(admin, "ListPolicies", "PathPrefix", "/job-function/"), &jobs)
	for _, p := range jobs.Policies {
		if !strings.HasPrefix(p.Path, "/job-function/") {
			t.Errorf("PathPrefix /job-function/ returned %s", p.Arn)
		}
	}
	if len(jobs.Policies) == 0 {
		t.Errorf("no job-function policies")
	}
	f.fail(admin, "ListPolicies", "ValidationError", "Scope", "Mine")
	f.fail(admin, "ListPolicies", "ValidationError", "OnlyAttached", "yes")
	f.fail(admin, "ListPolicies", "ValidationError", "PathPrefix", "job-function")
}
