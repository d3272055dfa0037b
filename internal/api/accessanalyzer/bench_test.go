package accessanalyzer_test

import (
	"context"
	"sort"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
)

// BenchmarkPublicPolicyToFinding measures how long after a resource policy
// opened to everyone is stored through the API (IAM's
// UpdateAssumeRolePolicy on a role's trust policy) its finding is served
// by ListFindings of an ORGANIZATION analyzer, and how long after it is
// closed again the finding is RESOLVED: the bounded delay of
// docs/access-analyzer.md, with the worker's default period (PollEvery).
// Reported as ms-to-finding and ms-to-resolved (medians, from the call
// that opens or closes it), and ms-api-call, the median time of the IAM
// call itself (the state change); ns/op is one open and close.
func BenchmarkPublicPolicyToFinding(b *testing.B) {
	b.Run("SecureCart", func(b *testing.B) { benchPolicyToFinding(b, servertest.Options{}) })
	b.Run("Accounts1000", func(b *testing.B) {
		benchPolicyToFinding(b, servertest.Options{OrgFS: fstest.MapFS{"org.yaml": {Data: org.Generate(1000, 20, 1)}}, OrgPath: "org.yaml"})
	})
}

func benchPolicyToFinding(b *testing.B, opt servertest.Options) {
	h := servertest.Start(b, opt)
	cfg := h.Config("", "", "")
	aac, iamc := aa.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	closed := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	open := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}`
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench-door"), AssumeRolePolicyDocument: aws.String(closed)})
	if err != nil {
		b.Fatal(err)
	}
	created, err := aac.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("bench"), Type: aatypes.TypeOrganization})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	waitFor(b, 30*time.Minute, func() bool {
		got, err := aac.GetAnalyzer(ctx, &aa.GetAnalyzerInput{AnalyzerName: aws.String("bench")})
		return err == nil && got.Analyzer.Status == aatypes.AnalyzerStatusActive
	})
	b.Logf("first analysis: %s", time.Since(start).Round(time.Millisecond))
	status := func() aatypes.FindingStatus {
		l, err := aac.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: created.Arn,
			Filter: map[string]aatypes.Criterion{"resource": {Eq: []string{aws.ToString(role.Role.Arn)}}, "isPublic": {Eq: []string{"true"}}}})
		if err != nil || len(l.Findings) == 0 {
			return ""
		}
		return l.Findings[0].Status
	}
	var toFinding, toResolved, call []float64
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := iamc.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("bench-door"), PolicyDocument: aws.String(open)}); err != nil {
			b.Fatal(err)
		}
		call = append(call, float64(time.Since(t0).Microseconds())/1000)
		waitFor(b, time.Minute, func() bool { return status() == aatypes.FindingStatusActive })
		toFinding = append(toFinding, float64(time.Since(t0).Microseconds())/1000)
		t1 := time.Now()
		if _, err := iamc.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("bench-door"), PolicyDocument: aws.String(closed)}); err != nil {
			b.Fatal(err)
		}
		waitFor(b, time.Minute, func() bool { return status() == aatypes.FindingStatusResolved })
		toResolved = append(toResolved, float64(time.Since(t1).Microseconds())/1000)
	}
	b.ReportMetric(median(toFinding), "ms-to-finding")
	b.ReportMetric(median(toResolved), "ms-to-resolved")
	b.ReportMetric(median(call), "ms-api-call")
}

func waitFor(b *testing.B, limit time.Duration, ok func() bool) {
	b.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			b.Fatalf("not within %s", limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}
