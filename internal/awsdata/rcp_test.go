package awsdata

import "testing"

func TestRCPApplies(t *testing.T) {
	for svc, want := range map[string]bool{"s3": true, "STS": true, "kms": true, "sqs": true, "secretsmanager": true, "ec2": false, "iam": false, "lambda": false} {
		if got := RCPApplies(svc); got != want {
			t.Errorf("RCPApplies(%q) = %v, want %v", svc, got, want)
		}
	}
}

// "RCPs do not impact the kms:RetireGrant permission" ("Resources and
// entities not restricted by RCPs",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps);
// the other grant actions of KMS stay under RCPs.
func TestRCPAppliesTo(t *testing.T) {
	for a, want := range map[string]bool{
		"kms:RetireGrant": false, "KMS:retiregrant": false,
		"kms:RevokeGrant": true, "kms:CreateGrant": true, "kms:Decrypt": true,
		"s3:GetObject": true, "ec2:RunInstances": false,
	} {
		if got := RCPAppliesTo(a); got != want {
			t.Errorf("RCPAppliesTo(%q) = %v, want %v", a, got, want)
		}
	}
	if !RCPExempt("kms:RetireGrant") || RCPExempt("kms:RevokeGrant") {
		t.Error("RCPExempt: want kms:RetireGrant only")
	}
}

// An action with no resource type authorizes no resource, so no account's
// RCPs apply to it ("RCP effects on permissions",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-effects-on-permissions).
func TestRCPNoResourceType(t *testing.T) {
	for a, want := range map[string]bool{"kms:CreateKey": false, "s3:ListAllMyBuckets": false, "kms:CreateAlias": true, "s3:ListBucket": true} {
		if got := RCPAppliesTo(a); got != want {
			t.Errorf("RCPAppliesTo(%q) = %v, want %v", a, got, want)
		}
	}
}
