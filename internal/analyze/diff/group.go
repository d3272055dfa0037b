package diff

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// report groups the raw changes: those with the same direction, action
// class and changed causes (the statements that differ and decided, or
// else every deciding statement) are one change, with the principals and
// resources listed. Each example is decided again by authz.Decide.
func (d *differ) report() *Report {
	type group struct {
		c          Change
		principals map[string]bool
		resources  map[string]bool
		resClasses map[string]*ResourceClass
		examples   []*rawChange
	}
	byKey := map[string]*group{}
	var keys []string
	for i := range d.raw {
		rc := &d.raw[i]
		causes := d.causes(rc)
		dir := Opened
		if rc.before.Decision == eval.Allow {
			dir = Closed
		}
		causeJSON, _ := json.Marshal(groupCauses(causes))
		k := dir + "\x00" + rc.class.key + "\x00" + string(causeJSON)
		g := byKey[k]
		if g == nil {
			g = &group{principals: map[string]bool{}, resources: map[string]bool{}, resClasses: map[string]*ResourceClass{}, c: Change{Change: dir, ActionCount: len(rc.class.Actions)}}
			g.c.Actions = listed(rc.class.Actions)
			byKey[k] = g
			keys = append(keys, k)
		}
		g.principals[rc.principal] = true
		for _, m := range rc.members {
			g.principals[m] = true
		}
		g.resources[rc.resource] = true
		if rc.resClass != nil && g.resClasses[rc.resource] == nil {
			cl := *rc.resClass
			cl.Resource = rc.resource
			g.resClasses[rc.resource] = &cl
		}
		g.examples = append(g.examples, rc)
		g.c.Unsure = g.c.Unsure || rc.unsure
	}
	rep := &Report{Decided: d.decided}
	for _, k := range keys {
		g := byKey[k]
		for p := range g.principals {
			g.c.Principals = append(g.c.Principals, p)
		}
		sort.Strings(g.c.Principals)
		for r := range g.resources {
			g.c.Resources = append(g.c.Resources, r)
		}
		sort.Strings(g.c.Resources)
		for _, r := range g.c.Resources {
			if cl := g.resClasses[r]; cl != nil {
				g.c.ResourceClasses = append(g.c.ResourceClasses, *cl)
			}
		}
		d.example(&g.c, g.examples)
		readableResources(&g.c)
		rep.Changes = append(rep.Changes, g.c)
	}
	sort.SliceStable(rep.Changes, func(i, j int) bool {
		a, b := &rep.Changes[i], &rep.Changes[j]
		if a.Change != b.Change {
			return a.Change == Opened
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})
	rep.Unknown = groupUnknown(d.unknown)
	return rep
}

// groupCauses are the causes that say why a change happened, for
// grouping: the changed statements, or every deciding statement without
// the SCP or RCP level it was found at.
func groupCauses(cs []Cause) []Cause {
	var out []Cause
	for _, c := range cs {
		if c.Changed {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, c := range cs {
		c.Target = ""
		out = append(out, c)
	}
	return out
}

// example picks the group's example: a concrete request of a recorded
// change's class (analyze.Concretize: an action of the class, a resource
// that fits its type with every part filled, a real Region) that
// authz.Decide decides as recorded in both orgs, with the statements that
// decided it. The first recorded changes are tried, then those on a
// resource the org declares (a class such as "arn:*:*:*::*" may hold no
// resource of the action's types: no KMS key lacks an account). When none
// is decided as recorded, the first recorded request is shown with its
// resource made concrete for the action, and the change is unsure.
func (d *differ) example(c *Change, examples []*rawChange) {
	sort.SliceStable(examples, func(i, j int) bool { return examples[i].principal < examples[j].principal })
	set := func(rc *rawChange, action string) {
		c.Principal, c.Action, c.Resource, c.Context = rc.principal, action, rc.resource, analyze.ContextOut(rc.ctx)
		c.Before, c.After = rc.before.Decision.String(), rc.after.Decision.String()
		c.Causes = d.causes(rc)
		c.class = rc.members
	}
	try := func(rc *rawChange) bool {
		var found *rawChange
		_, ok := analyze.Concretize(rc.principal, rc.class.Actions, rc.resource, accountOf(rc.principal), rc.ctx, func(q analyze.Request) bool {
			alt := *rc
			alt.resource, alt.ctx = q.Resource, q.Context
			e, ok := d.explain(&alt, q.Action)
			if ok {
				alt.before, alt.after, alt.action = e[0], e[1], q.Action
				found = &alt
			}
			return ok
		})
		if ok {
			set(found, found.action)
		}
		return ok
	}
	for i, rc := range examples {
		if i >= maxExamplesTried {
			break
		}
		if try(rc) {
			return
		}
	}
	tried := 0
	for _, rc := range examples[min(len(examples), maxExamplesTried):] {
		if tried >= maxDeclaredTried {
			break
		}
		if analyze.FitsAction(rc.action, rc.resource) {
			tried++
			if try(rc) {
				return
			}
		}
	}
	if d.declaredExample(c, examples, set) {
		return
	}
	first := *examples[0]
	if !analyze.FitsAction(first.action, first.resource) {
		first.resource = d.concreteResource(&first)
	}
	set(&first, first.action)
	e, ok := d.explain(&first, first.action)
	if !ok {
		c.Unsure = true
		return
	}
	c.Causes = d.causes(&rawChange{before: e[0], after: e[1], changed: first.changed})
}

// declaredExample tries the resources the orgs declare (roles and
// resources with policies) in the account of each of the first recorded
// changes' resource (else of its principal), for each action of the class:
// the first that authz.Decide decides as recorded is the example.
func (d *differ) declaredExample(c *Change, examples []*rawChange, set func(*rawChange, string)) bool {
	tries := 0
	for i, rc := range examples {
		if i >= maxExamplesTried {
			break
		}
		acct, ok := accountPart(rc.resource)
		if !ok {
			acct = accountOf(rc.principal)
		}
		for _, arn := range d.declaredIn(acct) {
			for _, a := range rc.class.Actions {
				if tries >= maxDeclaredTries {
					return false
				}
				if !analyze.FitsAction(a, arn) {
					continue
				}
				tries++
				alt := *rc
				alt.resource = arn
				if e, ok := d.explain(&alt, a); ok {
					alt.before, alt.after, alt.action = e[0], e[1], a
					set(&alt, a)
					return true
				}
			}
		}
	}
	return false
}

// declaredIn lists the ARNs of the roles and resources either org declares
// in an account, sorted.
func (d *differ) declaredIn(acct string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(arn string) {
		if a, ok := accountPart(arn); ok && a == acct && !seen[arn] {
			seen[arn] = true
			out = append(out, arn)
		}
	}
	for _, o := range d.orgs() {
		for _, r := range o.Roles {
			add(r.ARN)
		}
		for _, r := range o.Resources {
			add(r.ARN)
		}
	}
	sort.Strings(out)
	return out
}

// concreteResource is a concrete resource of a recorded change's action
// in the account of its resource (else of its principal): one the orgs
// declare when there is one, else the action's ARN template filled (see
// analyze.ConcreteResource); the recorded resource when neither exists.
func (d *differ) concreteResource(rc *rawChange) string {
	acct, ok := accountPart(rc.resource)
	if !ok {
		acct = accountOf(rc.principal)
	}
	for _, arn := range d.declaredIn(acct) {
		if analyze.FitsAction(rc.action, arn) {
			return arn
		}
	}
	if r := analyze.ConcreteResource(rc.action, rc.resource, acct); r != "" {
		return r
	}
	return rc.resource
}

// readableResources writes the representatives in Resources (and the
// classes' Resource) that are not resources a request can name, the
// shortest members of classes such as "" or "arn::::ACCOUNT:", as resources
// of the example's action: "*" for an action that takes none, else an ARN
// of one of its resource types with every part filled
// (analyze.ConcreteResource, in the representative's account, else the
// example principal's). A concrete ARN, and a representative that fits no
// resource type of the action, stay as they are; representatives that
// become the same resource are listed once.
func readableResources(c *Change) {
	show := func(rep string) string {
		if analyze.IsConcreteARN(rep) {
			return rep
		}
		acct, ok := accountPart(rep)
		if !ok {
			acct = accountOf(c.Principal)
		}
		if r := analyze.ConcreteResource(c.Action, rep, acct); r != "" {
			return r
		}
		return rep
	}
	seen := make(map[string]bool, len(c.Resources))
	out := c.Resources[:0]
	for _, r := range c.Resources {
		if r = show(r); !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	c.Resources = out
	for i := range c.ResourceClasses {
		c.ResourceClasses[i].Resource = show(c.ResourceClasses[i].Resource)
	}
}

// maxExamplesTried bounds the recorded changes of a group tried first for
// its example, maxDeclaredTried those on a declared resource tried next.
const (
	maxExamplesTried = 4
	maxDeclaredTried = 16
	maxDeclaredTries = 96
)

// explain decides a recorded request, with action, in both orgs as
// authz.Decide (and `warden explain`) does; ok reports whether the
// decisions are those recorded.
func (d *differ) explain(rc *rawChange, action string) ([2]eval.Explanation, bool) {
	q := authz.Query{Principal: rc.principal, Action: action, Resource: rc.resource, Context: rc.ctx}
	want := [2]bool{rc.before.Decision == eval.Allow, rc.after.Decision == eval.Allow}
	var out [2]eval.Explanation
	for i, o := range d.orgs() {
		_, e, err := authz.Decide(o, q, d.now)
		if err != nil || e.Refusal != "" || (e.Decision == eval.Allow) != want[i] {
			return out, false
		}
		out[i] = e
	}
	return out, true
}

func listed(actions []string) []string {
	out := append([]string(nil), actions...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	if len(out) > MaxListed {
		out = out[:MaxListed]
	}
	return out
}

// causes names what decided the example in each org: every deny statement
// of an explicit deny, the allowing statements of an allow, the layer
// without an allow of an implicit deny.
func (d *differ) causes(rc *rawChange) []Cause {
	var out []Cause
	for i, e := range []*eval.Explanation{&rc.before, &rc.after} {
		side := "old"
		if i == 1 {
			side = "new"
		}
		if e.Decision == eval.ImplicitDeny {
			c := Cause{Side: side, Layer: e.DeniedBy.String(), Target: e.DeniedTarget, Note: e.Note}
			if c.Note == "" {
				c.Note = "no statement allows"
			}
			out = append(out, c)
			continue
		}
		for _, r := range e.Reasons {
			if e.Decision == eval.ExplicitDeny && r.Effect != policy.Deny {
				continue
			}
			c := Cause{Side: side, Layer: r.Layer.String(), Target: r.Target, Effect: r.Effect.String(),
				Policy: r.Policy.Name, Sid: r.Statement.Src.Label(), At: d.src[i].Position(r.Policy, r.Statement.Src),
				Changed: rc.changed[cachedStmtKey(r.Policy, r.Statement.Src)]}
			out = append(out, c)
		}
	}
	return out
}

// groupUnknown merges the unknowns with one reason and action.
func groupUnknown(us []Unknown) []Unknown {
	seen := map[string]bool{}
	var out []Unknown
	for _, u := range us {
		k := u.Principal + "\x00" + u.Action + "\x00" + u.Reason + "\x00" + strings.Join(u.Principals, ",")
		if !seen[k] {
			seen[k] = true
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Principal != out[j].Principal {
			return out[i].Principal < out[j].Principal
		}
		return out[i].Action < out[j].Action
	})
	return out
}
