package reach

import (
	"strings"
	"testing"
)

// bucket is Prod's bucket, whose policy delegates to Prod's IAM policies.
const bucket = `resources:
  - arn: arn:aws:s3:::prod-data
    account: Prod
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::333333333333:root"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}]}
`

const object = "arn:aws:s3:::prod-data/report.csv"

// reader is a Prod role that reads the bucket, trusting TRUST.
func reader(trust string) string {
	return `  - name: Reader
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [` + trust + `]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}]}
`
}

// alice is a Dev user allowed to assume any role, with extra YAML fields.
func alice(extra string) string {
	return `users:
  - name: alice
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
` + extra
}

func TestTrust(t *testing.T) {
	trusting := loadOrg(t, "roles:\n"+reader(`{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}`), alice(""), bucket)
	got := who(t, trusting, "s3:GetObject", object, nil)
	if p, ok := got[userARN(dev, "alice")]; !ok || viaOf(p) != roleARN(prod, "Reader") {
		t.Fatalf("alice should read through Reader: %v", names(got))
	}
	if p, ok := got[roleARN(prod, "Reader")]; !ok || len(p.Via) != 0 {
		t.Fatalf("Reader reads directly: %v", names(got))
	}
	if _, ok := got["arn:aws:iam::"+prod+":root"]; !ok {
		t.Fatalf("Prod's root user reads in its own account: %v", names(got))
	}
	if _, ok := got["arn:aws:iam::"+dev+":root"]; ok {
		t.Fatalf("a root user cannot assume roles: %v", names(got))
	}

	// Negative twin: the trust policy names another account.
	notTrusting := loadOrg(t, "roles:\n"+reader(`{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}`), alice(""), bucket)
	got = who(t, notTrusting, "s3:GetObject", object, nil)
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("the trust policy does not trust Dev: %v", names(got))
	}
	if _, ok := got[roleARN(prod, "Reader")]; !ok {
		t.Fatalf("Reader still reads: %v", names(got))
	}
}

func TestSCPDeny(t *testing.T) {
	trust := `{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}`
	denyDev := `policies:
  - name: NoAssume
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "sts:AssumeRole", Resource: "*"}]}
    attach: [Dev]
`
	denied := loadOrg(t, "roles:\n"+reader(trust), alice(""), bucket, denyDev)
	got := who(t, denied, "s3:GetObject", object, nil)
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("an SCP of Dev denies sts:AssumeRole: %v", names(got))
	}
	if _, ok := got[roleARN(prod, "Reader")]; !ok {
		t.Fatalf("the SCP is Dev's: Reader still reads: %v", names(got))
	}
	// Twin: the same SCP on Mgmt's OU-less neighbour leaves Dev alone.
	elsewhere := loadOrg(t, "roles:\n"+reader(trust), alice(""), bucket, strings.Replace(denyDev, "attach: [Dev]", "attach: [Prod]", 1))
	got = who(t, elsewhere, "s3:GetObject", object, nil)
	if _, ok := got[userARN(dev, "alice")]; !ok {
		t.Fatalf("an SCP of Prod does not bind Dev's users: %v", names(got))
	}
}

func TestBoundary(t *testing.T) {
	trust := `{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}`
	boundary := func(action string) string {
		return `policies:
  - name: Edge
    type: managed
    accounts: [Dev]
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "` + action + `", Resource: "*"}]}
`
	}
	within := loadOrg(t, "roles:\n"+reader(trust), alice("    permissionsBoundary: Edge\n"), bucket, boundary("sts:*"))
	if got := who(t, within, "s3:GetObject", object, nil); got[userARN(dev, "alice")].Principal == nil {
		t.Fatalf("the boundary allows sts:*: %v", names(got))
	}
	outside := loadOrg(t, "roles:\n"+reader(trust), alice("    permissionsBoundary: Edge\n"), bucket, boundary("s3:*"))
	if got := who(t, outside, "s3:GetObject", object, nil); got[userARN(dev, "alice")].Principal != nil {
		t.Fatalf("the boundary does not allow sts:AssumeRole: %v", names(got))
	}
}

func TestMFARequired(t *testing.T) {
	mfa := `{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}`
	o := loadOrg(t, "roles:\n"+reader(mfa), alice(""), bucket)
	got := who(t, o, "s3:GetObject", object, nil)
	p, ok := got[userARN(dev, "alice")]
	if !ok || len(p.Hops) != 1 {
		t.Fatalf("alice reads through Reader with MFA: %v", names(got))
	}
	// MFA is the chain's, from alice's sign-in: said once, at the start
	// (not as a key of the hop's request).
	if len(p.Session) != 1 || p.Session[0].String() != "MFA at sign-in" || len(p.Hops[0].Requires) != 0 {
		t.Fatalf("the path requires MFA at sign-in: %v, hop %+v", p.Session, p.Hops[0].Requires)
	}
	if len(p.Final.Requires) != 0 {
		t.Fatalf("the read itself requires nothing: %+v", p.Final.Requires)
	}

	// Twin: MFA required by the identity policy of the request itself,
	// which the caller fixes to false.
	direct := loadOrg(t, `roles:
  - name: Reader
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*", Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}]}
`, bucket)
	got = who(t, direct, "s3:GetObject", object, nil)
	if p, ok := got[roleARN(prod, "Reader")]; !ok || !requires(p.Final.Requires, "aws:MultiFactorAuthPresent", "true") {
		t.Fatalf("Reader reads with MFA: %v", names(got))
	}
	got = who(t, direct, "s3:GetObject", object, map[string][]string{"aws:MultiFactorAuthPresent": {"false"}})
	if _, ok := got[roleARN(prod, "Reader")]; ok {
		t.Fatalf("without MFA Reader cannot read: %v", names(got))
	}
}

// chain is Dev's user alice, and roles A (Dev) -> B (Prod) -> C (Prod),
// of which only the last reads; brokenAt names a role whose trust policy
// trusts no one of the chain.
func chain(t *testing.T, brokenAt string) map[string]Path {
	trustOf := func(name, principal string) string {
		if name == brokenAt {
			principal = "arn:aws:iam::111111111111:root"
		}
		return `{Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + principal + `"}, Action: sts:AssumeRole}]}`
	}
	assume := `      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
`
	roles := `roles:
  - name: A
    accounts: [Dev]
    trust: ` + trustOf("A", userARN(dev, "alice")) + `
    inlinePolicies:
` + assume + `  - name: B
    accounts: [Prod]
    trust: ` + trustOf("B", roleARN(dev, "A")) + `
    inlinePolicies:
` + assume + `  - name: C
    accounts: [Prod]
    trust: ` + trustOf("C", roleARN(prod, "B")) + `
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}]}
`
	return who(t, loadOrg(t, roles, alice(""), bucket), "s3:GetObject", object, nil)
}

func TestChains(t *testing.T) {
	got := chain(t, "")
	want := map[string]string{
		roleARN(prod, "C"):    "",
		roleARN(prod, "B"):    roleARN(prod, "C"),
		roleARN(dev, "A"):     roleARN(prod, "B") + " > " + roleARN(prod, "C"),
		userARN(dev, "alice"): roleARN(dev, "A") + " > " + roleARN(prod, "B") + " > " + roleARN(prod, "C"),
	}
	for arn, via := range want {
		p, ok := got[arn]
		if !ok || viaOf(p) != via {
			t.Errorf("%s should be listed via [%s]: %v", arn, via, names(got))
		}
	}
	// Twins: a broken link cuts everyone before it.
	got = chain(t, "B")
	if _, ok := got[roleARN(dev, "A")]; ok {
		t.Errorf("B does not trust A: %v", names(got))
	}
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Errorf("the three-hop chain is broken at B: %v", names(got))
	}
	if _, ok := got[roleARN(prod, "B")]; !ok {
		t.Errorf("B still reaches C: %v", names(got))
	}
	got = chain(t, "A")
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Errorf("A does not trust alice: %v", names(got))
	}
	if _, ok := got[roleARN(dev, "A")]; !ok {
		t.Errorf("A still reaches C in two hops: %v", names(got))
	}
}

func TestOutsideAccount(t *testing.T) {
	trust := `{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: sts:AssumeRole, Condition: {StringEquals: {sts:ExternalId: "vendor-7f3c"}}}`
	o := loadOrg(t, "roles:\n"+reader(trust), bucket)
	got := who(t, o, "s3:GetObject", object, nil)
	p, ok := got["arn:aws:iam::"+vendor+":root"]
	if !ok || viaOf(p) != roleARN(prod, "Reader") || p.Principal.Kind != KindOutside {
		t.Fatalf("the vendor account reads through Reader: %v", names(got))
	}
	if !requires(p.Hops[0].Requires, "sts:ExternalId", "vendor-7f3c") {
		t.Fatalf("the vendor needs the external ID: %+v", p.Hops[0].Requires)
	}
	// Twin: an RCP keeps role assumption inside the organization.
	perimeter := `policies:
  - name: Perimeter
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "sts:AssumeRole", Resource: "*", Condition: {StringNotEqualsIfExists: {aws:PrincipalOrgID: o-a1b2c3d4e5}, BoolIfExists: {aws:PrincipalIsAWSService: "false"}}}]}
    attach: [Prod]
`
	o = loadOrg(t, "roles:\n"+reader(trust), bucket, perimeter)
	got = who(t, o, "s3:GetObject", object, nil)
	if _, ok := got["arn:aws:iam::"+vendor+":root"]; ok {
		t.Fatalf("the RCP denies outside principals: %v", names(got))
	}
}

func TestServiceAndFederated(t *testing.T) {
	trust := `{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole, Condition: {StringEquals: {aws:SourceAccount: "333333333333"}}},
      {Effect: Allow, Principal: {Federated: "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"}, Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: {"token.actions.githubusercontent.com:aud": sts.amazonaws.com}}}`
	provider := `identityProviders:
  - {type: oidc, name: token.actions.githubusercontent.com, accounts: [Prod], clientIds: [sts.amazonaws.com]}
`
	o := loadOrg(t, "roles:\n"+reader(trust), bucket, provider)
	got := who(t, o, "s3:GetObject", object, nil)
	p, ok := got["lambda.amazonaws.com"]
	if !ok || p.Principal.Kind != KindService || !requires(p.Hops[0].Requires, "aws:SourceAccount", prod) && len(p.Hops[0].Requires) != 0 {
		t.Fatalf("Lambda acting for Prod reads through Reader: %v", names(got))
	}
	fed := "arn:aws:iam::" + prod + ":oidc-provider/token.actions.githubusercontent.com"
	p, ok = got[fed]
	if !ok || p.Hops[0].Action != "sts:AssumeRoleWithWebIdentity" || !requires(p.Hops[0].Requires, "token.actions.githubusercontent.com:aud", "sts.amazonaws.com") {
		t.Fatalf("GitHub's tokens read through Reader: %v", names(got))
	}
	// Twin: a service the trust policy does not name, and no provider.
	o = loadOrg(t, "roles:\n"+reader(`{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole, Condition: {StringEquals: {aws:SourceAccount: "333333333333"}}}`), bucket)
	got = who(t, o, "s3:GetObject", object, nil)
	if _, ok := got["lambda.amazonaws.com"]; ok {
		t.Fatalf("Reader does not trust Lambda: %v", names(got))
	}
	if _, ok := got["ec2.amazonaws.com"]; !ok {
		t.Fatalf("Reader trusts EC2: %v", names(got))
	}
}

func TestSecureCart(t *testing.T) {
	o := secureCart(t)
	const prodID, secID = "654827139045", "218364950271"
	got := who(t, o, "s3:GetObject", "arn:aws:s3:::securecart-prod-vendor-exports/x.csv", nil)
	p, ok := got["arn:aws:iam::111122223333:root"]
	if !ok || viaOf(p) != roleARN(prodID, "VendorAccessRole") || !requires(p.Hops[0].Requires, "sts:ExternalId", "securecart-vendor-7f3c") {
		t.Fatalf("the vendor reads its exports through VendorAccessRole with its external ID: %v", names(got))
	}
	// Only the break-glass path (Identity Center administrators of the
	// Security account, with fresh MFA) assumes BreakGlassRole.
	got = who(t, o, "sts:AssumeRole", roleARN(secID, "BreakGlassRole"), nil)
	for arn, p := range got {
		if p.Principal.Kind != KindPermissionSet || !strings.Contains(arn, "AWSReservedSSO_AdministratorAccess_") {
			t.Errorf("%s should not assume BreakGlassRole", arn)
		}
		if !requires(p.Final.Requires, "aws:MultiFactorAuthPresent", "true") {
			t.Errorf("%s needs MFA: %+v", arn, p.Final.Requires)
		}
	}
	if len(got) == 0 {
		t.Fatal("the Security administrators assume BreakGlassRole")
	}
	// A service-linked role's service acts through it.
	got = who(t, o, "ec2:DescribeInstances", "*", nil)
	if p, ok := got["guardduty.amazonaws.com"]; !ok || p.Principal.Kind != KindService || !strings.Contains(viaOf(p), "AWSServiceRoleForAmazonGuardDuty") {
		t.Errorf("GuardDuty describes instances through its service-linked role: %v", names(got))
	}
	// Twin: a permission the role lacks.
	got = who(t, o, "iam:CreateUser", "arn:aws:iam::"+prodID+":user/x", nil)
	if _, ok := got["guardduty.amazonaws.com"]; ok {
		t.Errorf("GuardDuty's role does not create users: %v", names(got))
	}
}

// Prod's KMS keys let the vendor account decrypt and Prod's RCP keeps
// identities outside the organization away from KMS. "Resource control
// policies in your organization do not apply to AWS managed keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html):
// the vendor can decrypt with the AWS managed key (keyManager: AWS), not
// with its twin, a customer managed key.
func TestAWSManagedKeyOutsideRCPs(t *testing.T) {
	const managed = "arn:aws:kms:us-east-1:333333333333:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
	const customer = "arn:aws:kms:us-east-1:333333333333:key/1111bbbb-12ab-34cd-56ef-1234567890ab"
	keys := `resources:
  - arn: ` + managed + `
    keyManager: AWS
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:Decrypt", Resource: "*"}]}
  - arn: ` + customer + `
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:Decrypt", Resource: "*"}]}
`
	perimeter := `policies:
  - name: Perimeter
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "kms:*", Resource: "*", Condition: {StringNotEqualsIfExists: {aws:PrincipalOrgID: o-a1b2c3d4e5}}}]}
    attach: [Prod]
`
	o := loadOrg(t, keys, perimeter)
	if _, ok := who(t, o, "kms:Decrypt", managed, nil)["arn:aws:iam::"+vendor+":root"]; !ok {
		t.Errorf("the vendor decrypts with the AWS managed key: RCPs do not apply to it")
	}
	got := who(t, o, "kms:Decrypt", customer, nil)
	if _, ok := got["arn:aws:iam::"+vendor+":root"]; ok {
		t.Errorf("the RCP keeps the vendor from the customer managed key: %v", names(got))
	}
}
