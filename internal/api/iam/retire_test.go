package iam_test

import (
	"testing"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/state"
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

// Retiring the bootstrap key, as docs/serve.md describes it: a security
// engineer (the management account is the security and finance teams'
// alone) given AdministratorAccess there through Identity Center deletes
// warden-admin's key, detaches its policy and deletes the user; the key is
// then unknown.
func TestRetireTheBootstrapAdministrator(t *testing.T) {
	f := newFixture(t)
	if _, err := f.mgr.Mutate(f.ctx, func(d *state.Doc) error {
		_, err := d.Org.Assign("AdministratorAccess", org.UserPrincipal("sam@securecart.example"), "Management")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.ok(f.icSessionOf(mgmt, "AdministratorAccess", "sam"), "CreateUser", "UserName", "alice")
	sam := f.icSessionOf(mgmt, "AdministratorAccess", "sam")
	var keys keysResult
	decode(t, f.ok(sam, "ListAccessKeys", "UserName", "warden-admin"), &keys)
	if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != "Active" {
		t.Fatalf("warden-admin's keys: %+v", keys.AccessKeyMetadata)
	}
	id := keys.AccessKeyMetadata[0].AccessKeyID
	// The user cannot go while it has a key and a policy (DeleteConflict).
	f.fail(sam, "DeleteUser", "DeleteConflict", "UserName", "warden-admin")
	f.ok(sam, "DeleteAccessKey", "UserName", "warden-admin", "AccessKeyId", id)
	f.fail(sam, "DeleteUser", "DeleteConflict", "UserName", "warden-admin")
	f.ok(sam, "DetachUserPolicy", "UserName", "warden-admin", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	f.ok(sam, "DeleteUser", "UserName", "warden-admin")
	f.fail(sam, "GetUser", "NoSuchEntity", "UserName", "warden-admin")
	if _, err := f.st.AccessKey(f.ctx, id); err == nil {
		t.Errorf("the retired key %s is still stored", id)
	}
	// Finance, also signed in to the management account, cannot.
	f.fail(f.icSessionOf(mgmt, "Billing", "fran"), "CreateAccessKey", "AccessDenied", "UserName", "alice")
}
