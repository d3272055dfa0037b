package analyze

import (
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/org"
)

// An org whose RCP denies KMS to principals outside it, with three keys
// whose key policies let in an outside account: an AWS managed key declared
// keyManager: AWS, an AWS managed key's alias (alias/aws/SERVICE) and a
// customer managed key.
const awsManagedKeyOrg = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Prod, id: "333333333333", email: prod@example.com}
policies:
  - name: Perimeter
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "kms:*", Resource: "*", Condition: {StringNotEqualsIfExists: {"aws:PrincipalOrgID": o-a1b2c3d4e5}}}]}
    attach: [Prod]
resources:
  - arn: arn:aws:kms:us-east-1:333333333333:key/0000aaaa-12ab-34cd-56ef-1234567890ab
    keyManager: AWS
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:Decrypt", Resource: "*"}]}
  - arn: arn:aws:kms:us-east-1:333333333333:alias/aws/ebs
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:Decrypt", Resource: "*"}]}
  - arn: arn:aws:kms:us-east-1:333333333333:key/1111bbbb-12ab-34cd-56ef-1234567890ab
    keyManager: CUSTOMER
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:Decrypt", Resource: "*"}]}
`

// TestAWSManagedKeyNoRCPs: the access analysis gives an AWS managed key no
// RCPs ("Resource control policies in your organization do not apply to AWS
// managed keys", AWS KMS Developer Guide, "Resource control policies in AWS
// KMS"), declared keyManager: AWS or named by its alias alias/aws/SERVICE
// (AWS KMS API Reference, CreateAlias: the prefix is reserved for AWS
// managed keys); the outside account the managed key's policy lets in is a
// finding. The customer managed twin keeps its account's RCP, which denies
// that account: no finding.
func TestAWSManagedKeyNoRCPs(t *testing.T) {
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(awsManagedKeyOrg)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const (
		managed  = "arn:aws:kms:us-east-1:333333333333:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
		alias    = "arn:aws:kms:us-east-1:333333333333:alias/aws/ebs"
		customer = "arn:aws:kms:us-east-1:333333333333:key/1111bbbb-12ab-34cd-56ef-1234567890ab"
	)
	rcps := map[string]int{}
	for _, tg := range Targets(o) {
		rcps[tg.ARN] = len(tg.RCP)
	}
	if rcps[managed] != 0 || rcps[alias] != 0 || rcps[customer] == 0 {
		t.Errorf("RCP levels per target %v; want none for %s and %s, its account's for %s", rcps, managed, alias, customer)
	}
	found := map[string]bool{}
	for _, f := range AccessOrg(o, ZoneAccount) {
		if f.Principal["AWS"] == "444455556666" || f.Principal["AWS"] == "arn:aws:iam::444455556666:root" {
			found[f.Resource] = true
		}
	}
	if !found[managed] || found[customer] {
		t.Errorf("findings for 444455556666 on %v; want %s, not %s", found, managed, customer)
	}
}
