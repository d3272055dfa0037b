package iam_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/iam"
	wsts "github.com/securecart/warden/internal/api/sts"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store/sqlite"
)

// startServer starts Warden with the IAM service registered.
func startServer(t *testing.T) *servertest.Harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return servertest.Start(t, servertest.Options{Store: st, Services: []api.Factory{wsts.New, iam.New}})
}

func iamClient(h *servertest.Harness, keyID, secret, token string) *awsiam.Client {
	return awsiam.NewFromConfig(h.Config(keyID, secret, token))
}

func apiCode(t *testing.T, err error) (string, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an AWS API error", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func TestClientRoles(t *testing.T) {
	h := startServer(t)
	ctx := servertest.Ctx(t)
	c := iamClient(h, "", "", "")
	out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/svc/"),
		AssumeRolePolicyDocument: aws.String(trustEC2), Description: aws.String("an app"), MaxSessionDuration: aws.Int32(7200),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess"),
		Tags:                []types.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.Arn) != "arn:aws:iam::"+mgmt+":role/svc/app" || !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") ||
		aws.ToInt32(r.MaxSessionDuration) != 7200 || len(r.Tags) != 1 || r.PermissionsBoundary == nil {
		t.Errorf("CreateRole = %+v", r)
	}
	if !r.CreateDate.Equal(h.Clock.Now()) {
		t.Errorf("CreateDate = %v, want %v", r.CreateDate, h.Clock.Now())
	}
	got, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); err != nil || doc != trustEC2 {
		t.Errorf("AssumeRolePolicyDocument = %s (%v)", aws.ToString(got.Role.AssumeRolePolicyDocument), err)
	}

	// Pages of roles.
	var names []string
	p := awsiam.NewListRolesPaginator(c, &awsiam.ListRolesInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if pages < 2 || !contains(names, "app") || !contains(names, "SecurityAuditRole") {
		t.Errorf("%d pages of roles: %v", pages, names)
	}

	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("ReadS3"), PolicyDocument: aws.String(readS3)}); err != nil {
		t.Fatal(err)
	}
	rp, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("ReadS3")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(rp.PolicyDocument)); doc != readS3 {
		t.Errorf("GetRolePolicy document = %s", doc)
	}

	_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("nope")})
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) || !strings.Contains(nse.ErrorMessage(), "The role with name nope cannot be found.") {
		t.Errorf("GetRole nope: %v", err)
	}
	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("APP"), AssumeRolePolicyDocument: aws.String(trustEC2)})
	var eae *types.EntityAlreadyExistsException
	if !errors.As(err, &eae) {
		t.Errorf("CreateRole APP: %v, want EntityAlreadyExists", err)
	}
	_, err = c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("x"), PolicyDocument: aws.String(trustEC2)})
	var mpd *types.MalformedPolicyDocumentException
	if !errors.As(err, &mpd) {
		t.Errorf("PutRolePolicy with a trust policy: %v, want MalformedPolicyDocument", err)
	}
	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app")})
	var dc *types.DeleteConflictException
	if !errors.As(err, &dc) {
		t.Errorf("DeleteRole with a policy: %v, want DeleteConflict", err)
	}
}

func TestClientPolicies(t *testing.T) {
	h := startServer(t)
	ctx := servertest.Ctx(t)
	c := iamClient(h, "", "", "")
	cp, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("ReadS3"), PolicyDocument: aws.String(readS3), Description: aws.String("reads")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(cp.Policy.Arn)
	if arn != "arn:aws:iam::"+mgmt+":policy/ReadS3" || aws.ToString(cp.Policy.DefaultVersionId) != "v1" || !strings.HasPrefix(aws.ToString(cp.Policy.PolicyId), "ANPA") {
		t.Errorf("CreatePolicy = %+v", cp.Policy)
	}
	for range 4 {
		if _, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(readS3)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(readS3)})
	var le *types.LimitExceededException
	if !errors.As(err, &le) {
		t.Errorf("a sixth version: %v, want LimitExceeded", err)
	}
	vs, err := c.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Versions) != 5 || aws.ToString(vs.Versions[0].VersionId) != "v5" || !vs.Versions[4].IsDefaultVersion {
		t.Errorf("versions = %+v", vs.Versions)
	}
	pv, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(pv.PolicyVersion.Document)); doc != readS3 {
		t.Errorf("GetPolicyVersion document = %s", doc)
	}
	lp, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Policies) != 1 || aws.ToString(lp.Policies[0].PolicyName) != "ReadS3" {
		t.Errorf("local policies = %+v", lp.Policies)
	}
}

func TestClientUsersKeysAndMFA(t *testing.T) {
	h := startServer(t)
	ctx := servertest.Ctx(t)
	c := iamClient(h, "", "", "")
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	bob := iamClient(h, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	// bob has no policy yet.
	_, err = bob.GetUser(ctx, &awsiam.GetUserInput{})
	if code, _ := apiCode(t, err); code != "AccessDenied" {
		t.Errorf("GetUser as bob without policies: %v", err)
	}
	if _, err := c.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	me, err := bob.GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(me.User.Arn) != "arn:aws:iam::"+mgmt+":user/bob" || !strings.HasPrefix(aws.ToString(me.User.UserId), "AIDA") {
		t.Errorf("GetUser as bob = %+v", me.User)
	}
	keys, err := bob.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(key.AccessKey.AccessKeyId) {
		t.Errorf("bob's keys = %+v", keys.AccessKeyMetadata)
	}

	// A virtual MFA device for bob, then STS with it.
	dev, err := c.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("bob-phone")})
	if err != nil {
		t.Fatal(err)
	}
	seed := string(dev.VirtualMFADevice.Base32StringSeed)
	serial := aws.ToString(dev.VirtualMFADevice.SerialNumber)
	now := h.Clock.Now()
	if _, err := c.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(code(t, seed, now))}); err != nil {
		t.Fatal(err)
	}
	devs, err := c.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if len(devs.MFADevices) != 1 || aws.ToString(devs.MFADevices[0].SerialNumber) != serial {
		t.Errorf("bob's devices = %+v", devs.MFADevices)
	}
	if _, err := c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("sessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(30 * time.Second)
	stsBob := sts.NewFromConfig(h.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	tok, err := stsBob.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code(t, seed, h.Clock.Now()))})
	if err != nil {
		t.Fatalf("GetSessionToken with bob's MFA device: %v", err)
	}
	if tok.Credentials == nil {
		t.Fatalf("no credentials")
	}
}

// Through the wire, the SCP's denial reads as AWS's.
func TestClientGuardrails(t *testing.T) {
	h := startServer(t)
	ctx := servertest.Ctx(t)
	out, err := sts.NewFromConfig(h.Config("", "", "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	admin := iamClient(h, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	_, err = admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("shadow")})
	code, msg := apiCode(t, err)
	if code != "AccessDenied" || !strings.Contains(msg, "with an explicit deny in a service control policy") {
		t.Errorf("CreateUser in Dev: %s: %s", code, msg)
	}
	sim, err := admin.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + dev + ":role/DeveloperRole"),
		ActionNames:     []string{"iam:CreateUser", "lambda:InvokeFunction"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:RequestedRegion"),
			ContextKeyValues: []string{"us-east-1"}, ContextKeyType: types.ContextKeyTypeEnumString}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.EvaluationResults) != 2 {
		t.Fatalf("%d results", len(sim.EvaluationResults))
	}
	cu, inv := sim.EvaluationResults[0], sim.EvaluationResults[1]
	if cu.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny || cu.OrganizationsDecisionDetail == nil || cu.OrganizationsDecisionDetail.AllowedByOrganizations {
		t.Errorf("iam:CreateUser = %s, organizations %+v", cu.EvalDecision, cu.OrganizationsDecisionDetail)
	}
	if inv.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(inv.MatchedStatements) == 0 ||
		inv.MatchedStatements[0].SourcePolicyType != types.PolicySourceTypeUserManaged || inv.MatchedStatements[0].StartPosition == nil {
		t.Errorf("lambda:InvokeFunction = %s, %+v", inv.EvalDecision, inv.MatchedStatements)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
