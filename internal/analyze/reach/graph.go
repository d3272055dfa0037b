package reach

import (
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Graph is the role-assumption graph of an organization: which principals
// can assume which roles. Edges are computed on demand, per role, and
// cached: a Graph is for one goroutine at a time.
type Graph struct {
	o    *org.Org
	now  time.Time
	ix   *principals
	info analyze.OrgInfo
	// providers holds the ARNs of the org's identity providers.
	providers map[string]bool
	assume    *decider
	into      map[*org.Role][]Edge
	trustIx   *trustIndex
	pos       map[*Principal]int
	may       map[*policy.Policy]mayEntry // per direct call (gen): can a policy allow
	gen       int
	classes   map[*policy.Document]classList
	// Progress, when not nil, is called as WhoCan and Can decide their
	// candidates (done of total).
	Progress func(done, total int)
}

// Edge is one way into a role: From can call Action on the role To when the
// conditions of Requires hold.
type Edge struct {
	From   *Principal
	To     *Principal
	Action string // sts:AssumeRole, sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity
	Outcome
}

// New indexes o. now fills aws:CurrentTime, as in warden explain.
func New(o *org.Org, now time.Time) *Graph {
	g := &Graph{o: o, now: now, ix: indexPrincipals(o), info: analyze.OrgInfoOf(o),
		providers: make(map[string]bool, len(o.Providers)), into: map[*org.Role][]Edge{}, may: map[*policy.Policy]mayEntry{}, classes: map[*policy.Document]classList{}}
	for _, p := range o.Providers {
		g.providers[p.ARN] = true
	}
	g.assume = newDecider(o, now, nil)
	return g
}

// Org is the organization the graph is of.
func (g *Graph) Org() *org.Org { return g.o }

// Principals lists the organization's principals: each account's root user
// and roles (permission sets' roles among them), then the IAM users.
func (g *Graph) Principals() []*Principal { return g.ix.all }

// RolePrincipal returns the principal of a role of the organization.
func (g *Graph) RolePrincipal(r *org.Role) *Principal { return g.ix.byRole[r] }

// Into lists every principal that can assume the role, with the conditions
// that must hold: the organization's principals whose identity policies,
// boundary and SCPs allow sts:AssumeRole on it and whom its trust policy
// (and the RCPs of its account) let in, and the outside accounts, services
// and identity providers the trust policy lets in. The roles Identity
// Center provisions are entered through its portal: the permission set's
// assignments, not an identity provider edge, stand for that.
func (g *Graph) Into(role *org.Role) []Edge {
	if es, ok := g.into[role]; ok {
		return es
	}
	to := g.ix.byRole[role]
	var out []Edge
	if role.Trust != nil && to != nil {
		for _, a := range g.direct(g.assume, "sts:AssumeRole", role.ARN, role.Trust, role.Account.ID, to.Kind == KindPermissionSet, nil) {
			if a.Principal.ARN == to.ARN {
				continue // a role assuming itself gains nothing
			}
			out = append(out, Edge{From: a.Principal, To: to, Action: a.Action, Outcome: a.Outcome})
		}
	}
	g.into[role] = out
	return out
}

// Edges lists every edge of the graph, role by role in the org's order.
// progress, when not nil, is called after each role.
func (g *Graph) Edges(progress func(done, total int)) []Edge {
	var out []Edge
	for i, r := range g.o.Roles {
		out = append(out, g.Into(r)...)
		if progress != nil {
			progress(i+1, len(g.o.Roles))
		}
	}
	return out
}

// Out lists the roles p can assume directly (the edges from p).
func (g *Graph) Out(p *Principal) []Edge {
	var out []Edge
	for _, r := range g.trustCandidates(p) {
		for _, e := range g.Into(r) {
			if e.From.ARN == p.ARN {
				out = append(out, e)
			}
		}
	}
	return out
}

// trustIndex lists, per account, the roles whose trust policies name the
// account or one of its principals, and the roles that trust everyone.
type trustIndex struct {
	byAccount map[string][]*org.Role
	anyone    []*org.Role
}

func (g *Graph) trustCandidates(p *Principal) []*org.Role {
	if g.trustIx == nil {
		ix := &trustIndex{byAccount: map[string][]*org.Role{}}
		for _, r := range g.o.Roles {
			if r.Trust == nil {
				continue
			}
			accts, anyone := trustedAccounts(r.Trust)
			if anyone {
				ix.anyone = append(ix.anyone, r)
				continue
			}
			for _, a := range accts {
				ix.byAccount[a] = append(ix.byAccount[a], r)
			}
		}
		g.trustIx = ix
	}
	ix := g.trustIx
	if !p.InOrg() {
		// Services, providers and outside accounts: every role whose
		// trust could name them is among the whole list.
		return g.o.Roles
	}
	return append(append([]*org.Role(nil), ix.byAccount[p.Account]...), ix.anyone...)
}

// trustedAccounts reads a policy's Allow statements: the accounts their AWS
// principals name (by ID or ARN), and whether one grants everyone.
func trustedAccounts(p *policy.Policy) (accts []string, anyone bool) {
	seen := map[string]bool{}
	for _, st := range p.Statements {
		src := st.Src
		if st.Effect != policy.Allow || src.Principal == nil {
			continue
		}
		if src.NotPrincipal || src.Principal.Wildcard {
			return nil, true
		}
		for _, v := range src.Principal.AWS {
			a := accountOf(v.Value)
			if a == "*" {
				return nil, true
			}
			if a != "" && !seen[a] {
				seen[a] = true
				accts = append(accts, a)
			}
		}
	}
	return accts, false
}

// accountOf is the account an AWS principal value names: the ID, an ARN's
// account, "*" for everyone, "" for none.
func accountOf(v string) string {
	if v == "*" {
		return "*"
	}
	if isAccountID(v) {
		return v
	}
	if a, err := arn.Parse(v); err == nil {
		return a.Account
	}
	return ""
}

func isAccountID(s string) bool { return org.IsAccountID(s) }

// Access is one principal that can make a request directly.
type Access struct {
	Principal *Principal
	Action    string // the action decided (for a role's trust, the STS action of the principal's kind)
	Outcome
}

// direct decides, for every principal that could be allowed the action on
// the resource, whether some class of contexts is allowed. rp is the
// resource's policy (nil: none) and owner its account ("" when the
// resource belongs to the caller's own account). The candidates are the
// principals the resource policy names or lets in, and the org's
// principals whose identity policies can allow the action there: the cost
// follows them, not the org's size.
func (g *Graph) direct(d *decider, action, resource string, rp *policy.Policy, owner string, skipFederated bool, progress func(done, total int)) []Access {
	act := policy.NewAction(action)
	res := arn.SplitValue(resource)
	if awsdata.TakesNoResource(action) {
		res = arn.SplitValue("*")
	}
	g.gen++
	idCache := mayCache{m: g.may, gen: g.gen}
	mayAllow := func(p *Principal) bool {
		switch p.Kind {
		case KindRoot:
			// The engine refuses a root user's sts:AssumeRole whatever
			// the policies say ("Roles may not be assumed by root
			// accounts", eval's reserved rules): no need to ask it.
			return act.Full != "sts:assumerole"
		case KindUser:
			return anyMayAllow(idCache, g.o.UserPolicies(p.User), &act, &res)
		}
		return anyMayAllow(idCache, p.Role.Policies, &act, &res)
	}
	var grantsAll bool
	var named map[string]bool
	if rp != nil {
		grantsAll, named = grantees(rp)
	}
	// Roles whose sessions the policy names (arn:aws:sts::A:assumed-role/R/N).
	var sessionNamed map[*Principal]bool
	for k := range named {
		if _, _, _, ok := assumedRoleARN(k); ok {
			if p, found := g.Lookup(k); found {
				if sessionNamed == nil {
					sessionNamed = map[*Principal]bool{}
				}
				sessionNamed[p] = true
			}
		}
	}
	var cands []*Principal
	seen := map[*Principal]bool{}
	consider := func(p *Principal, sameAccount bool) {
		if seen[p] {
			return
		}
		byName := grantsAll || named[p.Account] || named[p.ARN] || sessionNamed[p]
		if sameAccount && (byName || mayAllow(p)) || !sameAccount && byName && mayAllow(p) {
			seen[p] = true
			cands = append(cands, p)
		}
	}
	switch {
	case owner == "":
		for _, p := range g.ix.all {
			consider(p, true)
		}
	default:
		for _, p := range g.ix.byAccount[owner] {
			consider(p, true)
		}
		if grantsAll {
			for _, p := range g.ix.all {
				consider(p, p.Account == owner)
			}
		} else {
			for k := range named {
				if isAccountID(k) {
					for _, p := range g.ix.byAccount[k] {
						consider(p, k == owner)
					}
				} else if p, ok := g.Lookup(k); ok {
					consider(p, p.Account == owner)
				}
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return g.order(cands[i]) < g.order(cands[j]) })
	var out []Access
	for i, p := range cands {
		if progress != nil && (i%64 == 0 || i == len(cands)-1) {
			progress(i+1, len(cands))
		}
		q := authz.Query{Principal: p.Caller, Action: action, Resource: resource}
		o, err := d.decide(q)
		if err == nil && !o.Allowed && o.Unsure == "" && o.tests&testsPrincipalTags != 0 && p.Role != nil {
			// A session of the role may carry session tags that its
			// role lacks: allowed then, on a path that passes them.
			if t, err := d.decideIn(q, modeTagsFree); err == nil && t.Allowed {
				o, o.tagged = t, true
			}
		}
		if err == nil && !o.Allowed && o.Unsure == "" && p.Role != nil {
			o = d.asNamed(q, p, o)
		}
		if err != nil || !(o.Allowed || o.Unsure != "") {
			continue
		}
		out = append(out, Access{Principal: p, Action: action, Outcome: o})
	}
	if rp != nil {
		out = append(out, g.outsiders(d, action, resource, rp, owner, skipFederated)...)
	}
	return out
}

// order sorts principals as the org lists them.
func (g *Graph) order(p *Principal) int {
	if g.pos == nil {
		g.pos = make(map[*Principal]int, len(g.ix.all))
		for i, q := range g.ix.all {
			g.pos[q] = i
		}
	}
	return g.pos[p]
}

// anyMayAllow reports whether an Allow statement of the policies can match
// the action on the resource, in some context (a Resource element with a
// policy variable may).
func anyMayAllow(cache mayCache, ps []*policy.Policy, a *policy.Action, r *arn.Value) bool {
	for _, p := range ps {
		e, ok := cache.m[p]
		if !ok || e.gen != cache.gen {
			e = mayEntry{gen: cache.gen, v: mayAllow(p, a, r)}
			cache.m[p] = e
		}
		if e.v {
			return true
		}
	}
	return false
}

// mayCache remembers, for one request (generation gen), whether each
// policy can allow it; the map is reused between requests.
type mayCache struct {
	m   map[*policy.Policy]mayEntry
	gen int
}

type mayEntry struct {
	gen int
	v   bool
}

var emptyCtx = condition.NewContext(nil)

func mayAllow(p *policy.Policy, a *policy.Action, r *arn.Value) bool {
	for _, st := range p.Statements {
		if st.Effect != policy.Allow || !st.MatchesAction(a) {
			continue
		}
		if st.MatchesResource(r, emptyCtx) {
			return true
		}
		if p.Doc.Vars() {
			for _, v := range st.Src.Resource {
				if strings.Contains(v.Value, "${") {
					return true
				}
			}
		}
	}
	return false
}

// grantees reads a resource policy's Allow statements: whether one can let
// in every principal ("*", a NotPrincipal, a condition-only grant), and
// the accounts and ARNs they name.
func grantees(p *policy.Policy) (all bool, named map[string]bool) {
	named = map[string]bool{}
	for _, st := range p.Statements {
		src := st.Src
		if st.Effect != policy.Allow {
			continue
		}
		if src.Principal == nil || src.NotPrincipal || src.Principal.Wildcard {
			return true, nil
		}
		for _, v := range src.Principal.AWS {
			switch a := accountOf(v.Value); {
			case a == "*":
				return true, nil
			case isAccountID(v.Value) || strings.HasSuffix(v.Value, ":root"):
				named[a] = true
			default:
				named[v.Value] = true
			}
		}
	}
	return false, named
}
