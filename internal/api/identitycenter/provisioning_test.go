package identitycenter_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	satypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/securecart/warden/internal/server/servertest"
)

const (
	stagingAccount = "545318026714"
	prodAccount    = "654827139045"
)

// Provisioning as AWS does it (sso-admin API Reference,
// CreateAccountAssignment: "If the permission set is subsequently updated,
// the corresponding IAM policies attached to roles in your accounts will not
// be updated automatically. In this case, you must call
// ProvisionPermissionSet to make these updates."): a change to a permission
// set leaves the provisioned roles as they were, listed as
// LATEST_PERMISSION_SET_NOT_PROVISIONED, until ProvisionPermissionSet; a new
// assignment provisions the latest version; the statuses are the store's,
// so that another replica (or a restart) answers for them.
func TestProvisionPermissionSet(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	sa := ssoadmin.NewFromConfig(h.Config("", "", ""))
	li, err := sa.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	in := li.Instances[0].InstanceArn
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// The landing zone's assignments are provisioned, at the latest
	// version, on first start.
	sets, err := sa.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: in,
		AccountId: aws.String(devAccount), ProvisioningStatus: satypes.ProvisioningStatusLatestPermissionSetProvisioned})
	if err != nil || len(sets.PermissionSets) != 3 {
		t.Errorf("permission sets provisioned to Dev on first start = %v, %v; want DeveloperAccess, AdministratorAccess and SecurityAudit", sets, err)
	}
	if stale, err := sa.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: in,
		AccountId: aws.String(devAccount), ProvisioningStatus: satypes.ProvisioningStatusLatestPermissionSetNotProvisioned}); err != nil || len(stale.PermissionSets) != 0 {
		t.Errorf("permission sets not at their latest version in Dev on first start = %v, %v; want none", stale, err)
	}
	ps, err := sa.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: in, Name: aws.String("Triage"), SessionDuration: aws.String("PT2H")})
	if err != nil {
		t.Fatal(err)
	}
	arn := ps.PermissionSet.PermissionSetArn
	must(sa.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/SecurityAudit")}))
	is := identitystore.NewFromConfig(h.Config("", "", ""))
	grp, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: li.Instances[0].IdentityStoreId, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: stringDoc("Security")}}})
	if err != nil {
		t.Fatal(err)
	}
	assign := func(account string) {
		t.Helper()
		out, err := sa.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, PrincipalId: grp.GroupId,
			PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(account), TargetType: satypes.TargetTypeAwsAccount})
		if err != nil || out.AccountAssignmentCreationStatus.Status != satypes.StatusValuesSucceeded {
			t.Fatalf("CreateAccountAssignment(%s) = %+v, %v", account, out, err)
		}
	}
	assign(devAccount)
	roleName := roleOf(t, sa, in, arn)
	iamDev := devIAM(t, h)
	type roleState struct {
		maxSession int32
		boundary   string
		attached   []string
	}
	roleIn := func(roles devRoles) roleState {
		t.Helper()
		r, err := roles.getRole(ctx, roleName)
		if err != nil {
			t.Fatalf("GetRole(%s): %v", roleName, err)
		}
		att, err := roles.c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)})
		if err != nil {
			t.Fatal(err)
		}
		st := roleState{maxSession: r.maxSession, boundary: r.boundary}
		for _, p := range att.AttachedPolicies {
			st.attached = append(st.attached, aws.ToString(p.PolicyArn))
		}
		return st
	}
	first := roleIn(iamDev)
	if first.maxSession != 7200 || first.boundary != "" || !slices.Equal(first.attached, []string{"arn:aws:iam::aws:policy/SecurityAudit"}) {
		t.Fatalf("the role as first provisioned = %+v", first)
	}
	accounts := func(status satypes.ProvisioningStatus) []string {
		t.Helper()
		out, err := sa.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, ProvisioningStatus: status})
		if err != nil {
			t.Fatal(err)
		}
		return out.AccountIds
	}
	if got := accounts(satypes.ProvisioningStatusLatestPermissionSetProvisioned); !slices.Equal(got, []string{devAccount}) {
		t.Errorf("latest before a change: %v, want Dev", got)
	}

	// Change it: the role in Dev stays as provisioned.
	must(sa.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: in, PermissionSetArn: arn, SessionDuration: aws.String("PT4H")}))
	must(sa.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")}))
	must(sa.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		PermissionsBoundary: &satypes.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}))
	if got := roleIn(iamDev); got.maxSession != 7200 || got.boundary != "" || len(got.attached) != 1 {
		t.Errorf("the role in Dev after changes, before ProvisionPermissionSet = %+v, want it as first provisioned", got)
	}
	if got := accounts(satypes.ProvisioningStatusLatestPermissionSetNotProvisioned); !slices.Equal(got, []string{devAccount}) {
		t.Errorf("not latest after a change: %v, want Dev", got)
	}
	if got := accounts(satypes.ProvisioningStatusLatestPermissionSetProvisioned); len(got) != 0 {
		t.Errorf("latest after a change: %v, want none", got)
	}
	var invalid *satypes.ValidationException
	if _, err := sa.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		ProvisioningStatus: "LATEST"}); !errors.As(err, &invalid) {
		t.Errorf("an unknown ProvisioningStatus: %v, want ValidationException", err)
	}

	// A new assignment provisions the latest version in its account.
	assign(stagingAccount)
	iamStaging := devRoles{iam.NewFromConfig(accountAdmin(t, h, stagingAccount))}
	if got := roleIn(iamStaging); got.maxSession != 14400 || got.boundary != "arn:aws:iam::aws:policy/ReadOnlyAccess" || len(got.attached) != 2 {
		t.Errorf("the role in Staging, newly assigned = %+v, want the latest version", got)
	}
	toDev, err := sa.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: in, AccountId: aws.String(devAccount),
		ProvisioningStatus: satypes.ProvisioningStatusLatestPermissionSetNotProvisioned})
	if err != nil || !slices.Equal(toDev.PermissionSets, []string{aws.ToString(arn)}) {
		t.Errorf("not latest in Dev = %v, %v", toDev, err)
	}

	// ProvisionPermissionSet to Dev brings its role up to date.
	pr, err := sa.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, TargetId: aws.String(devAccount), TargetType: satypes.ProvisionTargetTypeAwsAccount})
	if err != nil || pr.PermissionSetProvisioningStatus.Status != satypes.StatusValuesSucceeded {
		t.Fatalf("ProvisionPermissionSet(Dev) = %+v, %v", pr, err)
	}
	if got := roleIn(iamDev); got.maxSession != 14400 || got.boundary != "arn:aws:iam::aws:policy/ReadOnlyAccess" || len(got.attached) != 2 {
		t.Errorf("the role in Dev after ProvisionPermissionSet = %+v, want the latest version", got)
	}
	if got := accounts(satypes.ProvisioningStatusLatestPermissionSetNotProvisioned); len(got) != 0 {
		t.Errorf("not latest after provisioning: %v, want none", got)
	}
	// To an account where no one is assigned it, AWS provisions the role
	// all the same (sso-admin API Reference, ProvisionPermissionSet: "The
	// process by which a specified permission set is provisioned to the
	// specified target"; the console lists such a set on the account's
	// "Permission sets" tab): it is then provisioned there, with no
	// assignment, and no one gets it through the portal.
	prod, err := sa.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, TargetId: aws.String(prodAccount), TargetType: satypes.ProvisionTargetTypeAwsAccount})
	if err != nil || prod.PermissionSetProvisioningStatus.Status != satypes.StatusValuesSucceeded || aws.ToString(prod.PermissionSetProvisioningStatus.AccountId) != prodAccount {
		t.Fatalf("ProvisionPermissionSet(Prod, not assigned) = %+v, %v; want SUCCEEDED", prod, err)
	}
	iamProd := devRoles{iam.NewFromConfig(accountAdmin(t, h, prodAccount))}
	if got := roleIn(iamProd); got.maxSession != 14400 || got.boundary != "arn:aws:iam::aws:policy/ReadOnlyAccess" || len(got.attached) != 2 {
		t.Errorf("the role in Prod, provisioned without an assignment = %+v, want the latest version", got)
	}
	if got := accounts(satypes.ProvisioningStatusLatestPermissionSetProvisioned); !slices.Equal(got, []string{devAccount, stagingAccount, prodAccount}) {
		t.Errorf("latest after provisioning to Prod: %v, want Dev, Staging and Prod", got)
	}
	if as, err := sa.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in, PermissionSetArn: arn, AccountId: aws.String(prodAccount)}); err != nil || len(as.AccountAssignments) != 0 {
		t.Errorf("assignments in Prod after provisioning = %+v, %v; want none", as, err)
	}
	// An assignment made and deleted there leaves the role, which was
	// provisioned on its own.
	assign(prodAccount)
	if _, err := sa.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, PrincipalId: grp.GroupId,
		PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(prodAccount), TargetType: satypes.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamProd.getRole(ctx, roleName); err != nil {
		t.Errorf("the role in Prod after its only assignment was deleted: %v; want it kept (provisioned without an assignment)", err)
	}
	// While assigned elsewhere, the set cannot be deleted.
	var conflict *satypes.ConflictException
	if _, err := sa.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}); !errors.As(err, &conflict) {
		t.Errorf("DeletePermissionSet while assigned in Dev and Staging: %v, want ConflictException", err)
	}
	// Its negative twin: an account outside the organization.
	var notFound *satypes.ResourceNotFoundException
	if _, err := sa.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, TargetId: aws.String("111122223333"),
		TargetType: satypes.ProvisionTargetTypeAwsAccount}); !errors.As(err, &notFound) {
		t.Errorf("ProvisionPermissionSet(an account outside the organization): %v, want ResourceNotFoundException", err)
	}

	// A second change, then ALL_PROVISIONED_ACCOUNTS.
	must(sa.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	if got := accounts(satypes.ProvisioningStatusLatestPermissionSetNotProvisioned); !slices.Equal(got, []string{devAccount, stagingAccount, prodAccount}) {
		t.Errorf("not latest after a second change: %v, want Dev, Staging and Prod", got)
	}
	all, err := sa.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, TargetType: satypes.ProvisionTargetTypeAllProvisionedAccounts})
	if err != nil || all.PermissionSetProvisioningStatus.Status != satypes.StatusValuesSucceeded {
		t.Fatalf("ProvisionPermissionSet(all) = %+v, %v", all, err)
	}
	if got := roleIn(iamStaging); got.boundary != "" {
		t.Errorf("the role in Staging after provisioning to all = %+v, want no boundary", got)
	}

	// The statuses are the store's: a second replica answers for them.
	h2 := servertest.Start(t, servertest.Options{Store: h.Store, MasterKey: h.MasterKey})
	sa2 := ssoadmin.NewFromConfig(h2.Config(h.AdminKeyID, h.AdminSecret, ""))
	d, err := sa2.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: in,
		ProvisionPermissionSetRequestId: pr.PermissionSetProvisioningStatus.RequestId})
	if err != nil || d.PermissionSetProvisioningStatus.Status != satypes.StatusValuesSucceeded || aws.ToString(d.PermissionSetProvisioningStatus.AccountId) != devAccount {
		t.Errorf("DescribePermissionSetProvisioningStatus on another replica = %+v, %v", d, err)
	}
	var nf *satypes.ResourceNotFoundException
	if _, err := sa2.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: in,
		ProvisionPermissionSetRequestId: aws.String("11111111-2222-4333-8444-555555555555")}); !errors.As(err, &nf) {
		t.Errorf("an unknown request: %v, want ResourceNotFoundException", err)
	}
	failed, err := sa2.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: in,
		Filter: &satypes.OperationStatusFilter{Status: satypes.StatusValuesFailed}})
	if err != nil || len(failed.PermissionSetsProvisioningStatus) != 0 {
		t.Errorf("ListPermissionSetProvisioningStatus(FAILED) = %+v, %v; want none", failed, err)
	}
	every, err := sa2.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: in})
	if err != nil || len(every.PermissionSetsProvisioningStatus) != 3 {
		t.Errorf("ListPermissionSetProvisioningStatus = %+v, %v; want 3", every, err)
	}
	created, err := sa2.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: in})
	if err != nil || len(created.AccountAssignmentsCreationStatus) != 3 {
		t.Errorf("ListAccountAssignmentCreationStatus = %+v, %v; want 3", created, err)
	}

	// Without assignments, the set is deleted, and with it its role in
	// Prod, where it was provisioned without one.
	for _, acct := range []string{devAccount, stagingAccount} {
		if _, err := sa.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, PrincipalId: grp.GroupId,
			PrincipalType: satypes.PrincipalTypeGroup, TargetId: aws.String(acct), TargetType: satypes.TargetTypeAwsAccount}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := iamProd.getRole(ctx, roleName); err != nil {
		t.Fatalf("the role in Prod before DeletePermissionSet: %v", err)
	}
	if _, err := sa.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}); err != nil {
		t.Fatalf("DeletePermissionSet without assignments: %v", err)
	}
	var noRole *iamtypes.NoSuchEntityException
	if _, err := iamProd.getRole(ctx, roleName); !errors.As(err, &noRole) {
		t.Errorf("the role in Prod after DeletePermissionSet: %v, want NoSuchEntity", err)
	}
}
