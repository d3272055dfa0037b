package analyze

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
)

// Target gives what Access gives for each target, reuses a target's
// findings while nothing it depends on changed, analyzes a changed policy
// again, and forgets a target gone from the orgs it walks.
func TestIncrementalTarget(t *testing.T) {
	o := secureCartWith(t, map[string]string{"zz-bucket.yaml": publicBucket})
	inc := NewIncremental()
	walk := func(o *org.Org, kind string) map[string][]Finding {
		info := OrgInfoOf(o)
		out := map[string][]Finding{}
		for _, tg := range Targets(o) {
			got := inc.Target(o, &tg, kind)
			z := Zone{Kind: kind, Account: tg.Owner, Org: info}
			if want := Access(&tg, &z); !sameFindings(got, want) {
				t.Fatalf("%s %s: %d findings, want Access's %d", kind, tg.ARN, len(got), len(want))
			}
			out[tg.ARN] = got
		}
		return out
	}
	const bucket = "arn:aws:s3:::incremental-public"
	first := walk(o, ZoneAccount)
	if len(first[bucket]) == 0 {
		t.Fatalf("the public bucket has no finding")
	}
	walk(o, ZoneOrganization)
	again := walk(o, ZoneAccount)
	if &again[bucket][0] != &first[bucket][0] {
		t.Errorf("the same org again: the bucket's findings were not reused")
	}

	// The bucket's policy allows another action.
	changed := strings.Replace(publicBucket, "Action: s3:GetObject", "Action: s3:PutObject", 1)
	o2 := secureCartWith(t, map[string]string{"zz-bucket.yaml": changed})
	second := walk(o2, ZoneAccount)
	if len(second[bucket]) == 0 || !strings.Contains(strings.Join(second[bucket][0].Action, ","), "s3:PutObject") {
		t.Errorf("after the policy changed: findings %+v, want s3:PutObject's", second[bucket])
	}

	// The bucket gone: its entries are forgotten once an org walked
	// without it is followed by another.
	o3 := secureCartWith(t, nil)
	walk(o3, ZoneAccount)
	walk(secureCartWith(t, nil), ZoneAccount)
	for key := range inc.cache {
		if strings.HasSuffix(key, bucket) {
			t.Errorf("the gone bucket is still cached (%q)", key)
		}
	}
}
