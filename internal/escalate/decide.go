package escalate

import (
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/prove"
)

// request is one request to decide: the context keys it fixes (the caller
// chooses them: iam:PassedToService, iam:PolicyARN) and a change to the
// inputs (a rewritten trust policy, an added identity policy).
type request struct {
	action, resource string
	fixed            map[string][]string
	change           func(in *eval.Inputs)
	// sess, when set, is the session the request is made in: its caller
	// and its keys fixed (see sess).
	sess *sess
}

// may reports whether some statement of the node's identity policies (and
// boundary) can allow the action: a cheap test before the engine runs.
func (n *Node) may(action string) bool {
	act := policy.NewAction(action)
	return anyMatch(n.allows, &act) && (n.bound == nil || anyMatch(n.bound, &act))
}

func anyMatch(stmts []*policy.CompiledStatement, act *policy.Action) bool {
	for _, s := range stmts {
		if s.MatchesAction(act) {
			return true
		}
	}
	return false
}

// decide asks the engine whether the node may make the request, under some
// context: the one the request fixes first, then one of every class of the
// keys the policies test that it does not fix (package analyze's classes,
// within which every statement answers alike). It returns the allowed
// request as a step, or nil.
func (a *analyzer) decide(n *Node, r request) *Step {
	caller, query, fixed := n.Caller, r.fixed, r.fixed
	if r.sess != nil {
		if r.sess.caller != "" {
			caller = r.sess.caller
		}
		query, fixed = r.sess.fixedIn(r.fixed)
	}
	s, err := authz.Assemble(a.o, authz.Query{Principal: caller, Action: r.action, Resource: r.resource, Context: query}, a.now)
	if err != nil || s.Missing != "" {
		return nil
	}
	in := &s.Inputs
	if r.change != nil {
		in = cloneInputs(in)
		r.change(in)
	}
	r.fixed = query
	e := eval.Evaluate(s.Request, in)
	if e.Decision == eval.Allow {
		return a.step(caller, r, nil, &e)
	}
	// The region of the resources the steps name, when the caller may
	// choose it: a real region reads better than a class's representative.
	if _, has := s.Request.Context.Get("aws:RequestedRegion"); !has {
		full := map[string][]string{}
		s.Request.Context.Each(func(k string, v []string) { full[k] = v })
		full["aws:requestedregion"] = []string{"us-east-1"}
		req := *s.Request
		req.Context = condition.NewContext(full)
		if e := eval.Evaluate(&req, in); e.Decision == eval.Allow {
			return a.step(caller, r, map[string][]string{"aws:RequestedRegion": {"us-east-1"}}, &e)
		}
	}
	var found *Step
	err = prove.EachContext(s, in, fixed, func(ctx map[string][]string, e *eval.Explanation) bool {
		if e.Decision == eval.Allow {
			found = a.step(caller, r, ctx, e)
			return false
		}
		return true
	})
	if err != nil {
		a.unsure++
	}
	return found
}

func cloneInputs(in *eval.Inputs) *eval.Inputs {
	c := *in
	c.Identity = append([]*policy.Policy(nil), in.Identity...)
	c.Boundary = append([]*policy.Policy(nil), in.Boundary...)
	c.Resource = append([]*policy.Policy(nil), in.Resource...)
	return &c
}

// step is the evidence of an allowed request: the statements that allowed
// it, the context it needs and the keys of it the caller cannot choose.
func (a *analyzer) step(caller string, r request, ctx map[string][]string, e *eval.Explanation) *Step {
	st := &Step{Action: r.action, Resource: r.resource, Principal: caller}
	shown := map[string][]string{}
	for k, v := range r.fixed {
		shown[k] = v
	}
	for k, v := range ctx {
		k = spelling(k)
		shown[k] = v
		if isRequirement(k) {
			if st.Requires == nil {
				st.Requires = map[string]any{}
			}
			st.Requires[k] = value(v)
		}
	}
	if len(shown) > 0 {
		st.Context = map[string]any{}
		for k, v := range shown {
			st.Context[k] = value(v)
		}
	}
	for _, rs := range e.Reasons {
		if rs.Effect == policy.Allow {
			st.AllowedBy = append(st.AllowedBy, prove.Label(a.src, rs))
		}
	}
	return st
}

// spelling is AWS's spelling of a condition key (the classes keep keys in
// lower case), for people and for `warden explain --context`.
func spelling(k string) string {
	if ck, ok := awsdata.LookupConditionKey(k); ok && strings.EqualFold(ck.Key, k) {
		return ck.Key
	}
	return k
}

func value(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return append([]string(nil), v...)
}

// isRequirement reports whether a request's caller cannot choose a key's
// value: who it is, where it calls from, how it signed in (MFA), through
// which service, or which secret it must know (sts:ExternalId).
func isRequirement(k string) bool {
	if analyze.IsRestrictingKey(k) {
		return true
	}
	switch l := strings.ToLower(k); {
	case strings.HasPrefix(l, "aws:multifactorauth"), strings.HasPrefix(l, "aws:calledvia"):
		return true
	case l == "aws:viaawsservice", l == "aws:sourceidentity", l == "aws:federatedprovider",
		l == "aws:tokenissuetime", l == "aws:currenttime", l == "aws:epochtime", l == "aws:principaltype",
		l == "sts:externalid":
		return true
	}
	return false
}
