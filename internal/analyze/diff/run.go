package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// principalRun compares one principal's requests.
type principalRun struct {
	d     *differ
	p     *principal
	sides [2]*authz.Situation
	// members are the callers of the principal's class, its own first:
	// every change found stands for each of them.
	members []string
	stmts   []analyze.Stmt // every statement that may apply to its requests
	nOwn    int            // stmts[:nOwn] are its side's (identity, boundary, SCPs)
	// literals are the actions the statements name that AWS's reference
	// does not list.
	literals []string
}

type resourceClasses struct {
	reps  []string
	exact bool
}

// class is an action class: actions every statement of both orgs treats
// alike, alike for RCPs (service and exempt actions), alike for trust
// policies.
type class struct {
	analyze.ActionClass
	key string
}

func (r *principalRun) classes(universe []string) []class {
	var out []class
	for _, ac := range analyze.ActionClasses(r.stmts, universe) {
		by := map[string]int{}
		for _, a := range ac.Actions {
			k := fmt.Sprintf("%t%t", awsdata.RCPAppliesTo(a), authz.IsTrustAction(a))
			i, ok := by[k]
			if !ok {
				i = len(out)
				by[k] = i
				out = append(out, class{ActionClass: analyze.ActionClass{Rep: a}})
			}
			out[i].Actions = append(out[i].Actions, a)
		}
	}
	for i := range out {
		out[i].key = strings.ToLower(strings.Join(out[i].Actions, ","))
	}
	return out
}

func (r *principalRun) unknown(action, reason string) {
	r.d.mu.Lock()
	u := Unknown{Principal: r.p.caller, Action: action, Reason: reason}
	if len(r.members) > 1 {
		u.Principals = r.members
	}
	r.d.unknown = append(r.d.unknown, u)
	r.d.mu.Unlock()
}

// item compares the requests of one item.
func (r *principalRun) item(it *item) {
	universe := r.d.universe(it, r.literals)
	if w := unknownWildcard(r.stmts); w != "" && (it.all || matchesAny(it.changed, w)) {
		r.unknown(w, "a statement names actions of a service AWS's reference does not know by a wildcard: they cannot be listed")
	}
	for _, c := range r.classes(universe) {
		r.class(it, &c)
	}
}

// splits are the ARNs whose resource side differs from others' for an
// action: declared resources with a statement for it, roles for the STS
// actions, accounts where RCPs or resource keys differ, the principal's own
// account, and the names AWS reserves.
func (r *principalRun) splits(rep string, rel []analyze.Stmt, globs []string) []string {
	own := []string{"arn:*:*:*::*"}
	for _, s := range r.sides {
		if s != nil && s.Account != nil {
			own = append(own, "arn:*:*:*:"+s.Account.ID+":*")
		}
	}
	if v := r.p.context["aws:PrincipalAccount"]; len(v) == 1 {
		own = append(own, "arn:*:*:*:"+v[0]+":*")
	}
	base := r.d.baseSplits(rep, r.d.acctSplit(rep, rel), globs)
	out := append(append([]string(nil), base...), keepMeeting(own, globs)...)
	sort.Strings(out)
	return dedupe(out)
}

// baseSplits are the splits that do not depend on the principal (see
// splits), for one action and item's globs, memoized: sorted, without
// repeats, each meeting some glob.
func (d *differ) baseSplits(rep string, acctSplit bool, globs []string) []string {
	k := strings.ToLower(rep) + "\x00" + boolStr(acctSplit) + "\x00" + strings.Join(globs, "\x00")
	if v, ok := d.splitMemo.Load(k); ok {
		return v.([]string)
	}
	act := policy.NewAction(rep)
	svc, _, _ := strings.Cut(strings.ToLower(rep), ":")
	var out []string
	for _, res := range d.declared {
		for _, st := range res.Policy.Statements {
			if st.MatchesAction(&act) {
				out = append(out, resourceGlobs(res.ARN)...)
				break
			}
		}
	}
	if authz.IsTrustAction(rep) {
		for _, role := range d.roles {
			out = append(out, roleGlobs(role)...)
		}
	}
	if acctSplit {
		for _, id := range d.accounts {
			out = append(out, "arn:*:*:*:"+id+":*")
		}
		// A declared resource's owner sets aws:ResourceAccount and its
		// RCPs, even when its ARN has no account (an S3 bucket).
		for _, res := range d.owned {
			out = append(out, resourceGlobs(res.ARN)...)
		}
	}
	if svc == "iam" {
		out = append(out, "arn:aws:iam::*:role/aws-reserved/*", "arn:aws:iam::*:role/aws-service-role/*", "arn:aws:iam::aws:policy/*")
	}
	sort.Strings(out)
	out = keepMeeting(dedupe(out), globs)
	v, _ := d.splitMemo.LoadOrStore(k, out)
	return v.([]string)
}

// keepMeeting keeps the splits that some glob meets: a split that no glob
// meets splits nothing the item compares.
func keepMeeting(splits, globs []string) []string {
	var kept []string
	exactly := make(map[string]bool, len(globs))
	// Globs by their literal account: a split of one account meets only
	// those of its account and those whose account has a wildcard.
	byAcct := map[string][]string{}
	var wild []string
	for _, g := range globs {
		exactly[g] = true
		if a, ok := literalAccount(g); ok {
			byAcct[a] = append(byAcct[a], g)
		} else {
			wild = append(wild, g)
		}
	}
	for _, s := range splits {
		if exactly[s] || exactly["*"] {
			kept = append(kept, s)
			continue
		}
		cand := globs
		if a, ok := literalAccount(s); ok {
			cand = append(byAcct[a][:len(byAcct[a]):len(byAcct[a])], wild...)
		}
		for _, g := range cand {
			if mayMeet(g, s) {
				kept = append(kept, s)
				break
			}
		}
	}
	return kept
}

// literalAccount is an ARN pattern's account part when it has no
// wildcard.
func literalAccount(p string) (string, bool) {
	var parts [6]string
	if !analyzeSplit(p, &parts) || arn.HasWildcard(parts[4]) {
		return "", false
	}
	return parts[4], true
}

// acctSplit reports whether the requests of an action on one account's
// resources may be decided otherwise than on another's or outside the
// organizations: RCPs apply to its service, or a statement tests a
// resource key.
func (d *differ) acctSplit(action string, rel []analyze.Stmt) bool {
	return ((d.rcpDiffer || d.rcpAny) && awsdata.RCPAppliesTo(action)) || testsResourceKeys(rel)
}

func testsResourceKeys(stmts []analyze.Stmt) bool {
	for _, st := range stmts {
		for _, c := range st.S.Src.Condition {
			if strings.HasPrefix(strings.ToLower(c.Key), "aws:resource") {
				return true
			}
		}
	}
	return false
}

func relevant(stmts []analyze.Stmt, action string) []analyze.Stmt {
	act := policy.NewAction(action)
	var out []analyze.Stmt
	for _, st := range stmts {
		if st.S.MatchesAction(&act) {
			out = append(out, st)
		}
	}
	return out
}

// vars resolves the policy variables of the keys AWS sets from the caller
// by their values in either org.
func (r *principalRun) vars() analyze.Vars {
	return func(key string) ([]string, bool) {
		if !analyze.IsCallerKey(key) {
			return nil, false
		}
		var out []string
		for _, s := range r.sides {
			if s != nil {
				v, _ := s.Request.Context.Get(key)
				out = append(out, v...)
			}
		}
		for k, v := range r.p.context {
			if strings.EqualFold(k, key) {
				out = append(out, v...)
			}
		}
		return analyze.Unique(out), true
	}
}

// class compares one action class on every class of resources and
// contexts.
func (r *principalRun) class(it *item, c *class) {
	rel := relevant(r.stmts, c.Rep)
	splits := r.splits(c.Rep, rel, it.globs)
	var reps []string
	var exact bool
	tw := r.twins(c.Rep, rel)
	if tw != nil {
		reps, exact = r.resourceClasses(tw.filter(it.globs), tw.filter(splits), r.d.sites.relFor(rel, tw))
		for _, res := range reps {
			if tw.covered(res) {
				// A class of the representatives' partition lies in a
				// member's part: compare every account on its own.
				tw = nil
				break
			}
		}
	}
	if tw == nil {
		reps, exact = r.resourceClasses(it.globs, splits, rel)
	}
	if !exact {
		r.unknown(c.Rep, "the resources cannot be split exactly (a policy variable in a Resource element, or too many patterns)")
	}
	for _, res := range reps {
		r.resource(it, c, res, !exact, tw)
	}
}

// twins sorts the accounts other than the principal's into classes of
// twins for an action class (sites.go); nil when none is grouped.
func (r *principalRun) twins(action string, rel []analyze.Stmt) *twins {
	s := r.d.sites
	if s == nil || r.d.splitAll {
		// A statement that could tell any two accounts apart.
		return nil
	}
	mine := append(relevant(r.stmts[:r.nOwn], action), relevant(s.rcpStmts, action)...)
	var pats, condKeys []string
	named := map[string]bool{}
	for _, st := range mine {
		for _, v := range st.S.Src.Resource {
			pats = append(pats, v.Value)
		}
		for _, cnd := range st.S.Src.Condition {
			condKeys = append(condKeys, strings.ToLower(cnd.Key))
			for _, v := range cnd.Values {
				accountIDs(v, named)
				condKeys = append(condKeys, varNames(v)...)
			}
		}
	}
	own := map[string]bool{}
	for _, sd := range r.sides {
		if sd != nil && sd.Account != nil {
			own[sd.Account.ID] = true
		}
	}
	for k, v := range r.p.context {
		if strings.EqualFold(k, "aws:PrincipalAccount") {
			for _, x := range v {
				own[x] = true
			}
		}
	}
	accountIDs(r.p.caller, own)
	return s.group(action, pats, condKeys, named, own, r.d.acctSplit(action, rel))
}

// pair is one request assembled in both orgs.
type pair struct {
	s  [2]*authz.Situation
	in [2]*eval.Inputs
}

func (r *principalRun) assemble(action, resource string) *pair {
	pr := &pair{}
	for i, o := range r.d.orgs() {
		q := authz.Query{Principal: r.p.caller, Action: action, Resource: resource, Context: r.p.context}
		s, err := authz.Assemble(o, q, r.d.now)
		if err != nil || s.Missing != "" {
			// A role the org does not have, a principal it does not have:
			// nobody can make the request.
			continue
		}
		pr.s[i], pr.in[i] = s, &s.Inputs
	}
	return pr
}

// resourceClasses is analyze.ResourceClasses, memoized for the whole
// comparison: only the statements' Resource values (and whether they take
// policy variables, then filled by the caller's values), the splits and the
// globs make the classes.
func (r *principalRun) resourceClasses(globs, splits []string, rel []analyze.Stmt) ([]string, bool) {
	var vals []string
	for _, st := range rel {
		v := "0"
		if st.Policy.Doc.Vars() {
			v = "1"
		}
		for _, x := range st.S.Src.Resource {
			vals = append(vals, v+x.Value)
			if v == "1" && strings.Contains(x.Value, "${") {
				// The caller's own values fill the variables.
				vals = append(vals, "caller "+r.p.caller)
			}
		}
	}
	sort.Strings(vals)
	s2 := splits
	if !sort.StringsAreSorted(s2) {
		s2 = append([]string(nil), splits...)
		sort.Strings(s2)
	}
	k := strings.Join(globs, "\x00") + "\x01" + strings.Join(s2, "\x00") + "\x01" + strings.Join(analyze.Unique(vals), "\x00")
	if v, ok := r.d.resClasses.Load(k); ok {
		rc := v.(resourceClasses)
		return rc.reps, rc.exact
	}
	reps, exact := analyze.ResourceClasses(globs, splits, rel, r.vars())
	r.d.resClasses.Store(k, resourceClasses{reps, exact})
	return reps, exact
}
