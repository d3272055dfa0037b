package identitycenter_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
)

const devAccount = "436205817493"

func stringDoc(s string) document.Interface { return document.NewLazyDocument(s) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// devAdmin is the configuration of a session of Dev's
// OrganizationAccountAccessRole, assumed by the management account's admin.
func devAdmin(t *testing.T, h *servertest.Harness) aws.Config {
	t.Helper()
	return accountAdmin(t, h, devAccount)
}

// accountAdmin is devAdmin for any member account.
func accountAdmin(t *testing.T, h *servertest.Harness, account string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(h.Config("", "", "")).AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return h.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

type devRoles struct{ c *iam.Client }

func devIAM(t *testing.T, h *servertest.Harness) devRoles {
	return devRoles{iam.NewFromConfig(devAdmin(t, h))}
}

type roleInfo struct {
	path, trust, boundary string
	maxSession            int32
}

func (d devRoles) getRole(ctx context.Context, name string) (roleInfo, error) {
	out, err := d.c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return roleInfo{}, err
	}
	r := out.Role
	trust, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
	info := roleInfo{path: aws.ToString(r.Path), trust: trust, maxSession: aws.ToInt32(r.MaxSessionDuration)}
	if r.PermissionsBoundary != nil {
		info.boundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	return info, nil
}

// roleOf is the name of a permission set's provisioned role.
func roleOf(t *testing.T, sa *ssoadmin.Client, instance, ps *string) string {
	out, err := sa.DescribePermissionSet(servertest.Ctx(t), &ssoadmin.DescribePermissionSetInput{InstanceArn: instance, PermissionSetArn: ps})
	if err != nil {
		t.Fatal(err)
	}
	return org.SSORoleName(aws.ToString(instance), aws.ToString(out.PermissionSet.Name))
}
