package reach

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/securecart/warden/internal/org"
)

var (
	largeOnce sync.Once
	largeOrg  *org.Org
)

// large is org.Generate(1000, 20, 1): 1,000 accounts with 20 roles each.
func large(b *testing.B) *org.Org {
	largeOnce.Do(func() {
		o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: org.Generate(1000, 20, 1)}}, "org.yaml")
		if err != nil {
			b.Fatal(err)
		}
		largeOrg = o
	})
	return largeOrg
}

// The who-can questions of the benchmarks, on the generated org: an
// object of one account's bucket (its roles read through their managed
// policies, Security's root user assumes its shared roles), a role of one
// account (its shared role and Lambda), an action every read-only role of
// every account holds.
func largeQueries(o *org.Org) map[string]Query {
	acct := o.Accounts[42]
	return map[string]Query{
		"object":     {Action: "s3:GetObject", Resource: "arn:aws:s3:::gen-account0042-data/report.csv"},
		"role":       {Action: "sts:AssumeRole", Resource: "arn:aws:iam::" + acct.ID + ":role/App15Role"},
		"everywhere": {Action: "ec2:DescribeInstances", Resource: "*"},
	}
}

// BenchmarkWhoCanLarge answers who-can on the generated org of 1,000
// accounts, from a fresh graph each time (no edge cached).
func BenchmarkWhoCanLarge(b *testing.B) {
	o := large(b)
	for name, q := range largeQueries(o) {
		b.Run(name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				ps, err := New(o, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)).WhoCan(q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(ps)
			}
			b.ReportMetric(float64(n), "principals")
		})
	}
}

// BenchmarkWhoCanSecureCart answers who-can on the SecureCart landing zone.
func BenchmarkWhoCanSecureCart(b *testing.B) {
	o := secureCart(b)
	q := Query{Action: "s3:GetObject", Resource: "arn:aws:s3:::securecart-prod-vendor-exports/report.csv"}
	for b.Loop() {
		if _, err := New(o, now).WhoCan(q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGraphLarge builds the whole role-assumption graph of the
// generated org (every role's edges), as the escalation analysis does.
func BenchmarkGraphLarge(b *testing.B) {
	o := large(b)
	n := 0
	for b.Loop() {
		n = len(New(o, now).Edges(nil))
	}
	b.ReportMetric(float64(n), "edges")
}

// canPrincipal finds the SecureCart principal whose ARN contains name.
func canPrincipal(t testing.TB, g *Graph, suffix string) *Principal {
	t.Helper()
	for _, p := range g.Principals() {
		if p.Caller != "" && strings.Contains(p.ARN, suffix) {
			return p
		}
	}
	t.Fatalf("no principal %s", suffix)
	return nil
}

// BenchmarkCanSecurityAudit lists what SecureCart's broadest read-only
// principals can do (`warden can`): Prod's SecurityAuditRole and the
// SecurityAudit permission set's role in Security, each with a fresh graph.
func BenchmarkCanSecurityAudit(b *testing.B) {
	o := secureCart(b)
	for _, name := range []string{"role/SecurityAuditRole", "AWSReservedSSO_SecurityAudit"} {
		b.Run(strings.TrimPrefix(name, "role/"), func(b *testing.B) {
			n := 0
			for b.Loop() {
				g := New(o, now)
				caps, err := g.Can(canPrincipal(b, g, name), "", nil)
				if err != nil {
					b.Fatal(err)
				}
				n = len(caps.Grants)
			}
			b.ReportMetric(float64(n), "grants")
		})
	}
}

// BenchmarkCanLarge lists what principals of the generated org of 1,000
// accounts can do (`warden can`), each with a fresh graph: a narrow role of
// one account (two inline policies and a customer managed one), a broad
// one (AWS's ReadOnlyAccess), the ReadOnly permission set's role, and the
// account's root user (every action). What it costs follows the
// principal's statements and the resource policies that name it, not the
// organization's size.
func BenchmarkCanLarge(b *testing.B) {
	o := large(b)
	acct := o.Accounts[42].ID
	for name, suffix := range map[string]string{
		"narrow":       acct + ":role/App10Role",
		"readonly":     acct + ":role/Shared00Role",
		"permissonset": acct + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_",
		"root":         acct + ":root",
	} {
		b.Run(name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				g := New(o, now)
				caps, err := g.Can(canPrincipal(b, g, suffix), "", nil)
				if err != nil {
					b.Fatal(err)
				}
				n = len(caps.Grants)
			}
			b.ReportMetric(float64(n), "grants")
		})
	}
}
