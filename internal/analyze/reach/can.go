package reach

import (
	"sort"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// Grant is one class of requests a principal can make: actions that every
// statement treats alike, on a class of resources, with what must hold.
type Grant struct {
	Actions  []string // the class's actions, as AWS spells them
	Resource string   // the class's representative resource ("*" for none)
	// Patterns are the Resource elements of the statements that allow it.
	Patterns []string
	// Example is a concrete request of the class (an action of it, a
	// resource of the action's type with every part filled, a real Region,
	// the required context) that authz.Decide, as `warden explain`,
	// allows; nil when none was found within analyze.Concretize's bound.
	Example *analyze.Request
	Outcome
}

// Capabilities is what a principal can do: its grants, and the roles it can
// assume (whose own capabilities `warden can` on them tells).
type Capabilities struct {
	Principal *Principal
	Grants    []Grant
	Assume    []Edge
}

// Can lists what an organization principal can do itself, restricted to a
// service prefix when service is not "". The actions are those its identity
// policies name (every action for a root user) and those the org's
// resource policies grant it, grouped into classes that every statement
// treats alike; resources are split by every Resource element of those
// statements and by the org's resources with policies. Each class is
// decided by the engine over every class of contexts (ctx fixes keys).
func (g *Graph) Can(p *Principal, service string, ctx map[string][]string) (*Capabilities, error) {
	s, err := authz.Assemble(g.o, authz.Query{Principal: p.Caller, Action: "sts:GetCallerIdentity"}, g.now)
	if err != nil {
		return nil, err
	}
	in := &s.Inputs
	own := analyze.StatementsOf(in.Identity...)
	var granting []analyze.Stmt
	var splits []string
	for _, r := range g.o.Resources {
		if r.Policy == nil {
			continue
		}
		all, named := grantees(r.Policy)
		if all || named[p.Account] || named[p.ARN] || namesSession(g, named, p) {
			granting = append(granting, analyze.StatementsOf(r.Policy)...)
			splits = append(splits, r.ARN)
		}
	}
	var universe []string
	if p.Kind == KindRoot {
		for _, svc := range awsdata.Services() {
			if service != "" && !strings.EqualFold(svc, service) {
				continue
			}
			sv, _ := awsdata.LookupService(svc)
			for _, a := range sv.Actions() {
				universe = append(universe, a.String())
			}
		}
	} else {
		for _, a := range analyze.ActionsOf(append(append([]analyze.Stmt(nil), own...), granting...)) {
			svc, _, _ := strings.Cut(a, ":")
			if a == unknownAction || service != "" && !strings.EqualFold(svc, service) {
				continue
			}
			universe = append(universe, a)
		}
	}
	stmts := append(append([]analyze.Stmt(nil), own...), granting...)
	stmts = append(stmts, analyze.StatementsOf(in.Boundary...)...)
	for _, l := range in.SCP {
		stmts = append(stmts, analyze.StatementsOf(l.Policies...)...)
	}
	if service == "" || strings.EqualFold(service, "sts") {
		// The roles whose trust policies could let it in, whose decisions
		// differ from other roles'.
		for _, r := range g.trustCandidates(p) {
			splits = append(splits, r.ARN)
		}
	}
	d := newDecider(g.o, g.now, ctx)
	vars := analyze.CallerVars(s.Request.Context)
	caps := &Capabilities{Principal: p}
	classes := analyze.ActionClasses(stmts, universe)
	for i, ac := range classes {
		act := policy.NewAction(ac.Rep)
		var rel []analyze.Stmt
		for _, st := range stmts {
			if st.S.MatchesAction(&act) {
				rel = append(rel, st)
			}
		}
		reps := []string{"*"}
		if !awsdata.TakesNoResource(ac.Rep) {
			var exact bool
			reps, exact = analyze.ResourceClasses([]string{"*"}, append(splits, "arn:*:*:*:"+p.Account+":*"), rel, vars)
			if !exact {
				caps.Grants = append(caps.Grants, Grant{Actions: ac.Actions, Resource: "*",
					Outcome: Outcome{Unsure: "the resources of these actions cannot be split exactly (a policy variable in a Resource element)"}})
			}
		}
		seen := map[string]bool{}
		for _, rep := range reps {
			q := authz.Query{Principal: p.Caller, Action: ac.Rep, Resource: rep}
			o, err := d.decide(q)
			if err == nil && !o.Allowed && o.Unsure == "" && p.Role != nil {
				o = d.asNamed(q, p, o)
			}
			if err != nil || !o.Allowed && o.Unsure == "" {
				continue
			}
			gr := Grant{Actions: ac.Actions, Resource: rep, Patterns: patternsOf(o), Outcome: o}
			// Resources of the class allowed alike are one grant.
			sig := strings.Join(gr.Patterns, "\x00") + "\x01" + o.Unsure
			for _, r := range o.Requires {
				sig += "\x01" + r.String()
			}
			if !seen[sig] {
				seen[sig] = true
				if o.Allowed {
					gr.Example = g.example(p, ac.Actions, rep, o, ctx)
				}
				caps.Grants = append(caps.Grants, gr)
			}
		}
		if g.Progress != nil {
			g.Progress(i+1, len(classes))
		}
	}
	caps.Assume = g.Out(p)
	sort.SliceStable(caps.Assume, func(i, j int) bool { return caps.Assume[i].To.ARN < caps.Assume[j].To.ARN })
	return caps, nil
}

// unknownAction is package analyze's stand-in for the actions AWS's
// reference does not list.
const unknownAction = "warden-unknown-service:UnknownAction"

// patternsOf lists the Resource elements of the allowing statements.
func patternsOf(o Outcome) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range o.Reasons {
		if r.Effect != policy.Allow || r.Layer != eval.LayerIdentity && r.Layer != eval.LayerResource {
			continue
		}
		for _, v := range r.Statement.Src.Resource {
			if !seen[v.Value] {
				seen[v.Value] = true
				out = append(out, v.Value)
			}
		}
	}
	return out
}

// example makes an allowed class concrete: the context is the keys the
// caller fixed and the allowing class's values of the keys that decide.
func (g *Graph) example(p *Principal, actions []string, rep string, o Outcome, given map[string][]string) *analyze.Request {
	ctx := map[string][]string{}
	for k, v := range given {
		ctx[k] = v
	}
	for _, r := range o.Requires {
		if r.Values != nil {
			ctx[r.Key] = r.Values
		}
	}
	ex, ok := analyze.Concretize(p.Caller, actions, rep, p.Account, ctx, func(q analyze.Request) bool {
		_, e, err := authz.Decide(g.o, authz.Query{Principal: q.Principal, Action: q.Action, Resource: q.Resource, Context: q.Context}, g.now)
		return err == nil && e.Refusal == "" && e.Decision == eval.Allow
	})
	if !ok {
		return nil
	}
	return &ex
}
