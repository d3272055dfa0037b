package ssoportal_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/securecart/warden/internal/server/servertest"
)

// Negative twins of assignment: a person whose only assignment is deleted
// sees no account any more, and GetRoleCredentials stops at once, with a
// token issued before the deletion.
func TestDeletedAssignment(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	fiona := &servertest.Person{UserName: "fiona@securecart.example", Password: e.pws["fiona@securecart.example"], NewPassword: "Fiona-0wn-password"}
	tok, _ := e.signIn(t, fiona)
	mgmt := e.mgmt(t)
	accts, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	if err != nil || len(accts.AccountList) != 1 || aws.ToString(accts.AccountList[0].AccountId) != mgmt {
		t.Fatalf("fiona's accounts = %+v, %v; want the management account only", accts, err)
	}
	get := func() error {
		_, err := e.portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(mgmt), RoleName: aws.String("Billing")})
		return err
	}
	if err := get(); err != nil {
		t.Fatalf("GetRoleCredentials(Billing): %v", err)
	}

	// The administrator deletes the Finance group's Billing assignment.
	admin := e.h.Config("", "", "")
	sa := ssoadmin.NewFromConfig(admin)
	inst, err := sa.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	in := inst.Instances[0]
	g, err := identitystore.NewFromConfig(admin).GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: in.IdentityStoreId,
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Finance")}}})
	if err != nil {
		t.Fatal(err)
	}
	var billing *string
	sets, _ := sa.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: in.InstanceArn})
	for _, arn := range sets.PermissionSets {
		d, _ := sa.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in.InstanceArn, PermissionSetArn: aws.String(arn)})
		if aws.ToString(d.PermissionSet.Name) == "Billing" {
			billing = aws.String(arn)
		}
	}
	if _, err := sa.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in.InstanceArn, PermissionSetArn: billing,
		PrincipalId: g.GroupId, PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(mgmt), TargetType: satypes.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
	accts, err = e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	if err != nil || len(accts.AccountList) != 0 {
		t.Errorf("accounts of an unassigned person = %+v, %v; want none", accts.AccountList, err)
	}
	if err := get(); err == nil || !strings.Contains(err.Error(), "ForbiddenException") {
		t.Errorf("GetRoleCredentials after the assignment was deleted: %v, want ForbiddenException", err)
	}
	var unauth interface{ ErrorCode() string }
	if errors.As(get(), &unauth) && unauth.ErrorCode() == "UnauthorizedException" {
		t.Errorf("the token itself was revoked: want it valid, with nothing to use")
	}
}
