package reach

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// randomOrg writes a small organization from the seed: roles in Dev and
// Prod and users in Dev whose policies, boundaries and trust policies are
// drawn from pools of statements with and without conditions (MFA, source
// address, external ID), an SCP that may deny, and Prod's bucket.
func randomOrg(r *rand.Rand) []string {
	pick := func(pool []string) string { return pool[r.IntN(len(pool))] }
	some := func(pool []string) string {
		var out []string
		for _, s := range pool {
			if r.IntN(3) == 0 {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			out = append(out, pool[r.IntN(len(pool))])
		}
		return strings.Join(out, ", ")
	}
	identity := []string{
		`{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}`,
		`{Effect: Allow, Action: "sts:AssumeRole", Resource: "arn:aws:iam::333333333333:role/*"}`,
		`{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}`,
		`{Effect: Allow, Action: "s3:*", Resource: "*", Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}`,
		`{Effect: Allow, Action: "s3:GetObject", Resource: "*", Condition: {IpAddress: {aws:SourceIp: "10.0.0.0/8"}}}`,
		`{Effect: Deny, Action: "s3:GetObject", Resource: "*", Condition: {BoolIfExists: {aws:MultiFactorAuthPresent: "false"}}}`,
		`{Effect: Deny, Action: "sts:AssumeRole", Resource: "*", Condition: {NotIpAddress: {aws:SourceIp: "10.0.0.0/8"}}}`,
	}
	roleNames := []string{"R0", "R1", "R2", "R3"}
	roleAcct := map[string]string{"R0": "Dev", "R1": "Dev", "R2": "Prod", "R3": "Prod"}
	acctID := map[string]string{"Dev": dev, "Prod": prod}
	trustPrincipal := func() string {
		switch r.IntN(8) {
		case 6:
			return `{AWS: "arn:aws:sts::222222222222:assumed-role/R1/alice"}`
		case 0:
			return `{AWS: "arn:aws:iam::222222222222:root"}`
		case 1:
			return `{AWS: "arn:aws:iam::333333333333:root"}`
		case 2:
			n := pick(roleNames)
			return `{AWS: "arn:aws:iam::` + acctID[roleAcct[n]] + `:role/` + n + `"}`
		case 3:
			return `{AWS: "arn:aws:iam::222222222222:user/u` + fmt.Sprint(r.IntN(2)) + `"}`
		case 4:
			return `{AWS: "arn:aws:iam::444455556666:root"}`
		case 5:
			return `{Service: lambda.amazonaws.com}`
		}
		return `{AWS: "*"}`
	}
	trustCond := []string{"", "", `, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}`,
		`, Condition: {StringEquals: {sts:ExternalId: "x-1"}}`, `, Condition: {IpAddress: {aws:SourceIp: "10.1.0.0/16"}}`}
	var b strings.Builder
	b.WriteString("roles:\n")
	for _, n := range roleNames {
		fmt.Fprintf(&b, "  - name: %s\n    accounts: [%s]\n", n, roleAcct[n])
		fmt.Fprintf(&b, "    trust: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: %s, Action: sts:AssumeRole%s}]}\n", trustPrincipal(), pick(trustCond))
		fmt.Fprintf(&b, "    inlinePolicies:\n      P: {Version: \"2012-10-17\", Statement: [%s]}\n", some(identity))
		if r.IntN(4) == 0 {
			b.WriteString("    permissionsBoundary: Edge\n")
		}
	}
	b.WriteString("users:\n")
	for i := range 2 {
		fmt.Fprintf(&b, "  - name: u%d\n    account: Dev\n    inlinePolicies:\n      P: {Version: \"2012-10-17\", Statement: [%s]}\n", i, some(identity))
		if r.IntN(4) == 0 {
			b.WriteString("    permissionsBoundary: Edge\n")
		}
	}
	var pb strings.Builder
	pb.WriteString("policies:\n")
	fmt.Fprintf(&pb, "  - name: Edge\n    type: managed\n    accounts: [Dev, Prod]\n    document: {Version: \"2012-10-17\", Statement: [%s]}\n", some(identity))
	if r.IntN(2) == 0 {
		fmt.Fprintf(&pb, "  - name: Guard\n    type: scp\n    document: {Version: \"2012-10-17\", Statement: [%s]}\n    attach: [%s]\n",
			pick([]string{
				`{Effect: Deny, Action: "sts:AssumeRole", Resource: "*", Condition: {BoolIfExists: {aws:MultiFactorAuthPresent: "false"}}}`,
				`{Effect: Deny, Action: "s3:GetObject", Resource: "*", Condition: {NotIpAddress: {aws:SourceIp: "10.0.0.0/8"}}}`,
				`{Effect: Deny, Action: "sts:AssumeRole", Resource: "arn:aws:iam::333333333333:role/R3"}`,
				`{Effect: Deny, Action: "s3:GetObject", Resource: "*", Condition: {StringNotLike: {aws:userid: "*:al*"}}}`,
			}), pick([]string{"Dev", "Prod", "Workloads"}))
	}
	grant := pick([]string{`{AWS: "arn:aws:iam::333333333333:root"}`, `{AWS: "arn:aws:iam::222222222222:root"}`, `{AWS: "arn:aws:iam::222222222222:user/u0"}`, `{AWS: "arn:aws:iam::444455556666:root"}`,
		`{AWS: "arn:aws:sts::333333333333:assumed-role/R2/alice"}`, `{AWS: "arn:aws:sts::222222222222:assumed-role/R0/alice"}`})
	res := fmt.Sprintf("resources:\n  - arn: arn:aws:s3:::prod-data\n    account: Prod\n    policy: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: %s, Action: \"s3:GetObject\", Resource: \"arn:aws:s3:::prod-data/*\"}]}\n", grant)
	return []string{b.String(), pb.String(), res}
}

// contexts are the request contexts the engine is asked with.
var contexts = []map[string][]string{
	{},
	{"aws:MultiFactorAuthPresent": {"true"}},
	{"aws:MultiFactorAuthPresent": {"false"}},
	{"aws:SourceIp": {"10.1.2.3"}},
	{"aws:SourceIp": {"10.1.2.3"}, "aws:MultiFactorAuthPresent": {"true"}},
	{"aws:SourceIp": {"192.0.2.1"}, "aws:MultiFactorAuthPresent": {"true"}},
	{"sts:ExternalId": {"x-1"}, "aws:MultiFactorAuthPresent": {"true"}, "aws:SourceIp": {"10.1.2.3"}},
}

func allowed(t *testing.T, o *org.Org, q authz.Query) bool {
	t.Helper()
	_, e, err := authz.Decide(o, q, now)
	return err == nil && e.Decision == eval.Allow
}

// TestSoundRandom: over random organizations, every path who-can lists is
// allowed by the engine step by step with the contexts it gives, and no
// principal the engine allows (directly, or by assuming a role who-can
// lists, under any of the contexts tried) is missing.
func TestSoundRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 2026))
	for n := range 60 {
		src := randomOrg(r)
		o := loadOrg(t, src...)
		g := New(o, now)
		paths, err := g.WhoCan(Query{Action: "s3:GetObject", Resource: object})
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]Path{}
		for _, p := range paths {
			listed[p.Principal.ARN] = p
			for i, h := range p.Hops {
				if !h.Allowed {
					continue
				}
				if !allowed(t, o, authz.Query{Principal: h.Caller(), Action: h.Action, Resource: h.To.ARN, Context: h.Context}) {
					t.Fatalf("org %d: hop %d of %s (%s into %s) is denied by the engine\n%s", n, i, p.Principal.ARN, h.Caller(), h.To.ARN, src)
				}
			}
			if p.Final.Allowed && !allowed(t, o, authz.Query{Principal: p.Final.Caller(), Action: "s3:GetObject", Resource: object, Context: p.Final.Context}) {
				t.Fatalf("org %d: %s's request is denied by the engine\n%s", n, p.Principal.ARN, src)
			}
		}
		// Every caller the engine allows directly is listed.
		callers := append([]*Principal(nil), g.Principals()...)
		callers = append(callers, &Principal{ARN: "arn:aws:iam::" + vendor + ":root", Caller: "arn:aws:iam::" + vendor + ":root"},
			&Principal{ARN: "lambda.amazonaws.com", Caller: "lambda.amazonaws.com", Context: map[string][]string{"aws:SourceAccount": {prod}}})
		// Each role's session alice, which policies may name.
		for _, p := range g.Principals() {
			if p.Role != nil {
				callers = append(callers, &Principal{ARN: p.ARN, Role: p.Role, Account: p.Account, Caller: sessionCaller(p, "alice"),
					Context: map[string][]string{"aws:userid": {placeholderRoleID + ":alice"}}})
			}
		}
		for _, c := range callers {
			for _, ctx := range contexts {
				if allowed(t, o, authz.Query{Principal: c.Caller, Action: "s3:GetObject", Resource: object, Context: merge(ctx, c.Context)}) {
					if !covered(listed, c) {
						t.Fatalf("org %d: the engine allows %s with %v but who-can omits it: %v\n%s", n, c.ARN, ctx, names(listed), src)
					}
				}
			}
		}
		// Whoever the engine lets assume a listed role that reads is
		// listed, when the role's session, which keeps the caller's MFA
		// (true, or false when the caller had none), reads.
		for _, p := range paths {
			if p.Principal.Role == nil || len(p.Via) > 0 {
				continue
			}
			for _, c := range callers {
				for _, ctx := range contexts {
					if !possibleFor(c, ctx) || !allowed(t, o, authz.Query{Principal: c.Caller, Action: "sts:AssumeRole", Resource: p.Principal.ARN, Context: merge(ctx, c.Context)}) {
						continue
					}
					mfa := []string{"false"}
					if v := ctx["aws:MultiFactorAuthPresent"]; len(v) == 1 && v[0] == "true" {
						mfa = v
					}
					reads := false
					for _, rc := range contexts {
						if v, ok := rc["aws:MultiFactorAuthPresent"]; ok && v[0] != mfa[0] {
							continue
						}
						if allowed(t, o, authz.Query{Principal: p.Principal.Caller, Action: "s3:GetObject", Resource: object, Context: merge(rc, map[string][]string{"aws:MultiFactorAuthPresent": mfa})}) {
							reads = true
							break
						}
					}
					if reads && !covered(listed, c) && c.ARN != p.Principal.ARN {
						t.Fatalf("org %d: %s can assume %s (with %v), which then reads, but who-can omits it: %v\n%s", n, c.ARN, p.Principal.ARN, ctx, names(listed), src)
					}
				}
			}
		}
	}
}

// possibleFor reports whether a caller's request can have the context's
// MFA keys: a service's has none, a role session's always has them ("AWS
// global condition context keys", aws:MultiFactorAuthPresent's
// availability,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent).
func possibleFor(c *Principal, ctx map[string][]string) bool {
	_, mfa := ctx["aws:MultiFactorAuthPresent"]
	switch {
	case !strings.Contains(c.Caller, ":"):
		return !mfa
	case strings.Contains(c.Caller, ":assumed-role/"):
		return mfa
	}
	return true
}

// covered reports whether who-can lists the principal, or, for one outside
// the org, anyone ("*": the class of principals no policy names).
func covered(listed map[string]Path, p *Principal) bool {
	if _, ok := listed[p.ARN]; ok {
		return true
	}
	_, anyone := listed["*"]
	return anyone && !p.InOrg()
}

func merge(a, b map[string][]string) map[string][]string {
	out := make(map[string][]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
