package authz

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org/orgtest"
)

// RestrictPublicBuckets on a bucket whose policy is public: the policy lets
// in AWS service principals and principals of the owner's account only,
// never another account's or an anonymous caller
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options).
// The twin without the setting lets them in.
func TestRestrictPublicBucketsDecides(t *testing.T) {
	cases := []struct {
		principal, action string
		restricted        eval.Decision
	}{
		{"arn:aws:sts::111111111111:assumed-role/Reader/s", "s3:GetObject", eval.ImplicitDeny}, // another org account
		{"arn:aws:iam::999988887777:root", "s3:GetObject", eval.ImplicitDeny},                  // outside the org
		{"*", "s3:GetObject", eval.ImplicitDeny},                                               // anonymous
		{"arn:aws:sts::222222222222:assumed-role/Reader/s", "s3:GetObject", eval.Allow},        // the owner's account
		{"logging.s3.amazonaws.com", "s3:PutObject", eval.Allow},                               // a service principal
	}
	for _, setting := range []string{"restrictPublicBuckets: true", "restrictPublicBuckets: false"} {
		o := orgtest.PublicAccess(t, "", setting)
		for _, c := range cases {
			// The service writes for the account the bucket's policy names.
			ctx := map[string][]string{"aws:SourceAccount": {"333333333333"}}
			_, ex, err := Decide(o, Query{Principal: c.principal, Action: c.action, Resource: "arn:aws:s3:::open-data/k", Context: ctx}, now)
			if err != nil {
				t.Fatal(err)
			}
			want := c.restricted
			if setting == "restrictPublicBuckets: false" {
				want = eval.Allow
			}
			if ex.Decision != want {
				t.Errorf("%s: %s by %s: %s, want %s (%s)", setting, c.action, c.principal, ex.Decision, want, ex.Note)
			}
			if want == eval.ImplicitDeny && !strings.Contains(ex.Note, "RestrictPublicBuckets") {
				t.Errorf("%s: %s by %s: the note %q does not name RestrictPublicBuckets", setting, c.action, c.principal, ex.Note)
			}
		}
	}
}
