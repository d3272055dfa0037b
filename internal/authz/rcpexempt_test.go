package authz

import (
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// The org of the RCP exceptions: Prod's RCP denies every KMS action and every
// role assumption to principals outside the organization, as the data
// perimeter examples do; its key policy and its roles' trust policies would
// allow them.
const rcpExemptOrg = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Prod, id: "333333333333", email: prod@example.com}
policies:
  - name: Perimeter
    type: rcp
    document:
      Version: "2012-10-17"
      Statement:
        - {Effect: Deny, Principal: "*", Action: ["kms:*", "sts:AssumeRole"], Resource: "*", Condition: {StringNotEqualsIfExists: {"aws:PrincipalOrgID": o-a1b2c3d4e5}}}
    attach: [Prod]
  - name: NoNewKeys
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: ["kms:CreateKey", "kms:CreateAlias"], Resource: "*"}]}
    attach: [Prod]
  - name: OpsNoDecrypt
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: ["kms:Decrypt", "kms:UpdateAlias"], Resource: "*", Condition: {ArnLike: {"aws:PrincipalArn": "arn:aws:iam::333333333333:role/Ops"}}}]}
    attach: [Prod]
roles:
  - name: Ops
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: config.amazonaws.com}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Keys: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
serviceLinkedRoles:
  - {service: config.amazonaws.com, name: AWSServiceRoleForConfig, accounts: [Prod]}
resources:
  - arn: arn:aws:kms:us-east-1:333333333333:alias/aws/ebs
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:*", Resource: "*"}]}
  - arn: arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    account: Prod
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:*", Resource: "*"}]}
  - arn: arn:aws:kms:us-east-1:333333333333:key/0000aaaa-12ab-34cd-56ef-1234567890ab
    keyManager: AWS
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:*", Resource: "*"}]}
  - arn: arn:aws:kms:us-east-1:333333333333:key/1111bbbb-12ab-34cd-56ef-1234567890ab
    keyManager: CUSTOMER
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:*", Resource: "*"}]}
`

// An AWS managed key (keyManager: AWS) and a customer managed key declared
// as such.
const (
	awsManagedKey  = "arn:aws:kms:us-east-1:333333333333:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
	customerKeyArn = "arn:aws:kms:us-east-1:333333333333:key/1111bbbb-12ab-34cd-56ef-1234567890ab"
)

const rcpExemptKey = "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// TestRCPExemptions: what AWS lists under "Resources and entities not
// restricted by RCPs"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps),
// and an action that authorizes no resource (same page,
// #rcp-effects-on-permissions), each beside a twin the same RCP still denies.
func TestRCPExemptions(t *testing.T) {
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(rcpExemptOrg)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                        string
		principal, action, resource string
		rcp                         bool // the RCP applies and denies
		// keyManager: the exemption is the declared key's, which inputs
		// given whole (a simulate case) do not carry.
		keyManager bool
	}{
		// "RCPs do not impact the kms:RetireGrant permission."
		{"kms:RetireGrant", "arn:aws:iam::444455556666:root", "kms:RetireGrant", rcpExemptKey, false, false},
		{"kms:RevokeGrant twin", "arn:aws:iam::444455556666:root", "kms:RevokeGrant", rcpExemptKey, true, false},
		{"kms:CreateGrant twin", "arn:aws:iam::444455556666:root", "kms:CreateGrant", rcpExemptKey, true, false},
		// "the service-linked role's trust policy is also not impacted by RCPs"
		{"service-linked role trust", "config.amazonaws.com", "sts:AssumeRole", "arn:aws:iam::333333333333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", false, false},
		{"ordinary role trust twin", "config.amazonaws.com", "sts:AssumeRole", "arn:aws:iam::333333333333:role/Ops", true, false},
		// RCPs apply to the resources of the action's "Resource type" column
		// (#rcp-effects-on-permissions): kms:CreateKey has none.
		{"kms:CreateKey, no resource type", "arn:aws:iam::333333333333:role/Ops", "kms:CreateKey", "", false, false},
		{"kms:CreateAlias twin", "arn:aws:iam::333333333333:role/Ops", "kms:CreateAlias", "arn:aws:kms:us-east-1:333333333333:alias/app", true, false},
		// "Resource control policies in your organization do not apply to
		// AWS managed keys"
		// (https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html).
		{"AWS managed key", "arn:aws:iam::444455556666:root", "kms:Decrypt", awsManagedKey, false, true},
		{"AWS managed key, CreateGrant", "arn:aws:iam::444455556666:root", "kms:CreateGrant", awsManagedKey, false, true},
		{"customer managed key twin", "arn:aws:iam::444455556666:root", "kms:Decrypt", customerKeyArn, true, false},
		// An alias alias/aws/SERVICE names an AWS managed key ("The
		// alias/aws/ prefix is reserved for AWS managed keys", AWS KMS API
		// Reference, CreateAlias; AWS KMS Developer Guide, "AWS managed
		// keys"): a request naming the key through it, declared or not, is
		// on that key. The alias's own operations keep the RCPs; a
		// customer alias is a twin.
		{"AWS managed key through its alias", "arn:aws:iam::333333333333:role/Ops", "kms:Decrypt", "arn:aws:kms:us-east-1:333333333333:alias/aws/s3", false, true},
		{"AWS managed key through its declared alias", "arn:aws:iam::444455556666:root", "kms:Decrypt", "arn:aws:kms:us-east-1:333333333333:alias/aws/ebs", false, true},
		{"customer alias twin", "arn:aws:iam::333333333333:role/Ops", "kms:Decrypt", "arn:aws:kms:us-east-1:333333333333:alias/app", true, false},
		{"UpdateAlias of an AWS managed key's alias twin", "arn:aws:iam::333333333333:role/Ops", "kms:UpdateAlias", "arn:aws:kms:us-east-1:333333333333:alias/aws/s3", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := assemble(t, o, Query{Principal: tc.principal, Action: tc.action, Resource: tc.resource})
			if got := s.Inputs.RCP != nil; got != tc.rcp {
				t.Fatalf("RCP levels %v, want applied %v", levelTargets(s.Inputs.RCP), tc.rcp)
			}
			e := eval.Evaluate(s.Request, &s.Inputs)
			if tc.rcp && (e.Decision != eval.ExplicitDeny || e.DeniedBy != eval.LayerRCP) {
				t.Errorf("%s: %s by %s, want ExplicitDeny by rcp", tc.action, e.Decision, e.DeniedBy)
			}
			if !tc.rcp && e.Decision != eval.Allow {
				t.Errorf("%s: %s by %s, want Allow (RCPs do not restrict it)", tc.action, e.Decision, e.DeniedBy)
			}
			if tc.keyManager {
				return
			}
			// A simulate case with the same inputs given whole agrees.
			in := s.Inputs
			in.RCP = o.RCPLevels("333333333333")
			req := s.Request
			if e2 := Evaluate(req, in, now); e2.Decision != e.Decision || e2.DeniedBy != e.DeniedBy {
				t.Errorf("given whole: %s by %s, assembled: %s by %s", e2.Decision, e2.DeniedBy, e.Decision, e.DeniedBy)
			}
		})
	}
	// RCPs do not affect the management account's resources: no levels.
	if l := o.RCPLevels("111111111111"); l != nil {
		t.Errorf("RCP levels of the management account %v", l)
	}
}
