package analyze

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org/orgtest"
)

func principalsOf(fs []Finding) string {
	var out []string
	for _, f := range fs {
		for k, v := range f.Principal {
			out = append(out, k+"="+v)
		}
	}
	return strings.Join(out, " ")
}

// RestrictPublicBuckets: a bucket whose policy is public is reached only by
// AWS service principals and the owner's account, so the public and the
// cross-account findings go and the service's stays
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options;
// Access Analyzer applies the account's Block Public Access:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html#access-analyzer-s3).
// (The other bucket, mgmt-logs, grants CloudTrail only.) Its twin without
// the setting keeps all three; BlockPublicPolicy alone
// changes no finding (it acts when a policy is written).
func TestRestrictPublicBuckets(t *testing.T) {
	for _, c := range []struct {
		setting, want string
	}{
		{"restrictPublicBuckets: true", "Service=logging.s3.amazonaws.com Service=cloudtrail.amazonaws.com"},
		{"restrictPublicBuckets: false", "AWS=* AWS=999988887777 Service=logging.s3.amazonaws.com Service=cloudtrail.amazonaws.com"},
		{"blockPublicPolicy: true", "AWS=* AWS=999988887777 Service=logging.s3.amazonaws.com Service=cloudtrail.amazonaws.com"},
	} {
		got := principalsOf(AccessOrg(orgtest.PublicAccess(t, "", c.setting), ZoneOrganization))
		if got != c.want {
			t.Errorf("%s: findings' principals %q, want %q", c.setting, got, c.want)
		}
	}
}
