package prove

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/analyze/reach"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Results of a proof.
const (
	Proved  = "proved"
	Refuted = "refuted"
	Unknown = "unknown"
)

// Result is the answer for one guardrail, in the shape of `warden prove
// --format json`.
type Result struct {
	Name   string `json:"name"`
	Result string `json:"result"`
	Pass   bool   `json:"pass"`
	// Counterexample is a request the engine allows (refuted).
	Counterexample *Request `json:"counterexample,omitempty"`
	// Session, when the counterexample is made in a role session with
	// session tags other than its role's, lists the requests that make
	// that session, in order: each assumption of a chain into the role
	// (with the tags it passes as aws:RequestTag/*, aws:TagKeys and
	// sts:TransitiveTagKeys) and, for one that passes tags, its
	// sts:TagSession; the engine allows each.
	Session []Request `json:"session,omitempty"`
	// Allowed names the statements that let the counterexample in.
	Allowed []string `json:"allowedBy,omitempty"`
	// Blocked says, per class of principals, what blocks their requests
	// (proved).
	Blocked []Block `json:"blockedBy,omitempty"`
	// Reason says why the answer is unknown.
	Reason string `json:"reason,omitempty"`
	// Principals is how many principals of the org the guardrail covers.
	Principals int        `json:"principals"`
	Guardrail  *Guardrail `json:"-"`
}

// Request is a request as `warden explain` takes it. A context value is a
// string, or a list for a multi-valued key.
type Request struct {
	Principal string         `json:"principal"`
	Action    string         `json:"action"`
	Resource  string         `json:"resource"`
	Context   map[string]any `json:"context"`
}

// Block is what denies every request of a class of principals: the layers
// and statements that decided, as "scp: SCP BaselineGuardrails, statement
// DenyRoot at file:line:column" or "identity: no statement allows".
type Block struct {
	Principals []string `json:"principals"`
	By         []string `json:"by"`
}

// Prover proves guardrails over one organization.
type Prover struct {
	Org     *org.Org
	Sources *check.Sources
	Now     time.Time

	orgStmts   []analyze.Stmt // every resource policy and RCP of the org
	trust      []analyze.Stmt // every trust policy
	literals   []string       // resources whose policies differ
	accounts   []string       // the accounts' resource ARN patterns
	rcpsDiffer bool           // some accounts' RCPs differ from others'
	roleARNs   []string       // the roles, whose trust policies differ
	principal  []candidate

	// reach is the graph of role assumptions (see graph), inherited the
	// roles whose sessions may carry transitive tags (see inherits).
	reach     *reach.Graph
	inherited map[*org.Role]bool
}

type candidate struct {
	caller string   // the ARN requests are made as
	names  []string // the ARNs guardrails match
	acct   string   // its account of the org; "" outside it
	// ctx holds the keys AWS sets for a caller outside the org (its
	// account's organization, a service's source account).
	ctx map[string][]string
}

// New indexes o for proofs.
func New(o *org.Org, now time.Time) *Prover {
	p := &Prover{Org: o, Sources: check.NewSources(o), Now: now}
	seen := map[*policy.Policy]bool{}
	add := func(dst *[]analyze.Stmt, ps ...*policy.Policy) {
		for _, q := range ps {
			if q != nil && !seen[q] {
				seen[q] = true
				*dst = append(*dst, analyze.StatementsOf(q)...)
			}
		}
	}
	for _, r := range o.Resources {
		if r.Policy != nil {
			add(&p.orgStmts, r.Policy)
			p.literals = append(p.literals, r.ARN)
		}
	}
	rcpSig := map[string]bool{}
	for _, a := range o.Accounts {
		p.accounts = append(p.accounts, "arn:*:*:*:"+a.ID+":*")
		sig := ""
		for _, l := range o.RCPLevels(a.ID) {
			for _, q := range l.Policies {
				sig += q.Name + "\x00"
			}
		}
		rcpSig[sig] = true
		for _, l := range o.RCPLevels(a.ID) {
			add(&p.orgStmts, l.Policies...)
		}
		p.principal = append(p.principal, candidate{caller: "arn:aws:iam::" + a.ID + ":root", names: []string{"arn:aws:iam::" + a.ID + ":root"}, acct: a.ID})
		for _, r := range a.Roles {
			session := "arn:aws:sts::" + a.ID + ":assumed-role/" + r.Name + "/warden-prove"
			p.principal = append(p.principal, candidate{caller: session, names: []string{r.ARN, session}, acct: a.ID})
		}
	}
	for _, r := range o.Roles {
		add(&p.trust, r.Trust)
		p.roleARNs = append(p.roleARNs, r.ARN)
	}
	// A role's session whose name a Principal element names is a caller
	// of its own: only it gets what the statement grants (or escapes what
	// it denies), which the session every other name stands for does not.
	named := map[string]bool{}
	for _, st := range append(append([]analyze.Stmt(nil), p.orgStmts...), p.trust...) {
		pr := st.S.Src.Principal
		if pr == nil {
			continue
		}
		for _, v := range pr.AWS {
			a, err := arn.Parse(v.Value)
			if err != nil || a.Service != "sts" || named[v.Value] {
				continue
			}
			parts := strings.Split(a.Resource, "/")
			if len(parts) != 3 || parts[0] != "assumed-role" {
				continue
			}
			if r, ok := o.Role(a.Account, parts[1]); ok {
				named[v.Value] = true
				p.principal = append(p.principal, candidate{caller: v.Value, names: []string{r.ARN, v.Value}, acct: a.Account})
			}
		}
	}
	for _, u := range o.Users {
		if u.Account != nil {
			p.principal = append(p.principal, candidate{caller: u.ARN, names: []string{u.ARN}, acct: u.Account.ID})
		}
	}
	p.literals = append(p.literals, "*")
	p.rcpsDiffer = len(rcpSig) > 1
	return p
}

// covered lists the principals a guardrail speaks of: the org's own, and,
// when it names no accounts, the classes of callers outside the org that
// its resource policies, RCPs and (with STS actions) trust policies let in
// (exact says whether those classes are exact).
func (p *Prover) covered(g *Guardrail, trust bool) (out []candidate, exact bool) {
	keep := func(c candidate) bool {
		if len(g.Principals) > 0 && !anyMatch(g.Principals, c.names) {
			return false
		}
		return !anyMatch(g.Except, c.names)
	}
	for _, c := range p.principal {
		if len(g.Accounts) > 0 && !contains(g.Accounts, c.acct) {
			continue
		}
		if keep(c) {
			out = append(out, c)
		}
	}
	if len(g.Accounts) > 0 {
		// The accounts are the org's: no caller outside it lives there.
		return out, true
	}
	outs, exact := p.outsiders(g, trust)
	for _, c := range outs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out, exact
}

func anyMatch(globs, names []string) bool {
	for _, gl := range globs {
		for _, n := range names {
			if arn.Match(gl, n) {
				return true
			}
		}
	}
	return false
}

// outsiders are the classes of callers outside the org (other accounts,
// anyone, AWS services, identity providers' users) that the org's resource
// policies and RCPs (and trust policies, with trust) tell apart, split too
// by the guardrail's principals and except globs so that each class is
// wholly inside or outside each glob.
func (p *Prover) outsiders(g *Guardrail, trust bool) ([]candidate, bool) {
	stmts := append([]analyze.Stmt(nil), p.orgStmts...)
	if trust {
		stmts = append(stmts, p.trust...)
	}
	if len(stmts) == 0 {
		return nil, true // no policy lets anyone outside in
	}
	// The globs as a statement's literals: ARN globs split accounts and
	// principal names, a service's name is a class of its own (the one
	// no policy names stands for the rest).
	var arns, services []string
	for _, gl := range append(append([]string(nil), g.Principals...), g.Except...) {
		switch {
		case strings.HasPrefix(gl, "arn:"):
			arns = append(arns, gl)
		case strings.HasSuffix(gl, ".amazonaws.com") && !strings.ContainsAny(gl, "*?"):
			services = append(services, gl)
		}
	}
	globsExact := true
	if len(arns)+len(services) > 0 {
		cond := map[string]any{}
		if len(arns) > 0 {
			cond["StringLike"] = map[string]any{"aws:PrincipalArn": arns}
		}
		if len(services) > 0 {
			cond["StringEquals"] = map[string]any{"aws:PrincipalServiceName": services}
		}
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": cond}}})
		q, err := policy.ParseAndCompile(doc, "guardrail", policy.Resource, g.Name)
		if err != nil {
			globsExact = false // the classes are not split by the globs
		} else {
			stmts = append(stmts, analyze.StatementsOf(q)...)
		}
	}
	info := analyze.OrgInfoOf(p.Org)
	z := analyze.Zone{Kind: analyze.ZoneOrganization, Org: info}
	classes, exact := analyze.Principals(stmts, &z)
	exact = exact && globsExact
	// Services acting for the org's own accounts, whose organization is
	// the org's.
	svcs, ok := analyze.Principals(stmts, &analyze.Zone{Kind: analyze.ZoneAccount})
	exact = exact && ok
	for _, c := range svcs {
		if c.Desc["Service"] == "" {
			continue
		}
		if _, in := p.Org.AccountByID(c.Account); in {
			ctx := make(map[string][]string, len(c.Context)+2)
			for k, v := range c.Context {
				ctx[k] = v
			}
			ctx["aws:SourceOrgID"] = []string{p.Org.ID}
			ctx["aws:SourceOrgPaths"] = []string{p.Org.OrgPaths(c.Account)}
			c.Context = ctx
			classes = append(classes, c)
		}
	}
	var out []candidate
	for _, c := range classes {
		if c.Desc["AWS"] != "" && c.Desc["AWS"] != "*" {
			if _, in := p.Org.AccountByID(c.Account); in {
				continue // the org's own principals are decided one by one
			}
		}
		names := []string{c.ARN}
		if pa := c.Context["aws:PrincipalArn"]; len(pa) > 0 {
			names = append(names, pa[0])
		}
		out = append(out, candidate{caller: c.ARN, names: names, ctx: c.Context})
	}
	return out, exact
}

// actions expands the guardrail's actions over AWS's reference; an action
// the reference does not know is kept as written.
func actions(g *Guardrail) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range g.Actions {
		var names []string
		if strings.ContainsAny(a, "*?") {
			for _, m := range awsdata.MatchActions(a) {
				names = append(names, m.String())
			}
		} else {
			names = []string{a}
		}
		for _, n := range names {
			if !seen[strings.ToLower(n)] {
				seen[strings.ToLower(n)] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// Prove decides a guardrail: proved when the engine denies every class of
// requests it covers, refuted with the first request it allows, unknown when
// a partition is not exact (see package analyze) and nothing is allowed.
func (p *Prover) Prove(g *Guardrail) Result {
	res := Result{Name: g.Name, Guardrail: g}
	acts := actions(g)
	trustActs := false
	for _, a := range acts {
		trustActs = trustActs || authz.IsTrustAction(a)
	}
	cands, exactPrincipals := p.covered(g, trustActs)
	res.Principals = len(cands)
	globs := g.Resources
	if len(globs) == 0 {
		globs = []string{"*"}
	}
	pacts := make([]policy.Action, len(acts))
	for i, a := range acts {
		pacts[i] = policy.NewAction(a)
	}
	var splits []string
	lits := p.literals
	if trustActs {
		lits = append(append([]string(nil), lits...), p.roleARNs...)
	}
	for _, l := range lits {
		for _, gl := range globs {
			if strings.Contains(l, ":*:*:*:") || arn.Match(gl, l) {
				splits = append(splits, l)
				break
			}
		}
	}
	blocks := map[string][]string{} // principal → blockers
	var unsure string
	if !exactPrincipals {
		unsure = "the principals outside the organization that its policies let in cannot be split exactly"
	}
	for _, c := range cands {
		by := map[string]bool{}
		all, vars := p.principalStmts(c, trustActs)
		rel := relevant(all, pacts)
		cs := splits
		if p.rcpsDiffer || testsResourceAccount(rel) {
			// The account part of a resource's ARN decides its RCPs
			// and the aws:Resource* keys.
			cs = append(append([]string(nil), splits...), p.accounts...)
		}
		reps, exact := analyze.ResourceClasses(globs, cs, rel, vars)
		if !exact && unsure == "" {
			unsure = "the resources of " + c.caller + " cannot be split exactly (a policy variable in a Resource element, or too many patterns)"
		}
		for _, rep := range reps {
			for _, a := range acts {
				allowed, why, session, err := p.decideAll(g, c, a, rep, by)
				if err != "" {
					if unsure == "" {
						unsure = err
					}
					continue
				}
				if allowed != nil {
					res.Result, res.Counterexample, res.Allowed, res.Session = Refuted, allowed, why, session
					return res
				}
			}
		}
		if len(by) > 0 {
			blocks[c.caller] = sortedKeys(by)
		}
	}
	if unsure != "" {
		res.Result, res.Reason = Unknown, unsure
		return res
	}
	res.Result, res.Pass = Proved, true
	res.Blocked = group(blocks)
	return res
}

// principalStmts are the statements that can split a principal's requests:
// its own policies, its account's SCPs, and every resource policy and RCP
// of the org (trust policies too when the guardrail has STS actions).
func (p *Prover) principalStmts(c candidate, trust bool) ([]analyze.Stmt, analyze.Vars) {
	s, err := authz.Assemble(p.Org, authz.Query{Principal: c.caller, Action: "sts:GetCallerIdentity"}, p.Now)
	out := append([]analyze.Stmt(nil), p.orgStmts...)
	if trust {
		out = append(out, p.trust...)
	}
	if err != nil {
		return out, nil
	}
	in := &s.Inputs
	out = append(out, analyze.StatementsOf(in.Identity...)...)
	out = append(out, analyze.StatementsOf(in.Boundary...)...)
	for _, l := range in.SCP {
		out = append(out, analyze.StatementsOf(l.Policies...)...)
	}
	vars, tags := callerVars(s), sessionTagsOf(s)
	return out, func(key string) ([]string, bool) {
		if tags.varies(key) || s.Role != nil && s.Request.Caller.Kind == policy.CallerAssumedRole &&
			strings.HasPrefix(strings.ToLower(key), "aws:principaltag/") && p.inherits(s.Role) {
			return nil, false // the caller's session tag: no single value
		}
		return vars(key)
	}
}

// testsResourceAccount reports whether a statement tests a key AWS sets
// from the resource's account.
func testsResourceAccount(stmts []analyze.Stmt) bool {
	for _, st := range stmts {
		for _, c := range st.S.Src.Condition {
			switch strings.ToLower(c.Key) {
			case "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths":
				return true
			}
		}
	}
	return false
}

// relevant keeps the statements whose Action or NotAction element matches
// one of the actions.
func relevant(stmts []analyze.Stmt, acts []policy.Action) []analyze.Stmt {
	var out []analyze.Stmt
	for _, st := range stmts {
		for i := range acts {
			if st.S.MatchesAction(&acts[i]) {
				out = append(out, st)
				break
			}
		}
	}
	return out
}

// decideAll decides every class of contexts of one request. It returns the
// first allowed request (and, when its session's tags are not its role's,
// the requests that make the session: see sessionChain), or nil and adds
// what denied each class to by; err says why the classes could not all be
// decided.
func (p *Prover) decideAll(g *Guardrail, c candidate, action string, resource string, by map[string]bool) (*Request, []string, []Request, string) {
	fixed := g.Context
	if len(c.ctx) > 0 {
		fixed = make(map[string][]string, len(c.ctx)+len(g.Context))
		for k, v := range c.ctx {
			fixed[k] = v
		}
		for k, v := range g.Context {
			fixed[k] = v
		}
	}
	q := authz.Query{Principal: c.caller, Action: action, Resource: resource, Context: fixed}
	s, err := authz.Assemble(p.Org, q, p.Now)
	if err != nil {
		// A role to assume that the org does not have: no one can.
		if authz.IsTrustAction(action) {
			by["trust: the org has no such role"] = true
			return nil, nil, nil, ""
		}
		return nil, nil, nil, fmt.Sprintf("%s %s on %s: %v", c.caller, action, resource, err)
	}
	if c.acct == "" {
		if _, in := p.Org.AccountByID(s.Request.ResourceAccount); !in {
			// A caller outside the org on a resource outside it: the
			// org's policies play no part, and Warden does not see the
			// other account's.
			return nil, nil, nil, ""
		}
	}
	var found *Request
	var why []string
	var session []Request
	opt := contextOptions{confirm: func(ctx map[string][]string) bool {
		reqs, ok := p.sessionChain(c.caller, ctx)
		session = reqs
		return ok
	}}
	if s.Role != nil {
		opt.inherits = func() bool { return p.inherits(s.Role) }
	}
	err = eachContext(s, &s.Inputs, fixed, opt, func(ctx map[string][]string, e *eval.Explanation) bool {
		if e.Decision == eval.Allow {
			shown := make(map[string][]string, len(fixed)+len(ctx))
			for k, v := range fixed {
				shown[k] = v
			}
			for k, v := range ctx {
				shown[k] = v
			}
			ex := analyze.Request{Principal: c.caller, Action: action, Resource: resource, Context: shown}
			reasons := e.Reasons
			if concrete, r, ok := p.concrete(g, c, action, resource, s.Request.ResourceAccount, shown); ok {
				ex, reasons = concrete, r
			}
			found = &Request{Principal: ex.Principal, Action: ex.Action, Resource: ex.Resource, Context: analyze.ContextOut(ex.Context)}
			for _, r := range reasons {
				why = append(why, p.label(r))
			}
			return false
		}
		for _, b := range p.blockers(e) {
			by[b] = true
		}
		return true
	})
	if err != nil {
		return nil, nil, nil, err.Error()
	}
	if found == nil {
		session = nil
	}
	return found, why, session, ""
}

// concrete makes an allowed class's representative (the shortest member
// of its class, such as "arn:::::", and Region prefixes) a request people
// can read, as warden can's examples are made (analyze.Concretize): a
// resource of the action's own type, inside the guardrail's resources, of
// the org's accounts for a caller outside it, that the engine allows too.
// ok is false when none is found; the representative then stands.
func (p *Prover) concrete(g *Guardrail, c candidate, action, resource, resourceAccount string, ctx map[string][]string) (analyze.Request, []eval.Reason, bool) {
	account := c.acct
	if account == "" {
		account = resourceAccount
	}
	var reasons []eval.Reason
	ex, ok := analyze.Concretize(c.caller, []string{action}, resource, account, ctx, func(q analyze.Request) bool {
		if len(g.Resources) > 0 && !anyMatch(g.Resources, []string{q.Resource}) {
			return false
		}
		s, e, err := authz.Decide(p.Org, authz.Query{Principal: q.Principal, Action: q.Action, Resource: q.Resource, Context: q.Context}, p.Now)
		if err != nil || e.Refusal != "" || e.Decision != eval.Allow {
			return false
		}
		if _, in := p.Org.AccountByID(s.Request.ResourceAccount); c.acct == "" && !in {
			return false
		}
		reasons = e.Reasons
		return true
	})
	return ex, reasons, ok
}

// blockers names what denied a request: each deny statement of an explicit
// deny, the layer without an allow of an implicit one.
func (p *Prover) blockers(e *eval.Explanation) []string {
	if e.Decision == eval.ExplicitDeny {
		var ls []string
		for _, r := range e.Reasons {
			if r.Effect == policy.Deny {
				ls = append(ls, p.label(r))
			}
		}
		return ls
	}
	l := e.DeniedBy.String()
	if e.DeniedTarget != "" {
		l += " " + e.DeniedTarget
	}
	if e.Note != "" {
		return []string{l + ": " + e.Note}
	}
	return []string{l + ": no statement allows"}
}

func (p *Prover) label(r eval.Reason) string { return Label(p.Sources, r) }

// Label names a deciding statement for people, as "scp SCP Name: Deny
// Policy, statement Sid at file:line:column".
func Label(src *check.Sources, r eval.Reason) string {
	s := r.Layer.String()
	if r.Target != "" {
		s += " " + r.Target
	}
	s += ": " + r.Effect.String() + " " + r.Policy.Name + ", statement " + r.Statement.Src.Label()
	if pos := src.Position(r.Policy, r.Statement.Src); pos != "" {
		s += " at " + pos
	}
	return s
}

// group gathers the principals whose requests the same statements block.
func group(blocks map[string][]string) []Block {
	byKey := map[string]*Block{}
	var keys []string
	for pr, by := range blocks {
		k := strings.Join(by, "\n")
		b := byKey[k]
		if b == nil {
			b = &Block{By: by}
			byKey[k] = b
			keys = append(keys, k)
		}
		b.Principals = append(b.Principals, pr)
	}
	sort.Strings(keys)
	out := make([]Block, 0, len(keys))
	for _, k := range keys {
		sort.Strings(byKey[k].Principals)
		out = append(out, *byKey[k])
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
