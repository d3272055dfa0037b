package policy

import (
	"testing"

	"github.com/securecart/warden/internal/awsdata"
)

// TestManagedPoliciesCompile decodes, checks and compiles every AWS managed
// policy: real-world documents that the grammar must accept.
func TestManagedPoliciesCompile(t *testing.T) {
	n := 0
	for _, mp := range awsdata.ManagedPolicies() {
		if mp.Document == nil {
			continue
		}
		if _, err := ParseAndCompile(mp.Document, mp.Name, Identity, mp.ARN); err != nil {
			t.Errorf("%s: %v", mp.Name, err)
		}
		n++
	}
	if n < 1600 {
		t.Errorf("compiled %d managed policies; want all 1,644 with documents", n)
	}
}

// BenchmarkCompileManagedPolicies is benchmark (c): decoding, checking and
// compiling all AWS managed policies, per op.
func BenchmarkCompileManagedPolicies(b *testing.B) {
	all := awsdata.ManagedPolicies()
	b.ReportAllocs()
	for b.Loop() {
		for _, mp := range all {
			if mp.Document == nil {
				continue
			}
			if _, err := ParseAndCompile(mp.Document, mp.Name, Identity, mp.ARN); err != nil {
				b.Fatal(err)
			}
		}
	}
}
