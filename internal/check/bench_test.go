package check

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

var benchNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const secureCartTests = "../../landing-zones/securecart-tests/tests.yaml"

// BenchmarkSecureCartLoadAndCheck loads the embedded landing zone and runs
// all its tests, as `warden check` does; goal: under 100 ms per op.
func BenchmarkSecureCartLoadAndCheck(b *testing.B) {
	src, err := os.ReadFile(secureCartTests)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
		if err != nil {
			b.Fatal(err)
		}
		tests, err := Parse(src, secureCartTests, o)
		if err != nil {
			b.Fatal(err)
		}
		c := New(o)
		for _, t := range tests {
			r, err := c.Run(t, benchNow)
			if err != nil {
				b.Fatal(err)
			}
			if !r.Pass {
				b.Fatalf("test %q fails", r.Name)
			}
		}
	}
}

func largeOrg(tb testing.TB) *org.Org {
	tb.Helper()
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: org.Generate(1000, 20, 1)}}, "org.yaml")
	if err != nil {
		tb.Fatalf("the generated organization does not load: %.2000v", err)
	}
	return o
}

// BenchmarkLargeOrgLoad loads a generated organization of 1,000 accounts
// with 20 roles each; goal: under 2 s per op.
func BenchmarkLargeOrgLoad(b *testing.B) {
	data := org.Generate(1000, 20, 1)
	for b.Loop() {
		if _, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: data}}, "org.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

// generatedTests writes n tests over the accounts and roles of an org made
// by org.Generate(_, 20, _), five kinds in turn, each with the decision the
// generated policies give:
//
//   - Shared00Role assumes an App role of its account, whose trust policy
//     names it: allowed;
//   - Shared01Role, which the trust policy does not name: denied by it;
//   - an App role reads its account's bucket with a matching team tag:
//     allowed by its Shared policy, the bucket's and the RCP's conditions
//     met;
//   - an App role reads another account's bucket, which grants no one:
//     denied by the resource's side;
//   - an App role creates an IAM user: denied by the SCP DenyIAMUsers.
func generatedTests(o *org.Org, n int) []byte {
	var sb strings.Builder
	sb.WriteString("tests:\n")
	members := o.Accounts[2:] // not Management, not Security: the workload accounts
	for i := range n {
		a, other := members[i%len(members)], members[(i+1)%len(members)]
		k := 10 + i%10 // App10Role ... App19Role, tagged team10 ... team19
		fmt.Fprintf(&sb, "  - name: t%d\n", i)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&sb, "    principal: arn:aws:sts::{%s}:assumed-role/Shared00Role/s%d\n    action: sts:AssumeRole\n    resource: arn:aws:iam::{%s}:role/App%02dRole\n    expect: allow\n", a.Name, i, a.Name, k)
		case 1:
			fmt.Fprintf(&sb, "    principal: arn:aws:sts::{%s}:assumed-role/Shared01Role/s%d\n    action: sts:AssumeRole\n    resource: arn:aws:iam::{%s}:role/App%02dRole\n    expect: implicit-deny\n    deniedBy: trust\n", a.Name, i, a.Name, k)
		case 2:
			fmt.Fprintf(&sb, "    principal: arn:aws:sts::{%s}:assumed-role/App%02dRole/s%d\n    action: s3:GetObject\n    resource: arn:aws:s3:::gen-%s-data/k%d\n    context: {aws:SecureTransport: \"true\", aws:ResourceTag/team: team%02d}\n    expect: allow\n", a.Name, k, i, strings.ToLower(a.Name), i, k)
		case 3:
			fmt.Fprintf(&sb, "    principal: arn:aws:sts::{%s}:assumed-role/App%02dRole/s%d\n    action: s3:GetObject\n    resource: arn:aws:s3:::gen-%s-data/k%d\n    context: {aws:SecureTransport: \"true\", aws:ResourceTag/team: team%02d}\n    expect: implicit-deny\n    deniedBy: resource\n", a.Name, k, i, strings.ToLower(other.Name), i, k)
		case 4:
			fmt.Fprintf(&sb, "    principal: arn:aws:sts::{%s}:assumed-role/App%02dRole/s%d\n    action: iam:CreateUser\n    resource: arn:aws:iam::{%s}:user/u%d\n    expect: explicit-deny\n    deniedBy: scp\n", a.Name, k, i, a.Name, i)
		}
	}
	return []byte(sb.String())
}

// TestGeneratedTests runs the benchmark's tests on a smaller generated org:
// every one must pass, so that the benchmark measures real decisions.
func TestGeneratedTests(t *testing.T) {
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: org.Generate(40, 20, 1)}}, "org.yaml")
	if err != nil {
		t.Fatalf("%.2000v", err)
	}
	tests, err := Parse(generatedTests(o, 500), "generated.yaml", o)
	if err != nil {
		t.Fatalf("%.2000v", err)
	}
	c := New(o)
	for _, tc := range tests {
		r, err := c.Run(tc, benchNow)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Pass {
			t.Errorf("%s (%s %s %s): got %s by %s, want %s by %s", r.Name, tc.Principal, tc.Action, tc.Resource, r.Decision, r.DeniedBy, r.Expect, tc.DeniedBy)
		}
	}
}

// BenchmarkLargeOrgCheck10000 runs 10,000 generated tests against the large
// organization; goal: under 1 s per op.
func BenchmarkLargeOrgCheck10000(b *testing.B) {
	o := largeOrg(b)
	src := generatedTests(o, 10000)
	tests, err := Parse(src, "large.yaml", o)
	if err != nil {
		b.Fatalf("%.2000v", err)
	}
	c := New(o)
	for b.Loop() {
		for _, t := range tests {
			r, err := c.Run(t, benchNow)
			if err != nil {
				b.Fatal(err)
			}
			if !r.Pass {
				b.Fatalf("test %q: got %s by %s, want %s", r.Name, r.Decision, r.DeniedBy, r.Expect)
			}
		}
	}
}

// BenchmarkLargeOrgParse10000 parses the 10,000 generated tests, placeholders
// replaced from the large organization: the rest of `warden check`'s work.
func BenchmarkLargeOrgParse10000(b *testing.B) {
	o := largeOrg(b)
	src := generatedTests(o, 10000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse(src, "large.yaml", o); err != nil {
			b.Fatal(err)
		}
	}
}
