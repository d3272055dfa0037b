package analyze

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// The checks' soundness against the engine: for random identity policies
// and random requests, when the engine allows a request under the new
// policy and not under the existing one, CheckNoNewAccess fails; when it
// allows one of the actions CheckAccessNotGranted looks for, that check
// fails.

var idConds = []string{
	`"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}`, `"NotIpAddress": {"aws:SourceIp": "10.1.0.0/16"}`,
	`"Bool": {"aws:MultiFactorAuthPresent": "true"}`, `"StringLike": {"s3:prefix": "home/*"}`,
	`"StringEquals": {"aws:RequestedRegion": "eu-west-1"}`, `"NumericLessThan": {"s3:max-keys": "10"}`,
	`"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin*"}`,
}

func randomIdentityPolicy(r *rand.Rand) string {
	acts := []string{`"s3:GetObject"`, `"s3:*"`, `"s3:Get*"`, `"s3:PutObject"`, `"s3:ListBucket"`, `"iam:PassRole"`, `"*"`}
	ress := []string{`"arn:aws:s3:::b/*"`, `"arn:aws:s3:::b/home/*"`, `"arn:aws:s3:::b"`, `"*"`, `"arn:aws:iam::*:role/app-*"`}
	var stmts []string
	for i := 0; i < 1+r.Intn(3); i++ {
		effect := "Allow"
		if r.Intn(3) == 0 {
			effect = "Deny"
		}
		ak := "Action"
		if r.Intn(8) == 0 {
			ak = "NotAction"
		}
		s := fmt.Sprintf(`{"Effect": %q, %q: %s, "Resource": %s`, effect, ak, acts[r.Intn(len(acts))], ress[r.Intn(len(ress))])
		if r.Intn(2) == 0 {
			s += `, "Condition": {` + idConds[r.Intn(len(idConds))] + `}`
		}
		stmts = append(stmts, s+"}")
	}
	return pol(stmts...)
}

func randomIdentityRequest(r *rand.Rand) (string, string, map[string][]string) {
	reqs := [][2]string{{"s3:GetObject", "arn:aws:s3:::b/home/x"}, {"s3:GetObject", "arn:aws:s3:::b/other"}, {"s3:PutObject", "arn:aws:s3:::b/home/x"},
		{"s3:ListBucket", "arn:aws:s3:::b"}, {"iam:PassRole", "arn:aws:iam::123456789012:role/app-web"}, {"s3:GetObject", "arn:aws:s3:::c/k"}}
	q := reqs[r.Intn(len(reqs))]
	ctx := map[string][]string{}
	pick := func(k string, vs ...string) {
		if i := r.Intn(len(vs) + 1); i < len(vs) {
			ctx[k] = []string{vs[i]}
		}
	}
	pick("aws:SourceIp", "10.1.2.3", "10.2.0.1", "192.0.2.1")
	pick("aws:MultiFactorAuthPresent", "true", "false")
	pick("s3:prefix", "home/a", "x")
	pick("aws:RequestedRegion", "eu-west-1", "us-east-1")
	pick("s3:max-keys", "5", "10", "50")
	pick("aws:PrincipalArn", "arn:aws:iam::123456789012:role/admin-1", "arn:aws:iam::123456789012:role/dev")
	return q[0], q[1], ctx
}

func allowsIdentity(t *testing.T, doc, action, resource string, ctx map[string][]string) bool {
	p := compile(t, policy.Identity, doc)
	req, err := eval.NewRequest("arn:aws:sts::123456789012:assumed-role/someone/s", action, resource, "", ctx)
	if err != nil {
		t.Fatal(err)
	}
	return eval.Evaluate(req, &eval.Inputs{Identity: []*policy.Policy{p}}).Decision == eval.Allow
}

func TestChecksSoundRandom(t *testing.T) {
	n := 60
	if testing.Short() {
		n = 20
	}
	for seed := int64(1); seed <= int64(n); seed++ {
		r := rand.New(rand.NewSource(seed))
		newDoc, oldDoc := randomIdentityPolicy(r), randomIdentityPolicy(r)
		res, err := CheckNoNewAccess(newDoc, oldDoc, IdentityPolicy)
		if err != nil {
			t.Fatal(err)
		}
		action, _, _ := randomIdentityRequest(r)
		notGranted, err := CheckAccessNotGranted(newDoc, []AccessSpec{{Actions: []string{action}}}, IdentityPolicy)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 30; i++ {
			a, res2, ctx := randomIdentityRequest(r)
			if allowsIdentity(t, newDoc, a, res2, ctx) {
				if !allowsIdentity(t, oldDoc, a, res2, ctx) && res.Result != Fail {
					t.Fatalf("seed %d: %s %s %v is new access, yet CheckNoNewAccess says %s\nnew: %s\nold: %s", seed, a, res2, ctx, res.Result, newDoc, oldDoc)
				}
				if strings.EqualFold(a, action) && notGranted.Result != Fail {
					t.Fatalf("seed %d: %s %s %v is allowed, yet CheckAccessNotGranted(%s) says %s\npolicy: %s", seed, a, res2, ctx, action, notGranted.Result, newDoc)
				}
			}
		}
	}
}
