package reach

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/org"
)

// sessionOrg writes a small organization from the seed whose trust and
// identity policies test the keys of role sessions: source identities
// (sts:SourceIdentity, aws:SourceIdentity), session tags
// (aws:RequestTag/team, aws:PrincipalTag/team, sts:TransitiveTagKeys) and
// MFA, with and without sts:TagSession and sts:SetSourceIdentity.
func sessionOrg(r *rand.Rand) []string {
	pick := func(pool []string) string { return pool[r.IntN(len(pool))] }
	names := []string{"R0", "R1", "R2"}
	acct := map[string]string{"R0": dev, "R1": dev, "R2": prod}
	acctName := map[string]string{dev: "Dev", prod: "Prod"}
	conds := []string{"", "",
		`{StringEquals: {sts:SourceIdentity: alice}}`, `{StringEquals: {sts:SourceIdentity: bob}}`,
		`{StringEquals: {aws:SourceIdentity: alice}}`, `{StringEqualsIfExists: {aws:SourceIdentity: bob}}`,
		`{StringEquals: {aws:RequestTag/team: payments}}`, `{StringEquals: {aws:RequestTag/team: [payments, billing]}}`,
		`{StringEquals: {aws:PrincipalTag/team: payments}}`, `{"Null": {sts:TransitiveTagKeys: "true"}}`,
		`{Bool: {aws:MultiFactorAuthPresent: "true"}}`, `{BoolIfExists: {aws:MultiFactorAuthPresent: "false"}}`,
	}
	actions := []string{`sts:AssumeRole`, `[sts:AssumeRole, sts:TagSession]`, `[sts:AssumeRole, sts:SetSourceIdentity]`, `[sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity]`}
	principal := func() string {
		switch r.IntN(4) {
		case 0:
			return userARN(dev, "u0")
		case 1:
			return "arn:aws:iam::" + dev + ":root"
		}
		n := pick(names)
		return roleARN(acct[n], n)
	}
	var b strings.Builder
	b.WriteString("roles:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  - name: %s\n    accounts: [%s]\n", n, acctName[acct[n]])
		var stmts []string
		for range 1 + r.IntN(2) {
			st := `{Effect: Allow, Principal: {AWS: "` + principal() + `"}, Action: ` + pick(actions)
			if c := pick(conds); c != "" {
				st += `, Condition: ` + c
			}
			stmts = append(stmts, st+`}`)
		}
		fmt.Fprintf(&b, "    trust: {Version: \"2012-10-17\", Statement: [%s]}\n", strings.Join(stmts, ", "))
		read := `{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"`
		if c := pick([]string{"", "", `{StringEquals: {aws:PrincipalTag/team: payments}}`, `{StringEquals: {aws:SourceIdentity: alice}}`, `{Bool: {aws:MultiFactorAuthPresent: "true"}}`}); c != "" {
			read += `, Condition: ` + c
		}
		fmt.Fprintf(&b, "    inlinePolicies:\n      P: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: [\"sts:AssumeRole\", \"sts:TagSession\", \"sts:SetSourceIdentity\"], Resource: \"*\"}%s]}\n",
			pick([]string{", " + read + "}", ""}))
	}
	b.WriteString(`users:
  - name: u0
    account: Dev
    inlinePolicies:
      P: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity], Resource: "*"}]}
`)
	return []string{b.String(), bucket}
}

// plan is one way a chain's sessions go: MFA, where a source identity is
// set (0: the start's own session carries it, -1: never) and its value,
// and the tags each assumption passes (team's value, "" for none).
type plan struct {
	mfa, firstAbsent bool
	siAt             int
	si               string
	tags             []string
	trans            []bool
}

// chainAllowed decides a chain of roles from start with the plan, every
// request by the engine as warden explain does, the session's keys set as
// AWS sets them (the model of session.go, written out concretely).
func chainAllowed(t *testing.T, o *org.Org, start *Principal, roles []*Principal, p plan) bool {
	type tag struct {
		v     string
		trans bool
	}
	var cur *tag // the caller's session tag team (nil: none)
	caller := start
	for r := 0; r <= len(roles); r++ {
		ctx := map[string][]string{}
		switch {
		case p.mfa:
			ctx["aws:MultiFactorAuthPresent"] = []string{"true"}
			ctx["aws:MultiFactorAuthAge"] = []string{"10"}
		case r == 0 && p.firstAbsent:
		default:
			ctx["aws:MultiFactorAuthPresent"] = []string{"false"}
		}
		if cur != nil {
			ctx["aws:PrincipalTag/team"] = []string{cur.v}
		}
		if p.siAt >= 0 && p.siAt <= r {
			ctx["aws:SourceIdentity"] = []string{p.si}
		}
		if r == len(roles) {
			return allowed(t, o, authz.Query{Principal: caller.Caller, Action: "s3:GetObject", Resource: object, Context: ctx})
		}
		to := roles[r]
		if p.siAt >= 0 && p.siAt <= r+1 {
			ctx["sts:SourceIdentity"] = []string{p.si}
		}
		pass := p.tags[r]
		if pass != "" && cur != nil && cur.trans {
			return false // a transitive tag cannot be passed again
		}
		if pass != "" {
			ctx["aws:RequestTag/team"] = []string{pass}
			ctx["aws:TagKeys"] = []string{"team"}
			if p.trans[r] {
				ctx["sts:TransitiveTagKeys"] = []string{"team"}
			}
		}
		q := authz.Query{Principal: caller.Caller, Action: "sts:AssumeRole", Resource: to.ARN, Context: ctx}
		if !allowed(t, o, q) {
			return false
		}
		if q.Action = "sts:TagSession"; pass != "" && !allowed(t, o, q) {
			return false
		}
		if q.Action = "sts:SetSourceIdentity"; p.siAt >= 0 && p.siAt <= r+1 && !allowed(t, o, q) {
			return false
		}
		switch {
		case pass != "":
			cur = &tag{pass, p.trans[r]}
		case cur != nil && cur.trans:
		default:
			cur = nil
		}
		caller = to
	}
	return false
}

// plans lists every plan of a chain of n assumptions from a principal of
// kind k.
func plans(k Kind, n int) []plan {
	var out []plan
	mfas := [][2]bool{{false, false}, {true, false}}
	if k == KindUser {
		mfas = append(mfas, [2]bool{false, true})
	}
	type siPlan struct {
		at int
		v  string
	}
	sis := []siPlan{{-1, ""}}
	for _, v := range []string{"alice", "bob"} {
		for at := 0; at <= n; at++ {
			if at == 0 && k == KindUser {
				continue
			}
			sis = append(sis, siPlan{at, v})
		}
	}
	tagOpts := []struct {
		v     string
		trans bool
	}{{"", false}, {"payments", false}, {"payments", true}, {"billing", false}, {"billing", true}}
	var rec func(i int, vs []string, ts []bool)
	var tagSets []struct {
		vs []string
		ts []bool
	}
	rec = func(i int, vs []string, ts []bool) {
		if i == n {
			tagSets = append(tagSets, struct {
				vs []string
				ts []bool
			}{append([]string(nil), vs...), append([]bool(nil), ts...)})
			return
		}
		for _, o := range tagOpts {
			rec(i+1, append(vs, o.v), append(ts, o.trans))
		}
	}
	rec(0, nil, nil)
	for _, m := range mfas {
		for _, s := range sis {
			for _, ts := range tagSets {
				out = append(out, plan{mfa: m[0], firstAbsent: m[1], siAt: s.at, si: s.v, tags: ts.vs, trans: ts.ts})
			}
		}
	}
	return out
}

// TestSessionSoundRandom: over random organizations whose policies test
// the keys of role sessions, who-can lists a principal exactly when some
// chain of at most two roles, with some way its sessions go (MFA or not, a
// source identity set somewhere or never, session tags passed, transitive
// or not), is allowed by the engine request by request, among the
// principals it decides exactly.
func TestSessionSoundRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 12))
	withNeeds, chained := 0, 0
	for n := range 20 {
		src := sessionOrg(r)
		o := loadOrg(t, src...)
		g := New(o, now)
		paths, err := g.WhoCan(Query{Action: "s3:GetObject", Resource: object})
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]Path{}
		for _, p := range paths {
			listed[p.Principal.ARN] = p
		}
		var roles []*Principal
		for _, p := range g.Principals() {
			if p.Role != nil {
				roles = append(roles, p)
			}
		}
		u, _ := g.Lookup(userARN(dev, "u0"))
		for _, start := range append([]*Principal{u}, roles...) {
			if p, ok := listed[start.ARN]; ok && (p.Unsure || len(p.Via) > 2) {
				continue
			}
			possible := ""
			var chains [][]*Principal
			for _, a := range roles {
				chains = append(chains, []*Principal{a})
				for _, b := range roles {
					chains = append(chains, []*Principal{a, b})
				}
			}
		search:
			for _, ch := range chains {
				if ch[0] == start {
					continue
				}
				for _, pl := range plans(start.Kind, len(ch)) {
					if chainAllowed(t, o, start, ch, pl) {
						possible = fmt.Sprintf("%v with %+v", viaNames(ch), pl)
						break search
					}
				}
			}
			p, ok := listed[start.ARN]
			if ok && len(p.Session) > 0 {
				withNeeds++
			}
			if possible != "" {
				chained++
			}
			if ok && len(p.Via) > 0 && possible == "" {
				t.Fatalf("org %d: who-can lists %s via [%s] needing %q, but no chain is allowed\n%s", n, start.ARN, viaOf(p), needsOf(p), strings.Join(src, ""))
			}
			if !ok && possible != "" {
				t.Fatalf("org %d: %s reads through %s, but who-can omits it: %v\n%s", n, start.ARN, possible, names(listed), strings.Join(src, ""))
			}
		}
	}
	// The organizations must exercise the linking: paths that need a
	// session, and chains the engine allows.
	if withNeeds < 5 || chained < 10 {
		t.Errorf("only %d paths with session needs and %d chains allowed: the random organizations test too little", withNeeds, chained)
	}
}

func viaNames(ps []*Principal) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ARN)
	}
	return out
}
