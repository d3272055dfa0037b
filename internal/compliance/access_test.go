package compliance

import (
	"reflect"
	"testing"

	"github.com/securecart/warden/internal/analyze"
)

// The S3 public-access rules give the same verdicts with a kept access
// analysis (Input.Access, as Live evaluates) as without, on the same org
// and on the org loaded again, and the kept analysis is reused.
func TestS3RulesWithKeptAccessAnalysis(t *testing.T) {
	t.Parallel()
	inc := analyze.NewIncremental()
	for _, id := range []string{"S3_BUCKET_PUBLIC_READ_PROHIBITED", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"} {
		for round, o := range []*Input{
			{Org: loadTestOrg(t), Now: now}, {Org: loadTestOrg(t), Now: now},
		} {
			want := verdicts(t, o, id, nil)
			kept := *o
			kept.Access = inc
			for pass := range 2 {
				if got := verdicts(t, &kept, id, nil); !reflect.DeepEqual(got, want) {
					t.Errorf("%s, org %d, pass %d: with Input.Access %v, want %v", id, round, pass, got, want)
				}
			}
		}
	}
	// public-site's findings came from the kept analysis: it has the bucket.
	o := loadTestOrg(t)
	for _, tg := range analyze.Targets(o) {
		if tg.ARN == "arn:aws:s3:::public-site" && len(inc.Target(o, &tg, analyze.ZoneAccount)) == 0 {
			t.Errorf("the kept analysis has no finding for public-site")
		}
	}
}
