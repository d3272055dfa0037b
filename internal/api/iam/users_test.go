package iam_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
)

type userResult struct {
	User xUser `xml:"User"`
}

type accessKeyResult struct {
	AccessKey struct {
		UserName        string `xml:"UserName"`
		AccessKeyID     string `xml:"AccessKeyId"`
		Status          string `xml:"Status"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		CreateDate      string `xml:"CreateDate"`
	} `xml:"AccessKey"`
}

type keysResult struct {
	AccessKeyMetadata []struct {
		UserName    string `xml:"UserName"`
		AccessKeyID string `xml:"AccessKeyId"`
		Status      string `xml:"Status"`
	} `xml:"AccessKeyMetadata>member"`
	xPage
}

func TestUsers(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	var got userResult
	decode(t, f.ok(root, "CreateUser", "UserName", "ci-bot", "Path", "/ci/", "Tags.member.1.Key", "team", "Tags.member.1.Value", "platform"), &got)
	arn := "arn:aws:iam::" + mgmt + ":user/ci/ci-bot"
	u := got.User
	if u.Arn != arn || u.UserName != "ci-bot" || u.Path != "/ci/" || u.UserID != creds.StableID("AIDA", arn) || !strings.HasPrefix(u.UserID, "AIDA") {
		t.Errorf("CreateUser = %+v", u)
	}
	if u.CreateDate != "2026-11-22T12:00:00Z" || len(u.Tags) != 1 {
		t.Errorf("CreateDate, Tags = %s, %v", u.CreateDate, u.Tags)
	}
	got = userResult{}
	decode(t, f.ok(root, "GetUser", "UserName", "ci-bot"), &got)
	if got.User.Arn != arn {
		t.Errorf("GetUser = %+v", got.User)
	}
	// Without UserName: the caller.
	got = userResult{}
	decode(t, f.ok(root, "GetUser"), &got)
	if got.User.Arn != "arn:aws:iam::"+mgmt+":root" || got.User.UserID != mgmt || got.User.UserName != "" {
		t.Errorf("GetUser as root = %+v", got.User)
	}
	f.ok(root, "AttachUserPolicy", "UserName", "ci-bot", "PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
	got = userResult{}
	decode(t, f.ok(userOf(mgmt, "/ci/", "ci-bot"), "GetUser"), &got)
	if got.User.Arn != arn {
		t.Errorf("GetUser as ci-bot = %+v", got.User)
	}
	e := f.fail(f.sessionOf(mgmt, "SecurityAuditRole", "s"), "GetUser", "ValidationError")
	if e.Message != "Must specify userName when calling with non-User credentials" {
		t.Errorf("message = %q", e.Message)
	}

	e = f.fail(root, "CreateUser", "EntityAlreadyExists", "UserName", "CI-BOT")
	if e.Message != "User with name CI-BOT already exists." {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(root, "CreateUser", "ValidationError", "UserName", "a/b")
	f.fail(root, "CreateUser", "ValidationError", "UserName", strings.Repeat("u", 65))
	f.fail(root, "CreateUser", "NoSuchEntity", "UserName", "x", "PermissionsBoundary", "arn:aws:iam::"+mgmt+":policy/Nope")
	e = f.fail(root, "GetUser", "NoSuchEntity", "UserName", "nobody")
	if e.Message != "The user with name nobody cannot be found." {
		t.Errorf("message = %q", e.Message)
	}

	f.ok(root, "CreateUser", "UserName", "alice")
	type listResult struct {
		Users []xUser `xml:"Users>member"`
		xPage
	}
	var list listResult
	decode(t, f.ok(root, "ListUsers"), &list)
	var names []string
	for _, u := range list.Users {
		names = append(names, u.UserName)
	}
	// warden-admin is the bootstrap administrator (server.Bootstrap).
	if fmt.Sprint(names) != "[alice ci-bot warden-admin]" {
		t.Errorf("ListUsers = %v", names)
	}
	list = listResult{}
	decode(t, f.ok(root, "ListUsers", "PathPrefix", "/ci/"), &list)
	if len(list.Users) != 1 {
		t.Errorf("ListUsers /ci/ = %v", list.Users)
	}
	// Other accounts have their own users.
	list = listResult{}
	decode(t, f.ok(f.sessionOf(dev, "OrganizationAccountAccessRole", "admin"), "ListUsers"), &list)
	if len(list.Users) != 0 {
		t.Errorf("Dev has users %v", list.Users)
	}

	// Tags.
	f.ok(root, "TagUser", "UserName", "alice", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	type tagsResult struct {
		Tags []xTag `xml:"Tags>member"`
	}
	var tags tagsResult
	decode(t, f.ok(root, "ListUserTags", "UserName", "alice"), &tags)
	if fmt.Sprint(tags.Tags) != "[{k v}]" {
		t.Errorf("ListUserTags = %v", tags.Tags)
	}
	f.ok(root, "UntagUser", "UserName", "alice", "TagKeys.member.1", "k")
	tags = tagsResult{}
	decode(t, f.ok(root, "ListUserTags", "UserName", "alice"), &tags)
	if len(tags.Tags) != 0 {
		t.Errorf("after UntagUser: %v", tags.Tags)
	}
	f.fail(root, "TagUser", "NoSuchEntity", "UserName", "nobody", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
}

func TestDeleteUser(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	f.ok(root, "CreateUser", "UserName", "bob")
	var key accessKeyResult
	decode(t, f.ok(root, "CreateAccessKey", "UserName", "bob"), &key)
	e := f.fail(root, "DeleteUser", "DeleteConflict", "UserName", "bob")
	if e.Message != "Cannot delete entity, must delete access keys first." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(root, "DeleteAccessKey", "UserName", "bob", "AccessKeyId", key.AccessKey.AccessKeyID)
	f.ok(root, "PutUserPolicy", "UserName", "bob", "PolicyName", "p", "PolicyDocument", readS3)
	e = f.fail(root, "DeleteUser", "DeleteConflict", "UserName", "bob")
	if e.Message != "Cannot delete entity, must delete policies first." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(root, "DeleteUserPolicy", "UserName", "bob", "PolicyName", "p")
	f.ok(root, "AttachUserPolicy", "UserName", "bob", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	e = f.fail(root, "DeleteUser", "DeleteConflict", "UserName", "bob")
	if e.Message != "Cannot delete entity, must detach all policies first." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(root, "DetachUserPolicy", "UserName", "bob", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.ok(root, "DeleteUser", "UserName", "bob")
	f.fail(root, "GetUser", "NoSuchEntity", "UserName", "bob")
	f.fail(root, "DeleteUser", "NoSuchEntity", "UserName", "bob")
}

func TestUserPolicies(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	f.ok(root, "CreateUser", "UserName", "bob")
	f.ok(root, "PutUserPolicy", "UserName", "bob", "PolicyName", "ReadS3", "PolicyDocument", readS3)
	var got struct {
		UserName       string `xml:"UserName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}
	decode(t, f.ok(root, "GetUserPolicy", "UserName", "bob", "PolicyName", "ReadS3"), &got)
	if got.UserName != "bob" || unescape(t, got.PolicyDocument) != readS3 {
		t.Errorf("GetUserPolicy = %+v", got)
	}
	var names namesResult
	decode(t, f.ok(root, "ListUserPolicies", "UserName", "bob"), &names)
	if fmt.Sprint(names.PolicyNames) != "[ReadS3]" {
		t.Errorf("ListUserPolicies = %v", names.PolicyNames)
	}
	// A user's inline policies hold at most 2,048 characters together.
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[` +
		strings.TrimSuffix(strings.Repeat(`"arn:aws:s3:::bucket-with-a-long-name/*",`, 50), ",") + `]}]}`
	e := f.fail(root, "PutUserPolicy", "LimitExceeded", "UserName", "bob", "PolicyName", "Big", "PolicyDocument", big)
	if e.Message != "Maximum policy size of 2048 bytes exceeded for user bob" {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(root, "PutUserPolicy", "MalformedPolicyDocument", "UserName", "bob", "PolicyName", "p", "PolicyDocument", trustEC2)
	f.fail(root, "PutUserPolicy", "NoSuchEntity", "UserName", "nobody", "PolicyName", "p", "PolicyDocument", readS3)
	e = f.fail(root, "GetUserPolicy", "NoSuchEntity", "UserName", "bob", "PolicyName", "nope")
	if e.Message != "The user policy with name nope cannot be found." {
		t.Errorf("message = %q", e.Message)
	}
	f.ok(root, "DeleteUserPolicy", "UserName", "bob", "PolicyName", "ReadS3")
	f.fail(root, "DeleteUserPolicy", "NoSuchEntity", "UserName", "bob", "PolicyName", "ReadS3")

	f.ok(root, "AttachUserPolicy", "UserName", "bob", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	var att attachedResult
	decode(t, f.ok(root, "ListAttachedUserPolicies", "UserName", "bob"), &att)
	if len(att.AttachedPolicies) != 1 || att.AttachedPolicies[0].PolicyName != "ReadOnlyAccess" {
		t.Errorf("ListAttachedUserPolicies = %+v", att.AttachedPolicies)
	}
	f.fail(root, "AttachUserPolicy", "NoSuchEntity", "UserName", "bob", "PolicyArn", "arn:aws:iam::"+mgmt+":policy/Nope")
	f.fail(root, "DetachUserPolicy", "NoSuchEntity", "UserName", "bob", "PolicyArn", "arn:aws:iam::aws:policy/SecurityAudit")
	f.fail(root, "ListAttachedUserPolicies", "NoSuchEntity", "UserName", "nobody")

	f.ok(root, "PutUserPermissionsBoundary", "UserName", "bob", "PermissionsBoundary", "arn:aws:iam::aws:policy/PowerUserAccess")
	var u userResult
	decode(t, f.ok(root, "GetUser", "UserName", "bob"), &u)
	if u.User.PermissionsBoundary == nil || u.User.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Errorf("boundary = %+v", u.User.PermissionsBoundary)
	}
	f.fail(root, "PutUserPermissionsBoundary", "NoSuchEntity", "UserName", "bob", "PermissionsBoundary", "arn:aws:iam::aws:policy/NoSuchPolicy")
	f.ok(root, "DeleteUserPermissionsBoundary", "UserName", "bob")
	u = userResult{}
	decode(t, f.ok(root, "GetUser", "UserName", "bob"), &u)
	if u.User.PermissionsBoundary != nil {
		t.Errorf("boundary still set")
	}
}

func TestAccessKeys(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	f.ok(root, "CreateUser", "UserName", "bob")
	var k1, k2 accessKeyResult
	decode(t, f.ok(root, "CreateAccessKey", "UserName", "bob"), &k1)
	k := k1.AccessKey
	if !strings.HasPrefix(k.AccessKeyID, "AKIA") || len(k.AccessKeyID) != 20 || len(k.SecretAccessKey) != 40 || k.Status != "Active" || k.UserName != "bob" {
		t.Errorf("CreateAccessKey = %+v", k)
	}
	if acct, ok := creds.AccountOfKey(k.AccessKeyID); !ok || acct != mgmt {
		t.Errorf("the key carries account %s, want %s", acct, mgmt)
	}
	// Stored sealed, for the user.
	stored, err := f.st.AccessKey(f.ctx, k.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := f.sealer.Open(stored.SealedSecret, []byte("access-key:"+k.AccessKeyID))
	if err != nil || string(secret) != k.SecretAccessKey || stored.Owner != "arn:aws:iam::"+mgmt+":user/bob" {
		t.Errorf("stored key: owner %s, secret matches %v (%v)", stored.Owner, string(secret) == k.SecretAccessKey, err)
	}
	if strings.Contains(string(stored.SealedSecret), k.SecretAccessKey) {
		t.Errorf("the store holds the plaintext secret")
	}
	decode(t, f.ok(root, "CreateAccessKey", "UserName", "bob"), &k2)
	e := f.fail(root, "CreateAccessKey", "LimitExceeded", "UserName", "bob")
	if e.Message != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Errorf("message = %q", e.Message)
	}
	var list keysResult
	decode(t, f.ok(root, "ListAccessKeys", "UserName", "bob"), &list)
	if len(list.AccessKeyMetadata) != 2 || list.AccessKeyMetadata[0].UserName != "bob" {
		t.Errorf("ListAccessKeys = %+v", list.AccessKeyMetadata)
	}

	f.ok(root, "UpdateAccessKey", "UserName", "bob", "AccessKeyId", k.AccessKeyID, "Status", "Inactive")
	if stored, _ := f.st.AccessKey(f.ctx, k.AccessKeyID); stored.Status != "Inactive" {
		t.Errorf("status = %s, want Inactive", stored.Status)
	}
	f.fail(root, "UpdateAccessKey", "ValidationError", "UserName", "bob", "AccessKeyId", k.AccessKeyID, "Status", "Paused")
	// A key of another user is not found for this one.
	f.ok(root, "CreateUser", "UserName", "carol")
	e = f.fail(root, "UpdateAccessKey", "NoSuchEntity", "UserName", "carol", "AccessKeyId", k.AccessKeyID, "Status", "Active")
	if e.Message != "The Access Key with id "+k.AccessKeyID+" cannot be found" {
		t.Errorf("message = %q", e.Message)
	}

	type lastUsed struct {
		UserName          string `xml:"UserName"`
		AccessKeyLastUsed struct {
			LastUsedDate string `xml:"LastUsedDate"`
			ServiceName  string `xml:"ServiceName"`
			Region       string `xml:"Region"`
		} `xml:"AccessKeyLastUsed"`
	}
	var lu lastUsed
	decode(t, f.ok(root, "GetAccessKeyLastUsed", "AccessKeyId", k2.AccessKey.AccessKeyID), &lu)
	if lu.UserName != "bob" || lu.AccessKeyLastUsed.ServiceName != "N/A" || lu.AccessKeyLastUsed.Region != "N/A" || lu.AccessKeyLastUsed.LastUsedDate != "" {
		t.Errorf("never used: %+v", lu)
	}
	if err := f.st.TouchAccessKey(f.ctx, k2.AccessKey.AccessKeyID, start.Add(time.Hour), "sts", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	lu = lastUsed{}
	decode(t, f.ok(root, "GetAccessKeyLastUsed", "AccessKeyId", k2.AccessKey.AccessKeyID), &lu)
	if lu.AccessKeyLastUsed.LastUsedDate != "2026-11-22T13:00:00Z" || lu.AccessKeyLastUsed.ServiceName != "sts" || lu.AccessKeyLastUsed.Region != "eu-west-1" {
		t.Errorf("used: %+v", lu)
	}
	f.fail(root, "GetAccessKeyLastUsed", "NoSuchEntity", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA")

	f.ok(root, "DeleteAccessKey", "UserName", "bob", "AccessKeyId", k.AccessKeyID)
	f.fail(root, "DeleteAccessKey", "NoSuchEntity", "UserName", "bob", "AccessKeyId", k.AccessKeyID)
	f.fail(root, "DeleteAccessKey", "ValidationError", "UserName", "bob", "AccessKeyId", "short")
	f.fail(root, "CreateAccessKey", "NoSuchEntity", "UserName", "nobody")
}

// The root user makes keys for itself when it names no user; a role
// session must name one.
func TestRootAccessKeys(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	var k accessKeyResult
	decode(t, f.ok(root, "CreateAccessKey"), &k)
	stored, err := f.st.AccessKey(f.ctx, k.AccessKey.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Owner != "arn:aws:iam::"+mgmt+":root" || k.AccessKey.UserName != "" {
		t.Errorf("root key owner %s, UserName %q", stored.Owner, k.AccessKey.UserName)
	}
	// Bootstrap made none (its key is warden-admin's): two, then no more.
	f.ok(root, "CreateAccessKey")
	f.fail(root, "CreateAccessKey", "LimitExceeded")
	var list keysResult
	decode(t, f.ok(root, "ListAccessKeys"), &list)
	if len(list.AccessKeyMetadata) != 2 {
		t.Errorf("root has %d keys, want 2", len(list.AccessKeyMetadata))
	}
	f.fail(f.sessionOf(mgmt, "SecurityAuditRole", "s"), "CreateAccessKey", "ValidationError")
}
