package sts_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store"
)

// rootKey stores a long-term access key of the account's root user.
func rootKey(t *testing.T, h *servertest.Harness, account string) (string, string) {
	t.Helper()
	sealer, err := creds.NewSealer(h.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	id, secret := creds.NewAccessKeyID(creds.PrefixLongTerm, account), creds.NewSecret()
	k := store.AccessKey{ID: id, Owner: "arn:aws:iam::" + account + ":root", Account: account, Status: "Active",
		Created: h.Clock.Now(), SealedSecret: sealer.Seal([]byte(secret), []byte("access-key:"+id))}
	if err := h.Store.PutAccessKey(servertest.Ctx(t), k); err != nil {
		t.Fatal(err)
	}
	return id, secret
}

// A root user cannot assume a role, with its own key or with a session of
// it, even where the trust policy names its account and nothing denies:
// the IAM User Guide's "Compare AWS STS credentials"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html)
// names IAM users and roles as AssumeRole's callers, and AWS answers root
// with AccessDenied "Roles may not be assumed by root accounts."
func TestRootCannotAssumeRoles(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	id, secret := rootKey(t, h, mgmt)
	root := client(h, id, secret, "")
	me, err := root.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(me.Arn) != "arn:aws:iam::"+mgmt+":root" {
		t.Fatalf("root's GetCallerIdentity = %v, %v", me, err)
	}
	in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("root")}
	_, err = root.AssumeRole(ctx, in)
	if apiCode(t, err) != "AccessDenied" || !strings.Contains(err.Error(), "Roles may not be assumed by root accounts.") {
		t.Errorf("root's AssumeRole: %v", err)
	}
	st, err := root.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := st.Credentials
	_, err = client(h, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).AssumeRole(ctx, in)
	if apiCode(t, err) != "AccessDenied" || !strings.Contains(err.Error(), "Roles may not be assumed by root accounts.") {
		t.Errorf("a root session's AssumeRole: %v", err)
	}
	// The twin: the bootstrap administrator, an IAM user of the same
	// account, assumes the same role.
	if _, err := client(h, "", "", "").AssumeRole(ctx, in); err != nil {
		t.Errorf("warden-admin's AssumeRole: %v", err)
	}
}

// The warden-admin key (serve.md) is an IAM user of the management account
// with AdministratorAccess, and assumes OrganizationAccountAccessRole in
// every member account with no further step.
func TestAdminAssumesOrganizationAccountAccessRoleEverywhere(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	for _, acct := range []string{"218364950271", "327491058362", dev, "545318026714", prod} {
		c := assumeOAAR(t, h, acct)
		me, err := client(h, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(me.Arn) != "arn:aws:sts::"+acct+":assumed-role/OrganizationAccountAccessRole/admin" {
			t.Errorf("session in %s: %v, %v", acct, me, err)
		}
	}
	// The management account has no OrganizationAccountAccessRole.
	_, err := client(h, "", "", "").AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin")})
	if apiCode(t, err) != "AccessDenied" {
		t.Errorf("AssumeRole in the management account: %v", err)
	}
}
