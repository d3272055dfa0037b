package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestIdentityCenterAdministrationWithTheAWSCLI drives what an
// administrator does beyond assignments, with Debian's aws CLI v2 and
// boto3 against `warden serve`: finding people by email, provisioning a
// changed permission set (it is LATEST_PERMISSION_SET_NOT_PROVISIONED in
// its accounts until provision-permission-set), and the Security account
// as Identity Center's delegated administrator, refused the management
// account's access.
func TestIdentityCenterAdministrationWithTheAWSCLI(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir)
	home := t.TempDir()
	base := []string{"HOME=" + home, "AWS_PAGER=", "AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_REGION=us-east-1"}
	admin := append([]string{"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "AWS_PROFILE=warden-admin"}, base...)
	ep := []string{"--endpoint-url", srv.URL}

	var inst struct {
		Instances []struct{ InstanceArn, IdentityStoreId string }
	}
	awsJSON(t, admin, &inst, append(ep, "sso-admin", "list-instances")...)
	in, store := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId

	// People by email (GetUserId's emails.value), with their attributes.
	var uid struct{ UserId string }
	awsJSON(t, admin, &uid, append(ep, "identitystore", "get-user-id", "--identity-store-id", store, "--alternate-identifier",
		`{"UniqueAttribute":{"AttributePath":"emails.value","AttributeValue":"Sam@SecureCart.example"}}`)...)
	// A changed permission set stays as provisioned until provisioned again.
	var found struct{ DevAccess, Developers string }
	boto(t, admin, &found, `
ids, admin = s.client("identitystore", endpoint_url=url), s.client("sso-admin", endpoint_url=url)
inst = admin.list_instances()["Instances"][0]
u = ids.describe_user(IdentityStoreId=inst["IdentityStoreId"], UserId=args[0])
assert u["UserName"] == "sam@securecart.example" and u["Name"]["GivenName"] == "Sam" and u["Emails"][0]["Primary"], u
try:
    ids.get_user_id(IdentityStoreId=inst["IdentityStoreId"], AlternateIdentifier={"UniqueAttribute": {"AttributePath": "emails.value", "AttributeValue": "nobody@securecart.example"}})
    raise SystemExit("an unknown email found a user")
except ids.exceptions.ResourceNotFoundException:
    pass
sets = {admin.describe_permission_set(InstanceArn=inst["InstanceArn"], PermissionSetArn=a)["PermissionSet"]["Name"]: a
        for a in admin.list_permission_sets(InstanceArn=inst["InstanceArn"])["PermissionSets"]}
g = ids.get_group_id(IdentityStoreId=inst["IdentityStoreId"], AlternateIdentifier={"UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "Developers"}})
out = {"DevAccess": sets["DeveloperAccess"], "Developers": g["GroupId"]}
`, srv.URL, uid.UserId)
	devAccess := found.DevAccess
	accounts := func(status string) []string {
		t.Helper()
		var out struct{ AccountIds []string }
		awsJSON(t, admin, &out, append(ep, "sso-admin", "list-accounts-for-provisioned-permission-set", "--instance-arn", in,
			"--permission-set-arn", devAccess, "--provisioning-status", status)...)
		return out.AccountIds
	}
	awsJSON(t, admin, nil, append(ep, "sso-admin", "update-permission-set", "--instance-arn", in, "--permission-set-arn", devAccess, "--session-duration", "PT2H")...)
	if got := accounts("LATEST_PERMISSION_SET_NOT_PROVISIONED"); !slices.Equal(got, []string{"436205817493", "545318026714"}) {
		t.Errorf("not latest after update-permission-set: %v, want Dev and Staging", got)
	}
	var prov struct {
		PermissionSetProvisioningStatus struct{ Status, RequestId string }
	}
	awsJSON(t, admin, &prov, append(ep, "sso-admin", "provision-permission-set", "--instance-arn", in, "--permission-set-arn", devAccess,
		"--target-type", "ALL_PROVISIONED_ACCOUNTS")...)
	var st struct {
		PermissionSetProvisioningStatus struct{ Status string }
	}
	awsJSON(t, admin, &st, append(ep, "sso-admin", "describe-permission-set-provisioning-status", "--instance-arn", in,
		"--provision-permission-set-request-id", prov.PermissionSetProvisioningStatus.RequestId)...)
	if st.PermissionSetProvisioningStatus.Status != "SUCCEEDED" {
		t.Errorf("describe-permission-set-provisioning-status = %+v", st)
	}
	// The Security account, Identity Center's delegated administrator.
	var das struct{ DelegatedAdministrators []struct{ Id string } }
	awsJSON(t, admin, &das, append(ep, "organizations", "list-delegated-administrators", "--service-principal", "sso.amazonaws.com")...)
	if len(das.DelegatedAdministrators) != 1 || das.DelegatedAdministrators[0].Id != securityAccount {
		t.Fatalf("list-delegated-administrators = %+v, want the Security account", das)
	}
	var creds struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	awsJSON(t, admin, &creds, append(ep, "sts", "assume-role", "--role-arn", "arn:aws:iam::"+securityAccount+":role/OrganizationAccountAccessRole",
		"--role-session-name", "idc-admin")...)
	sec := append([]string{"AWS_ACCESS_KEY_ID=" + creds.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + creds.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + creds.Credentials.SessionToken, "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none")}, base...)
	if out, err := aws2(t, sec, append(ep, "sso-admin", "create-account-assignment", "--instance-arn", in, "--permission-set-arn", devAccess,
		"--target-type", "AWS_ACCOUNT", "--target-id", "104729381562", "--principal-type", "GROUP", "--principal-id", found.Developers)...); err == nil || !strings.Contains(out, "AccessDeniedException") {
		t.Errorf("create-account-assignment in the management account from the delegated administrator: %v\n%s, want AccessDeniedException", err, out)
	}

	// boto3 (Debian's): the delegated administrator assigns in Prod; the
	// provisioned accounts are all at the latest version; attributes
	// change by attribute path; an email names one user.
	boto(t, sec, nil, `
ids, admin = s.client("identitystore", endpoint_url=url), s.client("sso-admin", endpoint_url=url)
inst = admin.list_instances()["Instances"][0]
r = admin.create_account_assignment(InstanceArn=inst["InstanceArn"], PermissionSetArn=args[1], TargetType="AWS_ACCOUNT", TargetId="654827139045",
                                    PrincipalType="GROUP", PrincipalId=args[2])
assert r["AccountAssignmentCreationStatus"]["Status"] == "SUCCEEDED", r
stale = admin.list_accounts_for_provisioned_permission_set(InstanceArn=inst["InstanceArn"], PermissionSetArn=args[1],
                                                           ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED")["AccountIds"]
assert stale == [], stale
store = inst["IdentityStoreId"]
ids.update_user(IdentityStoreId=store, UserId=args[0], Operations=[
    {"AttributePath": "title", "AttributeValue": "Head of Security"},
    {"AttributePath": "phoneNumbers", "AttributeValue": [{"Value": "+1 555 0199", "Type": "work", "Primary": True}]}])
u = ids.describe_user(IdentityStoreId=store, UserId=args[0])
assert u["Title"] == "Head of Security" and u["PhoneNumbers"][0]["Value"] == "+1 555 0199", u
try:
    ids.create_user(IdentityStoreId=store, UserName="imposter", DisplayName="Imposter", Emails=[{"Value": "SAM@securecart.example"}])
    raise SystemExit("a second user got sam's email")
except ids.exceptions.ConflictException:
    pass
out = {}
`, srv.URL, uid.UserId, devAccess, found.Developers)
}

// boto runs a Python snippet with Debian's boto3: s is a session, url the
// server's, args the further arguments; the snippet sets out, which is
// decoded into v.
func boto(t *testing.T, env []string, v any, code string, url string, args ...string) {
	t.Helper()
	py := exec.Command("/usr/bin/python3", append([]string{"-", url}, args...)...)
	py.Env = append(os.Environ(), env...)
	py.Stdin = strings.NewReader("import sys, json, boto3\nurl, args = sys.argv[1], sys.argv[2:]\ns = boto3.session.Session(region_name=\"us-east-1\")\n" +
		code + "\nprint(json.dumps(out))\n")
	out, err := py.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("boto3: %v\n%s%s", err, out, stderr)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("boto3 output: %v\n%s", err, out)
		}
	}
}
