package diff

import (
	"strconv"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/awsdata"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// rawChange is one changed decision of one principal, before grouping.
type rawChange struct {
	principal string
	members   []string // the principal's class, itself first
	class     *class
	action    string
	resource  string
	ctx       map[string][]string // the keys the example sets
	before    eval.Explanation
	after     eval.Explanation
	changed   map[string]bool // keys of the statements that differ
	unsure    bool
	// resClass is the class of twin resources the resource stands for,
	// nil when it stands for itself alone.
	resClass *ResourceClass
}

// resource compares one action class on one class of resources, over
// every class of contexts.
func (r *principalRun) resource(it *item, c *class, res string, unsure bool, tw *twins) {
	var rc *ResourceClass
	if tw != nil {
		if kind, site, members := tw.members(res); len(members) > 0 {
			rc = &ResourceClass{Kind: kind, Example: site, Members: members}
		}
	}
	pr := r.assemble(c.Rep, res)
	var stmts []analyze.Stmt
	for _, in := range pr.in {
		if in == nil {
			continue
		}
		stmts = append(stmts, relevant(analyze.StatementsOf(analyze.PoliciesOf(in)...), c.Rep)...)
	}
	fixed := func(k string) bool {
		if analyze.IsCallerKey(k) {
			return true
		}
		for pk := range r.p.context {
			if strings.EqualFold(pk, k) {
				return true
			}
		}
		return false
	}
	sp := analyze.NewSpaceVars(stmts, fixed, r.vars())
	if !sp.Exact() {
		unsure = true
		r.unknown(c.Rep, "the condition keys of the policies cannot be split exactly (a policy variable of a key the caller chooses, operators of several families on one key, or too many values)")
	}
	if sp.Size(analyze.MaxCombinations) > analyze.MaxCombinations {
		r.unknown(c.Rep, "more than "+strconv.Itoa(analyze.MaxCombinations)+" classes of contexts")
		return
	}
	var changed map[string]bool
	sp.Each(func(ctx map[string][]string) bool {
		before, after, action, ok := r.decide(c, pr, res, ctx)
		r.d.count()
		if !ok || (before.Decision == eval.Allow) == (after.Decision == eval.Allow) {
			return true
		}
		if noAccount(res) && !analyze.InNoAccount(action) {
			// The class holds resources whose ARN names no account, and
			// every resource of the action is in one: no request of it
			// changes.
			return true
		}
		if changed == nil {
			changed = keysOf(it.changed)
		}
		shown := make(map[string][]string, len(ctx)+len(r.p.context))
		for k, v := range r.p.context {
			shown[k] = v
		}
		for k, v := range ctx {
			shown[keyName(k)] = v
		}
		r.d.record(rawChange{principal: r.p.caller, members: r.members, class: c, action: action, resource: res, ctx: shown,
			before: before, after: after, changed: changed, unsure: unsure, resClass: rc})
		return true
	})
}

// decide decides one request in both orgs. A request that AWS refuses in
// either, whatever the policies say, is tried with the class's other
// actions: ok is false when every one is refused (no change is possible).
func (r *principalRun) decide(c *class, pr *pair, res string, ctx map[string][]string) (before, after eval.Explanation, action string, ok bool) {
	before, after = evalPair(pr, ctx)
	if before.Refusal == "" && after.Refusal == "" {
		return before, after, c.Rep, true
	}
	for _, a := range c.Actions[1:] {
		p2 := r.assemble(a, res)
		before, after = evalPair(p2, ctx)
		if before.Refusal == "" && after.Refusal == "" {
			return before, after, a, true
		}
	}
	return before, after, "", false
}

func evalPair(pr *pair, ctx map[string][]string) (before, after eval.Explanation) {
	var out [2]eval.Explanation
	for i := range pr.s {
		if pr.s[i] == nil {
			out[i] = eval.Explanation{Decision: eval.ImplicitDeny, DeniedBy: eval.LayerNone, Note: "nobody can make this request: the org has no such principal or role"}
			continue
		}
		// The keys Assemble filled (a copy of its context), then the
		// class's context over them (Set replaces a key's values, in any
		// case).
		c := pr.s[i].Request.Context.Clone()
		for k, v := range ctx {
			c.Set(k, v...)
		}
		req := *pr.s[i].Request
		req.Context = c
		out[i] = eval.Evaluate(&req, pr.in[i])
	}
	return out[0], out[1]
}

func keysOf(stmts []analyze.Stmt) map[string]bool {
	m := make(map[string]bool, len(stmts))
	for _, st := range stmts {
		m[cachedStmtKey(st.Policy, st.S.Src)] = true
	}
	return m
}

type stmtRef struct {
	p *policy.Policy
	s *policy.Statement
}

var stmtKeys sync.Map // stmtRef -> string

// cachedStmtKey is stmtKey, kept for each statement: policies never change
// and the report asks for the keys of the same statements many times.
func cachedStmtKey(p *policy.Policy, s *policy.Statement) string {
	r := stmtRef{p, s}
	if v, ok := stmtKeys.Load(r); ok {
		return v.(string)
	}
	k := stmtKey(p, s)
	stmtKeys.Store(r, k)
	return k
}

func (d *differ) count() {
	d.mu.Lock()
	d.decided++
	d.mu.Unlock()
}

func (d *differ) record(c rawChange) {
	d.mu.Lock()
	d.raw = append(d.raw, c)
	d.mu.Unlock()
}

// keyName is a condition key as AWS spells it, for examples people read
// (the classes hold keys lower-cased; the engine compares keys ignoring
// case).
func keyName(k string) string {
	ck, ok := awsdata.LookupConditionKey(k)
	if !ok || !strings.EqualFold(ck.Key, k) {
		return k
	}
	return ck.Key
}
