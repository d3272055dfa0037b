package organizations_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/organizations"
	wsts "github.com/securecart/warden/internal/api/sts"
	"github.com/securecart/warden/internal/server/servertest"
)

const (
	mgmtID      = "104729381562"
	devID       = "436205817493"
	rootID      = "r-4k7q"
	workloadsOU = "ou-4k7q-w0rkl0ad"
)

// start runs a server with Organizations registered and returns a client
// with the management root's credentials.
func start(t *testing.T) (*servertest.Harness, *orgs.Client) {
	t.Helper()
	h := servertest.Start(t, servertest.Options{Services: []api.Factory{wsts.New, organizations.New}})
	return h, orgs.NewFromConfig(h.Config("", "", ""))
}

// assume returns credentials of a role session, made with the admin's.
func assume(t *testing.T, h *servertest.Harness, roleARN string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(h.Config("", "", "")).AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("client-test")})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	c := out.Credentials
	return h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func TestClientReads(t *testing.T) {
	_, cl := start(t)
	ctx := servertest.Ctx(t)
	o, err := cl.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(o.Organization.Id); got != "o-7kq2m9xw4c" || aws.ToString(o.Organization.MasterAccountId) != mgmtID ||
		o.Organization.FeatureSet != types.OrganizationFeatureSetAll {
		t.Errorf("organization = %+v", o.Organization)
	}
	roots, err := cl.ListRoots(ctx, &orgs.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(roots.Roots) != 1 || aws.ToString(roots.Roots[0].Id) != rootID || len(roots.Roots[0].PolicyTypes) != 2 {
		t.Errorf("roots = %+v", roots.Roots)
	}

	var ids []string
	pages := orgs.NewListAccountsPaginator(cl, &orgs.ListAccountsInput{MaxResults: aws.Int32(4)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Accounts {
			ids = append(ids, aws.ToString(a.Id))
		}
	}
	if len(ids) != 6 || ids[0] != mgmtID {
		t.Errorf("accounts = %v", ids)
	}

	acct, err := cl.DescribeAccount(ctx, &orgs.DescribeAccountInput{AccountId: aws.String(devID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(acct.Account.Name) != "Dev" || acct.Account.Status != types.AccountStatusActive ||
		aws.ToString(acct.Account.Arn) != "arn:aws:organizations::"+mgmtID+":account/o-7kq2m9xw4c/"+devID {
		t.Errorf("Dev = %+v", acct.Account)
	}
	_, err = cl.DescribeAccount(ctx, &orgs.DescribeAccountInput{AccountId: aws.String("111122223333")})
	var notFound *types.AccountNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("unknown account: %v, want AccountNotFoundException", err)
	}
	_, err = cl.DescribeAccount(ctx, &orgs.DescribeAccountInput{AccountId: aws.String("12")})
	var invalid *types.InvalidInputException
	if !errors.As(err, &invalid) {
		t.Errorf("malformed account ID: %v, want InvalidInputException", err)
	}

	parents, err := cl.ListParents(ctx, &orgs.ListParentsInput{ChildId: aws.String(devID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != workloadsOU || parents.Parents[0].Type != types.ParentTypeOrganizationalUnit {
		t.Errorf("parents = %+v", parents.Parents)
	}
}

func TestClientOUsAndPolicies(t *testing.T) {
	if organizations.UnattachedPolicyError() != nil {
		t.Skip("the org loader rejects SCPs without attach; see TestOrgFormatKeepsUnattachedPolicies")
	}
	_, cl := start(t)
	ctx := servertest.Ctx(t)
	ou, err := cl.CreateOrganizationalUnit(ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(workloadsOU), Name: aws.String("Payments")})
	if err != nil {
		t.Fatal(err)
	}
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	if !regexp.MustCompile(`^ou-4k7q-[a-z0-9]{8}$`).MatchString(ouID) {
		t.Errorf("OU ID %q", ouID)
	}
	_, err = cl.CreateOrganizationalUnit(ctx, &orgs.CreateOrganizationalUnitInput{ParentId: aws.String(workloadsOU), Name: aws.String("Payments")})
	var dupOU *types.DuplicateOrganizationalUnitException
	if !errors.As(err, &dupOU) {
		t.Errorf("duplicate OU: %v", err)
	}
	if _, err := cl.MoveAccount(ctx, &orgs.MoveAccountInput{AccountId: aws.String(devID), SourceParentId: aws.String(workloadsOU),
		DestinationParentId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}

	pol, err := cl.CreatePolicy(ctx, &orgs.CreatePolicyInput{Name: aws.String("DenyQueues"), Description: aws.String("No SQS"),
		Type:    types.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sqs:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	pid := pol.Policy.PolicySummary.Id
	if _, err := cl.AttachPolicy(ctx, &orgs.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.AttachPolicy(ctx, &orgs.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(ouID)})
	var dupAttach *types.DuplicatePolicyAttachmentException
	if !errors.As(err, &dupAttach) {
		t.Errorf("second attachment: %v", err)
	}
	list, err := cl.ListPoliciesForTarget(ctx, &orgs.ListPoliciesForTargetInput{TargetId: aws.String(ouID), Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	if len(names) != 2 || names[0] != "FullAWSAccess" || names[1] != "DenyQueues" {
		t.Errorf("SCPs of the OU = %v", names)
	}
	_, err = cl.DetachPolicy(ctx, &orgs.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(devID)})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) {
		t.Errorf("detaching Dev's last SCP: %v, want ConstraintViolationException", err)
	}
	_, err = cl.DeletePolicy(ctx, &orgs.DeletePolicyInput{PolicyId: pid})
	var inUse *types.PolicyInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("deleting an attached policy: %v, want PolicyInUseException", err)
	}
	desc, err := cl.DescribePolicy(ctx, &orgs.DescribePolicyInput{PolicyId: pid})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(desc.Policy.Content) != aws.ToString(pol.Policy.Content) {
		t.Errorf("content = %s", aws.ToString(desc.Policy.Content))
	}
}

func TestClientCreateAccount(t *testing.T) {
	h, cl := start(t)
	ctx := servertest.Ctx(t)
	out, err := cl.CreateAccount(ctx, &orgs.CreateAccountInput{Email: aws.String("aws-payments@securecart.example"), AccountName: aws.String("Payments")})
	if err != nil {
		t.Fatal(err)
	}
	st := out.CreateAccountStatus
	if st.State != types.CreateAccountStateSucceeded || st.CompletedTimestamp == nil {
		t.Fatalf("status = %+v", st)
	}
	desc, err := cl.DescribeCreateAccountStatus(ctx, &orgs.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(desc.CreateAccountStatus.AccountId)
	if id != aws.ToString(st.AccountId) || !desc.CreateAccountStatus.RequestedTimestamp.Equal(h.Clock.Now()) {
		t.Errorf("described status = %+v", desc.CreateAccountStatus)
	}
	// The management account administers the new account through
	// OrganizationAccountAccessRole.
	cfg := assume(t, h, "arn:aws:iam::"+id+":role/OrganizationAccountAccessRole")
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Account) != id {
		t.Errorf("caller account = %s, want %s", aws.ToString(who.Account), id)
	}
}

func TestClientMemberAccountDenied(t *testing.T) {
	h, _ := start(t)
	ctx := servertest.Ctx(t)
	member := orgs.NewFromConfig(assume(t, h, "arn:aws:iam::"+devID+":role/OrganizationAccountAccessRole"))
	_, err := member.ListAccounts(ctx, &orgs.ListAccountsInput{})
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("member ListAccounts: %v, want AccessDeniedException", err)
	}
	o, err := member.DescribeOrganization(ctx, &orgs.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("member DescribeOrganization: %v", err)
	}
	if aws.ToString(o.Organization.MasterAccountId) != mgmtID {
		t.Errorf("organization = %+v", o.Organization)
	}
}
