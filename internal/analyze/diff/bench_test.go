package diff

import (
	"flag"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/org"
)

// BenchmarkDiffSecureCart compares SecureCart with a copy where an SCP
// gains a Deny statement and a permission set an action.
func BenchmarkDiffSecureCart(b *testing.B) {
	m := secureCartFS(b)
	old := load(b, m)
	edit(b, m, "scps.yaml", "        - Sid: DenyLeaveOrganization", "        - Sid: DenyDynamoDBDelete\n          Effect: Deny\n          Action: dynamodb:DeleteTable\n          Resource: \"*\"\n        - Sid: DenyLeaveOrganization")
	edit(b, m, "identity-center.yaml", "          - Sid: AssumeDeveloperRole", "          - Sid: ReadQueues\n            Effect: Allow\n            Action: sqs:ReceiveMessage\n            Resource: \"*\"\n          - Sid: AssumeDeveloperRole")
	new := load(b, m)
	b.ResetTimer()
	for b.Loop() {
		if rep := Diff(old, new, Options{Now: now}); len(rep.Changes) == 0 {
			b.Fatal("no change")
		}
	}
}

// generated loads org.Generate(benchAccounts, 20, 1), edited by replacing old with
// new once.
func generated(b *testing.B, old, new string) *org.Org {
	src := string(org.Generate(*benchAccounts, 20, 1))
	if old != "" {
		if !strings.Contains(src, old) {
			b.Fatalf("no %q", old)
		}
		src = strings.Replace(src, old, new, 1)
	}
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return o
}

// BenchmarkDiffGenerated compares a generated organization of 1,000
// accounts with 20 roles each with a copy whose WorkloadsOU SCP also
// denies iam:CreateAccessKey.
func BenchmarkDiffGenerated(b *testing.B) {
	old := generated(b, "", "")
	new := generated(b, "Action: iam:CreateUser", "Action: [iam:CreateUser, iam:CreateAccessKey]")
	b.ResetTimer()
	for b.Loop() {
		if rep := Diff(old, new, Options{Now: now}); len(rep.Changes) == 0 {
			b.Fatal("no change")
		}
	}
}

// BenchmarkLoadGenerated is the peer of BenchmarkDiffGenerated: loading
// one of the two organizations it compares.
func BenchmarkLoadGenerated(b *testing.B) {
	for b.Loop() {
		generated(b, "", "")
	}
}

// benchAccounts is the generated organization's size (-accounts).
var benchAccounts = flag.Int("accounts", 1000, "accounts of the generated organization the benchmarks compare")

// BenchmarkLoadSecureCart is the peer of BenchmarkDiffSecureCart: loading
// one of the two organizations it compares.
func BenchmarkLoadSecureCart(b *testing.B) {
	m := secureCartFS(b)
	for b.Loop() {
		load(b, m)
	}
}

// BenchmarkDiffGeneratedPerPrincipal is BenchmarkDiffGenerated comparing
// every principal on its own (Options.PerPrincipal): what the comparison
// cost before principals in equal situations were grouped.
func BenchmarkDiffGeneratedPerPrincipal(b *testing.B) {
	old := generated(b, "", "")
	new := generated(b, "Action: iam:CreateUser", "Action: [iam:CreateUser, iam:CreateAccessKey]")
	b.ResetTimer()
	for b.Loop() {
		if rep := Diff(old, new, Options{Now: now, PerPrincipal: true}); len(rep.Changes) == 0 {
			b.Fatal("no change")
		}
	}
}

// generatedEdits are edits of org.Generate that reach per-account
// resources (each old string replaced everywhere it stands):
//   - scp: the ProdOU SCP also denies s3:DeleteBucket, an action every
//     account's bucket policy has a statement for;
//   - rcp: the RCP on the root that denies S3 without TLS also reads
//     aws:ViaAWSService (every account's resources, S3 actions);
//   - bucket: one account's bucket policy lets the Security account read
//     its objects;
//   - trust: Shared00Role, in every account, also trusts an account
//     outside the organization (with MFA).
var generatedEdits = []struct{ name, old, new string }{
	{"scp", "Action: rds:DeleteDBInstance", "Action: [rds:DeleteDBInstance, s3:DeleteBucket]"},
	{"rcp", `{BoolIfExists: {aws:SecureTransport: "false"}}`, `{BoolIfExists: {aws:SecureTransport: "false", aws:ViaAWSService: "false"}}`},
	{"bucket", "  - arn: arn:aws:s3:::gen-account0002-data\n    account: Account0002\n    policy:\n      Version: \"2012-10-17\"\n      Statement:\n",
		"  - arn: arn:aws:s3:::gen-account0002-data\n    account: Account0002\n    policy:\n      Version: \"2012-10-17\"\n      Statement:\n" +
			"        - {Effect: Allow, Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}, Action: \"s3:GetObject\", Resource: \"arn:aws:s3:::gen-account0002-data/*\"}\n"},
	{"trust", "Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}\n          Action: sts:AssumeRole\n          Condition: {Bool: {aws:MultiFactorAuthPresent: \"true\"}}\n    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess, Shared0]\n",
		"Principal: {AWS: [\"arn:aws:iam::${account:Security}:root\", \"arn:aws:iam::111122223333:root\"]}\n          Action: sts:AssumeRole\n          Condition: {Bool: {aws:MultiFactorAuthPresent: \"true\"}}\n    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess, Shared0]\n"},
}

// generatedPair loads org.Generate(accounts, 20, 1) and a copy with one of
// generatedEdits.
func generatedPair(b *testing.B, accounts int, name string) (*org.Org, *org.Org) {
	src := string(org.Generate(accounts, 20, 1))
	loadSrc := func(s string) *org.Org {
		o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(s)}}, "org.yaml")
		if err != nil {
			b.Fatal(err)
		}
		return o
	}
	for _, e := range generatedEdits {
		if e.name != name {
			continue
		}
		if !strings.Contains(src, e.old) {
			b.Fatalf("no %q", e.old)
		}
		return loadSrc(src), loadSrc(strings.ReplaceAll(src, e.old, e.new))
	}
	b.Fatalf("no edit %s", name)
	return nil, nil
}

// BenchmarkDiffGeneratedResources compares org.Generate(benchAccounts, 20,
// 1) with each of generatedEdits, grouping resources in equal situations
// (and principals) or, with /perprincipal, each principal on its own on
// each resource (Options.PerPrincipal).
func BenchmarkDiffGeneratedResources(b *testing.B) {
	for _, e := range generatedEdits {
		for _, per := range []bool{false, true} {
			name := e.name
			if per {
				name += "-perprincipal"
			}
			b.Run(name, func(b *testing.B) {
				old, new := generatedPair(b, *benchAccounts, e.name)
				b.ResetTimer()
				for b.Loop() {
					rep := Diff(old, new, Options{Now: now, PerPrincipal: per})
					if len(rep.Changes) == 0 {
						b.Fatal("no change")
					}
					b.ReportMetric(float64(rep.Classes), "classes")
					b.ReportMetric(float64(rep.Decided), "decided")
				}
			})
		}
	}
}

// BenchmarkDiffNamedResources is BenchmarkDiffGeneratedResources on
// namedOrg(benchAccounts, 20): every member account also holds an SQS
// queue, an SNS topic, a KMS key and a secret named after it (or with a
// random ID), and a role named after its ID.
func BenchmarkDiffNamedResources(b *testing.B) {
	benchEdits(b, namedOrg(*benchAccounts, 20), generatedEdits)
}

// benchEdits compares src with each of its edits (old replaced by new
// everywhere), one sub-benchmark each, grouping resources and principals.
func benchEdits(b *testing.B, src string, edits []struct{ name, old, new string }) {
	loadSrc := func(s string) *org.Org {
		o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(s)}}, "org.yaml")
		if err != nil {
			b.Fatal(err)
		}
		return o
	}
	for _, e := range edits {
		b.Run(e.name, func(b *testing.B) {
			old, new := loadSrc(src), loadSrc(strings.ReplaceAll(src, e.old, e.new))
			b.ResetTimer()
			for b.Loop() {
				rep := Diff(old, new, Options{Now: now})
				if len(rep.Changes) == 0 {
					b.Fatal("no change")
				}
				b.ReportMetric(float64(rep.Classes), "classes")
				b.ReportMetric(float64(rep.Decided), "decided")
			}
		})
	}
}

// BenchmarkDiffCrossNamedResources is BenchmarkDiffNamedResources on
// namedOrgWith(benchAccounts, 20, true, false), whose KMS key policies name
// their own account's queue in a condition, with two edits: open (every
// account's queue, topic, key and secret also allows the Security account:
// openToSecurity) and bucket (generatedEdits').
func BenchmarkDiffCrossNamedResources(b *testing.B) {
	benchEdits(b, namedOrgWith(*benchAccounts, 20, true, false), []struct{ name, old, new string }{{"open", openToSecurity[1], openToSecurity[2]}, generatedEdits[2]})
}
