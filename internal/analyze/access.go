package analyze

import (
	"sort"
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Target is a resource with its resource-based policy as the analysis sees
// it: the policy, the RCP levels of its account and what AWS sets in the
// request context from the resource.
type Target struct {
	ARN    string
	Type   string // Access Analyzer's resource type; ResourceType(ARN) when ""
	Owner  string // the owner's account ID
	Policy *policy.Policy
	// RCP lists the RCP levels of the owner's account, nil when none apply.
	RCP []eval.Level
	// OrgID and OrgPath are the owner's organization and path, "" outside one.
	OrgID, OrgPath string
	// BPA is the S3 Block Public Access in force for an S3 bucket or
	// access point (its account's and its own, org.PublicAccessBlockOf).
	BPA org.PublicAccessBlock
}

// MaxCombinations bounds the request contexts tried for one principal class,
// action class and resource; beyond it the class is reported unsure.
const MaxCombinations = 50000

// Access finds who outside the zone can reach the target, and how. It
// decides every class of requests (principal, action, resource, context)
// with the engine, so each finding's example is a request the engine
// allows; the classes are exact (see the package documentation), and where
// they are not, the access that could not be ruled out is reported as an
// unsure finding, never left out.
func Access(t *Target, z *Zone) []Finding {
	a := accessRun{t: t, z: z, groups: map[string]*Finding{}}
	a.run()
	out := make([]Finding, 0, len(a.order))
	restricted := t.BPA.RestrictPublicBuckets && org.PublicS3Statement(t.Policy) != nil
	for _, k := range a.order {
		f := a.groups[k]
		if restricted && f.Principal["Service"] == "" {
			continue // RestrictPublicBuckets: only service principals and the owner's account
		}
		sort.Slice(f.Action, func(i, j int) bool { return lessFold(f.Action[i], f.Action[j]) })
		f.Action = dedupe(f.Action)
		out = append(out, *f)
	}
	return out
}

type accessRun struct {
	t      *Target
	z      *Zone
	groups map[string]*Finding
	order  []string
}

func statementsOf(ps ...*policy.Policy) []Stmt {
	var out []Stmt
	for _, p := range ps {
		for _, s := range p.Statements {
			out = append(out, Stmt{Policy: p, S: s})
		}
	}
	return out
}

func (a *accessRun) run() {
	t := a.t
	own := statementsOf(t.Policy)
	all := append([]Stmt(nil), own...)
	for _, l := range t.RCP {
		all = append(all, statementsOf(l.Policies...)...)
	}
	principals, pExact := Principals(all, a.z)
	reps, rExact := ResourceReps(t.ARN, own)
	for _, rep := range reps {
		universe, aExact := ActionsOn(rep, all)
		rv := arn.SplitValue(rep)
		for _, ac := range ActionClasses(all, universe) {
			act := policy.NewAction(ac.Rep)
			var allows, denies []Stmt
			for _, st := range all {
				if !st.S.MatchesAction(&act) || !st.S.MatchesResource(&rv, emptyCtx) && !hasResourceVars(st) {
					continue
				}
				if st.S.Effect == policy.Allow && st.Policy == t.Policy {
					allows = append(allows, st)
				} else if st.S.Effect == policy.Deny {
					denies = append(denies, st)
				}
			}
			if len(allows) == 0 {
				continue // outside the zone, only the resource policy grants
			}
			exact := pExact && rExact && aExact
			found := false
			for i := range principals {
				if a.tryPrincipal(&principals[i], ac, rep, allows, denies) {
					found = true
				}
			}
			if !found && !exact {
				a.unsure(map[string]string{"AWS": "*"}, ac.Actions, rep, "the classes of principals, resources or actions of this policy could not be made exact (a policy variable, an unknown service's wildcard, or a bound reached): access from outside the zone is not ruled out")
			}
		}
	}
}

func hasResourceVars(st Stmt) bool {
	if !st.Policy.Doc.Vars() {
		return false
	}
	for _, r := range st.S.Src.Resource {
		if strings.Contains(r.Value, "${") {
			return true
		}
	}
	return false
}

// names reports whether the statement's Principal or NotPrincipal element
// lets the caller in.
func names(st Stmt, p *Principal, resourceAccount string) bool {
	s := st.S
	if s.Principal == nil {
		return false
	}
	if s.NotPrincipal {
		return !s.Principal.Excludes(&p.Caller, resourceAccount, false)
	}
	return s.Principal.Match(&p.Caller) != policy.MatchNone
}

// tryPrincipal decides every context class for one principal class; it
// reports whether some request was allowed or reported unsure.
func (a *accessRun) tryPrincipal(p *Principal, ac ActionClass, rep string, allows, denies []Stmt) bool {
	t := a.t
	var relevant []Stmt
	for _, st := range allows {
		if names(st, p, t.Owner) {
			relevant = append(relevant, st)
		}
	}
	if len(relevant) == 0 {
		return false
	}
	relevant = append(relevant, denies...)
	sp := NewSpace(relevant, IsFixedKey)
	if sp.Size(MaxCombinations) > MaxCombinations {
		a.unsure(p.Desc, ac.Actions, rep, "too many classes of request context to decide within the bound")
		return true
	}
	in := eval.Inputs{Resource: []*policy.Policy{t.Policy}, AssumeIdentityAllows: true}
	if awsdata.RCPAppliesTo(ac.Rep) {
		in.RCP = t.RCP
	}
	found := false
	var e eval.Explanation
	sp.Each(func(free map[string][]string) bool {
		ctx := make(map[string][]string, len(free)+len(p.Context)+3)
		for k, v := range free {
			ctx[k] = v
		}
		for k, v := range p.Context {
			ctx[k] = v
		}
		ctx["aws:ResourceAccount"] = []string{t.Owner}
		if t.OrgID != "" {
			ctx["aws:ResourceOrgID"] = []string{t.OrgID}
			ctx["aws:ResourceOrgPaths"] = []string{t.OrgPath}
		}
		req, err := eval.NewRequest(p.ARN, ac.Rep, rep, t.Owner, ctx)
		if err != nil {
			return true
		}
		if eval.EvaluateInto(req, &in, &e) != eval.Allow {
			return true
		}
		found = true
		a.hit(p, ac, rep, ctx, &e, relevant)
		return true
	})
	if !found && !sp.Exact() {
		a.unsure(p.Desc, ac.Actions, rep, "a condition of the policy could not be split into exact classes (a policy variable, or operators of several kinds on one key): access is not ruled out")
		return true
	}
	return found
}

// hit records an allowed request in the finding of its principal and
// condition.
func (a *accessRun) hit(p *Principal, ac ActionClass, rep string, ctx map[string][]string, e *eval.Explanation, relevant []Stmt) {
	// The condition is what the request needed of the keys the caller
	// cannot choose: the values it matched in the allowing statement's
	// positive tests and in the negated tests of the Deny statements it
	// escaped.
	var allowing *policy.CompiledStatement
	for _, r := range e.Reasons {
		if r.Effect == policy.Allow && (r.Layer == eval.LayerResource || r.Layer == eval.LayerTrust) {
			allowing = r.Statement
		}
	}
	cond := map[string]string{}
	for _, st := range relevant {
		if st.S.Effect == policy.Allow && st.S != allowing {
			continue
		}
		for _, u := range usesOf(st.S.Src, st.Policy.Doc.Vars()) {
			if !IsRestrictingKey(u.key) || u.negated != (st.S.Effect == policy.Deny) {
				continue
			}
			vals := lookupFold(ctx, u.key)
			var hits []string
			for _, v := range vals {
				hits = append(hits, u.literalMatches(v)...)
			}
			if len(hits) == 0 {
				continue
			}
			name := keyName(st, u.key)
			hits = dedupe(append(strings.Split(cond[name], ","), hits...))
			if hits[0] == "" {
				hits = hits[1:]
			}
			sort.Strings(hits)
			cond[name] = strings.Join(hits, ",")
		}
	}
	desc := p.Desc
	if allowing != nil && grantsEveryone(allowing.Src) {
		// A grant to everyone is one finding, whoever used it, as Access
		// Analyzer reports it: the principal as the statement writes it.
		desc = map[string]string{"AWS": "*"}
	}
	f := a.finding(desc, cond, false)
	f.Action = append(f.Action, ac.Actions...)
	// Public: anyone gets in, anonymous or any account's principal, with no
	// condition on what the caller cannot choose.
	if desc["AWS"] == "*" && p.Desc["AWS"] == "*" && len(cond) == 0 {
		f.IsPublic = true
	}
	if f.Example == nil {
		f.Example = &Request{Principal: p.ARN, Action: ac.Rep, Resource: rep, Context: copyCtx(ctx)}
		for _, r := range e.Reasons {
			if r.Effect == policy.Allow && (r.Layer == eval.LayerResource || r.Layer == eval.LayerTrust) {
				f.Statement = refOf(r.Policy, r.Statement)
				break
			}
		}
	}
}

// grantsEveryone reports whether a statement's principal is everyone: "*",
// {"AWS": "*"}, or a NotPrincipal.
func grantsEveryone(s *policy.Statement) bool {
	p := s.Principal
	if p == nil {
		return false
	}
	if s.NotPrincipal || p.Wildcard {
		return true
	}
	for _, v := range p.AWS {
		if v.Value == "*" {
			return true
		}
	}
	return false
}

func (a *accessRun) unsure(desc map[string]string, actions []string, rep, reason string) {
	f := a.finding(desc, map[string]string{}, true)
	f.Action = append(f.Action, actions...)
	f.Reason = reason
}

func (a *accessRun) finding(desc, cond map[string]string, unsure bool) *Finding {
	id := findingID(a.t.ARN, desc, cond, unsure)
	if f, ok := a.groups[id]; ok {
		return f
	}
	typ := a.t.Type
	if typ == "" {
		typ = ResourceType(a.t.ARN)
	}
	f := &Finding{
		ID: id, Resource: a.t.ARN, ResourceType: typ, ResourceOwnerAccount: a.t.Owner,
		Principal: desc, Condition: cond, Status: "ACTIVE", Unsure: unsure,
	}
	a.groups[id] = f
	a.order = append(a.order, id)
	return f
}

func lookupFold(ctx map[string][]string, key string) []string {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// keyName spells a key as the statement writes it.
func keyName(st Stmt, lower string) string {
	for _, ce := range st.S.Src.Condition {
		if strings.ToLower(ce.Key) == lower {
			return ce.Key
		}
	}
	return lower
}

func copyCtx(ctx map[string][]string) map[string][]string {
	out := make(map[string][]string, len(ctx))
	for k, v := range ctx {
		out[k] = append([]string(nil), v...)
	}
	return out
}

var emptyCtx = condition.NewContext(nil)
