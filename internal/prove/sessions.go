package prove

import (
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/analyze/reach"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// A role session's principal tags are its role's, unless the session was
// made with others: session tags passed to sts:AssumeRole (which needs
// sts:TagSession on the same trust policy evaluation, and meets its
// aws:RequestTag/* and aws:TagKeys conditions) override the role's of the
// same key, and the transitive session tags of an earlier session of a
// chain of assumptions pass on to every later session, where no
// assumption may override them and the later roles' trust policies do not
// limit them ("Passing session tags in AWS STS", "Chaining roles with
// session tags",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining).
//
// A proof lets a session's tags range over what its role's trust policy
// allows and, when its role can be assumed from a session that may carry
// transitive tags, over every value. A refutation under tags that are not
// the role's own is a request only when a chain of assumptions makes such
// a session: the chain (each assumption, with its sts:TagSession request
// when it passes tags) is found in package reach's graph, decided with one
// session threaded through it, and every request of it is one warden
// explain allows; else the answer is unknown.

// maxChainHops and maxChainTries bound the search of a chain into a role.
const (
	maxChainHops  = 3
	maxChainTries = 64
)

// graph is the org's graph of role assumptions, made on first use.
func (p *Prover) graph() *reach.Graph {
	if p.reach == nil {
		p.reach = reach.New(p.Org, p.Now)
	}
	return p.reach
}

// tagsSessions reports whether a role's trust policy allows sts:TagSession
// to some caller: a session of it may carry session tags, transitive ones
// among them.
func tagsSessions(r *org.Role) bool {
	if r.Trust == nil {
		return false
	}
	for _, st := range r.Trust.Statements {
		if st.MatchesAction(&tagSession) && strings.EqualFold(st.Src.Effect, "Allow") {
			return true
		}
	}
	return false
}

// inherits reports whether a session of the role may carry transitive
// session tags of an earlier session: it can be assumed (as the graph
// decides: allowed or unsure) from a session that may carry them, one of
// a role whose trust allows sts:TagSession and that can be assumed in
// turn, or one that inherits them. As in package reach, a session its
// graph has no way into (a permission set's role, entered through Identity
// Center's portal) carries no session tags.
func (p *Prover) inherits(r *org.Role) bool {
	if v, ok := p.inherited[r]; ok {
		return v
	}
	if p.inherited == nil {
		p.inherited = map[*org.Role]bool{}
	}
	p.inherited[r] = false // a cycle back to r adds nothing
	v := false
	for _, e := range p.graph().Into(r) {
		if !e.Allowed && e.Unsure == "" || e.From.Role == nil || e.From.Role == r {
			continue
		}
		if from := e.From.Role; tagsSessions(from) && p.enterable(from) || p.inherits(from) {
			v = true
			break
		}
	}
	p.inherited[r] = v
	return v
}

// enterable reports whether the graph has a way into the role.
func (p *Prover) enterable(r *org.Role) bool {
	for _, e := range p.graph().Into(r) {
		if e.Allowed || e.Unsure != "" {
			return true
		}
	}
	return false
}

// sessionChain finds a chain of assumptions that makes a session of the
// caller's role with the session keys of ctx (its aws:PrincipalTag/*
// values, MFA and source identity), and returns its requests in order, each
// allowed by the engine: every assumption and, for one that passes tags,
// its sts:TagSession. ok is false when none is found.
func (p *Prover) sessionChain(caller string, ctx map[string][]string) ([]Request, bool) {
	cp, err := policy.ParseCaller(caller)
	if err != nil || cp.Kind != policy.CallerAssumedRole {
		return nil, false
	}
	role, found := p.Org.Role(cp.Account, cp.Name)
	if !found {
		return nil, false
	}
	want := map[string][]string{}
	for k, v := range ctx {
		switch lk := strings.ToLower(k); {
		case strings.HasPrefix(lk, "aws:principaltag/"):
			want[tagKeyOut(k)] = v
		case lk == "aws:multifactorauthpresent":
			want["aws:MultiFactorAuthPresent"] = v
		case lk == "aws:sourceidentity":
			want["aws:SourceIdentity"] = v
		}
	}
	g := p.graph()
	tries := 0
	// Chains by length, each grown backwards from the role.
	level := [][]reach.Edge{nil}
	for n := 1; n <= maxChainHops; n++ {
		var next [][]reach.Edge
		for _, tail := range level {
			into := role
			if len(tail) > 0 {
				into = tail[0].From.Role
			}
			for _, e := range g.Into(into) {
				if !e.Allowed || e.From.Role == into || onChain(tail, e.From) {
					continue
				}
				hops := append([]reach.Edge{e}, tail...)
				if tries++; tries > maxChainTries {
					return nil, false
				}
				if reqs, ok := p.tryChain(hops, want); ok {
					return reqs, true
				}
				if e.From.Role != nil {
					next = append(next, hops)
				}
			}
		}
		level = next
	}
	return nil, false
}

func onChain(hops []reach.Edge, pr *reach.Principal) bool {
	for _, h := range hops {
		if h.From == pr || h.To == pr {
			return true
		}
	}
	return false
}

// tryChain links a chain with the session wanted at its end and checks
// each of its requests with the engine.
func (p *Prover) tryChain(hops []reach.Edge, want map[string][]string) ([]Request, bool) {
	c := p.graph().LinkWant(hops, want)
	if !c.Possible || len(c.Hops) != len(hops) {
		return nil, false
	}
	var out []Request
	for i, h := range hops {
		h.Outcome = c.Hops[i]
		ctx := reach.SessionContext(h.Outcome.Context)
		for k, v := range h.From.Context {
			ctx[k] = v
		}
		for _, r := range h.Outcome.Requires {
			if r.Values != nil {
				ctx[r.Key] = r.Values
			}
		}
		shown := make(map[string][]string, len(ctx))
		for k, v := range ctx {
			shown[keyOut(k)] = v
		}
		reqs := []Request{{Principal: h.Caller(), Action: h.Action, Resource: h.To.Role.ARN, Context: analyze.ContextOut(shown)}}
		if _, tags := lookupFold(ctx, "aws:TagKeys"); tags {
			reqs = append(reqs, Request{Principal: h.Caller(), Action: "sts:TagSession", Resource: h.To.Role.ARN, Context: analyze.ContextOut(shown)})
		}
		for _, r := range reqs {
			_, e, err := authz.Decide(p.Org, authz.Query{Principal: r.Principal, Action: r.Action, Resource: r.Resource, Context: ctx}, p.Now)
			if err != nil || e.Refusal != "" || e.Decision != eval.Allow {
				return nil, false
			}
		}
		out = append(out, reqs...)
	}
	return out, true
}

func lookupFold(m map[string][]string, k string) ([]string, bool) {
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v, true
		}
	}
	return nil, false
}

// keyOut spells a context key as AWS's reference does (aws:RequestTag/team,
// aws:TagKeys), the tag's key as given.
func keyOut(k string) string {
	for _, p := range []string{"aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/"} {
		if len(k) > len(p) && strings.EqualFold(k[:len(p)], p) {
			return p + k[len(p):]
		}
	}
	if ck, ok := awsdata.LookupConditionKey(k); ok && strings.EqualFold(ck.Key, k) {
		return ck.Key
	}
	return k
}
