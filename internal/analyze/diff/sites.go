package diff

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Resources in equal situations
//
// A request's resource side is what one account holds: the policy of a
// declared resource (an S3 bucket's, a KMS key's), a role's trust policy
// for the STS actions, and the account's RCP levels and organization path.
// Most accounts of a large organization hold copies of one another: the
// same bucket policy naming its own bucket and account, the same roles with
// the same trust policies, under the same RCPs, each resource often named
// after its account (orders-queue-prod, a KMS key's random ID, a secret's
// random suffix). For one principal and one class of actions, two accounts
// X and Y other than the principal's are twins when, with each one's own
// account ID written as SELF:
//
//   - both organizations have or lack each of them, with the same RCP
//     levels (when RCPs apply to the action's service) and, when a
//     statement reads aws:ResourceOrgPaths, the same organization path;
//   - the resources of each that the requests may reach (the declared
//     resources with a statement for the action, every declared resource
//     when accounts are split, the roles for the STS actions) pair up with
//     equal keys: the ARN's shape (partition, service, region, account,
//     resource type; not the resource's name: arnShape), its owner in each
//     organization, its policies in both organizations statement by
//     statement by content, with each Resource pattern written as how it
//     goes on after the ARN (stmtKeyAt), its Block Public Access settings;
//     a role's name (with the account as SELF) unless no pattern can tell
//     role names apart;
//   - every Resource pattern the request may meet (the principal's
//     identity policies, boundary and SCPs, the RCPs, the resource's own
//     policy) goes on alike after each paired resource's ARN
//     (analyze.PatternResiduals): whatever follows the ARN, a pattern
//     matches both or neither;
//   - no statement of the principal's side or of the RCPs names either
//     account in a condition, no pattern matches account IDs partly by a
//     wildcard, and no statement of either organization could tell any
//     two accounts apart (situations.splitAll).
//
// Then swapping X and Y (their IDs, and each paired resource's ARN for its
// twin's) maps every request of the principal on X's resources to one on
// Y's that every statement the engine reads answers alike: Resource
// patterns by the residuals, whatever the names; Principal elements and
// conditions because they are equal with the account as SELF, and a
// whole value naming one of the account's own resources or roles as what
// it names (see resKeys: the swap also swaps those names, in the requests'
// context too). The other ARNs of X (when
// accounts are split) map to Y's by the account ID alone. So only one
// account per class of twins (its representative) is split from the
// others; the ARNs of the other members are left out, and each change
// found on the representative's resources stands for the members' twins.
// A resource whose owner differs between the organizations, or whose
// policy's Resource element holds a policy variable, keeps its account
// apart. The principal's own account is always apart (requests on it are
// same-account requests). Options.PerPrincipal turns this off.

// siteIndex holds the resource side of both organizations by account.
type siteIndex struct {
	d           *differ
	byAcct      map[string]*acctSites
	resOrgPaths bool
	// shapeOwners lists, per shapeKey, the policies of declared resources
	// and trust policies that have a statement of that shape: a statement
	// of resDistinct stands for all of them.
	shapeOwners map[string][]*policy.Policy
	// siteOf maps a declared resource's or role's policy to its account.
	siteOf map[*policy.Policy]string
	// rcpStmts are the RCPs' statements of both orgs.
	rcpStmts []analyze.Stmt

	relevant sync.Map // lower-case action -> map[*policy.Policy]bool: site policies with a statement for it
	profiles sync.Map // profile key -> *profiles
	memo     sync.Map // pattern, stem -> residuals
}

// acctSites is one account's resource side in both organizations.
type acctSites struct {
	id    string
	base  string // existence, RCP levels and paths in both orgs
	rcps  string // RCP levels (SELF) in both orgs
	paths string
	res   []*ownedRes
	roles []*ownedRole
}

// ownedRes is a declared resource an account owns in either org.
type ownedRes struct {
	arn  string
	pols [2]*policy.Policy
	key  string
	solo bool
	// label is its key with every name of its account's own resources
	// and roles in a condition or a Principal element written as one
	// placeholder (see ownNames); subKeys are the condition keys (lower-
	// cased) whose values name one.
	label   string
	subKeys []string
}

// ownedRole is a role of an account, in either org.
type ownedRole struct {
	arn, name string
	trust     [2]*policy.Policy
	// key is its name (the account written as SELF) and its trust
	// policies by content; anyKey the trust policies alone, for when no
	// pattern can tell role names apart; rawKey its name as it is.
	key, anyKey, rawKey string
}

func newSiteIndex(d *differ, resOrgPaths bool) *siteIndex {
	s := &siteIndex{d: d, byAcct: map[string]*acctSites{}, resOrgPaths: resOrgPaths,
		shapeOwners: map[string][]*policy.Policy{}, siteOf: map[*policy.Policy]string{}}
	acct := func(id string) *acctSites {
		a := s.byAcct[id]
		if a == nil {
			a = &acctSites{id: id}
			s.byAcct[id] = a
		}
		return a
	}
	for _, id := range d.accounts {
		a := acct(id)
		var b, rcps strings.Builder
		for _, o := range d.orgs() {
			_, ok := o.AccountByID(id)
			b.WriteString("|in")
			if ok {
				b.WriteString("+")
			}
			s.writeLevels(&rcps, o.RCPLevels(id), id)
			if resOrgPaths {
				a.paths += "|" + o.OrgPaths(id)
			}
		}
		a.base, a.rcps = b.String(), rcps.String()
	}
	seenRCP := map[*policy.Policy]bool{}
	for i, o := range d.orgs() {
		for _, id := range d.accounts {
			for _, l := range o.RCPLevels(id) {
				for _, p := range l.Policies {
					if !seenRCP[p] {
						seenRCP[p] = true
						s.rcpStmts = append(s.rcpStmts, analyze.StatementsOf(p)...)
					}
				}
			}
		}
		for _, r := range o.Resources {
			owner := ""
			if r.Account != nil {
				owner = r.Account.ID
			}
			if owner == "" {
				continue
			}
			a := acct(owner)
			var or *ownedRes
			for _, x := range a.res {
				if x.arn == r.ARN {
					or = x
				}
			}
			if or == nil {
				or = &ownedRes{arn: r.ARN}
				a.res = append(a.res, or)
			}
			or.pols[i] = r.Policy
			if r.Policy != nil {
				s.siteOf[r.Policy] = owner
				s.addShapes(r.Policy)
			}
		}
		for _, r := range o.Roles {
			if r.Account == nil || r.Trust == nil {
				continue
			}
			a := acct(r.Account.ID)
			var rr *ownedRole
			for _, x := range a.roles {
				if x.name == r.Name {
					rr = x
				}
			}
			if rr == nil {
				rr = &ownedRole{arn: r.ARN, name: r.Name}
				a.roles = append(a.roles, rr)
			}
			rr.trust[i] = r.Trust
			s.siteOf[r.Trust] = r.Account.ID
			s.addShapes(r.Trust)
		}
	}
	// Owners in each org, for the keys.
	owners := map[string][2]string{}
	for i, o := range d.orgs() {
		for _, r := range o.Resources {
			ow := owners[r.ARN]
			if r.Account != nil {
				ow[i] = r.Account.ID
			}
			owners[r.ARN] = ow
		}
	}
	for _, a := range s.byAcct {
		sort.Slice(a.res, func(i, j int) bool { return a.res[i].arn < a.res[j].arn })
		sort.Slice(a.roles, func(i, j int) bool { return a.roles[i].name < a.roles[j].name })
		for _, r := range a.roles {
			var b strings.Builder
			for _, p := range r.trust {
				b.WriteString("|")
				if p != nil {
					b.WriteString(d.contents.digestOf(p, a.id))
				}
			}
			r.key = "role " + self(r.name, a.id) + b.String()
			r.anyKey = "role*" + b.String()
			r.rawKey = "role\x00" + r.name + b.String()
		}
		// After the roles' keys: the resources' policies may name them.
		s.resKeys(a, owners)
	}
	return s
}

func (s *siteIndex) addShapes(p *policy.Policy) {
	for _, st := range analyze.StatementsOf(p) {
		k := shapeKey(st)
		s.shapeOwners[k] = append(s.shapeOwners[k], p)
	}
}

// writeLevels writes RCP levels by content, the account written as SELF:
// the policies of every level as one layer, as compareRCPLevels compares
// them (RCPFullAWSAccess is implicit at every level and only denies
// decide), or none when RCPs do not apply to the account.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
func (s *siteIndex) writeLevels(b *strings.Builder, ls []eval.Level, acct string) {
	if ls == nil {
		b.WriteString("|none")
		return
	}
	var ds []string
	for _, l := range ls {
		for _, p := range l.Policies {
			ds = append(ds, s.d.contents.digestOf(p, acct))
		}
	}
	sort.Strings(ds)
	b.WriteString("|rcps")
	for _, d := range ds {
		b.WriteString(d)
	}
}

// bucketName is an S3 bucket ARN's name, or "".
func bucketName(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok || rest == "" || strings.ContainsAny(rest, "/:*?") {
		return ""
	}
	return rest
}

// Names of an account's own in conditions and Principal elements
//
// A resource's policy may name other resources of its own account, or its
// roles, by their names: a queue's policy allowing sns:Publish only from
// its account's topic (aws:SourceArn), a secret's naming its account's
// application role as its Principal. Those names differ from account to
// account, yet two accounts whose policies name, each, its own counterpart
// are twins: swapping X and Y then also swaps each such name of X's for
// its counterpart's in Y (in the requests' context, where the example
// names the representative's resource, a member's request names its own).
// The counterpart is found by content: each own name in a condition value
// or a Principal element, where the whole value is that name, is written
// first as one placeholder (the resource's label), then as the label of
// the resource it names (a role's: its trust policies by content), so the
// names pair up exactly when what they name does. A label that two of an
// account's resources (or roles) share cannot say which one is named: the
// name is then written as any other value, its account as SELF (a name
// made of the account's ID still pairs). A resource that names an own one
// keeps its account apart when the name is in a
// condition on a key that the principal's side or the RCPs also test (a
// pattern there could match one name and not its counterpart), which
// compute checks per action against subKeys.

// ownNames lists an account's own names, longest first: the ARNs of the
// declared resources it owns and of its roles.
func ownNames(a *acctSites) []string {
	var out []string
	for _, r := range a.res {
		out = append(out, r.arn)
	}
	for _, r := range a.roles {
		out = append(out, r.arn)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// resKeys fills the keys of an account's declared resources: their labels
// (own names as one placeholder), then, for those whose policies name an
// own resource or role, the key with each name written as the label of
// what it names (see the comment above).
func (s *siteIndex) resKeys(a *acctSites, owners map[string][2]string) {
	names := ownNames(a)
	isOwn := make(map[string]bool, len(names))
	for _, n := range names {
		isOwn[n] = true
	}
	generic := func(v string) (string, bool) {
		if isOwn[v] {
			return "\x00OWN\x00", true
		}
		return v, false
	}
	for _, r := range a.res {
		r.subKeys = s.resKey(a.id, r, owners[r.arn], generic)
		r.label = r.key
	}
	var named []*ownedRes
	for _, r := range a.res {
		if r.subKeys != nil {
			named = append(named, r)
		}
	}
	if len(named) == 0 {
		return
	}
	labels := map[string]string{} // own name -> its label
	count := map[string]int{}
	for _, r := range a.res {
		labels[r.arn] = "res" + r.label
		count["res"+r.label]++
	}
	for _, r := range a.roles {
		labels[r.arn] = r.anyKey
		count[r.anyKey]++
	}
	for _, r := range named {
		refined := func(v string) (string, bool) {
			l, ok := labels[v]
			if !ok || count[l] > 1 {
				// Not an own name, or one whose label does not say
				// which resource it names: written with the account as
				// SELF, as any other value.
				return v, false
			}
			return "\x00OWN:" + hashKeys([]string{l}) + "\x00", true
		}
		r.subKeys = s.resKey(a.id, r, owners[r.arn], refined)
		if r.subKeys != nil {
			// The label too: equal keys name counterparts with equal
			// labels.
			r.key += "\x04" + hashKeys([]string{r.label})
		}
	}
}

// resKey fills a declared resource's key: its ARN's shape (see arnShape:
// everything but the resource's name, its account written as SELF), its
// owners, its policies statement by statement by content (stmtKeyAt: the
// account written as SELF, each Resource pattern as how it goes on after
// the ARN), its Block Public Access settings, whether RCPs apply to it (not
// to an AWS managed KMS key). A resource is solo (its
// account kept apart) when its owner differs between the orgs, its ARN
// names an account other than its owner, or its policy's Resource element
// holds a policy variable. own writes a whole condition or Principal value
// that is one of the owner's own names (see resKeys); the condition keys
// where it did are returned.
func (s *siteIndex) resKey(owner string, r *ownedRes, owners [2]string, own func(string) (string, bool)) []string {
	if owners[0] != owners[1] {
		r.solo = true
	}
	var parts [6]string
	if analyzeSplit(r.arn, &parts) && parts[4] != "" && parts[4] != owner {
		r.solo = true
	}
	var b strings.Builder
	var subKeys []string
	b.WriteString(arnShape(r.arn, owner))
	for i, p := range r.pols {
		b.WriteString("|")
		if p == nil {
			continue
		}
		keys := make([]string, 0, len(p.Statements))
		for _, st := range p.Statements {
			k, ok := stmtKeyAt(p, st.Src, r.arn, owner, own, &subKeys)
			if !ok {
				r.solo = true
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(hashKeys(keys))
		o := s.d.orgs()[i]
		if res, ok := o.ResourcePolicy(r.arn); ok {
			pab := o.PublicAccessBlockOf(res)
			b.WriteString(strings.Join([]string{boolStr(pab.BlockPublicAcls), boolStr(pab.IgnorePublicAcls), boolStr(pab.BlockPublicPolicy), boolStr(pab.RestrictPublicBuckets)}, ""))
			// An AWS managed KMS key is out of its account's RCPs.
			b.WriteString("|rcp" + boolStr(!res.AWSManagedKey()))
		}
	}
	r.key = b.String()
	return subKeys
}

// arnShape is what the engine reads of a declared resource's ARN other
// than by matching patterns, the account written as SELF: its partition,
// service, region and account, and its resource type (the resource part up
// to its first / or :, "key/" of a KMS key, "secret:" of a secret; none for
// an SQS queue, an SNS topic or an S3 bucket), and for an S3 bucket whether
// S3 reserves its name (eval's refusals). Not its name: how every pattern
// matches the ARN is compared apart (residuals, stmtKeyAt), so resources
// named after their account (orders-queue-prod, a KMS key's random ID) can
// be twins.
func arnShape(arn, owner string) string {
	var parts [6]string
	if !analyzeSplit(arn, &parts) {
		return self(arn, owner)
	}
	typ := ""
	if i := strings.IndexAny(parts[5], "/:"); i >= 0 {
		typ = parts[5][:i+1]
	}
	shape := self(strings.Join(parts[:5], ":"), owner) + ":" + typ
	if bucketName(arn) != "" {
		req, err := eval.NewRequest("arn:aws:iam::111122223333:role/warden-diff", "s3:CreateBucket", arn, "", nil)
		if err != nil || eval.Evaluate(req, &eval.Inputs{}).Refusal != "" {
			shape += "|reserved"
		}
	}
	return shape
}

// stmtKeyAt is stmtKey with each pattern of the Resource (or NotResource)
// element written as how it goes on after arn (analyze.PatternResiduals):
// all that the element says of the requests on the resource (its ARN, and
// an S3 bucket's objects after it), whatever the resource's name, and each
// whole condition or Principal value that names one of the owner's own
// resources or roles written by own (the condition's key then added to
// subKeys). ok is false when a pattern holds a policy variable.
func stmtKeyAt(p *policy.Policy, s *policy.Statement, arn, owner string, own func(string) (string, bool), subKeys *[]string) (string, bool) {
	c := *s
	c.Resource = make([]policy.Str, len(s.Resource))
	for i, v := range s.Resource {
		if strings.Contains(v.Value, "${") {
			return "", false
		}
		c.Resource[i].Value = strconv.Quote(analyze.PatternResiduals(v.Value, arn))
	}
	// The owner written as SELF before stmtKey sorts the values.
	selfs := func(l []policy.Str) []policy.Str {
		out := make([]policy.Str, len(l))
		for i, v := range l {
			if w, ok := own(v.Value); ok {
				out[i].Value = w
				*subKeys = append(*subKeys, "")
				continue
			}
			out[i].Value = self(v.Value, owner)
		}
		return out
	}
	if s.Principal != nil {
		pr := *s.Principal
		pr.AWS, pr.Service, pr.Federated, pr.CanonicalUser = selfs(pr.AWS), selfs(pr.Service), selfs(pr.Federated), selfs(pr.CanonicalUser)
		c.Principal = &pr
	}
	c.Condition = make([]policy.CondEntry, len(s.Condition))
	for i, e := range s.Condition {
		c.Condition[i] = e
		c.Condition[i].Values = make([]string, len(e.Values))
		for j, v := range e.Values {
			if w, ok := own(v); ok {
				c.Condition[i].Values[j] = w
				*subKeys = append(*subKeys, strings.ToLower(e.Key))
				continue
			}
			c.Condition[i].Values[j] = self(v, owner)
		}
	}
	return stmtKey(p, &c), true
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func analyzeSplit(v string, parts *[6]string) bool {
	if !strings.HasPrefix(v, "arn:") {
		return false
	}
	p := strings.SplitN(v, ":", 6)
	if len(p) < 6 {
		return false
	}
	copy(parts[:], p)
	return true
}

// twins are the classes of twin accounts for one principal and action
// class: each class's representative first.
type twins struct {
	pr        *profiles
	acctSplit bool
	// removed holds the members other than the representatives: their
	// resources (and, when every account is split, their other ARNs) are
	// covered by the representatives'.
	removed map[string]bool
	// of maps each representative to its class.
	of map[string][]string
}

// profiles is every account's twin key for one action, set of patterns
// and way of splitting accounts; "" keeps an account apart.
type profiles struct {
	once sync.Once
	keys map[string]string
	// sites lists each account's resources that the requests may reach,
	// in key order, for pairing; index finds a declared resource's place
	// in its owner's list (by ARN) and a role's (by account and name);
	// owner is each declared resource's account.
	sites map[string][]site
	index map[string]int
	owner map[string]string
}

type site struct {
	arn, key, kind string
}

// sitePolicies are the declared resources' and trust policies with a
// statement for an action.
func (s *siteIndex) sitePolicies(action string) map[*policy.Policy]bool {
	k := strings.ToLower(action)
	if v, ok := s.relevant.Load(k); ok {
		return v.(map[*policy.Policy]bool)
	}
	act := policy.NewAction(action)
	out := map[*policy.Policy]bool{}
	for p := range s.siteOf {
		for _, st := range p.Statements {
			if st.MatchesAction(&act) {
				out[p] = true
				break
			}
		}
	}
	v, _ := s.relevant.LoadOrStore(k, out)
	return v.(map[*policy.Policy]bool)
}

// group sorts the accounts into twins for one principal's requests of one
// action class: pats are the Resource patterns of the principal's side and
// the RCPs that match the action, condKeys the condition keys they test
// (lower-cased), named the accounts their conditions name, own the
// principal's accounts. acctSplit says whether every account is split. It
// returns nil when nothing can be grouped.
func (s *siteIndex) group(action string, pats []string, condKeys []string, named, own map[string]bool, acctSplit bool) *twins {
	for _, p := range pats {
		if strings.Contains(p, "${") {
			return nil
		}
	}
	trust := authz.IsTrustAction(action)
	rcp := awsdata.RCPAppliesTo(action)
	sp := append([]string(nil), pats...)
	sort.Strings(sp)
	sp = dedupe(sp)
	ck := append([]string(nil), condKeys...)
	sort.Strings(ck)
	ck = dedupe(ck)
	k := strings.ToLower(action) + "\x00" + strings.Join(sp, "\x00") + "\x00" + boolStr(acctSplit) + "\x01" + strings.Join(ck, "\x00")
	v, _ := s.profiles.LoadOrStore(k, &profiles{})
	pr := v.(*profiles)
	pr.once.Do(func() { s.compute(pr, action, sp, ck, trust, rcp, acctSplit) })

	by := map[string]int{}
	var classes [][]string
	for _, id := range s.d.accounts {
		key := pr.keys[id]
		if key == "" || named[id] || own[id] {
			continue
		}
		i, ok := by[key]
		if !ok {
			i = len(classes)
			by[key] = i
			classes = append(classes, nil)
		}
		classes[i] = append(classes[i], id)
	}
	t := &twins{pr: pr, acctSplit: acctSplit, removed: map[string]bool{}, of: map[string][]string{}}
	for _, c := range classes {
		if len(c) < 2 {
			continue
		}
		t.of[c[0]] = c
		for _, m := range c[1:] {
			t.removed[m] = true
		}
	}
	if len(t.of) == 0 {
		return nil
	}
	return t
}

// compute fills every account's twin key (see the comment at the top).
func (s *siteIndex) compute(pr *profiles, action string, pats, condKeys []string, trust, rcp, acctSplit bool) {
	pols := s.sitePolicies(action)
	pr.keys = map[string]string{}
	pr.sites = map[string][]site{}
	pr.index = map[string]int{}
	pr.owner = map[string]string{}
	for _, id := range s.d.accounts {
		a := s.byAcct[id]
		var b strings.Builder
		b.WriteString(a.base)
		if rcp {
			b.WriteString(a.rcps)
		}
		b.WriteString(a.paths)
		if acctSplit {
			// The account's other ARNs: a pattern that names it, or
			// matches part of an account ID, tells it apart.
			for _, p := range pats {
				if partialAccount(p) {
					goto solo
				}
				if self(p, id) != p {
					goto solo
				}
			}
		}
		{
			var sites []site
			for _, r := range a.res {
				if !acctSplit && !pols[r.pols[0]] && !pols[r.pols[1]] {
					continue
				}
				if r.solo || testsAny(condKeys, r.subKeys) {
					goto solo
				}
				sites = append(sites, site{arn: r.arn, key: r.key + s.residuals(r.arn, pats, r.pols), kind: kindOf(r.arn)})
			}
			if trust {
				// A role's requests name it by its account, any path and
				// its name: roles of two accounts pair when their names
				// are equal with each one's account written as SELF and
				// every pattern matches account IDs alike, or whatever
				// their names when every pattern's rest after the
				// account's roles/ is empty or only stars.
				stem := "arn:aws:iam::" + id + ":role/"
				blind, invariant := true, true
				for _, p := range pats {
					blind = blind && starsOnly(s.residual(p, stem))
					invariant = invariant && !partialAccount(p) && self(p, id) == p
				}
				for _, r := range a.roles {
					k := r.key
					switch {
					case blind:
						k = r.anyKey
					case !invariant:
						k = r.rawKey
					}
					sites = append(sites, site{arn: r.arn, key: k + s.residuals(stem, pats, r.trust), kind: "role"})
				}
			}
			sort.SliceStable(sites, func(i, j int) bool { return sites[i].key < sites[j].key })
			for i, st := range sites {
				b.WriteString("\x01")
				b.WriteString(st.key)
				if st.kind == "role" {
					pr.index[roleRef(id, st.arn)] = i
				} else {
					pr.index[st.arn] = i
					pr.owner[st.arn] = id
				}
			}
			pr.sites[id] = sites
			pr.keys[id] = b.String()
			continue
		}
	solo:
		pr.keys[id] = ""
	}
}

// testsAny reports whether a condition key where a resource's policy names
// an own resource or role (subKeys; "" for a Principal element) is one the
// principal's side or the RCPs test (condKeys, sorted).
func testsAny(condKeys, subKeys []string) bool {
	for _, k := range subKeys {
		if k == "" {
			continue
		}
		if i := sort.SearchStrings(condKeys, k); i < len(condKeys) && condKeys[i] == k {
			return true
		}
	}
	return false
}

// residuals is how every pattern (and the resource's own policies'
// Resource patterns) goes on after a resource's ARN (or a role's stem).
func (s *siteIndex) residuals(stem string, pats []string, own [2]*policy.Policy) string {
	var b strings.Builder
	for _, p := range pats {
		b.WriteString(s.residual(p, stem))
		b.WriteByte(2)
	}
	for _, p := range own {
		if p == nil {
			continue
		}
		for _, st := range p.Statements {
			for _, r := range st.Src.Resource {
				b.WriteString(analyze.PatternResiduals(r.Value, stem))
				b.WriteByte(3)
			}
		}
	}
	return b.String()
}

// starsOnly reports whether every rest of a pattern's residuals
// (analyze.PatternResiduals) is empty or only stars: the pattern matches
// every non-empty string after the prefix alike.
func starsOnly(res string) bool {
	for _, e := range strings.Split(res, "\x01") {
		text, _, _ := strings.Cut(e, "\x00")
		if strings.Trim(text, "*") != "" {
			return false
		}
	}
	return true
}

// residual is analyze.PatternResiduals, memoized.
func (s *siteIndex) residual(pat, stem string) string {
	k := pat + "\x00" + stem
	if v, ok := s.memo.Load(k); ok {
		return v.(string)
	}
	r := analyze.PatternResiduals(pat, stem)
	s.memo.Store(k, r)
	return r
}

// kindOf names a resource's kind for people: "S3 bucket", "KMS key", ...
func kindOf(arn string) string {
	var parts [6]string
	if !analyzeSplit(arn, &parts) {
		return "resource"
	}
	if parts[2] == "s3" && bucketName(arn) != "" {
		return "S3 bucket"
	}
	typ := ""
	if i := strings.IndexAny(parts[5], "/:"); i >= 0 {
		typ = parts[5][:i]
	}
	switch {
	case typ != "":
		return parts[2] + " " + typ
	case parts[2] == "sqs":
		return "SQS queue"
	case parts[2] == "sns":
		return "SNS topic"
	}
	return parts[2] + " resource"
}

// roleRef names a role by account and name (the last part of its path),
// as authz finds the role of an STS action's resource.
func roleRef(acct, roleARN string) string {
	return "role " + acct + "/" + roleARN[strings.LastIndexByte(roleARN, '/')+1:]
}

// isRemovedRole reports whether an IAM ARN names a role of a removed
// account that the twins pair.
func (t *twins) isRemovedRole(parts *[6]string) bool {
	if parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") || !t.removed[parts[4]] {
		return false
	}
	_, ok := t.pr.index[roleRef(parts[4], parts[5])]
	return ok
}

// isRemovedRes reports whether a declared resource belongs to a removed
// account's paired resources.
func (t *twins) isRemovedRes(arn string) bool {
	o, ok := t.pr.owner[arn]
	return ok && t.removed[o]
}

// covered reports whether an ARN lies in a member's part of the twins (a
// removed account's ARNs when accounts are split, a removed resource or an
// S3 object of it, a removed role under any path).
func (t *twins) covered(arn string) bool {
	var parts [6]string
	if !analyzeSplit(arn, &parts) {
		return false
	}
	if (t.acctSplit && t.removed[parts[4]]) || t.isRemovedRes(arn) || t.isRemovedRole(&parts) {
		return true
	}
	if parts[2] == "s3" && parts[4] == "" {
		b, _, _ := strings.Cut(parts[5], "/")
		return t.isRemovedRes("arn:aws:s3:::" + b)
	}
	return false
}

// filter drops the globs of the members' parts: a removed account's
// ARNs (when accounts are split), a removed resource's globs
// (resourceGlobs), a removed role's (roleGlobs).
func (t *twins) filter(globs []string) []string {
	var out []string
	for _, g := range globs {
		var parts [6]string
		removed := false
		if analyzeSplit(g, &parts) {
			switch {
			case t.acctSplit && parts[0] == "arn" && parts[1] == "*" && parts[2] == "*" && parts[3] == "*" && parts[5] == "*" && t.removed[parts[4]]:
				removed = true
			case t.isRemovedRes(g) || t.isRemovedRes(strings.TrimSuffix(g, "/*")):
				removed = true
			case t.isRemovedRole(&parts):
				removed = true
			}
		}
		if !removed {
			out = append(out, g)
		}
	}
	return out
}

// members lists what a representative resource stands for beside itself:
// its twins in the class's other accounts, or (an ARN of a
// representative account outside its paired resources) the other
// accounts.
func (t *twins) members(arn string) (kind string, site string, out []string) {
	var parts [6]string
	if !analyzeSplit(arn, &parts) {
		return "", "", nil
	}
	acct, key := "", ""
	switch {
	case parts[2] == "s3" && parts[4] == "":
		b, _, _ := strings.Cut(parts[5], "/")
		key = "arn:aws:s3:::" + b
		acct = t.pr.owner[key]
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "role/"):
		acct, key = parts[4], roleRef(parts[4], parts[5])
	default:
		key = arn
		acct = t.pr.owner[arn]
	}
	if c, ok := t.of[acct]; ok {
		if i, ok := t.pr.index[key]; ok {
			st := t.pr.sites[acct][i]
			for _, m := range c[1:] {
				out = append(out, t.pr.sites[m][i].arn)
			}
			return st.kind, st.arn, out
		}
	}
	if c, ok := t.of[parts[4]]; ok && parts[4] != "" {
		return "account", parts[4], c[1:]
	}
	return "", "", nil
}

// relFor is rel without the statements that only removed resources'
// policies have: they are read only on the members' resources, which the
// representatives stand for.
func (s *siteIndex) relFor(rel []analyze.Stmt, t *twins) []analyze.Stmt {
	var out []analyze.Stmt
	for _, st := range rel {
		owners, isSite := s.shapeOwners[shapeKey(st)]
		keep := !isSite
		if _, mine := s.siteOf[st.Policy]; !mine {
			keep = true
		}
		for _, p := range owners {
			if !t.removed[s.siteOf[p]] {
				keep = true
				break
			}
		}
		if keep {
			out = append(out, st)
		}
	}
	return out
}

// orgResources is every declared resource's owner, of both orgs.
func orgResources(os ...*org.Org) map[string]string {
	out := map[string]string{}
	for _, o := range os {
		for _, r := range o.Resources {
			if r.Account != nil {
				out[r.ARN] = r.Account.ID
			}
		}
	}
	return out
}
