package reach

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Outcome is the decision on one request over every class of contexts.
type Outcome struct {
	// Allowed: some class of contexts is allowed; Context is its
	// representative and Requires the keys whose class mattered.
	Allowed bool
	// Unsure says why the classes could not be split exactly (a policy
	// variable of a key the caller chooses, operators of several families
	// on one key, too many classes). An unsure outcome that found no allowed
	// class is reported as possible, never dropped.
	Unsure string
	// Context is the allowing request's whole context as decided (the keys
	// AWS sets and the class's own).
	Context map[string][]string
	// Requires lists the conditions that must hold: for each key the
	// statements test whose value decides (another class of it is denied),
	// the allowing class's representative value (nil: the key absent).
	Requires []Requirement
	// Reasons are the allowing statements.
	Reasons []eval.Reason
	// tests says which keys of a role session's context the policies of
	// the request test (see sessionTests): a path through it must link
	// its hops (see link).
	tests sessionTests
	// tagged: allowed only when the caller's session carries session tags
	// its role does not have (a role's session, as a path sets them).
	tagged bool
	// SessionName, for a role's request, is the name its session must
	// have ("": any name; see namedSession); userID is then the session's
	// aws:userid as decided.
	SessionName string `json:"session_name,omitempty"`
	userID      string
	// names are the session names the request's statements single out.
	names []namedSession
}

// Requirement is a context key whose value decides a request: the value of
// the allowing class (Values nil: the key absent), the representatives of
// the key's classes that are allowed and denied (the other keys as in the
// allowing class), and the tests of the key that decide, as "Deny
// RestrictRegions/DenyOtherRegions: StringNotEquals aws:RequestedRegion
// [us-east-1 eu-west-1]".
type Requirement struct {
	Key     string     `json:"key"`
	Values  []string   `json:"values"`
	Allowed [][]string `json:"allowed"`
	Denied  [][]string `json:"denied"`
	Tests   []string   `json:"tests"`
}

// String says the requirement in the shorter way: the allowed classes
// ("aws:MultiFactorAuthPresent=true") or the denied ones
// ("aws:SecureTransport not false").
func (r Requirement) String() string {
	show := func(cs [][]string) string {
		var parts []string
		for _, c := range cs {
			switch {
			case c == nil:
				parts = append(parts, "absent")
			case len(c) == 1 && c[0] == "":
				parts = append(parts, `""`)
			default:
				parts = append(parts, strings.Join(c, ","))
			}
		}
		return strings.Join(parts, " or ")
	}
	plain := true // the denied classes' representatives read as values
	for _, c := range r.Denied {
		for _, v := range c {
			plain = plain && v != ""
		}
	}
	if len(r.Denied) < len(r.Allowed) && plain {
		return r.Key + " not " + show(r.Denied)
	}
	if len(r.Allowed) == 1 && r.Allowed[0] == nil {
		return r.Key + " absent"
	}
	return r.Key + "=" + show(r.Allowed)
}

// testsOf describes the statements' tests of a key.
func testsOf(stmts []analyze.Stmt, lower string) []string {
	var out []string
	for _, st := range stmts {
		for _, c := range st.S.Src.Condition {
			if strings.EqualFold(c.Key, lower) {
				out = append(out, fmt.Sprintf("%s %s/%s: %s %s %v", st.S.Effect, st.Policy.Name, st.S.Src.Label(), c.Op, c.Key, c.Values))
			}
		}
	}
	return out
}

// decider decides requests over every class of contexts, with the keys
// given fixed. The spaces of equal statement lists are shared.
type decider struct {
	o     *org.Org
	now   time.Time
	given map[string][]string // lower-cased keys the caller fixed
	cache map[string]*spaceEntry
	ids   map[*policy.CompiledStatement]int // statements numbered for cache keys
	// key, key2 and stmts are reused between decisions.
	key, key2 []byte
	stmts     []analyze.Stmt
}

type spaceEntry struct {
	varKeys []string // the caller keys whose values the space depends on
	spaces  map[string]*analyze.Space
	tests   sessionTests
	names   []namedSession
}

func newDecider(o *org.Org, now time.Time, given map[string][]string) *decider {
	g := make(map[string][]string, len(given))
	for k, v := range given {
		g[strings.ToLower(k)] = v
	}
	return &decider{o: o, now: now, given: g, cache: map[string]*spaceEntry{}, ids: map[*policy.CompiledStatement]int{}}
}

func (d *decider) fixed(k string) bool {
	if analyze.IsCallerKey(k) {
		return true
	}
	_, ok := d.given[strings.ToLower(k)]
	return ok
}

// decide assembles q (with the given keys and extra fixed keys, such as a
// service principal's source account) and evaluates every class of contexts.
// err is a malformed query or a role the org lacks.
func (d *decider) decide(q authz.Query) (Outcome, error) { return d.decideIn(q, modeFree) }

// decideIn is decide with the session keys as mode says: free (each
// request alone), a role session's tags free (modeTagsFree), or fixed by
// a path's session (modeHop, modeFinal: q.Context has their values, every
// other session key is absent).
func (d *decider) decideIn(q authz.Query, mode decideMode) (Outcome, error) {
	ctx := make(map[string][]string, len(d.given)+len(q.Context))
	for k, v := range d.given {
		ctx[k] = v
	}
	extra := map[string]bool{}
	for k, v := range q.Context {
		ctx[strings.ToLower(k)] = v
		extra[strings.ToLower(k)] = true
	}
	q.Context = ctx
	s, err := authz.Assemble(d.o, q, d.now)
	if err != nil {
		return Outcome{}, err
	}
	if s.Missing != "" {
		return Outcome{}, nil
	}
	in := &s.Inputs
	d.stmts = relevantStmts(d.stmts[:0], in, &s.Request.Action)
	stmts := d.stmts
	vars := analyze.CallerVars(s.Request.Context)
	sp, exact, tests, names := d.space(stmts, vars, extra, mode)
	out := Outcome{tests: tests, names: names}
	if !exact {
		out.Unsure = fmt.Sprintf("the condition keys of the policies for %s by %s cannot be split exactly", q.Action, q.Principal)
	}
	if sp.Size(analyze.MaxCombinations) > analyze.MaxCombinations {
		out.Unsure = fmt.Sprintf("more than %d classes of contexts for %s by %s", analyze.MaxCombinations, q.Action, q.Principal)
		return out, nil
	}
	var e eval.Explanation
	if len(sp.Keys) == 0 {
		// One class: the request as assembled.
		if eval.EvaluateInto(s.Request, in, &e) != eval.Allow {
			return out, nil
		}
		out.Allowed = true
		out.Reasons = append([]eval.Reason(nil), e.Reasons...)
		out.Context = map[string][]string{}
		s.Request.Context.Each(func(k string, v []string) { out.Context[k] = v })
		return out, nil
	}
	base := map[string][]string{}
	s.Request.Context.Each(func(k string, v []string) { base[k] = v })
	req := *s.Request
	try := func(cls map[string][]string) bool {
		full := make(map[string][]string, len(base)+len(cls))
		for k, v := range base {
			full[k] = v
		}
		for k, v := range cls {
			full[k] = v
		}
		req.Context = condition.NewContext(full)
		return eval.EvaluateInto(&req, in, &e) == eval.Allow
	}
	var found map[string][]string
	sp.Each(func(cls map[string][]string) bool {
		if try(cls) {
			found = make(map[string][]string, len(cls))
			for k, v := range cls {
				found[k] = v
			}
			return false
		}
		return true
	})
	if found == nil {
		return out, nil
	}
	out.Allowed = true
	out.Reasons = append([]eval.Reason(nil), e.Reasons...)
	out.Context = map[string][]string{}
	req.Context.Each(func(k string, v []string) { out.Context[k] = v })
	// A key is required when another of its classes, the rest unchanged, is
	// denied.
	for _, kc := range sp.Keys {
		req := Requirement{Key: keyName(stmts, kc.Key), Values: found[kc.Key]}
		for _, c := range kc.Classes {
			alt := make(map[string][]string, len(found)+1)
			for k, v := range found {
				alt[k] = v
			}
			delete(alt, kc.Key)
			if c.Values != nil {
				alt[kc.Key] = c.Values
			}
			if sameValues(c.Values, found[kc.Key]) || try(alt) {
				req.Allowed = append(req.Allowed, c.Values)
			} else {
				req.Denied = append(req.Denied, c.Values)
			}
		}
		if len(req.Denied) > 0 {
			req.Tests = testsOf(stmts, kc.Key)
			out.Requires = append(out.Requires, req)
		}
	}
	return out, nil
}

func sameValues(a, b []string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keyName spells a lower-cased key as the statements write it.
func keyName(stmts []analyze.Stmt, lower string) string {
	if k, ok := analyze.ConditionKey(stmts, lower); ok {
		return k
	}
	return lower
}

// relevantStmts are the statements of every layer whose Action or NotAction
// element matches the action.
func relevantStmts(out []analyze.Stmt, in *eval.Inputs, a *policy.Action) []analyze.Stmt {
	add := func(ps []*policy.Policy) {
		for _, p := range ps {
			for _, st := range p.Statements {
				if st.MatchesAction(a) {
					out = append(out, analyze.Stmt{Policy: p, S: st})
				}
			}
		}
	}
	add(in.Identity)
	add(in.Boundary)
	add(in.Session)
	add(in.Resource)
	add(in.Endpoint)
	for _, l := range in.SCP {
		add(l.Policies)
	}
	for _, l := range in.RCP {
		add(l.Policies)
	}
	return out
}

var varRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// space returns the classes of contexts of stmts, shared between requests
// whose statements, and whose values of the caller keys their variables
// name, are the same. extra names keys the query fixed.
func (d *decider) space(stmts []analyze.Stmt, vars analyze.Vars, extra map[string]bool, mode decideMode) (*analyze.Space, bool, sessionTests, []namedSession) {
	b := append(d.key[:0], byte('0'+mode), ';')
	for _, st := range stmts {
		id, ok := d.ids[st.S]
		if !ok {
			id = len(d.ids)
			d.ids[st.S] = id
		}
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, ',')
	}
	if len(extra) > 0 {
		ex := make([]string, 0, len(extra))
		for k := range extra {
			ex = append(ex, k)
		}
		sort.Strings(ex)
		b = append(b, strings.Join(ex, ",")...)
	}
	d.key = b
	ent := d.cache[string(b)]
	if ent == nil {
		ent = &spaceEntry{spaces: map[string]*analyze.Space{}, tests: sessionTestsOf(stmts), names: namedSessionsOf(stmts)}
		seen := map[string]bool{}
		for _, st := range stmts {
			if !st.Policy.Doc.Vars() {
				continue
			}
			for _, c := range st.S.Src.Condition {
				for _, v := range c.Values {
					for _, m := range varRef.FindAllStringSubmatch(v, -1) {
						if k := strings.ToLower(m[1]); !seen[k] {
							seen[k] = true
							ent.varKeys = append(ent.varKeys, k)
						}
					}
				}
			}
		}
		sort.Strings(ent.varKeys)
		d.cache[string(b)] = ent
	}
	k2 := d.key2[:0]
	for _, k := range ent.varKeys {
		v, _ := vars(k)
		for _, x := range v {
			k2 = append(k2, x...)
			k2 = append(k2, 1)
		}
		k2 = append(k2, 0)
	}
	d.key2 = k2
	sp := ent.spaces[string(k2)]
	if sp == nil {
		fixed := func(k string) bool {
			lk := strings.ToLower(k)
			switch {
			case extra[lk]:
				return true
			case mode == modeTagsFree && strings.HasPrefix(lk, "aws:principaltag/"):
				return false
			case mode == modeHop && (isSessionKey(lk) || isHopKey(lk)):
				return true
			case mode == modeFinal && isSessionKey(lk):
				return true
			}
			return d.fixed(k)
		}
		if mode == modeTagsFree {
			vars = withoutTags(vars)
		}
		sp = analyze.NewSpaceVars(stmts, fixed, vars)
		ent.spaces[string(k2)] = sp
	}
	return sp, sp.Exact(), ent.tests, ent.names
}
