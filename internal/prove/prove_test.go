package prove

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func secureCart(t testing.TB) *org.Org {
	t.Helper()
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mustParse(t testing.TB, o *org.Org, src string) []*Guardrail {
	t.Helper()
	gs, err := Parse([]byte(src), "g.yaml", o)
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

func TestRootBlocked(t *testing.T) {
	o := secureCart(t)
	gs := mustParse(t, o, `guardrails:
  - name: root
    principals: ["arn:aws:iam::*:root"]
    accounts: [Dev]
    actions: ["s3:ListAllMyBuckets"]
`)
	r := New(o, now).Prove(gs[0])
	if r.Result != Proved {
		t.Fatalf("%+v", r)
	}
}

func TestSecureCartGuardrailsProve(t *testing.T) {
	o := secureCart(t)
	src, err := os.ReadFile("../../landing-zones/securecart-tests/guardrails.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gs := mustParse(t, o, string(src))
	if len(gs) < 10 {
		t.Fatalf("%d guardrails", len(gs))
	}
	p := New(o, now)
	for _, g := range gs {
		start := time.Now()
		r := p.Prove(g)
		t.Logf("%s: %s in %v", g.Name, r.Result, time.Since(start))
		if r.Result != Proved || !r.Pass || len(r.Blocked) == 0 {
			t.Errorf("%s: %s %s %+v", g.Name, r.Result, r.Reason, r.Counterexample)
		}
	}
}

const tinyOrg = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: m@example.com}
  - {name: Dev, id: "222222222222", email: d@example.com}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Dev]
roles:
  - name: App
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
    inlinePolicies:
      P:
        Version: "2012-10-17"
        Statement:
          - {Sid: BySource, Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::data/${aws:SourceIdentity}/*"}
          - {Sid: Tagged, Effect: Allow, Action: s3:PutObject, Resource: "*", Condition: {StringEquals: {aws:RequestTag/env: dev}}}
`

func tiny(t *testing.T) *org.Org {
	t.Helper()
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(tinyOrg)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestUnknownNeverProved: a Resource element with a variable of a key the
// caller chooses cannot be split exactly; nothing else allows the request,
// and the answer is unknown, not proved.
func TestUnknownNeverProved(t *testing.T) {
	o := tiny(t)
	gs := mustParse(t, o, "guardrails:\n  - name: no reads\n    principals: [\"arn:aws:iam::*:role/*\"]\n    actions: [s3:GetObject]\n")
	r := New(o, now).Prove(gs[0])
	if r.Result != Unknown || r.Pass || r.Reason == "" {
		t.Fatalf("%+v", r)
	}
}

// TestContextRanges: a key the caller sets ranges over its classes (the
// refutation finds the one value the policy allows); a key the guardrail
// fixes keeps its value.
func TestContextRanges(t *testing.T) {
	o := tiny(t)
	gs := mustParse(t, o, `guardrails:
  - name: free
    principals: ["arn:aws:iam::*:role/*"]
    actions: [s3:PutObject]
  - name: fixed
    principals: ["arn:aws:iam::*:role/*"]
    actions: [s3:PutObject]
    context: {aws:RequestTag/env: prod}
`)
	p := New(o, now)
	r := p.Prove(gs[0])
	if r.Result != Refuted || r.Counterexample.Context["aws:requesttag/env"] != "dev" ||
		r.Counterexample.Principal != "arn:aws:sts::222222222222:assumed-role/App/warden-prove" {
		t.Errorf("free: %+v %+v", r, r.Counterexample)
	}
	if len(r.Allowed) == 0 || !strings.Contains(strings.Join(r.Allowed, "\n"), "statement Tagged") {
		t.Errorf("allowed by %q", r.Allowed)
	}
	r = p.Prove(gs[1])
	if r.Result != Proved || r.Principals != 1 {
		t.Errorf("fixed: %+v", r)
	}
}

func TestParseDefaultsAndPlaceholders(t *testing.T) {
	o := tiny(t)
	gs := mustParse(t, o, `guardrails:
  - name: a
    principals: "arn:aws:iam::{Dev}:role/*"
    except: ["arn:aws:iam::{Dev}:role/Other"]
    accounts: [Dev, "111111111111"]
    actions: ["s3:Get*"]
    context: {aws:TagKeys: [a, b]}
`)
	g := gs[0]
	if g.Principals[0] != "arn:aws:iam::222222222222:role/*" || g.Except[0] != "arn:aws:iam::222222222222:role/Other" ||
		len(g.Accounts) != 2 || g.Accounts[1] != "111111111111" || g.Expect != "denied" || len(g.Context["aws:TagKeys"]) != 2 {
		t.Errorf("%+v", g)
	}
	if acts := actions(g); len(acts) < 10 || !contains(acts, "s3:GetObject") {
		t.Errorf("s3:Get* expands to %d actions", len(acts))
	}
	p := New(o, now)
	covered := func(g *Guardrail) []candidate { c, _ := p.covered(g, false); return c }
	if n := len(covered(g)); n != 1 {
		t.Errorf("covers %d principals, want Dev's App", n)
	}
	g.Except = []string{"arn:aws:iam::*:role/App"}
	if n := len(covered(g)); n != 0 {
		t.Errorf("covers %d principals with App excepted", n)
	}
	g.Principals, g.Except = nil, nil
	if n := len(covered(g)); n != 3 {
		t.Errorf("covers %d principals, want both roots and App", n)
	}
}

// TestOutsidersByGlob: a bucket that lets anyone put objects refutes a
// guardrail about one service or one outside account's roles that no
// policy names, each found as a class of its own; excepting everyone
// leaves nothing to prove.
func TestOutsidersByGlob(t *testing.T) {
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(`organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: m@example.com}
  - {name: Dev, id: "222222222222", email: d@example.com}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Mgmt, Dev]
resources:
  - arn: arn:aws:s3:::pub
    account: Dev
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: s3:PutObject, Resource: "arn:aws:s3:::pub/*"}]}
`)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gs := mustParse(t, o, `guardrails:
  - name: glue
    principals: [glue.amazonaws.com]
    actions: [s3:PutObject]
  - name: vendor
    principals: ["arn:aws:iam::444455556666:role/Vendor*"]
    actions: [s3:PutObject]
  - name: no one
    except: ["*"]
    actions: [s3:PutObject]
`)
	p := New(o, now)
	for i, want := range []string{"glue.amazonaws.com", "arn:aws:sts::444455556666:assumed-role/Vendor"} {
		r := p.Prove(gs[i])
		if r.Result != Refuted || !strings.HasPrefix(r.Counterexample.Principal, want) || r.Counterexample.Resource != "arn:aws:s3:::pub/example" {
			t.Errorf("%s: %s %+v, want refuted by %s", gs[i].Name, r.Result, r.Counterexample, want)
		}
	}
	if r := p.Prove(gs[2]); r.Result != Proved || r.Principals != 0 {
		t.Errorf("no one: %+v", r)
	}
}

// TestRCPExemptActions: Prod's RCP denies every KMS action to identities
// outside the organization and the key policy grants the vendor account
// both grant actions. "RCPs do not impact the kms:RetireGrant permission"
// (Resources and entities not restricted by RCPs,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps):
// the guardrail on RetireGrant is refuted, its twin on RevokeGrant proved.
// kmsPerimeter is an organization whose Prod account's RCP denies every KMS
// action to identities outside the organization, up to its policies list.
const kmsPerimeter = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: m@example.com}
  - {name: Prod, id: "222222222222", email: p@example.com}
policies:
  - name: Perimeter
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "kms:*", Resource: "*", Condition: {StringNotEqualsIfExists: {"aws:PrincipalOrgID": o-a1b2c3d4e5}}}]}
    attach: [Prod]
`

func TestRCPExemptActions(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(kmsPerimeter + `  - name: NoNewKeys
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: ["kms:CreateKey", "kms:CreateAlias"], Resource: "*"}]}
    attach: [Prod]
roles:
  - name: Ops
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Keys: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
resources:
  - arn: ` + key + `
    account: Prod
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: ["kms:RetireGrant", "kms:RevokeGrant"], Resource: "*"}]}
`)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gs := mustParse(t, o, `guardrails:
  - name: retire
    principals: ["arn:aws:iam::444455556666:root"]
    actions: [kms:RetireGrant]
  - name: revoke
    principals: ["arn:aws:iam::444455556666:root"]
    actions: [kms:RevokeGrant]
  - name: create key
    principals: ["arn:aws:iam::*:role/Ops"]
    actions: [kms:CreateKey]
  - name: create alias
    principals: ["arn:aws:iam::*:role/Ops"]
    actions: [kms:CreateAlias]
`)
	p := New(o, now)
	if r := p.Prove(gs[0]); r.Result != Refuted || r.Counterexample.Resource != key {
		t.Errorf("retire: %s %+v, want refuted on the key", r.Result, r.Counterexample)
	}
	if r := p.Prove(gs[1]); r.Result != Proved {
		t.Errorf("revoke: %s %+v, want proved (the RCP denies it)", r.Result, r.Counterexample)
	}
	// kms:CreateKey authorizes no resource, so no RCP applies to it (same
	// page, #rcp-effects-on-permissions); kms:CreateAlias authorizes an
	// alias and a key of Prod, whose RCP denies it.
	if r := p.Prove(gs[2]); r.Result != Refuted {
		t.Errorf("create key: %s %+v, want refuted", r.Result, r.Counterexample)
	}
	if r := p.Prove(gs[3]); r.Result != Proved {
		t.Errorf("create alias: %s %+v, want proved (the RCP denies it)", r.Result, r.Counterexample)
	}
}

// An AWS managed key and a customer managed key of Prod, whose policies
// both let an account outside the organization decrypt; Prod's RCP denies
// every KMS action to identities outside the organization. "Resource
// control policies in your organization do not apply to AWS managed keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html):
// the guardrail is refuted on the AWS managed key and proved on the
// customer managed one.
func TestAWSManagedKeyOutsideRCPs(t *testing.T) {
	const managed = "arn:aws:kms:us-east-1:222222222222:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
	const customer = "arn:aws:kms:us-east-1:222222222222:key/1111bbbb-12ab-34cd-56ef-1234567890ab"
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(kmsPerimeter + `resources:
  - arn: ` + managed + `
    keyManager: AWS
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:Decrypt", Resource: "*"}]}
  - arn: ` + customer + `
    keyManager: CUSTOMER
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "kms:Decrypt", Resource: "*"}]}
`)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gs := mustParse(t, o, `guardrails:
  - name: managed
    principals: ["arn:aws:iam::444455556666:root"]
    actions: [kms:Decrypt]
    resources: ["`+managed+`"]
  - name: customer
    principals: ["arn:aws:iam::444455556666:root"]
    actions: [kms:Decrypt]
    resources: ["`+customer+`"]
`)
	p := New(o, now)
	if r := p.Prove(gs[0]); r.Result != Refuted || r.Counterexample.Resource != managed {
		t.Errorf("managed: %s %+v, want refuted on the AWS managed key", r.Result, r.Counterexample)
	}
	if r := p.Prove(gs[1]); r.Result != Proved {
		t.Errorf("customer: %s %+v, want proved (the RCP denies it)", r.Result, r.Counterexample)
	}
}
