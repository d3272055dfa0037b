package diff

import (
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Options tune a comparison.
type Options struct {
	// Now fills aws:CurrentTime in both organizations.
	Now time.Time
	// Progress, when set, is called after each principal with how many are
	// done and how many there are.
	Progress func(done, total int)
	// Workers is how many principals are compared at once; default
	// GOMAXPROCS.
	Workers int
	// PerPrincipal compares every principal on its own, on every resource
	// on its own, instead of one per class of principals in equal
	// situations (situations.go) on one account per class of twin accounts
	// (sites.go): the same decisions, slower; the reference for checking
	// the classes.
	PerPrincipal bool
}

// differ holds what every principal's comparison shares.
type differ struct {
	old, new *org.Org
	src      [2]*check.Sources
	now      time.Time
	res      resourceDelta
	// resFP is the fingerprint of the resource side's item (situations'
	// relevant), computed once.
	resFP     string
	resFPOnce sync.Once
	resStmts  []analyze.Stmt // every resource policy, trust policy and RCP of both orgs
	// resDistinct holds one of resStmts per shape (shapeKey): what
	// action, resource and context classes read of them.
	resDistinct []analyze.Stmt
	resLiterals []string // unknownLiterals of resDistinct
	resClasses  sync.Map // memo of principalRun.resourceClasses
	splitMemo   sync.Map // memo of baseSplits
	declared    []*org.Resource
	roles       []*org.Role
	accounts    []string // account IDs of both orgs
	rcpDiffer   bool
	// rcpAny: some account of either org has RCPs (its resources differ
	// from those of accounts outside the organizations).
	rcpAny bool
	// owned are the declared resources with an owner, of both orgs.
	owned    []*org.Resource
	everyAct []string

	perPrincipal bool
	// splitAll: some statement could tell any two accounts apart
	// (situations.splitAll): no accounts are twins.
	splitAll bool
	// sites groups resources in equal situations (sites.go); nil with
	// Options.PerPrincipal.
	sites    *siteIndex
	classes  int
	contents contents

	mu      sync.Mutex
	raw     []rawChange
	unknown []Unknown
	decided int
}

// Diff compares every decision of old and new.
func Diff(old, new *org.Org, opt Options) *Report {
	d := &differ{old: old, new: new, now: opt.Now, src: [2]*check.Sources{check.NewSources(old), check.NewSources(new)}}
	d.res = compareResources(&d.contents, old, new)
	d.index()
	work := principalsOf(old, new)
	if !d.res.none() {
		work = append(work, d.outsiders()...)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	d.perPrincipal = opt.PerPrincipal
	var done int
	var doneMu sync.Mutex
	progress := func(n int) {
		doneMu.Lock()
		done += n
		if opt.Progress != nil {
			opt.Progress(done, len(work))
		}
		doneMu.Unlock()
	}
	sit := newSituations(d)
	d.splitAll = sit.splitAll
	if !d.perPrincipal {
		d.sites = newSiteIndex(d, sit.resOrgPaths)
	}
	classes := sit.group(work, workers, progress)
	next := make(chan *pclass)
	var wg sync.WaitGroup
	compared := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				d.principal(c)
				progress(len(c.members))
			}
		}()
	}
	for _, c := range classes {
		compared += len(c.members)
		next <- c
	}
	close(next)
	wg.Wait()
	d.classes = len(classes)
	rep := d.report()
	rep.Principals = compared
	rep.Classes = d.classes
	rep.raw = d.raw
	return rep
}

func (d *differ) orgs() [2]*org.Org { return [2]*org.Org{d.old, d.new} }

// index gathers what the resource side of every request may hold.
func (d *differ) index() {
	seenPol := map[*policy.Policy]bool{}
	add := func(ps ...*policy.Policy) {
		for _, p := range ps {
			if p != nil && !seenPol[p] {
				seenPol[p] = true
				d.resStmts = append(d.resStmts, analyze.StatementsOf(p)...)
			}
		}
	}
	ids := map[string]bool{}
	for _, o := range []*org.Org{d.old, d.new} {
		sigs := map[string]bool{}
		for _, r := range o.Resources {
			if r.Policy != nil {
				add(r.Policy)
				d.declared = append(d.declared, r)
			}
			if r.Account != nil {
				d.owned = append(d.owned, r)
			}
		}
		for _, r := range o.Roles {
			if r.Trust != nil {
				add(r.Trust)
				d.roles = append(d.roles, r)
			}
		}
		for _, a := range o.Accounts {
			sig := ""
			for _, l := range o.RCPLevels(a.ID) {
				add(l.Policies...)
				for _, p := range l.Policies {
					sig += p.Name + "\x00"
				}
				sig += "\x01"
			}
			sigs[sig] = true
			if o.RCPLevels(a.ID) != nil {
				d.rcpAny = true
			}
			if !ids[a.ID] {
				ids[a.ID] = true
				d.accounts = append(d.accounts, a.ID)
			}
		}
		d.rcpDiffer = d.rcpDiffer || len(sigs) > 1
	}
	sort.Strings(d.accounts)
	seen := map[string]bool{}
	for _, st := range d.resStmts {
		if k := shapeKey(st); !seen[k] {
			seen[k] = true
			d.resDistinct = append(d.resDistinct, st)
		}
	}
	d.resLiterals = unknownLiterals(d.resDistinct)
}

// outsiders are the classes of callers outside the organizations that the
// changed resource policies, trust policies and RCPs tell apart.
func (d *differ) outsiders() []principal {
	info := analyze.OrgInfoOf(d.old)
	for id, p := range analyze.OrgInfoOf(d.new).Paths {
		info.Paths[id] = p
	}
	info.Members = nil
	if d.new.ID != "" {
		info.ID = d.new.ID
	}
	ps, exact := analyze.Principals(d.res.stmts, &analyze.Zone{Kind: analyze.ZoneOrganization, Org: info})
	if !exact {
		d.unknown = append(d.unknown, Unknown{Principal: "callers outside the organization", Reason: "the principals the changed resource policies name cannot be split exactly"})
	}
	var out []principal
	for _, p := range ps {
		out = append(out, principal{caller: p.ARN, context: p.Context, outside: true})
	}
	return out
}

// item is one part of a principal's requests to compare: the actions the
// changed statements match (every action when all is set) on the
// resources that globs match.
type item struct {
	delta
	trust bool
	globs []string
	// fp is the item's fingerprint when computed once for all principals
	// (the resource side's item: thousands of changed statements).
	fp string
}

// itemsOf is a principal's sides in both orgs and what may change of its
// requests: none when nothing does.
func (d *differ) itemsOf(p *principal) ([2]*authz.Situation, []item) {
	var sides [2]*authz.Situation
	var items []item
	if !p.outside {
		sides = [2]*authz.Situation{callerSide(d.old, p.caller, d.now), callerSide(d.new, p.caller, d.now)}
		if sides[0] == nil && sides[1] == nil {
			return sides, nil
		}
		if pd := comparePrincipal(&d.contents, sides[0], sides[1]); !pd.none() {
			items = append(items, item{delta: pd, globs: []string{"*"}})
		}
	}
	if !d.res.none() {
		d.resFPOnce.Do(func() {
			d.resFP = fingerprint(&item{delta: d.res.delta, trust: d.res.trust})
		})
		items = append(items, item{delta: d.res.delta, trust: d.res.trust, globs: d.res.globs, fp: d.resFP})
	}
	return sides, items
}

// principal compares the requests of a class's representative, for every
// member of the class.
func (d *differ) principal(c *pclass) {
	p, sides := c.rep, c.sides
	items := append([]item(nil), c.items...)
	run := &principalRun{d: d, p: p, sides: sides, members: c.members}

	for _, s := range sides {
		if s != nil {
			run.stmts = append(run.stmts, analyze.StatementsOf(s.Inputs.Identity...)...)
			run.stmts = append(run.stmts, analyze.StatementsOf(s.Inputs.Boundary...)...)
			for _, l := range s.Inputs.SCP {
				run.stmts = append(run.stmts, analyze.StatementsOf(l.Policies...)...)
			}
		}
	}
	run.literals = append(unknownLiterals(run.stmts), d.resLiterals...)
	run.nOwn = len(run.stmts)
	run.stmts = append(run.stmts, d.resDistinct...)
	for i := range items {
		it := &items[i]
		it.changed = append(it.changed[:len(it.changed):len(it.changed)], stmtsUsing(run.stmts, it.keys)...)
		if it.all || it.trust || len(it.changed) > 0 {
			run.item(it)
		}
	}
}

// universe lists the actions an item may change.
func (d *differ) universe(it *item, literals []string) []string {
	var cand []string
	if it.all {
		cand = everyAction(literals)
	} else {
		cand = analyze.ActionsOf(it.changed)
		cand = append(cand, literals...)
		if it.trust {
			cand = append(cand, trustActions()...)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range cand {
		k := strings.ToLower(a)
		if seen[k] {
			continue
		}
		seen[k] = true
		if it.all || (it.trust && authz.IsTrustAction(a)) || matchesAny(it.changed, a) {
			out = append(out, a)
		}
	}
	return out
}

func matchesAny(stmts []analyze.Stmt, action string) bool {
	act := policy.NewAction(action)
	for _, st := range stmts {
		if st.S.MatchesAction(&act) {
			return true
		}
	}
	return false
}

var (
	allActionsOnce sync.Once
	allActions     []string
)

// everyAction is every action of AWS's reference, the literal actions of
// the statements that it does not know, and one standing for the others.
func everyAction(literals []string) []string {
	allActionsOnce.Do(func() {
		for _, p := range awsdata.Services() {
			s, _ := awsdata.LookupService(p)
			for _, a := range s.Actions() {
				allActions = append(allActions, a.String())
			}
		}
	})
	out := append([]string(nil), allActions...)
	out = append(out, literals...)
	// ActionsOf always ends with the action that stands for those AWS's
	// reference does not list.
	none := analyze.ActionsOf(nil)
	return append(out, none...)
}

// unknownLiterals are the actions statements name literally that AWS's
// reference does not list.
func unknownLiterals(stmts []analyze.Stmt) []string {
	var out []string
	for _, st := range stmts {
		out = append(out, literalsOf(st.S)...)
	}
	return out
}

var literalCache sync.Map // *policy.CompiledStatement -> []string

func literalsOf(s *policy.CompiledStatement) []string {
	if v, ok := literalCache.Load(s); ok {
		return v.([]string)
	}
	var out []string
	for _, v := range s.Src.Action {
		if strings.ContainsAny(v.Value, "*?") {
			continue
		}
		if _, ok := awsdata.LookupAction(v.Value); !ok {
			out = append(out, v.Value)
		}
	}
	literalCache.Store(s, out)
	return out
}

// unknownWildcard reports whether a statement names actions of a service
// AWS's reference does not know by a wildcard: they cannot be listed.
func unknownWildcard(stmts []analyze.Stmt) string {
	for _, st := range stmts {
		for _, v := range st.S.Src.Action {
			svc, name, _ := strings.Cut(v.Value, ":")
			if !strings.ContainsAny(name, "*?") || strings.ContainsAny(svc, "*?") {
				continue
			}
			if _, ok := awsdata.LookupService(strings.ToLower(svc)); !ok {
				return v.Value
			}
		}
	}
	return ""
}

var (
	trustOnce sync.Once
	trustActs []string
)

func trustActions() []string {
	trustOnce.Do(func() {
		for _, a := range awsdata.MatchActions("sts:*") {
			if authz.IsTrustAction(a.String()) {
				trustActs = append(trustActs, a.String())
			}
		}
	})
	return trustActs
}
