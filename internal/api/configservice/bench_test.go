package configservice_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/postgres/pgtest"
)

// The delay from an IAM change to its updated compliance: a `*:*` policy
// created in Dev, then AWS Config read until the rule is NON_COMPLIANT (or
// Security Hub until its IAM.1 finding is there), through the replica that
// made the change and, on PostgreSQL, through another. The peer, in the
// same run: the same read with no change before it.
//
//	go test -run '^$' -bench ChangeToCompliance -benchtime 20x -count 3 ./internal/api/configservice/
func BenchmarkChangeToCompliance(b *testing.B) {
	ctx := context.Background()
	var hs []*servertest.Harness
	if os.Getenv("WARDEN_TEST_POSTGRES") != "" {
		dsn, key := pgtest.FreshDatabase(b), creds.NewKey()
		for range 2 {
			st, err := postgres.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			hs = append(hs, servertest.Start(b, servertest.Options{Store: st, MasterKey: key}))
		}
	} else {
		hs = append(hs, servertest.Start(b, servertest.Options{}))
	}
	a := hs[0]
	as := func(h *servertest.Harness, account string) aws.Config {
		out, err := sts.NewFromConfig(h.Config(a.AdminKeyID, a.AdminSecret, "")).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("bench"), DurationSeconds: aws.Int32(3600)})
		if err != nil {
			b.Fatal(err)
		}
		c := out.Credentials
		return h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	}
	devIAM := iam.NewFromConfig(as(a, dev))
	const rule = "iam-policy-no-statements-with-admin-access"
	compliance := func(cl *cfg.Client) cfgtypes.ComplianceType {
		out, err := cl.DescribeComplianceByConfigRule(ctx, &cfg.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{rule}})
		if err != nil {
			b.Fatal(err)
		}
		return out.ComplianceByConfigRules[0].Compliance.ComplianceType
	}
	finding := func(cl *sh.Client, arn string) bool {
		out, err := cl.GetFindings(ctx, &sh.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
			ResourceId:  []shtypes.StringFilter{{Value: aws.String(arn), Comparison: shtypes.StringFilterComparisonEquals}},
			GeneratorId: []shtypes.StringFilter{{Value: aws.String("security-control/IAM.1"), Comparison: shtypes.StringFilterComparisonEquals}},
			RecordState: []shtypes.StringFilter{{Value: aws.String("ACTIVE"), Comparison: shtypes.StringFilterComparisonEquals}}}})
		if err != nil {
			b.Fatal(err)
		}
		return len(out.Findings) == 1
	}
	// change creates a policy, waits (timed) until seen, and deletes it
	// again, waiting (untimed) until that is seen too.
	change := func(b *testing.B, seen func(arn string) bool, cleared func() bool) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			name := fmt.Sprintf("Bench%d", time.Now().UnixNano())
			p, err := devIAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			waitFor(b, "the change", func() bool { return seen(aws.ToString(p.Policy.Arn)) })
			b.StopTimer()
			if _, err := devIAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn}); err != nil {
				b.Fatal(err)
			}
			waitFor(b, "the deletion", cleared)
			b.StartTimer()
		}
	}
	for i, h := range hs {
		where := "same replica"
		if i > 0 {
			where = "other replica"
		}
		devConfig := cfg.NewFromConfig(as(h, dev))
		hub := sh.NewFromConfig(as(h, security))
		b.Run(where+"/config read, no change", func(b *testing.B) {
			for b.Loop() {
				compliance(devConfig)
			}
		})
		b.Run(where+"/config: change to NON_COMPLIANT", func(b *testing.B) {
			change(b, func(string) bool { return compliance(devConfig) == cfgtypes.ComplianceTypeNonCompliant },
				func() bool { return compliance(devConfig) == cfgtypes.ComplianceTypeCompliant })
		})
		b.Run(where+"/securityhub read, no change", func(b *testing.B) {
			for b.Loop() {
				finding(hub, "arn:aws:iam::"+dev+":policy/none")
			}
		})
		b.Run(where+"/securityhub: change to IAM.1 finding", func(b *testing.B) {
			var last string
			change(b, func(arn string) bool { last = arn; return finding(hub, arn) }, func() bool { return !finding(hub, last) })
		})
	}
}

// waitFor polls cond every 5 ms, failing after 30 s.
func waitFor(b *testing.B, what string, cond func() bool) {
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%s was not seen within 30 s", what)
		}
	}
}
