package identitycenter_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/securecart/warden/internal/server/servertest"
)

// Two replicas on one PostgreSQL database answer alike for sso-admin's
// asynchronous requests (the store's sso/requests records): what one
// records, the other describes and lists, with the same request IDs,
// statuses and dates.
func TestStatusesOnPostgreSQLReplicas(t *testing.T) {
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{})
	a, b := hs[0], hs[1]
	ctx := servertest.Ctx(t)
	// The admin's key was made by the replica that seeded the store.
	saA := ssoadmin.NewFromConfig(a.Config(a.AdminKeyID, a.AdminSecret, ""))
	saB := ssoadmin.NewFromConfig(b.Config(a.AdminKeyID, a.AdminSecret, ""))
	li, err := saA.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	in := li.Instances[0].InstanceArn
	ps, err := saA.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: in, Name: aws.String("Replicated")})
	if err != nil {
		t.Fatal(err)
	}
	arn := ps.PermissionSet.PermissionSetArn
	is := identitystore.NewFromConfig(a.Config(a.AdminKeyID, a.AdminSecret, ""))
	grp, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: li.Instances[0].IdentityStoreId, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: stringDoc("Security")}}})
	if err != nil {
		t.Fatal(err)
	}
	created, err := saA.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, PrincipalId: grp.GroupId,
		PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(devAccount), TargetType: satypes.TargetTypeAwsAccount})
	if err != nil || created.AccountAssignmentCreationStatus.Status != satypes.StatusValuesSucceeded {
		t.Fatalf("CreateAccountAssignment through A = %+v, %v", created, err)
	}
	prov, err := saA.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, TargetType: satypes.ProvisionTargetTypeAllProvisionedAccounts})
	if err != nil || prov.PermissionSetProvisioningStatus.Status != satypes.StatusValuesSucceeded {
		t.Fatalf("ProvisionPermissionSet through A = %+v, %v", prov, err)
	}
	deleted, err := saA.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, PrincipalId: grp.GroupId,
		PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(devAccount), TargetType: satypes.TargetTypeAwsAccount})
	if err != nil || deleted.AccountAssignmentDeletionStatus.Status != satypes.StatusValuesSucceeded {
		t.Fatalf("DeleteAccountAssignment through A = %+v, %v", deleted, err)
	}

	// B describes each request as A answered it.
	dc, err := saB.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: in,
		AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus.RequestId})
	if err != nil || dc.AccountAssignmentCreationStatus.Status != satypes.StatusValuesSucceeded ||
		aws.ToString(dc.AccountAssignmentCreationStatus.TargetId) != devAccount || aws.ToString(dc.AccountAssignmentCreationStatus.PrincipalId) != aws.ToString(grp.GroupId) ||
		!aws.ToTime(dc.AccountAssignmentCreationStatus.CreatedDate).Equal(aws.ToTime(created.AccountAssignmentCreationStatus.CreatedDate)) {
		t.Errorf("B: DescribeAccountAssignmentCreationStatus = %+v, %v; want A's %+v", dc, err, created.AccountAssignmentCreationStatus)
	}
	dp, err := saB.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: in,
		ProvisionPermissionSetRequestId: prov.PermissionSetProvisioningStatus.RequestId})
	if err != nil || dp.PermissionSetProvisioningStatus.Status != satypes.StatusValuesSucceeded || aws.ToString(dp.PermissionSetProvisioningStatus.PermissionSetArn) != aws.ToString(arn) {
		t.Errorf("B: DescribePermissionSetProvisioningStatus = %+v, %v", dp, err)
	}
	dd, err := saB.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: in,
		AccountAssignmentDeletionRequestId: deleted.AccountAssignmentDeletionStatus.RequestId})
	if err != nil || dd.AccountAssignmentDeletionStatus.Status != satypes.StatusValuesSucceeded {
		t.Errorf("B: DescribeAccountAssignmentDeletionStatus = %+v, %v", dd, err)
	}
	// And lists them; a request made through B is listed through A.
	again, err := saB.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		TargetId: aws.String(devAccount), TargetType: satypes.ProvisionTargetTypeAwsAccount})
	if err != nil {
		t.Fatal(err)
	}
	lp, err := saA.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: in})
	var ids []string
	if err == nil {
		for _, m := range lp.PermissionSetsProvisioningStatus {
			ids = append(ids, aws.ToString(m.RequestId))
		}
	}
	want := []string{aws.ToString(again.PermissionSetProvisioningStatus.RequestId), aws.ToString(prov.PermissionSetProvisioningStatus.RequestId)}
	if len(ids) != 2 || (ids[0] != want[0] && ids[1] != want[0]) || (ids[0] != want[1] && ids[1] != want[1]) {
		t.Errorf("A: ListPermissionSetProvisioningStatus = %v, %v; want %v", ids, err, want)
	}
	ld, err := saB.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: in,
		Filter: &satypes.OperationStatusFilter{Status: satypes.StatusValuesSucceeded}})
	if err != nil || len(ld.AccountAssignmentsDeletionStatus) != 1 ||
		aws.ToString(ld.AccountAssignmentsDeletionStatus[0].RequestId) != aws.ToString(deleted.AccountAssignmentDeletionStatus.RequestId) {
		t.Errorf("B: ListAccountAssignmentDeletionStatus = %+v, %v", ld, err)
	}
}
