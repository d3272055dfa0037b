package diff

import (
	"crypto/sha256"
	"sort"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Principals in equal situations
//
// Most principals of a large organization are copies of one another: the
// same role, with the same policies, under the same SCPs, in many accounts.
// Their requests are decided alike up to the account: a request of role R
// of account X on a resource of account Z is decided as the request of R of
// account Y on the same resource, and R of X on X's own resources as R of Y
// on Y's, when nothing the decisions read tells X from Y. Such principals
// form one class; the class's first principal (its representative) is
// compared as any principal is, and its changes stand for every member's.
//
// Two principals are in one class when, with each one's own account ID
// written as SELF, these are equal in both organizations:
//
//   - the caller's ARN, whether it exists, whether it is service-linked;
//   - its identity policies, permissions boundary and SCP levels, statement
//     by statement by content (stmtKey);
//   - the values of the context keys AWS sets from it that some statement
//     of either organization reads (a role's tags; aws:PrincipalOrgPaths
//     only when read; aws:userid differs between roles, so a statement
//     reading it keeps them apart);
//   - its account's RCP levels, and its organization path when a statement
//     reads aws:ResourceOrgPaths (what a request on the account's own
//     resources meets);
//   - its account's resources (profile): each declared resource and role
//     the account owns, keyed as sites.go keys twins (the account as SELF,
//     not the resource's name), with how every Resource pattern of the
//     principal's side, of the RCPs and of the resource's own policy goes
//     on after its ARN. Swapping two members' accounts then swaps their
//     resources too (the bucket of account X for the bucket of account Y).
//
// and when nothing outside the principal's side tells its account from
// another for the actions that may change (relevance): no resource policy
// or trust policy of another account has a statement for such an action
// that names the account's ID. A principal whose account is told apart,
// or that owns a resource kept apart (sites.go), is its own class.
// Without the profiles (Options.PerPrincipal), owning a resource or trust
// policy with a statement for such an action tells the account apart. A statement that matches account IDs
// partly by a wildcard ("1234*"), or compares them as numbers or dates,
// could tell any two accounts apart: then every principal is its own class.

// solo is the class key of a principal compared on its own.
func solo(caller string) string { return "solo\x00" + caller }

// situations groups principals by class and keeps what each
// representative's comparison needs.
type situations struct {
	d        *differ
	readKeys map[string]bool // the context keys any statement of both orgs reads, lower-cased
	// resRead: some statement reads aws:ResourceOrgPaths.
	resOrgPaths bool
	// splitAll: some statement could tell any two accounts apart.
	splitAll bool

	mu        sync.Mutex
	relevance map[string]*relevance // by item fingerprint
}

// relevance is what tells accounts apart for one item's actions.
type relevance struct {
	once    sync.Once
	special map[string]bool // accounts told apart
	all     bool            // every account told apart
}

func newSituations(d *differ) *situations {
	s := &situations{d: d, readKeys: map[string]bool{}, relevance: map[string]*relevance{}}
	seen := map[*policy.Policy]bool{}
	visit := func(ps ...*policy.Policy) {
		for _, p := range ps {
			if p == nil || seen[p] {
				continue
			}
			seen[p] = true
			for _, st := range analyze.StatementsOf(p) {
				src := st.S.Src
				for _, c := range src.Condition {
					s.readKeys[strings.ToLower(c.Key)] = true
					for _, v := range c.Values {
						for _, n := range varNames(v) {
							s.readKeys[n] = true
						}
					}
					if tellsAccountsApart(c) {
						s.splitAll = true
					}
				}
				for _, l := range [][]policy.Str{src.Resource, principalValues(src)} {
					for _, v := range l {
						for _, n := range varNames(v.Value) {
							s.readKeys[n] = true
						}
						if partialAccount(v.Value) {
							s.splitAll = true
						}
					}
				}
			}
		}
	}
	for _, o := range d.orgs() {
		for _, p := range o.Policies {
			visit(p.Compiled)
		}
		for _, r := range o.Roles {
			visit(r.Trust, r.Boundary)
			visit(r.Policies...)
		}
		for _, u := range o.Users {
			visit(u.Boundary)
			visit(o.UserPolicies(u)...)
		}
		for _, r := range o.Resources {
			visit(r.Policy)
		}
	}
	s.resOrgPaths = s.readKeys["aws:resourceorgpaths"]
	return s
}

func principalValues(src *policy.Statement) []policy.Str {
	if src.Principal == nil {
		return nil
	}
	var out []policy.Str
	for _, l := range [][]policy.Str{src.Principal.AWS, src.Principal.Federated, src.Principal.Service, src.Principal.CanonicalUser} {
		out = append(out, l...)
	}
	return out
}

// tellsAccountsApart reports whether a condition compares values that may
// hold account IDs other than by equality or whole-segment patterns:
// numerically, as dates, or by a pattern that matches part of an ID.
func tellsAccountsApart(c policy.CondEntry) bool {
	op := strings.ToLower(c.Op)
	if strings.Contains(op, "numeric") || strings.Contains(op, "date") {
		k := strings.ToLower(c.Key)
		if strings.Contains(k, "account") || strings.Contains(k, "arn") || k == "aws:userid" || strings.Contains(k, "owner") {
			return true
		}
	}
	for _, v := range c.Values {
		if partialAccount(v) {
			return true
		}
	}
	return false
}

// partialAccount reports whether a value has a wildcard next to a digit:
// a pattern that may match some account IDs and not others.
func partialAccount(v string) bool {
	for i := 0; i+1 < len(v); i++ {
		a, b := v[i], v[i+1]
		if (isWild(a) && isDigit(b)) || (isDigit(a) && isWild(b)) {
			return true
		}
	}
	return false
}

func isWild(c byte) bool  { return c == '*' || c == '?' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// self writes an account ID as SELF wherever it stands alone (not inside a
// longer run of digits).
func self(s, acct string) string {
	if acct == "" || !strings.Contains(s, acct) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, acct)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(acct)
		if (i > 0 && isDigit(s[i-1])) || (end < len(s) && isDigit(s[end])) {
			b.WriteString(s[:end])
		} else {
			b.WriteString(s[:i])
			b.WriteString("\x00SELF\x00")
		}
		s = s[end:]
	}
}

// accountIDs lists the 12-digit runs of a value.
func accountIDs(v string, out map[string]bool) {
	run := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) && isDigit(v[i]) {
			run++
			continue
		}
		if run == 12 {
			out[v[i-12:i]] = true
		}
		run = 0
	}
}

// key is a principal's class key (see the comment above).
func (s *situations) key(p *principal, sides [2]*authz.Situation, items []item) string {
	if s.splitAll {
		return solo(p.caller)
	}
	acct := ""
	for _, sd := range sides {
		if sd != nil && sd.Account != nil {
			acct = sd.Account.ID
		}
	}
	if acct == "" {
		return solo(p.caller)
	}
	for i := range items {
		if r := s.relevant(&items[i]); r.all || r.special[acct] {
			return solo(p.caller)
		}
	}
	var b strings.Builder
	prof, ok := s.profile(acct, sides)
	if !ok {
		return solo(p.caller)
	}
	b.WriteString(prof)
	b.WriteString(self(p.caller, acct))
	for i, sd := range sides {
		b.WriteString("\x01side")
		if sd == nil {
			b.WriteString("-")
			continue
		}
		if sd.Request.Caller.ServiceLinked {
			b.WriteString("s")
		}
		s.writeLayer(&b, "identity", sd.Inputs.Identity, acct)
		if len(sd.Inputs.Boundary) > 0 {
			s.writeLayer(&b, "boundary", sd.Inputs.Boundary, acct)
		}
		s.writeLevels(&b, "scp", sd.Inputs.SCP, acct)
		var ctx []string
		sd.Request.Context.Each(func(k string, v []string) {
			if lk := strings.ToLower(k); s.readKeys[lk] {
				ctx = append(ctx, lk+"="+self(strings.Join(v, "\x02"), acct))
			}
		})
		sort.Strings(ctx)
		b.WriteString("\x01ctx")
		b.WriteString(strings.Join(ctx, "\x03"))
		o := s.d.orgs()[i]
		s.writeLevels(&b, "rcp", o.RCPLevels(acct), acct)
		if s.resOrgPaths {
			b.WriteString("\x01paths" + o.OrgPaths(acct))
		}
	}
	return b.String()
}

func (s *situations) writeLayer(b *strings.Builder, name string, ps []*policy.Policy, acct string) {
	ds := make([]string, 0, len(ps))
	for _, p := range ps {
		ds = append(ds, s.d.contents.digestOf(p, acct))
	}
	sort.Strings(ds)
	b.WriteString("\x01" + name)
	for _, d := range ds {
		b.WriteString(d)
	}
}

// contents holds the digests of the policies of one comparison.
type contents struct {
	digests sync.Map // *policy.Policy -> *policyDigest
}

// same reports whether two lists of policies hold the same statements by
// content (as policies: the same policies in any order).
func (c *contents) same(a, b []*policy.Policy) bool {
	if len(a) != len(b) {
		return false
	}
	if c == nil {
		return false
	}
	da := make([]string, len(a))
	db := make([]string, len(b))
	for i := range a {
		da[i], db[i] = c.digestOf(a[i], ""), c.digestOf(b[i], "")
	}
	sort.Strings(da)
	sort.Strings(db)
	for i := range da {
		if da[i] != db[i] {
			return false
		}
	}
	return true
}

// policyDigest is a policy's statements by content (stmtKey, sorted),
// hashed, and the account IDs they hold.
type policyDigest struct {
	sum  string
	keys []string
	ids  map[string]bool
}

// digestOf is a policy's content with acct written as SELF, hashed.
func (c *contents) digestOf(p *policy.Policy, acct string) string {
	v, ok := c.digests.Load(p)
	if !ok {
		keys := append([]string(nil), policyKeys(p, analyze.StatementsOf(p))...)
		sort.Strings(keys)
		pd := &policyDigest{keys: keys, ids: map[string]bool{}}
		for _, k := range keys {
			accountIDs(k, pd.ids)
		}
		pd.sum = hashKeys(keys)
		v, _ = c.digests.LoadOrStore(p, pd)
	}
	pd := v.(*policyDigest)
	if !pd.ids[acct] {
		return pd.sum
	}
	keys := make([]string, len(pd.keys))
	for i, k := range pd.keys {
		keys[i] = self(k, acct)
	}
	sort.Strings(keys)
	return hashKeys(keys)
}

func hashKeys(keys []string) string {
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0xff})
	}
	return string(h.Sum(nil))
}

func (s *situations) writeLevels(b *strings.Builder, name string, ls []eval.Level, acct string) {
	if ls == nil {
		b.WriteString("\x01no" + name)
		return
	}
	for _, l := range ls {
		s.writeLayer(b, name, l.Policies, acct)
	}
}

// relevant says which accounts an item's actions tell apart, memoized by
// the item's changed statements.
func (s *situations) relevant(it *item) *relevance {
	k := it.fp
	if k == "" {
		k = fingerprint(it)
	}
	s.mu.Lock()
	r := s.relevance[k]
	if r == nil {
		r = &relevance{}
		s.relevance[k] = r
	}
	s.mu.Unlock()
	r.once.Do(func() { s.compute(it, r, k == "all") })
	return r
}

// fingerprint is what relevant memoizes an item by: "all", or its
// changed statements by content.
func fingerprint(it *item) string {
	if it.all || len(it.keys) > 0 {
		// Every action, or statements reading changed keys anywhere.
		return "all"
	}
	var fp strings.Builder
	if it.trust {
		fp.WriteString("trust\x00")
	}
	ks := make([]string, 0, len(it.changed))
	for _, st := range it.changed {
		ks = append(ks, stmtKey(st.Policy, st.S.Src))
	}
	sort.Strings(ks)
	fp.WriteString(strings.Join(ks, "\x00"))
	return fp.String()
}

// compute fills r: the owners of the resource and trust policies with a
// statement for one of the item's actions, and the accounts such
// statements name.
func (s *situations) compute(it *item, r *relevance, all bool) {
	r.special = map[string]bool{}
	if all {
		r.all = true
		return
	}
	if unknownWildcard(s.d.resDistinct) != "" {
		// Actions of a service AWS's reference does not list cannot be
		// matched against the item's.
		r.all = true
		return
	}
	cand := append(analyze.ActionsOf(it.changed), s.d.resLiterals...)
	var acts []policy.Action
	trust := false
	for _, a := range cand {
		if matchesAny(it.changed, a) || (it.trust && authz.IsTrustAction(a)) {
			acts = append(acts, policy.NewAction(a))
			trust = trust || authz.IsTrustAction(a)
		}
	}
	mark := func(owner *org.Account, p *policy.Policy) {
		for _, st := range p.Statements {
			hit := false
			for i := range acts {
				if st.MatchesAction(&acts[i]) {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
			// The owner's own resources are its profile's (the class
			// key's); other accounts they name are told apart.
			named := map[string]bool{}
			for _, l := range [][]policy.Str{st.Src.Resource, principalValues(st.Src)} {
				for _, v := range l {
					accountIDs(v.Value, named)
				}
			}
			for _, c := range st.Src.Condition {
				for _, v := range c.Values {
					accountIDs(v, named)
				}
			}
			for id := range named {
				if owner == nil || id != owner.ID || s.d.sites == nil {
					r.special[id] = true
				}
			}
			if owner != nil && s.d.sites == nil {
				r.special[owner.ID] = true
			}
		}
	}
	for _, o := range s.d.orgs() {
		for _, res := range o.Resources {
			if res.Policy != nil {
				mark(res.Account, res.Policy)
			}
		}
		if trust {
			for _, role := range o.Roles {
				if role.Trust != nil {
					mark(role.Account, role.Trust)
				}
			}
		}
	}
}

// group sorts the principals into classes, in parallel, and returns them
// with their representatives' sides and items.
func (s *situations) group(work []principal, workers int, each func(done int)) []*pclass {
	type prep struct {
		sides [2]*authz.Situation
		items []item
		key   string
	}
	preps := make([]prep, len(work))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := &work[i]
				sides, items := s.d.itemsOf(p)
				k := ""
				if len(items) > 0 {
					k = solo(p.caller)
					if !p.outside && !s.d.perPrincipal {
						k = s.key(p, sides, items)
					}
				}
				preps[i] = prep{sides, items, k}
				if k == "" {
					each(1)
				}
			}
		}()
	}
	for i := range work {
		next <- i
	}
	close(next)
	wg.Wait()
	by := map[string]*pclass{}
	var out []*pclass
	for i := range work {
		pp := &preps[i]
		if pp.key == "" {
			continue
		}
		c := by[pp.key]
		if c == nil {
			c = &pclass{rep: &work[i], sides: pp.sides, items: pp.items}
			by[pp.key] = c
			out = append(out, c)
		}
		c.members = append(c.members, work[i].caller)
	}
	return out
}

// pclass is a class of principals in equal situations.
type pclass struct {
	rep     *principal
	sides   [2]*authz.Situation
	items   []item
	members []string // every member's caller, the representative's first
}

// profile is what the principal's account holds on the resource side, for
// its class key: each resource it owns (its key with the account written
// as SELF and without its name, and how every Resource pattern of
// the principal's side, of the account's RCPs and of the resource's own
// policy goes on after its ARN), in a canonical order. Two principals in
// one class then own twin resources (sites.go), which swapping their
// accounts swaps. ok is false when a resource keeps the account apart.
func (s *situations) profile(acct string, sides [2]*authz.Situation) (string, bool) {
	si := s.d.sites
	if si == nil {
		return "", true
	}
	a := si.byAcct[acct]
	if a == nil {
		return "", true
	}
	var pats, condKeys []string
	add := func(ps ...*policy.Policy) {
		for _, p := range ps {
			if p == nil {
				continue
			}
			for _, st := range p.Statements {
				for _, v := range st.Src.Resource {
					pats = append(pats, v.Value)
				}
				for _, c := range st.Src.Condition {
					condKeys = append(condKeys, strings.ToLower(c.Key))
					for _, v := range c.Values {
						condKeys = append(condKeys, varNames(v)...)
					}
				}
			}
		}
	}
	for i, sd := range sides {
		if sd != nil {
			add(sd.Inputs.Identity...)
			add(sd.Inputs.Boundary...)
			for _, l := range sd.Inputs.SCP {
				add(l.Policies...)
			}
		}
		for _, l := range s.d.orgs()[i].RCPLevels(acct) {
			add(l.Policies...)
		}
	}
	sort.Strings(pats)
	pats = dedupe(pats)
	for _, p := range pats {
		if strings.Contains(p, "${") {
			return "", false
		}
	}
	sort.Strings(condKeys)
	var sites []string
	for _, r := range a.res {
		// A name of the account's own in the resource's policy on a key
		// the principal's side or the RCPs test keeps it apart (sites.go).
		if r.solo || testsAny(condKeys, r.subKeys) {
			return "", false
		}
		sites = append(sites, r.key+self(si.residuals(r.arn, pats, r.pols), acct))
	}
	for _, r := range a.roles {
		sites = append(sites, r.key+self(si.residuals("arn:aws:iam::"+acct+":role/", pats, r.trust), acct))
	}
	sort.Strings(sites)
	return "\x01sites" + strings.Join(sites, "\x04"), true
}
