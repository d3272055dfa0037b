package analyze

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// The soundness property: for random policies and random requests (an
// action on a resource of its type, by any kind of caller, in any context),
// whenever the engine allows a request from outside the zone, a finding
// covers it.

var (
	fzPrincipals = []string{`"*"`, `{"AWS": "222222222222"}`, `{"AWS": "arn:aws:iam::222222222222:role/R"}`, `{"AWS": "444444444444"}`,
		`{"Service": "sns.amazonaws.com"}`, `{"AWS": "111111111111"}`, `{"AWS": "*"}`}
	fzActions   = []string{`"s3:GetObject"`, `"s3:*"`, `"s3:Get*"`, `"s3:PutObject"`, `"s3:ListBucket"`, `["s3:GetObject", "s3:PutObject"]`}
	fzResources = []string{`"arn:aws:s3:::zone-bucket/*"`, `"arn:aws:s3:::zone-bucket/a*"`, `"arn:aws:s3:::zone-bucket"`, `"*"`}
	fzConds     = []string{
		`"StringEquals": {"aws:PrincipalOrgID": "o-zone123456"}`, `"StringEquals": {"aws:PrincipalOrgID": "o-other12345"}`,
		`"StringEquals": {"aws:SourceVpce": "vpce-1"}`, `"StringNotEquals": {"aws:SourceVpce": "vpce-1"}`,
		`"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}`, `"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}`,
		`"Bool": {"aws:SecureTransport": "true"}`, `"StringLike": {"s3:prefix": "a*"}`,
		`"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/R*"}`, `"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:*"}`,
		`"StringEquals": {"aws:SourceAccount": "222222222222"}`, `"StringEquals": {"aws:SourceAccount": "111111111111"}`,
		`"StringEquals": {"aws:PrincipalAccount": "222222222222"}`, `"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-zone123456"}`,
	}
)

func randomPolicy(r *rand.Rand) string {
	n := 1 + r.Intn(3)
	var stmts []string
	for i := 0; i < n; i++ {
		effect := "Allow"
		if r.Intn(3) == 0 {
			effect = "Deny"
		}
		pk := "Principal"
		if r.Intn(6) == 0 {
			pk = "NotPrincipal"
		}
		p := fzPrincipals[r.Intn(len(fzPrincipals))]
		if pk == "NotPrincipal" && strings.Contains(p, "*") {
			p = `{"AWS": "222222222222"}`
		}
		s := fmt.Sprintf(`{"Effect": %q, %q: %s, "Action": %s, "Resource": %s`, effect, pk, p,
			fzActions[r.Intn(len(fzActions))], fzResources[r.Intn(len(fzResources))])
		if k := r.Intn(3); k > 0 {
			var cs []string
			used := map[string]bool{}
			for j := 0; j < k; j++ {
				c := fzConds[r.Intn(len(fzConds))]
				op := c[:strings.Index(c[1:], `"`)+2]
				if used[op] {
					continue
				}
				used[op] = true
				cs = append(cs, c)
			}
			s += `, "Condition": {` + strings.Join(cs, ", ") + `}`
		}
		stmts = append(stmts, s+"}")
	}
	return bucketPolicy(stmts...)
}

type fzCaller struct {
	arn string
	ctx map[string][]string
}

func randomRequest(r *rand.Rand) (fzCaller, string, string) {
	callers := []fzCaller{
		{"*", nil},
		{"arn:aws:iam::222222222222:root", map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::222222222222:root"}, "aws:PrincipalAccount": {"222222222222"}}},
		{"arn:aws:sts::222222222222:assumed-role/R/s", map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::222222222222:role/R"}, "aws:PrincipalAccount": {"222222222222"}}},
		{"arn:aws:sts::333333333333:assumed-role/Rx/s", map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::333333333333:role/Rx"}, "aws:PrincipalAccount": {"333333333333"}, "aws:PrincipalOrgID": {"o-other12345"}}},
		{"arn:aws:iam::333333333333:user/u", map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::333333333333:user/u"}, "aws:PrincipalAccount": {"333333333333"}}},
		{"arn:aws:sts::444444444444:assumed-role/R/s", map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::444444444444:role/R"}, "aws:PrincipalAccount": {"444444444444"}, "aws:PrincipalOrgID": {testOrgID}}},
		{"sns.amazonaws.com", map[string][]string{"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {"arn:aws:sns:us-east-1:222222222222:t"}, "aws:PrincipalIsAWSService": {"true"}}},
	}
	c := callers[r.Intn(len(callers))]
	ctx := map[string][]string{}
	for k, v := range c.ctx {
		ctx[k] = v
	}
	pick := func(key string, vals ...string) {
		if i := r.Intn(len(vals) + 1); i < len(vals) {
			ctx[key] = []string{vals[i]}
		}
	}
	pick("aws:SourceVpce", "vpce-1", "vpce-2")
	pick("aws:SourceIp", "10.1.2.3", "192.168.0.1")
	pick("aws:SecureTransport", "true", "false")
	pick("s3:prefix", "a", "abc", "b")
	c.ctx = ctx
	switch r.Intn(4) {
	case 0:
		return c, "s3:ListBucket", bucket
	case 1:
		return c, "s3:PutObject", bucket + "/xyz"
	case 2:
		return c, "s3:GetObjectAcl", bucket + "/abc"
	}
	return c, "s3:GetObject", bucket + "/abc"
}

func checkSound(t *testing.T, seed int64) {
	r := rand.New(rand.NewSource(seed))
	doc := randomPolicy(r)
	tg := target(t, bucket, doc)
	for _, kind := range []string{ZoneAccount, ZoneOrganization} {
		z := &Zone{Kind: kind, Account: zoneAcct, Org: testOrg}
		fs := Access(tg, z)
		for i := 0; i < 40; i++ {
			c, action, resource := randomRequest(r)
			req, err := eval.NewRequest(c.arn, action, resource, zoneAcct, c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			outside := !z.Contains(req.Caller.Account)
			if req.Caller.Kind == policy.CallerService {
				outside = !z.Contains(c.ctx["aws:SourceAccount"][0])
			}
			if !outside {
				continue
			}
			in := eval.Inputs{Resource: []*policy.Policy{tg.Policy}, AssumeIdentityAllows: true}
			if eval.Evaluate(req, &in).Decision != eval.Allow {
				continue
			}
			covered := false
			for _, f := range fs {
				if f.Covers(req.Caller, action, resource) {
					covered = true
				}
			}
			if !covered {
				t.Fatalf("seed %d, zone %s: the engine allows %s %s %s %v, and no finding covers it\npolicy: %s\nfindings: %+v", seed, kind, c.arn, action, resource, c.ctx, doc, fs)
			}
		}
	}
}

func TestAccessSoundRandom(t *testing.T) {
	n := int64(150)
	if testing.Short() {
		n = 40
	}
	for seed := int64(1); seed <= n; seed++ {
		checkSound(t, seed)
	}
}

func FuzzAccessSound(f *testing.F) {
	for _, s := range []int64{1, 2, 3, 42, 1000} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed int64) { checkSound(t, seed) })
}
