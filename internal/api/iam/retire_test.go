package iam_test

import (
	"testing"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
)

// icSessionOf is a session of the role Identity Center provisions for a
// permission set in an account.
func (f *fixture) icSessionOf(acct, permissionSet, name string) *api.Identity {
	f.t.Helper()
	o, err := f.mgr.Org(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	role, ok := o.PermissionSetRoleName(permissionSet)
	if !ok {
		f.t.Fatalf("no permission set %s", permissionSet)
	}
	roleARN := "arn:aws:iam::" + acct + ":role/aws-reserved/sso.amazonaws.com/" + role
	s := &creds.Session{AccessKeyID: creds.NewAccessKeyID(creds.PrefixTemporary, acct), Kind: "assumed-role",
		Principal: "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + name, Account: acct,
		UserID: creds.StableID("AROA", roleARN) + ":" + name, RoleARN: roleARN, Issued: f.now, Expires: f.now.Add(time.Hour)}
	return &api.Identity{ARN: s.Principal, Account: acct, UserID: s.UserID, Kind: policy.CallerAssumedRole, AccessKeyID: s.AccessKeyID, Session: s}
}

// Retiring the bootstrap key, as docs/serve.md describes it: an
// administrator signed in through Identity Center (AdministratorAccess in
// the management account) deletes warden-admin's key, detaches its policy
// and deletes the user; the key is then unknown.
func TestRetireTheBootstrapAdministrator(t *testing.T) {
	f := newFixture(t)
	f.ok(f.icSessionOf(mgmt, "AdministratorAccess", "carol"), "CreateUser", "UserName", "alice")
	carol := f.icSessionOf(mgmt, "AdministratorAccess", "carol")
	var keys keysResult
	decode(t, f.ok(carol, "ListAccessKeys", "UserName", "warden-admin"), &keys)
	if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != "Active" {
		t.Fatalf("warden-admin's keys: %+v", keys.AccessKeyMetadata)
	}
	id := keys.AccessKeyMetadata[0].AccessKeyID
	// The user cannot go while it has a key and a policy (DeleteConflict).
	f.fail(carol, "DeleteUser", "DeleteConflict", "UserName", "warden-admin")
	f.ok(carol, "DeleteAccessKey", "UserName", "warden-admin", "AccessKeyId", id)
	f.fail(carol, "DeleteUser", "DeleteConflict", "UserName", "warden-admin")
	f.ok(carol, "DetachUserPolicy", "UserName", "warden-admin", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	f.ok(carol, "DeleteUser", "UserName", "warden-admin")
	f.fail(carol, "GetUser", "NoSuchEntity", "UserName", "warden-admin")
	if _, err := f.st.AccessKey(f.ctx, id); err == nil {
		t.Errorf("the retired key %s is still stored", id)
	}
	// Finance, also signed in to the management account, cannot.
	f.fail(f.icSessionOf(mgmt, "Billing", "fran"), "CreateAccessKey", "AccessDenied", "UserName", "alice")
}
