package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/server/servertest"
)

// securityAccount is the SecureCart landing zone's Security account, which
// keeps the organization trail.
const securityAccount = "218364950271"

// awsJSON runs Debian's aws CLI v2 and decodes its JSON output.
func awsJSON(t *testing.T, env []string, v any, args ...string) {
	t.Helper()
	out, err := aws2(t, env, append(args, "--output", "json")...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestIdentityCenterWithTheAWSCLI is the whole path an administrator and a
// person take: the administrator creates a permission set and assigns it to
// a user through `aws sso-admin` and `aws identitystore`, and provisions
// it; the person signs in with `warden login` (device flow, new password,
// MFA enrollment) and uses the credentials with the aws CLI through
// credential_process. The provisioned role decides (ReadOnlyAccess and an
// inline deny), and so do the SCPs (the region guardrail). Deleting the
// assignment stops new credentials.
func TestIdentityCenterWithTheAWSCLI(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir, "--org", directoryOrg(t))
	pws := readPasswords(t, dir)
	home := t.TempDir()
	base := []string{"HOME=" + home, "AWS_PAGER=", "DISPLAY=", "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_REGION=us-east-1"}
	admin := append([]string{"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "AWS_PROFILE=warden-admin"}, base...)
	ep := []string{"--endpoint-url", srv.URL}

	var inst struct {
		Instances []struct{ InstanceArn, IdentityStoreId string }
	}
	awsJSON(t, admin, &inst, append(ep, "sso-admin", "list-instances")...)
	if len(inst.Instances) != 1 || inst.Instances[0].IdentityStoreId != "d-9067c3a1b2" {
		t.Fatalf("list-instances = %+v", inst)
	}
	in, store := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId
	var uid struct{ UserId string }
	awsJSON(t, admin, &uid, append(ep, "identitystore", "get-user-id", "--identity-store-id", store, "--alternate-identifier",
		`{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"bob@securecart.example"}}`)...)
	var ps struct {
		PermissionSet struct{ PermissionSetArn, SessionDuration string }
	}
	awsJSON(t, admin, &ps, append(ep, "sso-admin", "create-permission-set", "--instance-arn", in, "--name", "AuditReader",
		"--session-duration", "PT2H", "--description", "Read the Security account")...)
	psARN := ps.PermissionSet.PermissionSetArn
	if !strings.HasPrefix(psARN, "arn:aws:sso:::permissionSet/ssoins-72235f1a9c4b8e03/ps-") || ps.PermissionSet.SessionDuration != "PT2H" {
		t.Fatalf("create-permission-set = %+v", ps)
	}
	awsJSON(t, admin, nil, append(ep, "sso-admin", "attach-managed-policy-to-permission-set", "--instance-arn", in,
		"--permission-set-arn", psARN, "--managed-policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")...)
	awsJSON(t, admin, nil, append(ep, "sso-admin", "put-inline-policy-to-permission-set", "--instance-arn", in, "--permission-set-arn", psARN,
		"--inline-policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}`)...)
	var created struct {
		AccountAssignmentCreationStatus struct{ Status, RequestId string }
	}
	awsJSON(t, admin, &created, append(ep, "sso-admin", "create-account-assignment", "--instance-arn", in, "--permission-set-arn", psARN,
		"--target-type", "AWS_ACCOUNT", "--target-id", securityAccount, "--principal-type", "USER", "--principal-id", uid.UserId)...)
	if created.AccountAssignmentCreationStatus.Status != "SUCCEEDED" {
		t.Fatalf("create-account-assignment = %+v", created)
	}
	var prov struct{ PermissionSetProvisioningStatus struct{ Status string } }
	awsJSON(t, admin, &prov, append(ep, "sso-admin", "provision-permission-set", "--instance-arn", in, "--permission-set-arn", psARN,
		"--target-type", "ALL_PROVISIONED_ACCOUNTS")...)
	var accts struct{ AccountIds []string }
	awsJSON(t, admin, &accts, append(ep, "sso-admin", "list-accounts-for-provisioned-permission-set", "--instance-arn", in, "--permission-set-arn", psARN)...)
	if prov.PermissionSetProvisioningStatus.Status != "SUCCEEDED" || len(accts.AccountIds) != 1 || accts.AccountIds[0] != securityAccount {
		t.Fatalf("provisioned: %+v, accounts %v", prov, accts.AccountIds)
	}

	// Bob signs in and gets the new permission set in Security.
	bob := &servertest.Person{UserName: "bob@securecart.example", Password: pws["bob@securecart.example"], NewPassword: "Bob-0wn-password!"}
	login(t, srv.URL, base, bob, "--account", "Security", "--permission-set", "AuditReader")
	prof := append([]string{"--profile", "Security-AuditReader"}, ep...)
	var who struct{ Arn string }
	awsJSON(t, base, &who, append(prof, "sts", "get-caller-identity")...)
	if !strings.Contains(who.Arn, ":assumed-role/AWSReservedSSO_AuditReader_") || !strings.HasSuffix(who.Arn, "/bob@securecart.example") {
		t.Errorf("caller = %s", who.Arn)
	}
	// The role decides: ReadOnlyAccess reads users; the inline policy denies
	// listing roles; nothing grants writes.
	if out, err := aws2(t, base, append(prof, "iam", "list-users")...); err != nil {
		t.Errorf("iam list-users: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"iam", "list-roles"}, {"iam", "create-role", "--role-name", "x", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}} {
		if out, err := aws2(t, base, append(prof, args...)...); err == nil || !strings.Contains(out, "AccessDenied") {
			t.Errorf("%v: %v\n%s; want AccessDenied", args, err, out)
		}
	}
	// The SCPs decide too: CloudTrail in us-east-1 is allowed, in
	// ap-southeast-2 the region guardrail denies it.
	if out, err := aws2(t, base, append(prof, "cloudtrail", "lookup-events", "--max-results", "1", "--region", "us-east-1")...); err != nil {
		t.Errorf("cloudtrail lookup-events in us-east-1: %v\n%s", err, out)
	}
	if out, err := aws2(t, base, append(prof, "cloudtrail", "lookup-events", "--max-results", "1", "--region", "ap-southeast-2")...); err == nil || !strings.Contains(out, "AccessDenied") || !strings.Contains(out, "service control policy") {
		t.Errorf("cloudtrail lookup-events in ap-southeast-2: %v\n%s; want an SCP's AccessDenied", err, out)
	}

	// A member account cannot administer Identity Center.
	var dev struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	awsJSON(t, admin, &dev, append(ep, "sts", "assume-role", "--role-arn", devAdminARN, "--role-session-name", "admin-check")...)
	devEnv := append([]string{"AWS_ACCESS_KEY_ID=" + dev.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + dev.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + dev.Credentials.SessionToken}, base...)
	if out, err := aws2(t, devEnv, append(ep, "sso-admin", "list-permission-sets", "--instance-arn", in)...); err == nil || !strings.Contains(out, "AccessDeniedException") {
		t.Errorf("sso-admin from Dev: %v\n%s; want AccessDeniedException", err, out)
	}

	// Deleting the assignment removes the role: new credentials are refused.
	var deleted struct{ AccountAssignmentDeletionStatus struct{ Status string } }
	awsJSON(t, admin, &deleted, append(ep, "sso-admin", "delete-account-assignment", "--instance-arn", in, "--permission-set-arn", psARN,
		"--target-type", "AWS_ACCOUNT", "--target-id", securityAccount, "--principal-type", "USER", "--principal-id", uid.UserId)...)
	if deleted.AccountAssignmentDeletionStatus.Status != "SUCCEEDED" {
		t.Errorf("delete-account-assignment = %+v", deleted)
	}
	creds, _ := filepath.Glob(filepath.Join(home, "cache", "warden", "sso", "creds-*.json"))
	for _, c := range creds {
		os.Remove(c)
	}
	if out, err := aws2(t, base, append(prof, "sts", "get-caller-identity")...); err == nil || !strings.Contains(out, "ForbiddenException") {
		t.Errorf("credentials after the assignment was deleted: %v\n%s; want ForbiddenException", err, out)
	}
}
