package iam_test

import (
	"strings"
	"testing"
)

// The management account's root user may do everything in its account:
// SCPs do not apply to the management account.
func TestManagementRootMayDoEverything(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	f.ok(root, "CreateUser", "UserName", "ops")
	f.ok(root, "CreateAccessKey", "UserName", "ops")
	f.ok(root, "CreateRole", "RoleName", "ops-role", "AssumeRolePolicyDocument", trustEC2)
	f.ok(root, "PutRolePolicy", "RoleName", "ops-role", "PolicyName", "p", "PolicyDocument", readS3)
	f.ok(root, "CreatePolicy", "PolicyName", "Ops", "PolicyDocument", readS3)
	f.ok(root, "AttachRolePolicy", "RoleName", "ops-role", "PolicyArn", "arn:aws:iam::"+mgmt+":policy/Ops")
	// The landing zone's platform roles too (the guardrail is an SCP).
	f.ok(root, "UpdateRole", "RoleName", "SecurityAuditRole", "Description", "changed by the management root")
	f.ok(root, "ListRoles")
	f.ok(root, "ListPolicies", "Scope", "Local")
}

// A developer in Dev cannot create IAM users: the SecureCart SCP denies it.
func TestDeveloperCannotCreateUsers(t *testing.T) {
	f := newFixture(t)
	devRole := f.sessionOf(dev, "DeveloperRole", "alice")
	e := f.fail(devRole, "CreateUser", "AccessDenied", "UserName", "shadow-admin")
	want := "User: arn:aws:sts::" + dev + ":assumed-role/DeveloperRole/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::" + dev + ":user/shadow-admin with an explicit deny in a service control policy"
	if !strings.HasPrefix(e.Message, want) {
		t.Errorf("message = %q\nwant it to start with %q", e.Message, want)
	}
	// Nor access keys, even with the account's administrator role.
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	e = f.fail(admin, "CreateUser", "AccessDenied", "UserName", "shadow-admin")
	if !strings.Contains(e.Message, "with an explicit deny in a service control policy") {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(admin, "GetUser", "NoSuchEntity", "UserName", "shadow-admin")
}

// A developer may create application roles only within DeveloperBoundary.
func TestDeveloperRolesNeedTheBoundary(t *testing.T) {
	f := newFixture(t)
	devRole := f.sessionOf(dev, "DeveloperRole", "alice")
	boundary := "arn:aws:iam::" + dev + ":policy/DeveloperBoundary"

	e := f.fail(devRole, "CreateRole", "AccessDenied", "RoleName", "securecart-app-orders", "AssumeRolePolicyDocument", trustEC2)
	if !strings.Contains(e.Message, "iam:CreateRole on resource: arn:aws:iam::"+dev+":role/securecart-app-orders with an explicit deny in a permissions boundary") {
		t.Errorf("message = %q", e.Message)
	}
	// Another boundary will not do either.
	f.fail(devRole, "CreateRole", "AccessDenied", "RoleName", "securecart-app-orders", "AssumeRolePolicyDocument", trustEC2,
		"PermissionsBoundary", "arn:aws:iam::aws:policy/AdministratorAccess")
	var got roleResult
	decode(t, f.ok(devRole, "CreateRole", "RoleName", "securecart-app-orders", "AssumeRolePolicyDocument", trustEC2,
		"PermissionsBoundary", boundary), &got)
	if b := got.Role.PermissionsBoundary; b == nil || b.PermissionsBoundaryArn != boundary {
		t.Errorf("boundary = %+v", b)
	}
	// Only roles named securecart-app-*.
	e = f.fail(devRole, "CreateRole", "AccessDenied", "RoleName", "admin-role", "AssumeRolePolicyDocument", trustEC2, "PermissionsBoundary", boundary)
	if !strings.Contains(e.Message, "because no identity-based policy allows the iam:CreateRole action") {
		t.Errorf("message = %q", e.Message)
	}
	// Within the boundary, the developer manages the role.
	f.ok(devRole, "PutRolePolicy", "RoleName", "securecart-app-orders", "PolicyName", "p", "PolicyDocument", readS3)
	f.ok(devRole, "TagRole", "RoleName", "securecart-app-orders", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	f.fail(devRole, "DeleteRolePermissionsBoundary", "AccessDenied", "RoleName", "securecart-app-orders")
	f.fail(devRole, "PutRolePermissionsBoundary", "AccessDenied", "RoleName", "securecart-app-orders", "PermissionsBoundary", "arn:aws:iam::aws:policy/AdministratorAccess")
	// But not its own role, nor the boundary itself.
	f.fail(devRole, "PutRolePolicy", "AccessDenied", "RoleName", "DeveloperRole", "PolicyName", "p", "PolicyDocument", readS3)
	f.fail(devRole, "CreatePolicyVersion", "AccessDenied", "PolicyArn", boundary, "PolicyDocument", readS3, "SetAsDefault", "true")
	// Reading IAM is allowed.
	f.ok(devRole, "GetRole", "RoleName", "DeveloperRole")
	f.ok(devRole, "ListAttachedRolePolicies", "RoleName", "DeveloperRole")
}

// Calls act on the caller's own account; another account's policy is out of
// reach (IAM has no resource policies).
func TestOtherAccountsAreOutOfReach(t *testing.T) {
	f := newFixture(t)
	admin := f.sessionOf(dev, "OrganizationAccountAccessRole", "admin")
	f.fail(admin, "GetPolicy", "AccessDenied", "PolicyArn", "arn:aws:iam::"+staging+":policy/DeveloperBoundary")
	f.fail(rootOf(mgmt), "GetPolicy", "AccessDenied", "PolicyArn", "arn:aws:iam::"+staging+":policy/DeveloperBoundary")
	f.fail(admin, "SimulatePrincipalPolicy", "AccessDenied", "PolicySourceArn", "arn:aws:iam::"+staging+":role/DeveloperRole", "ActionNames.member.1", "s3:GetObject")
}

// An unknown caller, or one whose role is gone, is denied.
func TestDeletedCallerIsDenied(t *testing.T) {
	f := newFixture(t)
	ghost := f.sessionOf(dev, "NoSuchRole", "ghost")
	f.fail(ghost, "ListRoles", "AccessDenied")
}

// The condition keys of IAM actions reach the engine: resource tags,
// iam:PolicyARN and iam:PermissionsBoundary.
func TestConditionKeys(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	f.ok(root, "CreateRole", "RoleName", "tagged", "AssumeRolePolicyDocument", trustEC2, "Tags.member.1.Key", "team", "Tags.member.1.Value", "orders")
	f.ok(root, "CreateRole", "RoleName", "untagged", "AssumeRolePolicyDocument", trustEC2)
	f.ok(root, "CreateUser", "UserName", "ops")
	f.ok(root, "PutUserPolicy", "UserName", "ops", "PolicyName", "scoped", "PolicyDocument", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"orders"}}},
		{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}},
		{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::aws:policy/PowerUserAccess"}}}]}`)
	ops := userOf(mgmt, "/", "ops")
	f.ok(ops, "GetRole", "RoleName", "tagged")
	f.fail(ops, "GetRole", "AccessDenied", "RoleName", "untagged")
	f.ok(ops, "AttachRolePolicy", "RoleName", "untagged", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.fail(ops, "AttachRolePolicy", "AccessDenied", "RoleName", "untagged", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	f.ok(ops, "CreateRole", "RoleName", "bounded", "AssumeRolePolicyDocument", trustEC2, "PermissionsBoundary", "arn:aws:iam::aws:policy/PowerUserAccess")
	f.fail(ops, "CreateRole", "AccessDenied", "RoleName", "unbounded", "AssumeRolePolicyDocument", trustEC2)
}
