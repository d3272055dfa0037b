package diff

import (
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
	src := string(org.Generate(benchAccounts, 20, 1))
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

// benchAccounts is the generated organization's size.
var benchAccounts = 1000

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
