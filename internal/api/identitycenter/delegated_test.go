package identitycenter_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/securecart/warden/internal/server/servertest"
)

const (
	securityAccount   = "218364950271"
	managementAccount = "104729381562"
)

// The delegated administrator of IAM Identity Center (the landing zone's
// Security account) administers it from outside the management account,
// except what AWS keeps to the management account (IAM Identity Center User
// Guide, Delegated administration: it cannot manage "permission sets
// provisioned in the management account" nor "user access in the
// management account"); once deregistered, it administers nothing.
func TestDelegatedAdministrator(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	secCfg := accountAdmin(t, h, securityAccount)
	sa := ssoadmin.NewFromConfig(secCfg)
	li, err := sa.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(li.Instances) != 1 {
		t.Fatalf("ListInstances from the delegated administrator = %+v, %v", li, err)
	}
	in, st := li.Instances[0].InstanceArn, li.Instances[0].IdentityStoreId
	is := identitystore.NewFromConfig(secCfg)
	if _, err := is.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: st, UserName: aws.String("henry@securecart.example"), DisplayName: aws.String("Henry")}); err != nil {
		t.Errorf("CreateUser from the delegated administrator: %v", err)
	}
	setARN := func(name string) *string {
		t.Helper()
		sets, err := sa.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: in})
		if err != nil {
			t.Fatal(err)
		}
		for _, arn := range sets.PermissionSets {
			d, err := sa.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in, PermissionSetArn: aws.String(arn)})
			if err == nil && aws.ToString(d.PermissionSet.Name) == name {
				return aws.String(arn)
			}
		}
		t.Fatalf("no permission set %s", name)
		return nil
	}
	grp, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: stringDoc("Developers")}}})
	if err != nil {
		t.Fatal(err)
	}
	dev := setARN("DeveloperAccess")
	// Allowed: a permission set not provisioned in the management account,
	// and assignments in member accounts.
	if _, err := sa.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: in, PermissionSetArn: dev, Description: aws.String("Developers' view")}); err != nil {
		t.Errorf("UpdatePermissionSet(DeveloperAccess) from the delegated administrator: %v", err)
	}
	assignment := func(set *string, account string) (*ssoadmin.CreateAccountAssignmentOutput, error) {
		return sa.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: in, PermissionSetArn: set, PrincipalId: grp.GroupId,
			PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(account), TargetType: satypes.TargetTypeAwsAccount})
	}
	if out, err := assignment(dev, "654827139045"); err != nil || out.AccountAssignmentCreationStatus.Status != satypes.StatusValuesSucceeded {
		t.Errorf("CreateAccountAssignment(Prod) from the delegated administrator = %+v, %v", out, err)
	}

	// Refused: the management account's access, and what is provisioned there.
	var denied *satypes.AccessDeniedException
	if _, err := assignment(dev, managementAccount); !errors.As(err, &denied) {
		t.Errorf("CreateAccountAssignment(Management) from the delegated administrator: %v, want AccessDeniedException", err)
	}
	billing := setARN("Billing")
	if _, err := sa.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: billing,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); !errors.As(err, &denied) {
		t.Errorf("AttachManagedPolicyToPermissionSet(Billing, provisioned in Management) from the delegated administrator: %v, want AccessDeniedException", err)
	}
	if _, err := sa.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: setARN("SecurityAudit"),
		TargetType: satypes.ProvisionTargetTypeAllProvisionedAccounts}); !errors.As(err, &denied) {
		t.Errorf("ProvisionPermissionSet(SecurityAudit, provisioned in Management) from the delegated administrator: %v, want AccessDeniedException", err)
	}
	// The management account itself may.
	mgmt := ssoadmin.NewFromConfig(h.Config("", "", ""))
	if _, err := mgmt.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: billing,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")}); err != nil {
		t.Errorf("AttachManagedPolicyToPermissionSet(Billing) from the management account: %v", err)
	}
	// Another member account administers nothing.
	if _, err := ssoadmin.NewFromConfig(devAdmin(t, h)).ListInstances(ctx, &ssoadmin.ListInstancesInput{}); !errors.As(err, &denied) {
		t.Errorf("ListInstances from Dev: %v, want AccessDeniedException", err)
	}

	// Deregistered, Security administers nothing either.
	if _, err := organizations.NewFromConfig(h.Config("", "", "")).DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
		AccountId: aws.String(securityAccount), ServicePrincipal: aws.String("sso.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.ListInstances(ctx, &ssoadmin.ListInstancesInput{}); !errors.As(err, &denied) {
		t.Errorf("ListInstances from Security after deregistration: %v, want AccessDeniedException", err)
	}
	var isDenied *istypes.AccessDeniedException
	if _, err := is.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: st}); !errors.As(err, &isDenied) {
		t.Errorf("ListUsers from Security after deregistration: %v, want AccessDeniedException", err)
	}
}
