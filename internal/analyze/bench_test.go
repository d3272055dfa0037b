package analyze

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

// BenchmarkAccessSecureCart analyzes every resource and role trust policy of
// the embedded landing zone, zone of trust the organization.
func BenchmarkAccessSecureCart(b *testing.B) {
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(Targets(o))), "targets")
	for b.Loop() {
		AccessOrg(o, ZoneOrganization)
	}
}

// BenchmarkAccessGenerated analyzes a generated organization of 1,000
// accounts with 20 roles each (org.Generate(1000, 20, 1)), per account.
func BenchmarkAccessGenerated(b *testing.B) {
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: org.Generate(benchAccounts, 20, 1)}}, "org.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(Targets(o))), "targets")
	b.ResetTimer()
	for b.Loop() {
		AccessOrg(o, ZoneAccount)
	}
}

func BenchmarkCheckNoPublicAccess(b *testing.B) {
	doc := pol(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`,
		`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}`)
	for b.Loop() {
		if _, err := CheckNoPublicAccess(doc, "AWS::S3::Bucket"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckAccessNotGranted(b *testing.B) {
	doc := pol(`{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}`)
	access := []AccessSpec{{Actions: []string{"iam:PassRole", "iam:CreateAccessKey"}}}
	for b.Loop() {
		if _, err := CheckAccessNotGranted(doc, access, IdentityPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckNoNewAccess(b *testing.B) {
	existing := pol(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}`)
	newDoc := pol(`{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`)
	for b.Loop() {
		if _, err := CheckNoNewAccess(newDoc, existing, IdentityPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

var benchAccounts = 1000

// BenchmarkIncrementalOneChange analyzes a generated organization of 1,000
// accounts again after one bucket policy changed (Incremental, the cache
// warm): what the Access Analyzer worker does after such a change. Compare
// with BenchmarkAccessGenerated's full analysis.
func BenchmarkIncrementalOneChange(b *testing.B) {
	base := string(org.Generate(benchAccounts, 20, 1))
	at := strings.Index(base, "\nresources:")
	changed := base[:at] + strings.Replace(base[at:], `Action: "s3:*"`, `Action: "s3:Get*"`, 1)
	if changed == base {
		b.Fatal("nothing to change in the generated org")
	}
	var orgs [2]*org.Org
	for i, src := range []string{base, changed} {
		o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
		if err != nil {
			b.Fatal(err)
		}
		orgs[i] = o
	}
	inc := NewIncremental()
	inc.Analyze(orgs[0], ZoneOrganization, "")
	inc.Analyze(orgs[1], ZoneOrganization, "")
	b.ResetTimer()
	analyzed := 0
	for i := 0; b.Loop(); i++ {
		_, stats := inc.Analyze(orgs[i%2], ZoneOrganization, "")
		analyzed = stats.Analyzed
	}
	b.ReportMetric(float64(analyzed), "targets-analyzed")
}
