package prove

import (
	"fmt"
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
	stmts := relevant(analyze.StatementsOf(analyze.PoliciesOf(in)...), []policy.Action{s.Request.Action})
	isFixed := func(k string) bool {
		if analyze.IsCallerKey(k) {
			return !freeUserID(s, k)
		}
		for fk := range fixed {
			if strings.EqualFold(fk, k) {
				return true
			}
		}
		return false
	}
	caller := s.Request.Caller.ARN
	sp := analyze.NewSpaceVars(stmts, isFixed, callerVars(s))
	if !sp.Exact() {
		return fmt.Errorf("the condition keys of %s's policies for %s cannot be split exactly", caller, s.Request.ActionName)
	}
	if sp.Size(analyze.MaxCombinations) > analyze.MaxCombinations {
		return fmt.Errorf("more than %d classes of contexts for %s %s", analyze.MaxCombinations, caller, s.Request.ActionName)
	}
	// The keys Assemble filled (the caller's, the resource's, the time),
	// under the class's own.
	base := map[string][]string{}
	s.Request.Context.Each(func(k string, v []string) { base[k] = v })
	sp.Each(func(ctx map[string][]string) bool {
		full := make(map[string][]string, len(base)+len(ctx))
		for k, v := range base {
			full[k] = v
		}
		for k, v := range ctx {
			full[strings.ToLower(k)] = v
		}
		req := *s.Request
		req.Context = condition.NewContext(full)
		e := eval.Evaluate(&req, in)
		return fn(ctx, &e)
	})
	return nil
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
