package analyze

import (
	"fmt"
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

// literalARNs are n accounts' queue, topic, key and secret ARNs (the
// splits and globs of warden diff's resource side when every account's
// resources change), and the few patterns of one principal's policies.
func literalARNs(n int) (globs, splits []string) {
	for i := range n {
		id := fmt.Sprintf("%012d", 100000000000+i*7919)
		globs = append(globs,
			"arn:aws:sqs:us-east-1:"+id+fmt.Sprintf(":orders-queue-account%04d", i),
			"arn:aws:sns:us-east-1:"+id+fmt.Sprintf(":orders-events-account%04d", i),
			"arn:aws:kms:us-east-1:"+id+fmt.Sprintf(":key/%08x-2f6d-4051-823a-0d1be0132ed5", i),
			"arn:aws:secretsmanager:us-east-1:"+id+fmt.Sprintf(":secret:orders-db-account%04d-vYxWbb", i))
	}
	splits = []string{"arn:*:*:*:*:*", "arn:*:*:*:102590325248:*", "arn:aws:sqs:*:102590325248:orders-queue-*",
		"arn:aws:kms:*:102590325248:key/*", "arn:aws:secretsmanager:*:102590325248:secret:orders-db-*"}
	return globs, splits
}

// BenchmarkResourceClassesLiterals is ResourceClasses over the ARNs of
// 30, 100 and 1,000 accounts' resources (literalARNs): /product explores
// the product with every literal (computeRegions, what ResourceClasses did
// before computeRegionsLiterals), /literals leaves them out. Each call is
// computed afresh (no regions' cache).
func BenchmarkResourceClassesLiterals(b *testing.B) {
	for _, n := range []int{30, 100, 1000} {
		globs, splits := literalARNs(n)
		var pats []pattern
		for _, s := range append(append([]string{}, splits...), globs...) {
			pats = append(pats, arnPattern(s))
		}
		pats = append(pats, arnShape())
		pats, _ = uniquePatterns(pats)
		letters := []byte{freshByte(pats)}
		for _, p := range pats {
			for _, t := range p.toks {
				if t.wild == 0 && !strings.ContainsRune(string(letters), rune(t.ch)) {
					letters = append(letters, t.ch)
				}
			}
		}
		for _, how := range []string{"product", "literals"} {
			if how == "product" && n > 100 {
				continue // minutes per call
			}
			b.Run(fmt.Sprintf("%s/accounts=%d", how, n), func(b *testing.B) {
				for b.Loop() {
					var rs []region
					if how == "product" {
						rs, _ = computeRegions(pats, letters)
					} else {
						rs, _ = computeRegionsLiterals(pats, letters)
					}
					if len(rs) < len(globs) {
						b.Fatalf("%d cells for %d literals", len(rs), len(globs))
					}
				}
			})
		}
	}
}
