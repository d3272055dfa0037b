package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/creds"
)

type roleResult struct {
	Role xRole `xml:"Role"`
}

func TestCreateRole(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	data := f.ok(admin, "CreateRole", "RoleName", "app-role", "Path", "/app/", "AssumeRolePolicyDocument", trustEC2,
		"Description", "An application role", "MaxSessionDuration", "7200",
		"Tags.member.1.Key", "team", "Tags.member.1.Value", "orders")
	var got roleResult
	decode(t, data, &got)
	wantARN := "arn:aws:iam::" + dev + ":role/app/app-role"
	r := got.Role
	if r.Arn != wantARN || r.RoleName != "app-role" || r.Path != "/app/" {
		t.Errorf("role = %s %s %s, want %s app-role /app/", r.Arn, r.RoleName, r.Path, wantARN)
	}
	if want := creds.StableID("AROA", wantARN); r.RoleID != want || !strings.HasPrefix(r.RoleID, "AROA") {
		t.Errorf("RoleId = %s, want %s", r.RoleID, want)
	}
	if r.CreateDate != "2026-11-22T12:00:00Z" {
		t.Errorf("CreateDate = %s, want 2026-11-22T12:00:00Z", r.CreateDate)
	}
	if doc := unescape(t, r.AssumeRolePolicyDocument); doc != trustEC2 {
		t.Errorf("AssumeRolePolicyDocument = %s, want %s", doc, trustEC2)
	}
	if r.Description != "An application role" || r.MaxSessionDuration != 7200 {
		t.Errorf("Description, MaxSessionDuration = %q, %d", r.Description, r.MaxSessionDuration)
	}
	if len(r.Tags) != 1 || r.Tags[0] != (xTag{"team", "orders"}) {
		t.Errorf("Tags = %v, want [team=orders]", r.Tags)
	}

	// GetRole reads it back; the account's other roles are untouched.
	var again roleResult
	decode(t, f.ok(admin, "GetRole", "RoleName", "app-role"), &again)
	if again.Role.Arn != wantARN || again.Role.CreateDate != r.CreateDate {
		t.Errorf("GetRole = %+v", again.Role)
	}
	// Names ignore case.
	decode(t, f.ok(admin, "GetRole", "RoleName", "APP-ROLE"), &again)
	if again.Role.RoleName != "app-role" {
		t.Errorf("GetRole APP-ROLE = %s, want app-role", again.Role.RoleName)
	}
	// Only the caller's account has it.
	f.fail(f.sessionOf(staging, "OrganizationAccountAccessRole", "admin"), "GetRole", "NoSuchEntity", "RoleName", "app-role")

	e := f.fail(admin, "CreateRole", "EntityAlreadyExists", "RoleName", "APP-role", "AssumeRolePolicyDocument", trustEC2)
	if e.Message != "Role with name APP-role already exists." {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "CreateRole", "EntityAlreadyExists", "RoleName", "DeveloperRole", "AssumeRolePolicyDocument", trustEC2)
}

func TestCreateRoleErrors(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	trustWithResource := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`
	trustUnknownRole := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dev + `:role/NoSuchRole"},"Action":"sts:AssumeRole"}]}`
	bigTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":["` +
		strings.Repeat("111122223333\",\"", 160) + `111122223333"]}}}]}`
	tags51 := []string{}
	for i := range 51 {
		tags51 = append(tags51, fmt.Sprintf("Tags.member.%d.Key", i+1), fmt.Sprintf("k%d", i), fmt.Sprintf("Tags.member.%d.Value", i+1), "v")
	}
	tests := []struct {
		name, code, contains string
		kv                   []string
	}{
		{"missing name", "ValidationError", "roleName", []string{"AssumeRolePolicyDocument", trustEC2}},
		{"bad name", "ValidationError", "regular expression", []string{"RoleName", "bad name", "AssumeRolePolicyDocument", trustEC2}},
		{"long name", "ValidationError", "64", []string{"RoleName", strings.Repeat("a", 65), "AssumeRolePolicyDocument", trustEC2}},
		{"bad path", "ValidationError", "path", []string{"RoleName", "r", "Path", "app", "AssumeRolePolicyDocument", trustEC2}},
		{"no trust", "ValidationError", "assumeRolePolicyDocument", []string{"RoleName", "r"}},
		{"session too short", "ValidationError", "greater than or equal to 3600", []string{"RoleName", "r", "AssumeRolePolicyDocument", trustEC2, "MaxSessionDuration", "3599"}},
		{"session too long", "ValidationError", "less than or equal to 43200", []string{"RoleName", "r", "AssumeRolePolicyDocument", trustEC2, "MaxSessionDuration", "43201"}},
		{"not JSON", "MalformedPolicyDocument", "", []string{"RoleName", "r", "AssumeRolePolicyDocument", "{"}},
		{"trust with Resource", "MalformedPolicyDocument", "Resource", []string{"RoleName", "r", "AssumeRolePolicyDocument", trustWithResource}},
		{"identity policy as trust", "MalformedPolicyDocument", "", []string{"RoleName", "r", "AssumeRolePolicyDocument", readS3}},
		{"unknown principal", "MalformedPolicyDocument", "NoSuchRole", []string{"RoleName", "r", "AssumeRolePolicyDocument", trustUnknownRole}},
		{"trust too large", "LimitExceeded", "ACLSizePerRole", []string{"RoleName", "r", "AssumeRolePolicyDocument", bigTrust}},
		{"unknown boundary", "NoSuchEntity", "does not exist", []string{"RoleName", "r", "AssumeRolePolicyDocument", trustEC2, "PermissionsBoundary", "arn:aws:iam::" + dev + ":policy/NoSuchPolicy"}},
		{"boundary of another account", "NoSuchEntity", "does not exist", []string{"RoleName", "r", "AssumeRolePolicyDocument", trustEC2, "PermissionsBoundary", "arn:aws:iam::" + prod + ":policy/DeveloperBoundary"}},
		{"duplicate tag keys", "InvalidInput", "Duplicate tag keys", []string{"RoleName", "r", "AssumeRolePolicyDocument", trustEC2, "Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "A", "Tags.member.2.Value", "2"}},
		{"51 tags", "ValidationError", "50", append([]string{"RoleName", "r", "AssumeRolePolicyDocument", trustEC2}, tags51...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := f.fail(admin, "CreateRole", tc.code, tc.kv...)
			if !strings.Contains(e.Message, tc.contains) {
				t.Errorf("message %q does not mention %q", e.Message, tc.contains)
			}
		})
	}
	// Nothing was created.
	f.fail(admin, "GetRole", "NoSuchEntity", "RoleName", "r")
}

func TestGetRoleOfAWS(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	var got roleResult
	decode(t, f.ok(admin, "GetRole", "RoleName", "AWSServiceRoleForAmazonGuardDuty"), &got)
	if got.Role.Path != "/aws-service-role/guardduty.amazonaws.com/" {
		t.Errorf("service-linked role path = %s", got.Role.Path)
	}
	if doc := unescape(t, got.Role.AssumeRolePolicyDocument); !strings.Contains(doc, "guardduty.amazonaws.com") {
		t.Errorf("service-linked role trust = %s", doc)
	}
	// AWS protects it.
	e := f.fail(admin, "DeleteRole", "UnmodifiableEntity", "RoleName", "AWSServiceRoleForAmazonGuardDuty")
	if !strings.Contains(e.Message, "protected role") {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "GetRole", "NoSuchEntity", "RoleName", "NoSuchRole")
}

func TestListRoles(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	for _, n := range []string{"b-role", "a-role", "c-role"} {
		f.ok(admin, "CreateRole", "RoleName", n, "Path", "/app/", "AssumeRolePolicyDocument", trustEC2)
	}
	type listResult struct {
		Roles []xRole `xml:"Roles>member"`
		xPage
	}
	var names []string
	marker := ""
	for pages := 0; ; pages++ {
		kv := []string{"PathPrefix", "/app/", "MaxItems", "2"}
		if marker != "" {
			kv = append(kv, "Marker", marker)
		}
		var page listResult
		decode(t, f.ok(admin, "ListRoles", kv...), &page)
		for _, r := range page.Roles {
			names = append(names, r.RoleName)
			if len(r.Tags) != 0 || r.PermissionsBoundary != nil {
				t.Errorf("ListRoles returned tags or a boundary for %s", r.RoleName)
			}
		}
		if !page.IsTruncated {
			break
		}
		if page.Marker == "" || pages > 3 {
			t.Fatalf("truncated page without a marker")
		}
		marker = page.Marker
	}
	if got, want := strings.Join(names, ","), "a-role,b-role,c-role"; got != want {
		t.Errorf("roles = %s, want %s", got, want)
	}

	// Without a prefix: every role of the account, the landing zone's too.
	var all listResult
	decode(t, f.ok(admin, "ListRoles", "MaxItems", "1000"), &all)
	have := map[string]bool{}
	for _, r := range all.Roles {
		have[r.RoleName] = true
		if !strings.Contains(r.Arn, ":"+dev+":") {
			t.Errorf("ListRoles in Dev returned %s", r.Arn)
		}
	}
	for _, n := range []string{"DeveloperRole", "OrganizationAccountAccessRole", "AWSServiceRoleForAmazonGuardDuty", "a-role"} {
		if !have[n] {
			t.Errorf("ListRoles is missing %s", n)
		}
	}
	f.fail(admin, "ListRoles", "ValidationError", "MaxItems", "0")
	f.fail(admin, "ListRoles", "ValidationError", "MaxItems", "1001")
	f.fail(admin, "ListRoles", "ValidationError", "Marker", "!!")
}

func TestDeleteRole(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	f.ok(admin, "CreateRole", "RoleName", "doomed", "AssumeRolePolicyDocument", trustEC2)
	f.ok(admin, "AttachRolePolicy", "RoleName", "doomed", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	e := f.fail(admin, "DeleteRole", "DeleteConflict", "RoleName", "doomed")
	if e.Message != "Cannot delete entity, must detach all policies first." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(admin, "DetachRolePolicy", "RoleName", "doomed", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.ok(admin, "PutRolePolicy", "RoleName", "doomed", "PolicyName", "inline", "PolicyDocument", readS3)
	e = f.fail(admin, "DeleteRole", "DeleteConflict", "RoleName", "doomed")
	if e.Message != "Cannot delete entity, must delete policies first." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(admin, "DeleteRolePolicy", "RoleName", "doomed", "PolicyName", "inline")
	f.ok(admin, "DeleteRole", "RoleName", "doomed")
	f.fail(admin, "GetRole", "NoSuchEntity", "RoleName", "doomed")
	f.fail(admin, "DeleteRole", "NoSuchEntity", "RoleName", "doomed")

	// A role another role's trust policy names cannot go: the org would
	// name a principal that does not exist.
	f.ok(admin, "CreateRole", "RoleName", "trusted", "AssumeRolePolicyDocument", trustEC2)
	f.ok(admin, "CreateRole", "RoleName", "trusting", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+dev+`:role/trusted"},"Action":"sts:AssumeRole"}]}`)
	f.fail(admin, "DeleteRole", "DeleteConflict", "RoleName", "trusted")
}

// A role the landing zone defines for several accounts changes in the
// caller's account only.
func TestSharedRoleSplits(t *testing.T) {
	f := newFixture(t)
	devAdmin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	stagingAdmin := f.sessionOf(staging, "OrganizationAccountAccessRole", "admin")

	// SecurityAuditRole is defined once for six accounts.
	f.ok(devAdmin, "UpdateRole", "RoleName", "SecurityAuditRole", "Description", "Dev's own", "MaxSessionDuration", "7200")
	var d, s roleResult
	decode(t, f.ok(devAdmin, "GetRole", "RoleName", "SecurityAuditRole"), &d)
	decode(t, f.ok(stagingAdmin, "GetRole", "RoleName", "SecurityAuditRole"), &s)
	if d.Role.Description != "Dev's own" || d.Role.MaxSessionDuration != 7200 {
		t.Errorf("Dev's SecurityAuditRole = %q %d, want the new description and 7200", d.Role.Description, d.Role.MaxSessionDuration)
	}
	if s.Role.Description == "Dev's own" || s.Role.MaxSessionDuration != 3600 {
		t.Errorf("Staging's SecurityAuditRole changed too: %q %d", s.Role.Description, s.Role.MaxSessionDuration)
	}
	if d.Role.CreateDate != s.Role.CreateDate || unescape(t, d.Role.AssumeRolePolicyDocument) != unescape(t, s.Role.AssumeRolePolicyDocument) {
		t.Errorf("the split copy lost the role's trust policy or creation date")
	}

	// OrganizationAccountAccessRole is defined for every member account ("*").
	f.ok(devAdmin, "TagRole", "RoleName", "OrganizationAccountAccessRole", "Tags.member.1.Key", "owner", "Tags.member.1.Value", "dev-team")
	d, s = roleResult{}, roleResult{}
	decode(t, f.ok(devAdmin, "GetRole", "RoleName", "OrganizationAccountAccessRole"), &d)
	decode(t, f.ok(stagingAdmin, "GetRole", "RoleName", "OrganizationAccountAccessRole"), &s)
	if len(d.Role.Tags) != 1 || len(s.Role.Tags) != 0 {
		t.Errorf("tags: Dev %v, Staging %v; want the tag in Dev only", d.Role.Tags, s.Role.Tags)
	}
	// The role still exists, unchanged, in every other member account.
	o, err := f.mgr.Org(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range o.Accounts {
		_, ok := o.Role(a.ID, "OrganizationAccountAccessRole")
		if want := a != o.Management; ok != want {
			t.Errorf("account %s has OrganizationAccountAccessRole: %v, want %v", a.Name, ok, want)
		}
	}
}

func TestUpdateAssumeRolePolicy(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	f.ok(admin, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", trustEC2)
	lambdaTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	f.ok(admin, "UpdateAssumeRolePolicy", "RoleName", "app", "PolicyDocument", lambdaTrust)
	var got roleResult
	decode(t, f.ok(admin, "GetRole", "RoleName", "app"), &got)
	if doc := unescape(t, got.Role.AssumeRolePolicyDocument); doc != lambdaTrust {
		t.Errorf("trust = %s, want %s", doc, lambdaTrust)
	}
	f.fail(admin, "UpdateAssumeRolePolicy", "MalformedPolicyDocument", "RoleName", "app", "PolicyDocument", readS3)
	f.fail(admin, "UpdateAssumeRolePolicy", "NoSuchEntity", "RoleName", "nope", "PolicyDocument", lambdaTrust)
	f.fail(admin, "UpdateAssumeRolePolicy", "ValidationError", "RoleName", "app")
}

func TestUpdateRole(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	f.ok(admin, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", trustEC2, "Description", "old")
	f.ok(admin, "UpdateRole", "RoleName", "app", "MaxSessionDuration", "43200")
	var got roleResult
	decode(t, f.ok(admin, "GetRole", "RoleName", "app"), &got)
	if got.Role.MaxSessionDuration != 43200 || got.Role.Description != "old" {
		t.Errorf("after UpdateRole: %d %q, want 43200 old", got.Role.MaxSessionDuration, got.Role.Description)
	}
	decode(t, f.ok(admin, "UpdateRoleDescription", "RoleName", "app", "Description", "new"), &got)
	if got.Role.Description != "new" {
		t.Errorf("UpdateRoleDescription returned %q", got.Role.Description)
	}
	f.fail(admin, "UpdateRole", "ValidationError", "RoleName", "app", "MaxSessionDuration", "60")
	f.fail(admin, "UpdateRole", "ValidationError", "RoleName", "app", "Description", strings.Repeat("x", 1001))
	f.fail(admin, "UpdateRole", "NoSuchEntity", "RoleName", "nope", "Description", "x")
}

func TestRoleTags(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	f.ok(admin, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", trustEC2, "Tags.member.1.Key", "Env", "Tags.member.1.Value", "dev")
	// A key of another case replaces the value.
	f.ok(admin, "TagRole", "RoleName", "app", "Tags.member.1.Key", "env", "Tags.member.1.Value", "test", "Tags.member.2.Key", "team", "Tags.member.2.Value", "orders")
	type tagsResult struct {
		Tags []xTag `xml:"Tags>member"`
		xPage
	}
	var got tagsResult
	decode(t, f.ok(admin, "ListRoleTags", "RoleName", "app"), &got)
	if fmt.Sprint(got.Tags) != "[{env test} {team orders}]" {
		t.Errorf("tags = %v", got.Tags)
	}
	got = tagsResult{}
	decode(t, f.ok(admin, "ListRoleTags", "RoleName", "app", "MaxItems", "1"), &got)
	if len(got.Tags) != 1 || !got.IsTruncated {
		t.Errorf("page of one: %v truncated=%v", got.Tags, got.IsTruncated)
	}
	f.ok(admin, "UntagRole", "RoleName", "app", "TagKeys.member.1", "ENV", "TagKeys.member.2", "absent")
	got = tagsResult{}
	decode(t, f.ok(admin, "ListRoleTags", "RoleName", "app"), &got)
	if fmt.Sprint(got.Tags) != "[{team orders}]" {
		t.Errorf("after UntagRole: %v", got.Tags)
	}
	// At most 50 tags on a role.
	var kv []string
	for i := range 50 {
		kv = append(kv, fmt.Sprintf("Tags.member.%d.Key", i+1), fmt.Sprintf("k%d", i), fmt.Sprintf("Tags.member.%d.Value", i+1), "v")
	}
	f.fail(admin, "TagRole", "LimitExceeded", append([]string{"RoleName", "app"}, kv...)...)
	f.fail(admin, "TagRole", "ValidationError", "RoleName", "app")
	f.fail(admin, "TagRole", "NoSuchEntity", "RoleName", "nope", "Tags.member.1.Key", "a", "Tags.member.1.Value", "b")
	f.fail(admin, "UntagRole", "ValidationError", "RoleName", "app")
	f.fail(admin, "ListRoleTags", "NoSuchEntity", "RoleName", "nope")
}
