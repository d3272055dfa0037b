package prove

import (
	"fmt"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// EachContext decides an assembled request with inputs in under one
// context of every class the statements of in tell apart (package
// analyze's classes of the keys the caller chooses or that range freely),
// calling fn with the class's own keys (absent keys left out) and the
// engine's answer, until fn returns false. The keys of fixed keep the
// values the request has, as do the keys AWS sets from the caller or the
// resource (analyze.IsCallerKey). It returns an error, deciding nothing, when the
// classes cannot be made exact or are more than analyze.MaxCombinations.
func EachContext(s *authz.Situation, in *eval.Inputs, fixed map[string][]string, fn func(ctx map[string][]string, e *eval.Explanation) bool) error {
	return eachContext(s, in, fixed, contextOptions{}, fn)
}

// contextOptions are what a proof knows of a role's sessions beyond its
// trust policy.
type contextOptions struct {
	// inherits: a session of the role may carry transitive session tags
	// of an earlier session of its chain, which its trust policy does not
	// limit and no later assumption overrides ("Chaining roles with
	// session tags"): every aws:PrincipalTag/* key ranges freely. Asked
	// only when the request's statements test such a key.
	inherits func() bool
	// confirm, when set, decides whether an allowed class whose session
	// tags are not the role's own is a request some chain of assumptions
	// can make (the session's tags ctx's aws:PrincipalTag/* values); a
	// class it rejects is not reported allowed, and the answer is an
	// error (unknown), never a proof.
	confirm func(ctx map[string][]string) bool
}

func eachContext(s *authz.Situation, in *eval.Inputs, fixed map[string][]string, opt contextOptions, fn func(ctx map[string][]string, e *eval.Explanation) bool) error {
	stmts := relevant(analyze.StatementsOf(analyze.PoliciesOf(in)...), []policy.Action{s.Request.Action})
	isGiven := func(k string) bool {
		for fk := range fixed {
			if strings.EqualFold(fk, k) {
				return true
			}
		}
		return false
	}
	tags := sessionTagsOf(s)
	if opt.inherits != nil && s.Request.Caller.Kind == policy.CallerAssumedRole && testsPrincipalTags(stmts) && opt.inherits() {
		tags = sessionTags{anyFree: true, inherited: true}
	}
	// The aws:PrincipalTag/* keys the trust policy limits to a few values
	// are decided under each value in turn.
	var limited []string
	for k := range tags.choices {
		if !isGiven(k) && analyze.TestsKey(stmts, k) {
			limited = append(limited, k)
		}
	}
	sort.Strings(limited)
	caller := s.Request.Caller.ARN
	base := map[string][]string{}
	s.Request.Context.Each(func(k string, v []string) { base[k] = v })
	combos := [][]*[]string{nil}
	for _, k := range limited {
		var next [][]*[]string
		for _, c := range combos {
			for i := range tags.choices[k] {
				next = append(next, append(append([]*[]string(nil), c...), tags.choices[k][i]))
			}
		}
		combos = next
	}
	var skipped bool
	for _, combo := range combos {
		cbase := base
		chosen := map[string][]string{}
		if len(limited) > 0 {
			cbase = make(map[string][]string, len(base))
			for k, v := range base {
				cbase[k] = v
			}
			for i, k := range limited {
				delete(cbase, k)
				if combo[i] != nil {
					cbase[k] = *combo[i]
					chosen[k] = *combo[i]
				}
			}
		}
		cctx := condition.NewContext(cbase)
		free := func(k string) bool { return tags.isFree(k) && !isGiven(k) }
		isFixed := func(k string) bool {
			if analyze.IsCallerKey(k) {
				return !freeUserID(s, k) && !free(k)
			}
			return isGiven(k)
		}
		vars := analyze.CallerVars(cctx)
		sp := analyze.NewSpaceVars(stmts, isFixed, func(key string) ([]string, bool) {
			if freeUserID(s, key) || (analyze.IsCallerKey(key) && free(key)) {
				return nil, false
			}
			return vars(key)
		})
		if !sp.Exact() {
			return fmt.Errorf("the condition keys of %s's policies for %s cannot be split exactly", caller, s.Request.ActionName)
		}
		if sp.Size(analyze.MaxCombinations) > analyze.MaxCombinations/len(combos) {
			return fmt.Errorf("more than %d classes of contexts for %s %s", analyze.MaxCombinations, caller, s.Request.ActionName)
		}
		// The keys Assemble filled (the caller's, the resource's, the
		// time), under the class's own.
		stop := false
		sp.Each(func(ctx map[string][]string) bool {
			full := make(map[string][]string, len(cbase)+len(ctx))
			for k, v := range cbase {
				full[k] = v
			}
			shown := make(map[string][]string, len(chosen)+len(ctx))
			for k, v := range chosen {
				shown[tagKeyOut(k)] = v
			}
			for k, v := range ctx {
				full[strings.ToLower(k)] = v
				shown[tagKeyOut(k)] = v
			}
			req := *s.Request
			req.Context = condition.NewContext(full)
			e := eval.Evaluate(&req, in)
			if e.Decision == eval.Allow && (tagsDiffer(ctx, base) || tagsDiffer(chosen, base)) {
				switch {
				case opt.confirm != nil && !opt.confirm(full):
					// No chain of assumptions makes a session with
					// these tags: not a request shown to be allowed.
					skipped = true
					return true
				case opt.confirm == nil && (tags.inexact || tags.inherited):
					// A session tag the trust policy may not let the
					// caller pass: not a request shown to be allowed.
					skipped = true
					return true
				}
			}
			if !fn(shown, &e) {
				stop = true
				return false
			}
			return true
		})
		if stop {
			return nil
		}
	}
	if skipped {
		if opt.confirm != nil {
			return fmt.Errorf("%s %s is allowed only under session tags that no chain of assumptions Warden found (sts:AssumeRole with sts:TagSession, or transitive tags of an earlier session) gives the session", caller, s.Request.ActionName)
		}
		return fmt.Errorf("%s %s is allowed only under session tags whose trust policy conditions (aws:TagKeys, aws:RequestTag/* other than StringEquals, a Deny) Warden does not model exactly", caller, s.Request.ActionName)
	}
	return nil
}

// sessionTags says which aws:PrincipalTag/* keys of a role's session its
// callers choose. A caller the role's trust policy allows sts:TagSession
// passes session tags, which override the role's tags of the same keys
// ("Passing session tags in AWS STS", IAM User Guide): a key is free (any
// value; absent too when the role lacks it) unless every statement that
// allows sts:TagSession holds aws:RequestTag/KEY to StringEquals values,
// when it takes one of those or the role's own value (absent when none).
type sessionTags struct {
	anyFree bool                   // every key not in choices is free
	choices map[string][]*[]string // lower-cased key → its values (nil: absent)
	// inexact marks conditions on tags not modelled (aws:TagKeys, other
	// operators, a Deny of sts:TagSession): keys are free, which is sound
	// for a proof, and an allow under a tag other than the role's own is
	// not reported as a counterexample unless a chain of assumptions
	// confirms it (contextOptions.confirm).
	inexact bool
	// inherited: the session may carry transitive tags of an earlier
	// session (contextOptions.inherits): every key is free.
	inherited bool
}

func (t sessionTags) isFree(k string) bool {
	k = strings.ToLower(k)
	if !strings.HasPrefix(k, "aws:principaltag/") {
		return false
	}
	_, limited := t.choices[k]
	return t.anyFree && !limited || t.inexact || t.inherited
}

// varies reports whether the session's value of k is not only the role's.
func (t sessionTags) varies(k string) bool {
	_, limited := t.choices[strings.ToLower(k)]
	return limited || t.isFree(k)
}

var tagSession = policy.NewAction("sts:TagSession")

func sessionTagsOf(s *authz.Situation) sessionTags {
	var t sessionTags
	if s.Request.Caller.Kind != policy.CallerAssumedRole || s.Role == nil || s.Role.Trust == nil {
		return t
	}
	values := map[string]map[string]bool{} // key → values some statement allows
	limitedBy := map[string]int{}          // key → statements limiting it
	allows := 0
	for _, st := range s.Role.Trust.Statements {
		if !st.MatchesAction(&tagSession) {
			continue
		}
		if !strings.EqualFold(st.Src.Effect, "Allow") {
			t.inexact = true
			continue
		}
		allows++
		for _, c := range st.Src.Condition {
			key := strings.ToLower(c.Key)
			if key == "aws:tagkeys" {
				t.inexact = true
				continue
			}
			if !strings.HasPrefix(key, "aws:requesttag/") {
				continue
			}
			exact := c.Op == "StringEquals"
			for _, v := range c.Values {
				exact = exact && !strings.Contains(v, "${")
			}
			if !exact {
				t.inexact = true
				continue
			}
			pk := "aws:principaltag/" + strings.TrimPrefix(key, "aws:requesttag/")
			if values[pk] == nil {
				values[pk] = map[string]bool{}
			}
			limitedBy[pk]++
			for _, v := range c.Values {
				values[pk][v] = true
			}
		}
	}
	if allows == 0 {
		t.inexact = false
		return t
	}
	t.anyFree = true
	t.choices = map[string][]*[]string{}
	for pk, n := range limitedBy {
		if n < allows {
			continue // a statement that does not limit it leaves it free
		}
		var own *[]string
		for k, v := range s.Role.Tags {
			if strings.EqualFold("aws:principaltag/"+k, pk) {
				own = &[]string{v}
			}
		}
		opts := []*[]string{own}
		vs := make([]string, 0, len(values[pk]))
		for v := range values[pk] {
			vs = append(vs, v)
		}
		sort.Strings(vs)
		for _, v := range vs {
			if own == nil || (*own)[0] != v {
				opts = append(opts, &[]string{v})
			}
		}
		t.choices[pk] = opts
	}
	return t
}

// tagKeyOut spells an aws:PrincipalTag/* key as AWS's reference does.
func tagKeyOut(k string) string {
	const p = "aws:principaltag/"
	if len(k) > len(p) && strings.EqualFold(k[:len(p)], p) {
		return "aws:PrincipalTag/" + k[len(p):]
	}
	return k
}

// testsPrincipalTags reports whether a statement tests an
// aws:PrincipalTag/* key, in a condition or a policy variable.
func testsPrincipalTags(stmts []analyze.Stmt) bool {
	const p = "aws:principaltag/"
	for _, st := range stmts {
		src := st.S.Src
		for _, c := range src.Condition {
			if strings.HasPrefix(strings.ToLower(c.Key), p) {
				return true
			}
			for _, v := range c.Values {
				if strings.Contains(strings.ToLower(v), "${"+p) {
					return true
				}
			}
		}
		for _, r := range src.Resource {
			if strings.Contains(strings.ToLower(r.Value), "${"+p) {
				return true
			}
		}
	}
	return false
}

// tagsDiffer reports whether a class gives an aws:PrincipalTag/* key a
// value other than the request's own.
func tagsDiffer(ctx, base map[string][]string) bool {
	for k, v := range ctx {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "aws:principaltag/") {
			continue
		}
		if b, ok := base[lk]; !ok || strings.Join(b, "\x00") != strings.Join(v, "\x00") {
			return true
		}
	}
	return false
}

// freeUserID reports whether k is aws:userid of a role session that the
// request does not fix: AWS sets it to the role's unique ID and the session
// name, which the caller chooses when it assumes the role ("role-id:
// caller-specified-role-name"), and the org does not hold the role's ID, so
// it ranges over every value like a key the caller sets.
func freeUserID(s *authz.Situation, k string) bool {
	if !strings.EqualFold(k, "aws:userid") || s.Request.Caller.Kind != policy.CallerAssumedRole {
		return false
	}
	_, set := s.Request.Context.Get("aws:userid")
	return !set
}

// callerVars resolves the policy variables of the keys AWS sets from the
// caller, as analyze.CallerVars, except a session's free aws:userid, which
// no single value stands for.
func callerVars(s *authz.Situation) analyze.Vars {
	vars := analyze.CallerVars(s.Request.Context)
	return func(key string) ([]string, bool) {
		if freeUserID(s, key) {
			return nil, false
		}
		return vars(key)
	}
}
