package reach

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/policy"
)

// The search of link: the ways a path's sessions can go, tried least
// demanding first, each request decided by the engine with the session's
// keys fixed (see session.go for the rules).

// linkBudget bounds the decisions link makes for one path; beyond it the
// path is kept as possible, unsure.
const linkBudget = 2048

// linkPath is a path to decide: the start, the assumptions (hops[i] enters
// hops[i].To from hops[i].From) and the last request, by the last role.
type linkPath struct {
	start    *Principal
	hops     []Edge
	action   string
	resource string
	final    *decider
	// startTags lets the start's session carry any session tags, as if an
	// assumption before it had passed them: whether a principal before
	// the start could make the path work.
	startTags bool
	// want, for a chain without a last request, are values the last
	// session must have (its MFA, source identity, principal tags).
	want map[string][]string
	// service: the start is a session a service made (see
	// LinkOptions.Service); caller, when set, the first hop's caller.
	service bool
	caller  string
	// check decides what each session must also be allowed, and extra
	// are its requests' statements (see LinkOptions.Check).
	check func(at int, ctx map[string][]string) bool
	extra []analyze.Stmt
	// finalSession and finalUserID: the last request is made as the
	// last role's session of that name (see namedSession).
	finalSession, finalUserID string
}

// linked is link's answer.
type linked struct {
	ok     bool
	unsure string
	needs  []SessionNeed
	hops   []Outcome // the assumptions decided with the session
	final  Outcome
	// sessions are each session's keys (see Chain.Sessions).
	sessions []map[string][]string
}

// tagVal is a session tag of a session.
type tagVal struct {
	key, value string
	transitive bool
}

// linker holds one link search.
type linker struct {
	g  *Graph
	c  *linkPath
	n  int
	si struct {
		at    int // the hop that sets it, 0 at the start, -1 never
		value string
	}
	mfa    mfaCase
	ages   []string // aws:MultiFactorAuthAge's representatives, ascending
	keys   []string // the tag keys the path tests, as spelled
	values map[string][]string
	budget int
	unsure string
	needs  []SessionNeed
	hops   []Outcome
	final  Outcome
	passed [][]tagVal // per hop (and the start, index 0), the tags it passed
	// sessions are the keys of each session on the way being tried.
	sessions []map[string][]string
	// tagVars: a policy variable names a principal tag.
	tagVars bool
}

// mfaCase is one way the path's principal signs in.
type mfaCase struct {
	present     bool // the chain has MFA
	firstAbsent bool // the start's own request has no MFA keys (long-term keys, a service, a provider's users)
}

// link decides the path c with one session threaded through it, trying
// the sessions that require least first: no MFA before MFA, no source
// identity before one, fewer tags before more.
func (g *Graph) link(c *linkPath) linked {
	l := &linker{g: g, c: c, n: len(c.hops), budget: linkBudget, values: map[string][]string{}}
	stmts, tests, err := g.chainStmts(c)
	if err != nil {
		return linked{}
	}
	if len(c.extra) > 0 {
		stmts = append(stmts, c.extra...)
		tests |= sessionTestsOf(c.extra)
	}
	for k, v := range c.want {
		// What the last session must have is tested too.
		switch lk := strings.ToLower(k); {
		case lk == "aws:multifactorauthpresent":
			tests |= testsMFA
		case lk == "aws:sourceidentity":
			tests |= testsSourceIdentity
		case strings.HasPrefix(lk, "aws:principaltag/") && len(v) == 1:
			tests |= testsPrincipalTags
		}
	}
	var sis []string
	if v, ok := lookupFold(c.want, "aws:SourceIdentity"); ok && len(v) == 1 {
		sis = append(sis, v[0])
	}
	if tests&testsSourceIdentity != 0 {
		kc := analyze.ValueClasses(stmts, "sts:sourceidentity", "aws:sourceidentity")
		l.noteExact(kc, "source identity")
		for _, cl := range kc.Classes {
			if cl.Values != nil {
				sis = append(sis, cl.Values[0])
			}
		}
	}
	if tests&testsMFA != 0 {
		kc := analyze.ValueClasses(stmts, "aws:multifactorauthage")
		l.noteExact(kc, "MFA age")
		for _, cl := range kc.Classes {
			if cl.Values != nil {
				l.ages = append(l.ages, cl.Values[0])
			}
		}
		sort.Slice(l.ages, func(i, j int) bool { return ageOf(l.ages[i]) < ageOf(l.ages[j]) })
	}
	if tests&(testsPrincipalTags|testsRequestTags) != 0 {
		l.tagKeys(stmts)
	}
	for k, v := range c.want {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "aws:principaltag/") && len(v) == 1 {
			key := k[len("aws:principaltag/"):]
			lower := strings.ToLower(key)
			if _, ok := l.values[lower]; !ok {
				l.keys = append(l.keys, key)
			}
			l.values[lower] = append([]string{v[0]}, l.values[lower]...)
		}
	}
	never := true
	if c.final != nil {
		if v, ok := c.final.given["aws:sourceidentity"]; ok && len(v) == 1 {
			// The caller fixed the request's source identity: the chain
			// sets that one.
			sis, never = v, false
		}
	}
	cases := mfaCases(c.start.Kind, tests&testsMFA != 0)
	if c.service {
		// A service's session: no MFA, the key present and false.
		cases = []mfaCase{{}}
	}
	for _, m := range cases {
		l.mfa = m
		// The source identity: never set, then each value at each place
		// it can be set.
		l.si.at, l.si.value = -1, ""
		if never && l.search() {
			return l.answer()
		}
		for _, v := range sis {
			for at := 0; at <= l.n; at++ {
				if at == 0 && (c.service || !carriesSession(c.start.Kind)) {
					continue
				}
				l.si.at, l.si.value = at, v
				if l.search() {
					return l.answer()
				}
			}
		}
		if l.budget <= 0 {
			break
		}
	}
	if l.budget <= 0 && l.unsure == "" {
		l.unsure = fmt.Sprintf("more than %d sessions to try for the path from %s", linkBudget, c.start.ARN)
	}
	if l.tagVars && l.unsure == "" {
		l.unsure = "a policy variable names a principal tag, whose values a session may set"
	}
	return linked{unsure: l.unsure}
}

func (l *linker) noteExact(kc analyze.KeyClasses, what string) {
	if !kc.Exact && l.unsure == "" {
		l.unsure = "the " + what + " the path's policies test cannot be split exactly"
	}
}

func ageOf(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return f
}

// carriesSession reports whether a principal's own requests can come from
// a session that already has a source identity: a role's, or an outside
// principal's.
func carriesSession(k Kind) bool {
	switch k {
	case KindRole, KindPermissionSet, KindOutside, KindAnyone:
		return true
	}
	return false
}

// mfaCases lists how a principal of kind k can sign in, without MFA first;
// one case when the path tests no MFA key.
func mfaCases(k Kind, tested bool) []mfaCase {
	var out []mfaCase
	switch k {
	case KindUser, KindOutside, KindAnyone:
		out = []mfaCase{{firstAbsent: true}, {}, {present: true}}
	case KindRole, KindPermissionSet:
		out = []mfaCase{{}, {present: true}}
	default: // services, identity providers' users, root users
		out = []mfaCase{{firstAbsent: true}}
	}
	if !tested {
		out = out[:1]
	}
	return out
}

// tagKeys collects the tag keys the path's policies test (aws:PrincipalTag/k,
// aws:RequestTag/k, the keys named in tests of aws:TagKeys and
// sts:TransitiveTagKeys) and each one's classes of values.
func (l *linker) tagKeys(stmts []analyze.Stmt) {
	seen := map[string]bool{}
	add := func(k string) {
		if k == "" || strings.ContainsAny(k, "*?$") || seen[strings.ToLower(k)] {
			return
		}
		seen[strings.ToLower(k)] = true
		l.keys = append(l.keys, k)
	}
	listsKeys := false
	for _, st := range stmts {
		for _, c := range st.S.Src.Condition {
			lk := strings.ToLower(c.Key)
			switch {
			case strings.HasPrefix(lk, "aws:principaltag/"):
				add(c.Key[len("aws:principaltag/"):])
			case strings.HasPrefix(lk, "aws:requesttag/"):
				add(c.Key[len("aws:requesttag/"):])
			case lk == "aws:tagkeys" || lk == "sts:transitivetagkeys":
				listsKeys = true
				for _, v := range c.Values {
					add(v)
				}
			}
		}
		if st.Policy.Doc.Vars() {
			for _, ref := range varRefsOf(st.S.Src) {
				if strings.HasPrefix(ref, "aws:principaltag/") {
					// The values that matter are the resource's, not
					// the policies' literals: a path none of the tried
					// tags allows is unsure, not impossible.
					l.tagVars = true
				}
			}
		}
	}
	if len(l.keys) == 0 && listsKeys {
		add("warden-tag")
	}
	for _, k := range l.keys {
		kc := analyze.ValueClasses(stmts, "aws:principaltag/"+k, "aws:requesttag/"+k)
		l.noteExact(kc, "tag "+k)
		var vs []string
		for _, cl := range kc.Classes {
			if cl.Values != nil {
				vs = append(vs, cl.Values[0])
			}
		}
		if len(vs) == 0 {
			vs = []string{"x"}
		}
		l.values[strings.ToLower(k)] = vs
	}
}

// chainStmts gathers the statements of every request of the path (each
// assumption with sts:TagSession and sts:SetSourceIdentity on its role,
// and the last request) and the session keys they test.
func (g *Graph) chainStmts(c *linkPath) ([]analyze.Stmt, sessionTests, error) {
	var out []analyze.Stmt
	add := func(q authz.Query, actions ...string) error {
		s, err := authz.Assemble(g.o, q, g.now)
		if err != nil {
			return err
		}
		for _, a := range actions {
			act := policy.NewAction(a)
			out = relevantStmts(out, &s.Inputs, &act)
		}
		return nil
	}
	for i, h := range c.hops {
		q := authz.Query{Principal: c.callerOf(i), Action: h.Action, Resource: h.To.Role.ARN, ResourceAccount: h.To.Account, Context: withSession(h.From.Context, h.userID)}
		if err := add(q, h.Action, "sts:TagSession", "sts:SetSourceIdentity"); err != nil {
			return nil, 0, err
		}
	}
	if c.action == "" {
		return out, sessionTestsOf(out), nil
	}
	last := c.start
	if len(c.hops) > 0 {
		last = c.hops[len(c.hops)-1].To
	}
	if err := add(authz.Query{Principal: sessionCaller(last, c.finalSession), Action: c.action, Resource: c.resource, Context: withSession(last.Context, c.finalUserID)}, c.action); err != nil {
		return nil, 0, err
	}
	return out, sessionTestsOf(out), nil
}

// callerOf is the ARN the assumption hops[i] is made as.
func (c *linkPath) callerOf(i int) string {
	if i == 0 && c.caller != "" {
		return c.caller
	}
	return sessionCaller(c.hops[i].From, c.hops[i].SessionName)
}

// search tries the tag choices hop by hop with the MFA case and source
// identity set.
func (l *linker) search() bool {
	l.passed = make([][]tagVal, l.n+1)
	l.hops = make([]Outcome, l.n)
	l.sessions = make([]map[string][]string, l.n+1)
	if l.c.startTags && len(l.keys) > 0 {
		// Any tags on the start's session: every choice, as passed by an
		// assumption before it.
		return l.eachChoice(nil, func(ts []tagVal) bool {
			l.passed[0] = ts
			return l.step(0, ts, "")
		})
	}
	return l.step(0, nil, "")
}

// eachChoice calls fn with each set of tags an assumption can pass (keys
// not inherited; none first, then one key, then more), until fn returns
// true.
func (l *linker) eachChoice(inherited []tagVal, fn func([]tagVal) bool) bool {
	var free []string
	for _, k := range l.keys {
		if !hasTag(inherited, k) {
			free = append(free, k)
		}
	}
	// Options per key: not passed, or each value, plain or transitive.
	opts := make([]int, len(free))
	for i, k := range free {
		opts[i] = 1 + 2*len(l.values[strings.ToLower(k)])
	}
	var combos [][]int
	idx := make([]int, len(free))
	for {
		combos = append(combos, append([]int(nil), idx...))
		if len(combos) > linkBudget {
			break
		}
		i := 0
		for ; i < len(idx); i++ {
			idx[i]++
			if idx[i] < opts[i] {
				break
			}
			idx[i] = 0
		}
		if i == len(idx) {
			break
		}
	}
	count := func(c []int) int {
		n := 0
		for _, x := range c {
			if x > 0 {
				n++
			}
		}
		return n
	}
	sort.SliceStable(combos, func(i, j int) bool { return count(combos[i]) < count(combos[j]) })
	for _, c := range combos {
		if l.budget <= 0 {
			return false
		}
		var ts []tagVal
		for i, x := range c {
			if x == 0 {
				continue
			}
			vs := l.values[strings.ToLower(free[i])]
			ts = append(ts, tagVal{key: free[i], value: vs[(x-1)/2], transitive: (x-1)%2 == 1})
		}
		if fn(ts) {
			return true
		}
	}
	return false
}

func hasTag(ts []tagVal, k string) bool {
	for _, t := range ts {
		if strings.EqualFold(t.key, k) {
			return true
		}
	}
	return false
}

// step decides request r of the path (r < n: the assumption hops[r]; r ==
// n: the last request) made by a session whose session tags are tags, the
// MFA age of the previous request being lastAge.
func (l *linker) step(r int, tags []tagVal, lastAge string) bool {
	// MFA: a chain's requests all have it or all lack it; the age grows.
	ages := []string{""}
	if l.mfa.present && len(l.ages) > 0 {
		ages = nil
		for _, a := range l.ages {
			if lastAge == "" || ageOf(a) >= ageOf(lastAge) {
				ages = append(ages, a)
			}
		}
	}
	for _, age := range ages {
		ctx := map[string][]string{}
		switch {
		case l.mfa.present:
			ctx["aws:MultiFactorAuthPresent"] = []string{"true"}
			if age != "" {
				ctx["aws:MultiFactorAuthAge"] = []string{age}
			}
		case r == 0 && l.mfa.firstAbsent:
		default:
			ctx["aws:MultiFactorAuthPresent"] = []string{"false"}
		}
		for _, t := range tags {
			ctx["aws:PrincipalTag/"+t.key] = []string{t.value}
		}
		if l.si.at >= 0 && l.si.at <= r {
			ctx["aws:SourceIdentity"] = []string{l.si.value}
		}
		if l.c.check != nil {
			// What the session must also be allowed, with its keys.
			seen := make(map[string][]string, len(ctx))
			for k, v := range ctx {
				seen[k] = v
			}
			l.budget--
			if !l.c.check(r, seen) {
				continue
			}
			l.sessions[r] = seen
		}
		if r == l.n {
			if l.c.action == "" && l.wanted(ctx) || l.c.action != "" && l.finalStep(ctx) {
				return true
			}
			continue
		}
		if l.hopStep(r, ctx, tags, age) {
			return true
		}
	}
	return false
}

// finalStep decides the last request with the session's keys, which must
// agree with the keys the caller fixed.
func (l *linker) finalStep(ctx map[string][]string) bool {
	d := l.c.final
	for k, v := range d.given {
		if !isSessionKey(k) || strings.HasPrefix(k, "aws:principaltag/") {
			continue
		}
		got, ok := lookupFold(ctx, k)
		if k == "aws:multifactorauthage" && l.mfa.present {
			// The caller's age for the request (the chain's grows up to
			// it).
			delete(ctx, "aws:MultiFactorAuthAge")
			ctx[k] = v
			continue
		}
		if !ok || !sameValues(got, v) {
			return false
		}
	}
	last := l.c.start
	if l.n > 0 {
		last = l.c.hops[l.n-1].To
	}
	for k, v := range last.Context {
		ctx[k] = v
	}
	// A last request that assumes a role carries the chain's source
	// identity into the next session: sts:SetSourceIdentity too.
	carries := l.si.at >= 0 && strings.HasPrefix(strings.ToLower(l.c.action), "sts:assumerole")
	if carries {
		ctx["sts:SourceIdentity"] = []string{l.si.value}
	}
	if l.c.finalUserID != "" {
		ctx["aws:userid"] = []string{l.c.finalUserID}
	}
	q := authz.Query{Principal: sessionCaller(last, l.c.finalSession), Action: l.c.action, Resource: l.c.resource, Context: ctx}
	l.budget--
	o, err := d.decideIn(q, modeFinal)
	if err != nil || !o.Allowed {
		if err == nil && o.Unsure != "" && l.unsure == "" {
			l.unsure = o.Unsure
		}
		return false
	}
	if carries {
		l.budget--
		if s, err := d.decideIn(withAction(q, "sts:SetSourceIdentity"), modeFinal); err != nil || !s.Allowed {
			return false
		}
	}
	l.final = o
	return true
}

// wanted reports whether the last session of a chain has the values
// Link was asked for (a principal tag the session does not set is its
// role's).
func (l *linker) wanted(ctx map[string][]string) bool {
	for k, v := range l.c.want {
		got, ok := lookupFold(ctx, k)
		lk := strings.ToLower(k)
		if !ok && strings.HasPrefix(lk, "aws:principaltag/") && l.n > 0 {
			if r := l.c.hops[l.n-1].To.Role; r != nil {
				for tk, tv := range r.Tags {
					if strings.EqualFold(tk, lk[len("aws:principaltag/"):]) {
						got, ok = []string{tv}, true
					}
				}
			}
		}
		if lk == "aws:multifactorauthpresent" && !ok {
			got, ok = []string{"false"}, true
		}
		if !ok || !sameValues(got, v) {
			return false
		}
	}
	return true
}

func lookupFold(m map[string][]string, k string) ([]string, bool) {
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v, true
		}
	}
	return nil, false
}

// hopStep decides the assumption hops[r] with each choice of tags it can
// pass, and goes on to the next request.
func (l *linker) hopStep(r int, base map[string][]string, tags []tagVal, age string) bool {
	h := l.c.hops[r]
	var inherited []tagVal
	for _, t := range tags {
		if t.transitive {
			inherited = append(inherited, t)
		}
	}
	setsSI := l.si.at >= 0 && l.si.at <= r+1
	return l.eachChoice(inherited, func(pass []tagVal) bool {
		ctx := make(map[string][]string, len(base)+len(h.From.Context)+4)
		for k, v := range base {
			ctx[k] = v
		}
		for k, v := range h.From.Context {
			ctx[k] = v
		}
		if h.userID != "" {
			ctx["aws:userid"] = []string{h.userID}
		}
		if setsSI {
			ctx["sts:SourceIdentity"] = []string{l.si.value}
		}
		var keys, trans []string
		for _, t := range pass {
			ctx["aws:RequestTag/"+t.key] = []string{t.value}
			keys = append(keys, t.key)
			if t.transitive {
				trans = append(trans, t.key)
			}
		}
		if len(keys) > 0 {
			ctx["aws:TagKeys"] = keys
		}
		if len(trans) > 0 {
			ctx["sts:TransitiveTagKeys"] = trans
		}
		q := authz.Query{Principal: l.c.callerOf(r), Action: h.Action, Resource: h.To.Role.ARN, ResourceAccount: h.To.Account, Context: ctx}
		o, ok := l.allowed(q)
		if !ok {
			return false
		}
		if len(pass) > 0 {
			if _, ok := l.allowed(withAction(q, "sts:TagSession")); !ok {
				return false
			}
		}
		if setsSI {
			if _, ok := l.allowed(withAction(q, "sts:SetSourceIdentity")); !ok {
				return false
			}
		}
		l.hops[r] = o
		l.passed[r+1] = pass
		next := append(append([]tagVal(nil), inherited...), pass...)
		return l.step(r+1, next, age)
	})
}

func withAction(q authz.Query, action string) authz.Query {
	q.Action = action
	return q
}

// allowed decides an assumption's request with the session fixed.
func (l *linker) allowed(q authz.Query) (Outcome, bool) {
	l.budget--
	o, err := l.g.assume.decideIn(q, modeHop)
	if err != nil {
		return o, false
	}
	if !o.Allowed && o.Unsure != "" && l.unsure == "" {
		l.unsure = o.Unsure
	}
	return o, o.Allowed
}

// answer is the path allowed, with what its session needs.
func (l *linker) answer() linked {
	var needs []SessionNeed
	if l.mfa.present {
		needs = append(needs, SessionNeed{Hop: 0, What: "mfa"})
	}
	if l.si.at >= 0 {
		needs = append(needs, SessionNeed{Hop: l.si.at, What: "source-identity", Value: l.si.value})
	}
	for i, ts := range l.passed {
		for _, t := range ts {
			needs = append(needs, SessionNeed{Hop: i, What: "tag", Key: t.key, Value: t.value, Transitive: t.transitive})
		}
	}
	var sessions []map[string][]string
	if l.c.check != nil {
		sessions = l.sessions
	}
	return linked{ok: true, unsure: l.unsure, needs: needs, hops: l.hops, final: l.final, sessions: sessions}
}
