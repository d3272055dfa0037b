package identitycenter_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/server/servertest"
)

type events struct {
	mu    sync.Mutex
	names []string
	recs  []*audit.Record
}

func (e *events) Record(_ context.Context, ev *api.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range audit.Records(ev) {
		e.names = append(e.names, r.EventSource+" "+r.EventName)
		e.recs = append(e.recs, r)
	}
	return nil
}

const storeID = "d-9067c3a1b2"

// The identity store through aws-sdk-go-v2: users, groups, memberships,
// their lookups and errors, and the trail.
func TestIdentityStore(t *testing.T) {
	ev := &events{}
	h := servertest.Start(t, servertest.Options{Audit: ev})
	ctx := servertest.Ctx(t)
	is := identitystore.NewFromConfig(h.Config("", "", ""))
	st := aws.String(storeID)

	u, err := is.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: st, UserName: aws.String("erin@securecart.example"), DisplayName: aws.String("Erin Contractor")})
	if err != nil {
		t.Fatal(err)
	}
	var conflict *istypes.ConflictException
	if _, err := is.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: st, UserName: aws.String("ERIN@securecart.example")}); !errors.As(err, &conflict) {
		t.Errorf("CreateUser of a taken user name (other case): %v, want ConflictException", err)
	}
	id, err := is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: stringDoc("erin@securecart.example")}}})
	if err != nil || aws.ToString(id.UserId) != aws.ToString(u.UserId) {
		t.Fatalf("GetUserId = %v, %v; want %s", id, err, aws.ToString(u.UserId))
	}
	d, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: st, UserId: u.UserId})
	if err != nil || aws.ToString(d.UserName) != "erin@securecart.example" || aws.ToString(d.DisplayName) != "Erin Contractor" {
		t.Errorf("DescribeUser = %+v, %v", d, err)
	}
	users, err := is.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: st, MaxResults: aws.Int32(4)})
	if err != nil || len(users.Users) != 4 || users.NextToken == nil {
		t.Fatalf("ListUsers page 1: %d users, next %v, %v; want 4 of 8 and a next token", len(users.Users), users.NextToken, err)
	}
	more, err := is.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: st, NextToken: users.NextToken})
	if err != nil || len(more.Users) != 4 || more.NextToken != nil {
		t.Errorf("ListUsers page 2: %d users, %v", len(more.Users), err)
	}
	if _, err := is.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: st, UserId: u.UserId,
		Operations: []istypes.AttributeOperation{{AttributePath: aws.String("userName"), AttributeValue: stringDoc("BOB@securecart.example")}}}); !errors.As(err, &conflict) ||
		conflict.Reason != istypes.ConflictExceptionReasonUniquenessConstraintViolation {
		t.Errorf("renaming a user to another's user name (in other case): %v, want ConflictException (UNIQUENESS_CONSTRAINT_VIOLATION)", err)
	}

	g, err := is.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: st, DisplayName: aws.String("Contractors"), Description: aws.String("Outside help")})
	if err != nil {
		t.Fatal(err)
	}
	m, err := is.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: st, GroupId: g.GroupId, MemberId: &istypes.MemberIdMemberUserId{Value: *u.UserId}})
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: stringDoc("Developers")}}})
	in, err := is.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: st, MemberId: &istypes.MemberIdMemberUserId{Value: *u.UserId},
		GroupIds: []string{*g.GroupId, aws.ToString(dev.GroupId)}})
	if err != nil || len(in.Results) != 2 || !in.Results[0].MembershipExists || in.Results[1].MembershipExists {
		t.Errorf("IsMemberInGroups = %+v, %v; want Contractors yes, Developers no", in, err)
	}
	ms, err := is.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: st, MemberId: &istypes.MemberIdMemberUserId{Value: *u.UserId}})
	if err != nil || len(ms.GroupMemberships) != 1 || aws.ToString(ms.GroupMemberships[0].MembershipId) != aws.ToString(m.MembershipId) {
		t.Errorf("ListGroupMembershipsForMember = %+v, %v", ms, err)
	}
	if _, err := is.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: st, MembershipId: m.MembershipId}); err != nil {
		t.Fatal(err)
	}
	var nf *istypes.ResourceNotFoundException
	if _, err := is.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: st, MembershipId: m.MembershipId}); !errors.As(err, &nf) || nf.ResourceType != istypes.ResourceTypeGroupMembership {
		t.Errorf("DescribeGroupMembership after delete: %v, want ResourceNotFoundException of GROUP_MEMBERSHIP", err)
	}
	if _, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String("d-0000000000"), UserId: u.UserId}); !errors.As(err, &nf) {
		t.Errorf("another identity store: %v, want ResourceNotFoundException", err)
	}
	if _, err := is.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: st, UserId: u.UserId}); err != nil {
		t.Fatal(err)
	}
	if _, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: st, UserId: u.UserId}); !errors.As(err, &nf) {
		t.Errorf("DescribeUser after delete: %v", err)
	}

	// A member account may not administer the store.
	dc := devAdmin(t, h)
	var denied *istypes.AccessDeniedException
	if _, err := identitystore.NewFromConfig(dc).ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: st}); !errors.As(err, &denied) {
		t.Errorf("ListUsers from Dev: %v, want AccessDeniedException", err)
	}
	// The trail has every change under CloudTrail's names.
	for _, want := range []string{"identitystore.amazonaws.com CreateUser", "identitystore.amazonaws.com CreateGroupMembership",
		"identitystore.amazonaws.com DeleteUser", "identitystore.amazonaws.com ListUsers"} {
		if !slices.Contains(ev.names, want) {
			t.Errorf("trail lacks %q", want)
		}
	}
}

// sso-admin through aws-sdk-go-v2: a permission set and its policies, an
// assignment that provisions the role in the account, and its removal.
func TestSSOAdmin(t *testing.T) {
	ev := &events{}
	h := servertest.Start(t, servertest.Options{Audit: ev})
	ctx := servertest.Ctx(t)
	sa := ssoadmin.NewFromConfig(h.Config("", "", ""))
	li, err := sa.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(li.Instances) != 1 {
		t.Fatalf("ListInstances = %+v, %v", li, err)
	}
	in := li.Instances[0].InstanceArn
	ps, err := sa.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: in, Name: aws.String("Auditor"), SessionDuration: aws.String("PT2H"),
		Tags: []satypes.Tag{{Key: aws.String("team"), Value: aws.String("security")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := ps.PermissionSet.PermissionSetArn
	var conflict *satypes.ConflictException
	if _, err := sa.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: in, Name: aws.String("Auditor")}); !errors.As(err, &conflict) {
		t.Errorf("CreatePermissionSet twice: %v, want ConflictException", err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(sa.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")}))
	must(sa.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`)}))
	must(sa.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		PermissionsBoundary: &satypes.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}))
	var invalid *satypes.ValidationException
	if _, err := sa.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Acton":"s3:*","Resource":"*"}]}`)}); !errors.As(err, &invalid) {
		t.Errorf("a malformed inline policy: %v, want ValidationException", err)
	}
	got, err := sa.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: in, PermissionSetArn: arn})
	if err != nil || aws.ToString(got.InlinePolicy) == "" {
		t.Errorf("GetInlinePolicyForPermissionSet = %v, %v", got, err)
	}

	// Not assigned: the role does not exist in Dev.
	iamDev := devIAM(t, h)
	roleName := roleOf(t, sa, in, arn)
	if _, err := iamDev.getRole(ctx, roleName); err == nil {
		t.Fatalf("role %s exists in Dev before any assignment", roleName)
	}
	is := identitystore.NewFromConfig(h.Config("", "", ""))
	grp, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: li.Instances[0].IdentityStoreId, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: stringDoc("Security")}}})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := sa.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, PrincipalId: grp.GroupId,
		PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(devAccount), TargetType: satypes.TargetTypeAwsAccount})
	if err != nil || ca.AccountAssignmentCreationStatus.Status != satypes.StatusValuesSucceeded {
		t.Fatalf("CreateAccountAssignment = %+v, %v", ca, err)
	}
	st, err := sa.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: in,
		AccountAssignmentCreationRequestId: ca.AccountAssignmentCreationStatus.RequestId})
	if err != nil || st.AccountAssignmentCreationStatus.Status != satypes.StatusValuesSucceeded {
		t.Errorf("DescribeAccountAssignmentCreationStatus = %+v, %v", st, err)
	}
	role, err := iamDev.getRole(ctx, roleName)
	if err != nil {
		t.Fatalf("provisioned role: %v", err)
	}
	if role.path != "/aws-reserved/sso.amazonaws.com/" || role.maxSession != 7200 || !contains(role.trust, "saml-provider/AWSSSO_72235f1a9c4b8e03_DO_NOT_DELETE") ||
		!contains(role.trust, "sts:AssumeRoleWithSAML") || role.boundary != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("provisioned role = %+v", role)
	}
	accts, err := sa.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: in, AccountId: aws.String(devAccount)})
	if err != nil || !slices.Contains(accts.PermissionSets, aws.ToString(arn)) {
		t.Errorf("ListPermissionSetsProvisionedToAccount(Dev) = %v, %v", accts, err)
	}
	var cflt *satypes.ConflictException
	if _, err := sa.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}); !errors.As(err, &cflt) {
		t.Errorf("DeletePermissionSet while assigned: %v, want ConflictException", err)
	}
	if _, err := sa.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, PrincipalId: grp.GroupId,
		PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(devAccount), TargetType: satypes.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamDev.getRole(ctx, roleName); err == nil {
		t.Errorf("role %s still exists after its last assignment was deleted", roleName)
	}
	must(sa.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))

	var denied *satypes.AccessDeniedException
	if _, err := ssoadmin.NewFromConfig(devAdmin(t, h)).ListInstances(ctx, &ssoadmin.ListInstancesInput{}); !errors.As(err, &denied) {
		t.Errorf("ListInstances from Dev: %v, want AccessDeniedException", err)
	}
	for _, want := range []string{"sso.amazonaws.com CreatePermissionSet", "sso.amazonaws.com CreateAccountAssignment", "sso.amazonaws.com DeleteAccountAssignment", "sso.amazonaws.com DeletePermissionSet"} {
		if !slices.Contains(ev.names, want) {
			t.Errorf("trail lacks %q", want)
		}
	}
}

var _ = sts.NewFromConfig
