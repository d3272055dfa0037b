package diff

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
)

const (
	devID     = "436205817493"
	stagingID = "545318026714"
	prodID    = "654827139045"
)

// diffEdited compares SecureCart with a copy edited by edits (file, old,
// new) and checks every example with the engine.
func diffEdited(t *testing.T, edits ...[3]string) *Report {
	t.Helper()
	old, new := editedSecureCart(t, edits...)
	rep := Diff(old, new, Options{Now: now})
	verify(t, old, new, rep)
	for _, c := range rep.Changes {
		t.Logf("%s %s %s %s %v (%d principals)", c.Change, c.Principal, c.Action, c.Resource, c.Context, len(c.Principals))
	}
	if len(rep.Unknown) > 0 {
		t.Errorf("unknown: %+v", rep.Unknown)
	}
	return rep
}

// editedSecureCart is SecureCart and a copy edited by edits (file, old,
// new).
func editedSecureCart(t *testing.T, edits ...[3]string) (old, new *org.Org) {
	t.Helper()
	m := secureCartFS(t)
	old = load(t, m)
	for _, e := range edits {
		edit(t, m, e[0], e[1], e[2])
	}
	return old, load(t, m)
}

// only fails unless every change goes in direction dir.
func only(t *testing.T, rep *Report, dir string) {
	t.Helper()
	for _, c := range rep.Changes {
		if c.Change != dir {
			t.Errorf("a change %s, want only %s: %+v", c.Change, dir, c)
		}
	}
}

// causedBy fails unless each change names a changed statement with sid.
func causedBy(t *testing.T, rep *Report, sid string) {
	t.Helper()
	for _, c := range rep.Changes {
		ok := false
		for _, cs := range c.Causes {
			ok = ok || (cs.Changed && cs.Sid == sid)
		}
		if !ok {
			t.Errorf("change not caused by a changed %s: %+v", sid, c.Causes)
		}
	}
}

// An SCP gains a Deny statement: what it denies closes, for every
// principal under it, and nothing opens.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func TestSCPNewDenyClosesEverywhere(t *testing.T) {
	rep := diffEdited(t, [3]string{"scps.yaml", "        - Sid: DenyLeaveOrganization", `        - Sid: DenyDynamoDBDelete
          Effect: Deny
          Action: dynamodb:DeleteTable
          Resource: "*"
        - Sid: DenyLeaveOrganization`})
	only(t, rep, Closed)
	causedBy(t, rep, "DenyDynamoDBDelete")
	if len(find(rep, Closed, "assumed-role/DeveloperRole", "dynamodb:DeleteTable", "")) == 0 {
		t.Error("DeveloperRole's DeleteTable did not close")
	}
}

// Removing a Deny statement of an SCP opens what it denied.
func TestSCPRemovedDenyOpens(t *testing.T) {
	rep := diffEdited(t, [3]string{"scps.yaml", "        - Sid: DenyLeaveOrganization\n          Effect: Deny\n          Action: organizations:LeaveOrganization\n          Resource: \"*\"\n", ""})
	only(t, rep, Opened)
	causedBy(t, rep, "DenyLeaveOrganization")
	got := find(rep, Opened, "", "organizations:LeaveOrganization", "")
	if len(got) == 0 {
		t.Fatal("LeaveOrganization did not open")
	}
	for _, c := range rep.Changes {
		if strings.Contains(strings.Join(c.Principals, " "), ":root") {
			t.Errorf("root users stay denied by DenyRootUser: %+v", c)
		}
	}
}

// Moving Dev from WorkloadsOU (under DenyInternetGateways) to
// SharedServicesOU opens internet gateways to Dev's principals only.
func TestMoveAccountBetweenOUs(t *testing.T) {
	rep := diffEdited(t, [3]string{"organization.yaml", "    id: \"" + devID + "\"\n    email: aws-dev@securecart.example\n    ou: WorkloadsOU", "    id: \"" + devID + "\"\n    email: aws-dev@securecart.example\n    ou: SharedServicesOU"})
	if len(find(rep, Opened, devID, "ec2:CreateInternetGateway", "")) == 0 {
		t.Error("internet gateways did not open in Dev")
	}
	for _, c := range rep.Changes {
		for _, p := range c.Principals {
			if !strings.Contains(p, devID) && !strings.Contains(c.Resource, devID) {
				t.Errorf("a change outside Dev: %s %+v", p, c)
			}
		}
	}
}

// A permission set's inline policy gains an action: its roles, in every
// account it is provisioned to, can now do it (SCPs permitting).
func TestPermissionSetEdit(t *testing.T) {
	rep := diffEdited(t, [3]string{"identity-center.yaml", "          - Sid: AssumeDeveloperRole", `          - Sid: ReadQueues
            Effect: Allow
            Action: sqs:ReceiveMessage
            Resource: "*"
          - Sid: AssumeDeveloperRole`})
	only(t, rep, Opened)
	causedBy(t, rep, "ReadQueues")
	got := find(rep, Opened, "AWSReservedSSO_DeveloperAccess", "sqs:ReceiveMessage", "")
	if len(got) == 0 {
		t.Fatal("the permission set's sqs:ReceiveMessage did not open")
	}
	for _, c := range rep.Changes {
		for _, p := range c.Principals {
			if !strings.Contains(p, "AWSReservedSSO_DeveloperAccess") {
				t.Errorf("a change for another principal: %s", p)
			}
		}
	}
}

// A boundary loses a service: the role's identity policy still allows it,
// but the boundary no longer does.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
func TestBoundaryEdit(t *testing.T) {
	rep := diffEdited(t, [3]string{"iam-policies.yaml", "        - Sid: AllowDeveloperServices\n          Effect: Allow\n          Action:\n            - application-autoscaling:*\n            - autoscaling:Describe*\n            - cloudformation:*\n            - cloudwatch:*\n            - dynamodb:*\n",
		"        - Sid: AllowDeveloperServices\n          Effect: Allow\n          Action:\n            - application-autoscaling:*\n            - autoscaling:Describe*\n            - cloudformation:*\n            - cloudwatch:*\n"})
	only(t, rep, Closed)
	got := find(rep, Closed, "assumed-role/DeveloperRole", "dynamodb:DeleteTable", "")
	if len(got) == 0 {
		t.Fatal("DeveloperRole's dynamodb actions did not close")
	}
	for _, c := range got {
		var boundary bool
		for _, cs := range c.Causes {
			boundary = boundary || (cs.Side == "new" && cs.Layer == "boundary")
		}
		if !boundary {
			t.Errorf("closed but not by the boundary: %+v", c.Causes)
		}
	}
}

// A trust policy that drops its condition lets the account's other
// principals (allowed by their own policies) assume the role.
func TestTrustPolicyEdit(t *testing.T) {
	rep := diffEdited(t, [3]string{"roles.yaml", `          Action: sts:AssumeRole
          Condition:
            ArnLike:
              aws:PrincipalArn: arn:aws:iam::${account:Dev}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DeveloperAccess_*
`, "          Action: sts:AssumeRole\n"})
	only(t, rep, Opened)
	got := find(rep, Opened, "AWSReservedSSO_AdministratorAccess", "sts:AssumeRole", "arn:aws:iam::"+devID+":role/")
	if len(got) == 0 {
		t.Fatal("Dev's administrators cannot newly assume DeveloperRole")
	}
	for _, c := range rep.Changes {
		if !strings.HasPrefix(c.Resource, "arn:aws:iam::"+devID+":role/") {
			t.Errorf("a change on another resource: %+v", c)
		}
	}
}

// A trust policy that trusts an account outside the organization: opened
// for Prod's OperationsRole, whose RCP lets the vendor account in; nothing
// changes in Dev, whose RCP keeps every outside identity out.
func TestTrustOutsideAccount(t *testing.T) {
	vendor := `    trust:
      Version: "2012-10-17"
      Statement:
        - Sid: Vendor
          Effect: Allow
          Principal:
            AWS: arn:aws:iam::111122223333:root
          Action: sts:AssumeRole
`
	rep := diffEdited(t, [3]string{"roles.yaml", "    trust:\n      Version: \"2012-10-17\"\n      Statement:\n        - Sid: DevOpsWithMFA\n", vendor + "        - Sid: DevOpsWithMFA\n"})
	only(t, rep, Opened)
	if got := find(rep, Opened, "111122223333", "sts:AssumeRole", "arn:aws:iam::"+prodID+":role/OperationsRole"); len(got) == 0 {
		t.Fatal("the vendor account cannot newly assume OperationsRole")
	}
	rep = diffEdited(t, [3]string{"roles.yaml", "    trust:\n      Version: \"2012-10-17\"\n      Statement:\n        - Sid: DeveloperAccessPermissionSet\n", vendor + "        - Sid: DeveloperAccessPermissionSet\n"})
	if len(rep.Changes) != 0 {
		t.Errorf("Dev's RoleAssumptionPerimeter RCP should keep the vendor out: %+v", rep.Changes)
	}
	if rep.Principals == 0 {
		t.Error("nothing was compared")
	}
}

// A bucket policy that grants another account of the organization: that
// account's principals whose own policies allow it can now list the
// bucket (cross-account: both sides must allow).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func TestResourcePolicyEdit(t *testing.T) {
	rep := diffEdited(t, [3]string{"resources.yaml", `        - Sid: AllowOrdersServiceList
          Effect: Allow
          Principal:
            AWS: arn:aws:iam::${account:Staging}:role/OrdersServiceRole
`, `        - Sid: AllowOrdersServiceList
          Effect: Allow
          Principal:
            AWS:
              - arn:aws:iam::${account:Staging}:role/OrdersServiceRole
              - arn:aws:iam::${account:Dev}:root
`})
	only(t, rep, Opened)
	got := find(rep, Opened, devID, "s3:ListBucket", "arn:aws:s3:::securecart-staging-orders")
	if len(got) == 0 {
		t.Fatal("Dev cannot newly list the staging orders bucket")
	}
	for _, c := range rep.Changes {
		for _, p := range c.Principals {
			if !strings.Contains(p, devID) {
				t.Errorf("a principal outside Dev: %s", p)
			}
		}
	}
}

// Reformatting (flow lists, statements reordered, keys reordered) changes
// no decision.
func TestReformattingChangesNothing(t *testing.T) {
	m := secureCartFS(t)
	old := load(t, m)
	edit(t, m, "scps.yaml", "          Action: organizations:LeaveOrganization\n          Resource: \"*\"", "          Resource: [\"*\"]\n          Action: [organizations:LeaveOrganization]")
	edit(t, m, "scps.yaml", `        - Sid: DenyLeaveOrganization
          Effect: Deny
          Resource: ["*"]
          Action: [organizations:LeaveOrganization]
`, "")
	edit(t, m, "scps.yaml", "        - Sid: DenyRootUser", `        - Sid: DenyLeaveOrganization
          Effect: Deny
          Resource: ["*"]
          Action: [organizations:LeaveOrganization]
        - Sid: DenyRootUser`)
	new := load(t, m)
	rep := Diff(old, new, Options{Now: now})
	if len(rep.Changes) != 0 || len(rep.Unknown) != 0 {
		t.Fatalf("changes %+v unknown %+v", rep.Changes, rep.Unknown)
	}
}

// A condition on aws:RequestedRegion: a new deny outside us-east-1 closes
// the other regions (and requests without the key) only.
func TestRegionCondition(t *testing.T) {
	rep := diffEdited(t, [3]string{"scps.yaml", "        - Sid: DenyLeaveOrganization", `        - Sid: DynamoDBOnlyInVirginia
          Effect: Deny
          Action: dynamodb:*
          Resource: "*"
          Condition:
            StringNotEquals:
              aws:RequestedRegion: us-east-1
        - Sid: DenyLeaveOrganization`})
	only(t, rep, Closed)
	if len(rep.Changes) == 0 {
		t.Fatal("nothing closed")
	}
	for _, c := range rep.Changes {
		if strings.EqualFold(ctxValue(c.Context, "aws:RequestedRegion"), "us-east-1") {
			t.Errorf("closed in us-east-1: %+v", c)
		}
	}
}

// MFA: OperationsRole's trust policy stops requiring MFA; assuming it
// without MFA opens, with MFA nothing changes.
func TestMFACondition(t *testing.T) {
	rep := diffEdited(t, [3]string{"roles.yaml", `            Bool:
              aws:MultiFactorAuthPresent: "true"
    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]`, `    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]`})
	only(t, rep, Opened)
	got := find(rep, Opened, "AWSReservedSSO_DevOpsAccess", "sts:AssumeRole", "arn:aws:iam::"+prodID+":role/OperationsRole")
	if len(got) == 0 {
		t.Fatal("DevOps cannot newly assume OperationsRole without MFA")
	}
	for _, c := range rep.Changes {
		if ctxValue(c.Context, "aws:MultiFactorAuthPresent") == "true" {
			t.Errorf("opened with MFA, which was already allowed: %+v", c)
		}
	}
}

func ctxValue(ctx map[string]any, key string) string {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// A key policy that grants the vendor account outside the organization
// kms:RetireGrant and kms:RevokeGrant: the DataPerimeter RCP denies every
// KMS action to identities outside the organization, but "RCPs do not impact
// the kms:RetireGrant permission" (Resources and entities not restricted by
// RCPs,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps):
// RetireGrant opens, its twin RevokeGrant stays closed.
func TestRCPLeavesRetireGrant(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:" + prodID + ":key/8c2e5d94-1a7b-4f3c-b6e0-29d4a8f1c735"
	head := "key/8c2e5d94-1a7b-4f3c-b6e0-29d4a8f1c735\n    account: Prod\n    policy:\n      Version: \"2012-10-17\"\n      Statement:\n"
	rep := diffEdited(t, [3]string{"resources.yaml", head, head + `        - Sid: VendorGrants
          Effect: Allow
          Principal:
            AWS: arn:aws:iam::111122223333:root
          Action:
            - kms:RetireGrant
            - kms:RevokeGrant
          Resource: "*"
`})
	only(t, rep, Opened)
	causedBy(t, rep, "VendorGrants")
	if got := find(rep, Opened, "111122223333", "kms:RetireGrant", key); len(got) == 0 {
		t.Error("the vendor account cannot newly retire grants of Prod's key")
	}
	if got := find(rep, Opened, "111122223333", "kms:RevokeGrant", key); len(got) != 0 {
		t.Errorf("the DataPerimeter RCP should keep the vendor from revoking grants: %+v", got)
	}
}

// Prod's key becomes AWS managed (keyManager: AWS) while its policy lets
// the vendor account outside the organization decrypt: "Resource control
// policies in your organization do not apply to AWS managed keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html),
// so the DataPerimeter RCP no longer keeps the vendor out and Decrypt
// opens on that key, and on no other resource.
func TestAWSManagedKeyLeavesRCPs(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:" + prodID + ":key/8c2e5d94-1a7b-4f3c-b6e0-29d4a8f1c735"
	head := "key/8c2e5d94-1a7b-4f3c-b6e0-29d4a8f1c735\n    account: Prod\n"
	body := "    policy:\n      Version: \"2012-10-17\"\n      Statement:\n"
	m := secureCartFS(t)
	edit(t, m, "resources.yaml", head+body, head+body+`        - Sid: VendorDecrypt
          Effect: Allow
          Principal:
            AWS: arn:aws:iam::111122223333:root
          Action: kms:Decrypt
          Resource: "*"
`)
	old := load(t, m)
	edit(t, m, "resources.yaml", head, head+"    keyManager: AWS\n")
	new := load(t, m)
	rep := Diff(old, new, Options{Now: now})
	verify(t, old, new, rep)
	if len(rep.Unknown) > 0 {
		t.Errorf("unknown: %+v", rep.Unknown)
	}
	only(t, rep, Opened)
	if got := find(rep, Opened, "111122223333", "kms:Decrypt", key); len(got) == 0 {
		t.Error("the vendor account cannot newly decrypt with the AWS managed key")
	}
	for _, c := range rep.Changes {
		if c.Resource != key {
			t.Errorf("a change on %s, want only the key: %+v", c.Resource, c)
		}
	}
	// The same statement on a customer managed key changes nothing: the
	// RCP denies the vendor in both.
	if rep := Diff(old, old, Options{Now: now}); len(rep.Changes) != 0 {
		t.Errorf("no edit: %d changes", len(rep.Changes))
	}
}
