package ssoportal_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/server/servertest"
)

// Renaming a user (UpdateUser of userName) and a group (UpdateGroup of
// displayName), as AWS's identity store allows (Identity Store API
// Reference, UpdateUser: "For more information on the attributes that can
// be added, replaced, or removed, see User"): the IDs stay, and with them
// the memberships, the account assignments, the person's password and
// TOTP, the tokens already issued, and what the portal answers.
func TestRenameKeepsAccess(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	alice := &servertest.Person{UserName: "alice@securecart.example", Password: e.pws["alice@securecart.example"], NewPassword: "Alice-new-passw0rd"}
	tok, _ := e.signIn(t, alice)

	admin := e.h.Config("", "", "")
	is, sa := identitystore.NewFromConfig(admin), ssoadmin.NewFromConfig(admin)
	li, err := sa.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	st := li.Instances[0].IdentityStoreId
	userID := func(attr, value string) (string, error) {
		out, err := is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
			Value: istypes.UniqueAttribute{AttributePath: aws.String(attr), AttributeValue: document.NewLazyDocument(value)}}})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.UserId), nil
	}
	uid, err := userID("userName", "alice@securecart.example")
	if err != nil {
		t.Fatal(err)
	}
	gid, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Developers")}}})
	if err != nil {
		t.Fatal(err)
	}

	// Rename both, and give alice a new external ID.
	if _, err := is.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: st, UserId: aws.String(uid), Operations: []istypes.AttributeOperation{
		{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("alice.w@securecart.example")},
		{AttributePath: aws.String("externalIds"), AttributeValue: document.NewLazyDocument([]map[string]any{{"Issuer": "https://login.microsoftonline.com/t/v2.0", "Id": "a1"}})},
	}}); err != nil {
		t.Fatalf("UpdateUser(userName, externalIds): %v", err)
	}
	if _, err := is.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: st, GroupId: gid.GroupId, Operations: []istypes.AttributeOperation{
		{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Engineers")}}}); err != nil {
		t.Fatalf("UpdateGroup(displayName): %v", err)
	}
	var conflict *istypes.ConflictException
	if _, err := is.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: st, GroupId: gid.GroupId, Operations: []istypes.AttributeOperation{
		{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("security")}}}); !errors.As(err, &conflict) ||
		conflict.Reason != istypes.ConflictExceptionReasonUniquenessConstraintViolation {
		t.Errorf("UpdateGroup to another group's name: %v, want ConflictException (UNIQUENESS_CONSTRAINT_VIOLATION)", err)
	}

	// The identity store answers by the new names, with the same IDs.
	d, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: st, UserId: aws.String(uid)})
	if err != nil || aws.ToString(d.UserName) != "alice.w@securecart.example" || len(d.ExternalIds) != 1 || aws.ToString(d.ExternalIds[0].Id) != "a1" {
		t.Errorf("DescribeUser after the rename = %+v, %v", d, err)
	}
	if id, err := userID("userName", "alice.w@securecart.example"); err != nil || id != uid {
		t.Errorf("GetUserId(new name) = %s, %v; want %s", id, err, uid)
	}
	if id, err := userID("emails.value", "alice@securecart.example"); err != nil || id != uid {
		t.Errorf("GetUserId(email) = %s, %v; want %s", id, err, uid)
	}
	var nf *istypes.ResourceNotFoundException
	if _, err := userID("userName", "alice@securecart.example"); !errors.As(err, &nf) {
		t.Errorf("GetUserId(old name): %v, want ResourceNotFoundException", err)
	}
	if ext, err := is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberExternalId{
		Value: istypes.ExternalId{Issuer: aws.String("https://login.microsoftonline.com/t/v2.0"), Id: aws.String("a1")}}}); err != nil || aws.ToString(ext.UserId) != uid {
		t.Errorf("GetUserId(the new external ID) = %+v, %v", ext, err)
	}
	g, err := is.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: st, GroupId: gid.GroupId})
	if err != nil || aws.ToString(g.DisplayName) != "Engineers" {
		t.Errorf("DescribeGroup after the rename = %+v, %v", g, err)
	}
	ms, err := is.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: st, MemberId: &istypes.MemberIdMemberUserId{Value: uid}})
	var groups []string
	if err == nil {
		for _, m := range ms.GroupMemberships {
			groups = append(groups, aws.ToString(m.GroupId))
		}
	}
	if !slices.Contains(groups, aws.ToString(gid.GroupId)) {
		t.Errorf("alice's memberships after the renames = %v, %v; want the renamed group %s", groups, err, aws.ToString(gid.GroupId))
	}

	// The token issued before the rename still serves; the portal answers
	// what the renamed group is assigned, and the session bears the new name.
	accts, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	var names []string
	if err == nil {
		for _, a := range accts.AccountList {
			names = append(names, aws.ToString(a.AccountName))
		}
	}
	if !slices.Equal(names, []string{"Dev", "Staging"}) {
		t.Fatalf("ListAccounts after the renames = %v, %v; want [Dev Staging]", names, err)
	}
	dev := e.account(t, "Dev")
	rc, err := e.portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(dev), RoleName: aws.String("DeveloperAccess")})
	if err != nil {
		t.Fatalf("GetRoleCredentials after the renames: %v", err)
	}
	c := rc.RoleCredentials
	who, err := sts.NewFromConfig(e.h.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(who.Arn), "/alice.w@securecart.example") {
		t.Errorf("caller after the rename = %v, %v; want a session named alice.w@securecart.example", who, err)
	}

	// She signs in again under her new name with the password and TOTP she
	// set before it; the old name no longer signs in.
	e.h.Clock.Advance(time.Minute)
	if pg, err := servertest.NewBrowser(e.h.URL).Approve(e.deviceURL(t), &servertest.Person{UserName: "alice@securecart.example", Password: "Alice-new-passw0rd", Seed: alice.Seed},
		e.h.Clock.Now, true); err == nil && pg.Title == "Request approved" {
		t.Errorf("the old user name signed in after the rename")
	}
	e.h.Clock.Advance(time.Minute)
	if pg, err := servertest.NewBrowser(e.h.URL).Approve(e.deviceURL(t), &servertest.Person{UserName: "alice.w@securecart.example", Password: "Alice-new-passw0rd", Seed: alice.Seed},
		e.h.Clock.Now, true); err != nil || pg.Title != "Request approved" {
		t.Errorf("sign-in under the new name with the same password and TOTP: %q, %v", pg.Title, err)
	}
}

// deviceURL starts a device authorization and returns its verification URL.
func (e *env) deviceURL(t *testing.T) string {
	t.Helper()
	ctx := servertest.Ctx(t)
	reg, err := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("again"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		StartUrl: aws.String(e.h.URL + "/start")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(da.VerificationUriComplete)
}
