package accessanalyzer_test

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/securecart/warden/internal/api/accessanalyzer"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/postgres/pgtest"
)

// Two replicas on one PostgreSQL database agree on analyzers, archive
// rules, finding IDs and statuses: what one creates or archives, the other
// serves; a change of the organization is reconciled once (one
// FindingCreated in the shared trail, not one per replica); and a replica
// started afresh (a restart) serves them as they were.
func TestReplicasAgreeOnAnalyzersAndFindings(t *testing.T) {
	if os.Getenv("WARDEN_TEST_POSTGRES") == "" {
		t.Skip("WARDEN_TEST_POSTGRES not set")
	}
	t.Cleanup(accessanalyzer.SetPollEvery(20 * time.Millisecond))
	dsn := pgtest.FreshDatabase(t)
	key := creds.NewKey()
	replica := func() *servertest.Harness {
		st, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		h := servertest.Start(t, servertest.Options{Store: st, MasterKey: key, TrailOwner: security})
		return h
	}
	a, b := replica(), replica()
	cfgA := a.Config("", "", "")
	cfgB := b.Config(a.AdminKeyID, a.AdminSecret, "")
	aaA, aaB := aa.NewFromConfig(cfgA), aa.NewFromConfig(cfgB)
	iamB := iam.NewFromConfig(cfgB)
	ctx := servertest.Ctx(t)

	created, err := aaA.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aatypes.TypeOrganization,
		ArchiveRules: []aatypes.InlineArchiveRule{{RuleName: aws.String("vendor"), Filter: map[string]aatypes.Criterion{"principal.AWS": {Eq: []string{"111122223333"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := created.Arn
	if _, err := aaB.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aatypes.TypeOrganization}); code(err) != "ConflictException" {
		t.Fatalf("the same analyzer through the other replica: %v", err)
	}
	// B serves A's analyzer and its rule; the vendor's finding is archived
	// by the inline rule on both.
	var vendorID string
	for _, c := range []*aa.Client{aaB, aaA} {
		eventually(t, "the vendor's finding, archived", func() error {
			l, err := c.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: arn})
			if err != nil || len(l.Findings) != 1 || l.Findings[0].Status != aatypes.FindingStatusArchived {
				return fmt.Errorf("%v %+v", err, l)
			}
			if vendorID != "" && aws.ToString(l.Findings[0].Id) != vendorID {
				return fmt.Errorf("finding IDs differ: %s and %s", vendorID, aws.ToString(l.Findings[0].Id))
			}
			vendorID = aws.ToString(l.Findings[0].Id)
			return nil
		})
	}
	rules, err := aaB.ListArchiveRules(ctx, &aa.ListArchiveRulesInput{AnalyzerName: aws.String("org")})
	if err != nil || len(rules.ArchiveRules) != 1 {
		t.Fatalf("B's ListArchiveRules: %v %+v", err, rules)
	}

	// A role opened to anyone through B: one finding, the same on both,
	// created once.
	public := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}`
	if _, err := iamB.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("open-door"), AssumeRolePolicyDocument: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	var openID string
	for _, c := range []*aa.Client{aaA, aaB} {
		eventually(t, "the open door's finding", func() error {
			l, err := c.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: arn, Filter: map[string]aatypes.Criterion{"status": {Eq: []string{"ACTIVE"}}}})
			if err != nil || len(l.Findings) != 1 || !strings.HasSuffix(aws.ToString(l.Findings[0].Resource), ":role/open-door") {
				return fmt.Errorf("%v %+v", err, l)
			}
			openID = aws.ToString(l.Findings[0].Id)
			return nil
		})
	}
	// Archived through A, unarchived through B, concurrently with the
	// workers of both: the last word stands on both.
	if _, err := aaA.UpdateFindings(ctx, &aa.UpdateFindingsInput{AnalyzerArn: arn, Ids: []string{openID}, Status: aatypes.FindingStatusUpdateArchived}); err != nil {
		t.Fatal(err)
	}
	if f, err := aaB.GetFinding(ctx, &aa.GetFindingInput{AnalyzerArn: arn, Id: aws.String(openID)}); err != nil || f.Finding.Status != aatypes.FindingStatusArchived {
		t.Fatalf("B after A archived: %v %+v", err, f)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := aaB.UpdateFindings(ctx, &aa.UpdateFindingsInput{AnalyzerArn: arn, Ids: []string{openID}, Status: aatypes.FindingStatusUpdateActive}); err != nil {
				t.Errorf("concurrent unarchive: %v", err)
			}
		})
	}
	wg.Wait()
	if f, err := aaA.GetFinding(ctx, &aa.GetFindingInput{AnalyzerArn: arn, Id: aws.String(openID)}); err != nil || f.Finding.Status != aatypes.FindingStatusActive {
		t.Fatalf("A after B unarchived: %v %+v", err, f)
	}

	// One FindingCreated per finding in the shared trail, and one
	// FindingUnarchived although four calls asked.
	names := findingEvents(t, a.Store)
	if names["FindingCreated"] != 2 || names["FindingArchived"] != 1 || names["FindingUnarchived"] != 1 || len(names) != 3 {
		t.Errorf("finding events in the shared trail: %v; want 2 FindingCreated, 1 FindingArchived, 1 FindingUnarchived", names)
	}

	// A third replica, as after a restart, serves the same.
	c := replica()
	aaC := aa.NewFromConfig(c.Config(a.AdminKeyID, a.AdminSecret, ""))
	l, err := aaC.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: arn})
	if err != nil || len(l.Findings) != 2 {
		t.Fatalf("a new replica's ListFindings: %v %+v", err, l)
	}
	for _, f := range l.Findings {
		want := map[string]aatypes.FindingStatus{vendorID: aatypes.FindingStatusArchived, openID: aatypes.FindingStatusActive}[aws.ToString(f.Id)]
		if f.Status != want {
			t.Errorf("a new replica: finding %s is %s, want %s", aws.ToString(f.Id), f.Status, want)
		}
	}
}
