package diff

import (
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// principal is a caller that may make requests: a principal of one of the
// organizations (a root user, a role's session, an IAM user), or a class of
// callers outside them.
type principal struct {
	caller  string
	context map[string][]string // keys AWS sets for an outside caller
	outside bool
}

// principalsOf lists the principals of both organizations by caller ARN.
func principalsOf(orgs ...*org.Org) []principal {
	seen := map[string]bool{}
	var out []principal
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, principal{caller: c})
		}
	}
	for _, o := range orgs {
		for _, a := range o.Accounts {
			add("arn:aws:iam::" + a.ID + ":root")
			for _, r := range a.Roles {
				add("arn:aws:sts::" + a.ID + ":assumed-role/" + r.Name + "/warden-diff")
			}
		}
		for _, u := range o.Users {
			if u.Account != nil {
				add(u.ARN)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].caller < out[j].caller })
	return out
}

// callerSide is what a principal brings to every request in one org; nil
// when the org has no such principal.
func callerSide(o *org.Org, caller string, now time.Time) *authz.Situation {
	s, err := authz.Assemble(o, authz.Query{Principal: caller, Action: "sts:GetCallerIdentity"}, now)
	if err != nil || s.Missing != "" || s.Outside {
		return nil
	}
	return s
}

// comparePrincipal says how a principal's side differs.
func comparePrincipal(c *contents, a, b *authz.Situation) delta {
	var d delta
	switch {
	case a == nil && b == nil:
		return d
	case a == nil || b == nil:
		d.all = true
		return d
	}
	if a.Request.Caller.ServiceLinked != b.Request.Caller.ServiceLinked {
		d.all = true
		return d
	}
	d.keys = diffKeys(a.Request.Context, b.Request.Context)
	if !c.same(a.Inputs.Identity, b.Inputs.Identity) {
		d.changed = changedStmts(layerOf(a.Inputs.Identity...), layerOf(b.Inputs.Identity...), d.changed)
	}
	compareOptional(c, a.Inputs.Boundary, b.Inputs.Boundary, &d)
	if !d.all {
		compareLevels(c, a.Inputs.SCP, b.Inputs.SCP, &d)
	}
	return d
}

// resourceDelta is how the resource side differs: the resources whose
// policies, trust policies or accounts differ (as ARN globs), and the
// statements that differ.
type resourceDelta struct {
	delta
	// trust: roles appeared or disappeared: every STS action that reads a
	// trust policy may change on them.
	trust bool
	globs []string
	stmts []analyze.Stmt // every statement of the changed policies, for principal classes
}

// compareResources compares the resource sides of two organizations.
func compareResources(c *contents, a, b *org.Org) resourceDelta {
	var rd resourceDelta
	addGlobs := func(gs ...string) { rd.globs = append(rd.globs, gs...) }
	// Declared resources and their owners.
	type resPair struct{ a, b *org.Resource }
	res := map[string]*resPair{}
	for _, r := range a.Resources {
		res[r.ARN] = &resPair{a: r}
	}
	for _, r := range b.Resources {
		if p := res[r.ARN]; p != nil {
			p.b = r
		} else {
			res[r.ARN] = &resPair{b: r}
		}
	}
	owner := func(r *org.Resource) string {
		if r == nil || r.Account == nil {
			return ""
		}
		return r.Account.ID
	}
	pol := func(r *org.Resource) []*policy.Policy {
		if r == nil || r.Policy == nil {
			return nil
		}
		return []*policy.Policy{r.Policy}
	}
	for arn, p := range res {
		var d delta
		var rcps []analyze.Stmt
		if owner(p.a) != owner(p.b) {
			d.all = true
		} else {
			compareOptional(c, pol(p.a), pol(p.b), &d)
			if p.a.AWSManagedKey() != p.b.AWSManagedKey() {
				// A KMS key that becomes AWS managed or customer managed:
				// its account's RCPs apply to its KMS actions on one side
				// only, so what their statements match of them may change.
				for _, o := range []*org.Org{a, b} {
					for _, l := range o.RCPLevels(owner(p.a)) {
						rcps = append(rcps, analyze.StatementsOf(l.Policies...)...)
					}
				}
				d.changed = append(d.changed, rcps...)
			}
		}
		if d.none() {
			continue
		}
		rd.merge(d)
		addGlobs(resourceGlobs(arn)...)
		rd.stmts = append(rd.stmts, analyze.StatementsOf(append(pol(p.a), pol(p.b)...)...)...)
		rd.stmts = append(rd.stmts, rcps...)
	}
	// Roles' trust policies.
	type rolePair struct{ a, b *org.Role }
	roles := map[string]*rolePair{}
	for _, r := range a.Roles {
		roles[r.ARN] = &rolePair{a: r}
	}
	for _, r := range b.Roles {
		if p := roles[r.ARN]; p != nil {
			p.b = r
		} else {
			roles[r.ARN] = &rolePair{b: r}
		}
	}
	trust := func(r *org.Role) []*policy.Policy {
		if r == nil || r.Trust == nil {
			return nil
		}
		return []*policy.Policy{r.Trust}
	}
	for _, p := range roles {
		var d delta
		compareOptional(c, trust(p.a), trust(p.b), &d)
		if d.none() {
			continue
		}
		r := p.a
		if r == nil {
			r = p.b
		}
		if d.all {
			rd.trust = true
		} else {
			rd.changed = append(rd.changed, d.changed...)
		}
		addGlobs(roleGlobs(r)...)
		rd.stmts = append(rd.stmts, analyze.StatementsOf(append(trust(p.a), trust(p.b)...)...)...)
	}
	// Accounts: their RCPs and organization paths.
	ids := map[string]bool{}
	for _, o := range []*org.Org{a, b} {
		for _, acct := range o.Accounts {
			ids[acct.ID] = true
		}
	}
	for id := range ids {
		_, inA := a.AccountByID(id)
		_, inB := b.AccountByID(id)
		var d delta
		if inA != inB {
			d.all = true
		} else {
			compareRCPLevels(c, a.RCPLevels(id), b.RCPLevels(id), &d)
			if a.OrgPaths(id) != b.OrgPaths(id) {
				d.keys = append(d.keys, "aws:resourceorgpaths")
			}
		}
		if d.none() {
			continue
		}
		rd.merge(d)
		addGlobs("arn:*:*:*:" + id + ":*")
		for arn, p := range res {
			if owner(p.a) == id || owner(p.b) == id {
				addGlobs(resourceGlobs(arn)...)
			}
		}
		for _, o := range []*org.Org{a, b} {
			for _, l := range o.RCPLevels(id) {
				rd.stmts = append(rd.stmts, analyze.StatementsOf(l.Policies...)...)
			}
		}
	}
	sort.Strings(rd.globs)
	rd.globs = dedupe(rd.globs)
	// An RCP changed for every account is the same statements each time.
	rd.changed = uniqueStmts(rd.changed)
	return rd
}

// uniqueStmts drops repeats of a compiled statement.
func uniqueStmts(sts []analyze.Stmt) []analyze.Stmt {
	seen := make(map[*policy.CompiledStatement]bool, len(sts))
	out := sts[:0]
	for _, st := range sts {
		if !seen[st.S] {
			seen[st.S] = true
			out = append(out, st)
		}
	}
	return out
}

func (rd *resourceDelta) merge(d delta) {
	rd.all = rd.all || d.all
	rd.changed = append(rd.changed, d.changed...)
	rd.keys = append(rd.keys, d.keys...)
}

func (rd *resourceDelta) none() bool { return rd.delta.none() && !rd.trust }

// resourceGlobs are the ARNs a declared resource's policy governs: the
// resource, and an S3 bucket's objects.
func resourceGlobs(arn string) []string {
	out := []string{arn}
	if rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok && !strings.Contains(rest, "/") {
		out = append(out, arn+"/*")
	}
	return out
}

// roleGlobs are the ARNs that name a role for the STS actions: its own, and
// any path with its name last (authz looks roles up by account and name).
func roleGlobs(r *org.Role) []string {
	acct := ""
	if r.Account != nil {
		acct = r.Account.ID
	}
	return []string{"arn:aws:iam::" + acct + ":role/" + r.Name, "arn:aws:iam::" + acct + ":role/*/" + r.Name}
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
