package analyze

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/policy"
)

// Principal is a class of callers: a representative caller with the context
// keys AWS sets for it, and how a finding names the class.
type Principal struct {
	ARN     string              // the caller as eval.NewRequest takes it
	Caller  policy.Caller       // ARN parsed
	Context map[string][]string // keys AWS sets for this caller (see fixedKeys)
	// Desc names the class as Access Analyzer's finding does: {"AWS": "*"}
	// (anyone, or any account), {"AWS": account or ARN}, {"Service": name},
	// {"Federated": provider}.
	Desc map[string]string
	// Account is the caller's account ("" for anonymous and identity
	// providers); for a service principal, the account it acts for
	// (aws:SourceAccount).
	Account string
}

// fixedKeys are the keys AWS sets from the caller and the resource, not the
// caller's choice: a principal class or the resource fixes their values, and
// they are never enumerated freely (lower-cased).
var fixedKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:principalorgid": true,
	"aws:principalorgpaths": true, "aws:principaltype": true, "aws:principalisawsservice": true,
	"aws:principalservicename": true, "aws:principalservicenameslist": true, "aws:username": true,
	"kms:calleraccount": true, "aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourceowner": true,
	"aws:sourceorgid": true, "aws:sourceorgpaths": true, "aws:resourceaccount": true,
	"aws:resourceorgid": true, "aws:resourceorgpaths": true,
}

// IsFixedKey reports whether a condition key's value comes from the caller's
// identity or the resource rather than from the request.
func IsFixedKey(key string) bool { return fixedKeys[strings.ToLower(key)] }

// restrictingKeys are the keys whose values a caller cannot choose: a test
// of them restricts who gets in, and findings name it as their condition
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
var restrictingKeys = map[string]bool{
	"aws:principalorgid": true, "aws:principalorgpaths": true, "aws:principalaccount": true,
	"aws:principalarn": true, "aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourceowner": true,
	"aws:sourceorgid": true, "aws:sourceorgpaths": true, "aws:sourceip": true, "aws:sourcevpc": true,
	"aws:sourcevpce": true, "aws:vpcsourceip": true, "kms:calleraccount": true, "aws:userid": true,
	"aws:username": true, "aws:principalservicename": true, "s3:dataaccesspointarn": true,
	"s3:dataaccesspointaccount": true, "aws:principalisawsservice": true,
}

// IsRestrictingKey reports whether the caller cannot choose the key's value.
// The claims of an identity provider (sub, aud, amr, SAML attributes) count:
// the provider sets them.
func IsRestrictingKey(key string) bool {
	k := strings.ToLower(key)
	if restrictingKeys[k] || strings.HasPrefix(k, "saml:") {
		return true
	}
	return strings.HasSuffix(k, ":sub") || strings.HasSuffix(k, ":aud") || strings.HasSuffix(k, ":amr") || strings.HasSuffix(k, ":oaud")
}

// principalFacts are the literals of a set of statements that split callers.
type principalFacts struct {
	accountPats []pattern // 12-digit account values and parts of principal ARNs
	namePats    []pattern // resource parts of principal ARNs
	orgIDPats   []pattern
	orgPathPats []pattern
	services    []string
	federated   []string
	sourceArns  []pattern
	exact       bool
}

func collectPrincipalFacts(stmts []Stmt) principalFacts {
	f := principalFacts{exact: true}
	addARN := func(v string, like bool) {
		var parts [6]string
		if !strings.HasPrefix(v, "arn:") || !arn.Split(v, &parts) {
			return
		}
		mk := literalPattern
		if like {
			mk = globPattern
		}
		f.accountPats = append(f.accountPats, mk(parts[4]))
		f.namePats = append(f.namePats, mk(parts[5]))
	}
	for _, st := range stmts {
		s := st.S.Src
		if p := s.Principal; p != nil {
			for _, v := range p.AWS {
				if isDigits12(v.Value) {
					f.accountPats = append(f.accountPats, literalPattern(v.Value))
				} else if v.Value != "*" {
					addARN(v.Value, false)
				}
			}
			for _, v := range p.Service {
				if v.Value != "*" {
					f.services = append(f.services, v.Value)
				}
			}
			for _, v := range p.Federated {
				f.federated = append(f.federated, v.Value)
			}
		}
		for _, u := range usesOf(s, st.Policy.Doc.Vars()) {
			if u.dynamic && fixedKeys[u.key] {
				f.exact = false
			}
			mk := literalPattern
			if u.like || u.fam == famARN {
				mk = globPattern
			}
			if u.fold {
				f.exact = f.exact && u.fam != famString
				mk = foldPattern
			}
			for _, v := range u.values {
				switch u.key {
				case "aws:principalaccount", "kms:calleraccount", "aws:sourceaccount", "aws:sourceowner":
					f.accountPats = append(f.accountPats, mk(v))
				case "aws:principalarn":
					addARN(v, true)
				case "aws:sourcearn":
					f.sourceArns = append(f.sourceArns, arnPattern(v))
					addARN(v, true)
				case "aws:principalorgid", "aws:sourceorgid":
					f.orgIDPats = append(f.orgIDPats, mk(v))
				case "aws:principalorgpaths", "aws:sourceorgpaths":
					f.orgPathPats = append(f.orgPathPats, mk(v))
				case "aws:principalservicename":
					f.services = append(f.services, v)
				}
			}
		}
	}
	f.services = dedupe(f.services)
	f.federated = dedupe(f.federated)
	return f
}

func isDigits12(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// accountReps partitions the 12-digit account IDs by the account patterns.
func accountReps(pats []pattern) ([]string, bool) {
	shape := globPattern("????????????")
	all := append(append([]pattern(nil), pats...), shape)
	rs, ok := regionsOver(all, []byte("0123456789"))
	var out []string
	for _, r := range rs {
		if r.matches[len(all)-1] {
			out = append(out, r.rep)
		}
	}
	return out, ok
}

// principalShapes are the resource parts of the principal ARNs a caller can
// have: the root user, a user, a role (whose sessions call), a role session
// named by its session ARN, a federated user.
var principalShapes = []string{"root", "user/?*", "role/?*", "assumed-role/?*/?*", "federated-user/?*"}

// nameReps partitions the resource parts of principal ARNs.
func nameReps(pats []pattern) ([]string, bool) {
	all := append([]pattern(nil), pats...)
	for _, s := range principalShapes {
		all = append(all, globPattern(s))
	}
	// A name never ends with a slash: that splitter keeps the shortest
	// representative of each class a real name.
	all = append(all, globPattern("*/"))
	rs, ok := regions(all, freshByte(all))
	var out []string
	for _, r := range rs {
		if r.matches[len(all)-1] {
			continue
		}
		for k := range principalShapes {
			if r.matches[len(pats)+k] {
				out = append(out, r.rep)
				break
			}
		}
	}
	return out, ok
}

// orgOption is the organization an outside caller's account belongs to.
type orgOption struct{ id, path string }

// Principals returns the classes of callers outside the zone that the
// statements can tell apart, and whether the classes are exact. Every caller
// outside the zone has the same decisions, for every request, as one of the
// classes' representatives.
func Principals(stmts []Stmt, z *Zone) ([]Principal, bool) {
	f := collectPrincipalFacts(stmts)
	exact := f.exact
	accts, ok := accountReps(f.accountPats)
	exact = exact && ok
	names, ok := nameReps(f.namePats)
	exact = exact && ok

	var outside []string
	for _, a := range accts {
		if !z.Contains(a) {
			outside = append(outside, a)
		}
	}
	// Services act for the accounts of the regions; and for an account of
	// the organization outside an account zone (one per organization path
	// when a policy tests aws:SourceOrgPaths).
	sources := append([]string(nil), outside...)
	// An account of the organization outside an account zone: one per
	// organization path that no literal names.
	if z.Kind == ZoneAccount && z.Org.ID != "" {
		seenPath := map[string]bool{}
		for _, id := range z.Org.members() {
			if id == z.Account || seenPath[z.Org.Paths[id]] {
				continue
			}
			seenPath[z.Org.Paths[id]] = true
			if len(sources) == len(outside) || len(f.orgPathPats) > 0 {
				sources = append(sources, id)
			}
			outside = append(outside, id)
		}
	}
	for _, a := range accts {
		if z.Contains(a) && !literalIn(a, f.accountPats) {
			// The region's representative fell in the zone: the region's
			// other accounts are not represented.
			exact = false
		}
	}
	outside = dedupe(outside)
	orgs := externalOrgs(f, z)
	// Only an Allow statement lets an outside caller in, and one that does
	// not grant everyone names its principals literally (IAM supports no
	// other wildcard in principals): callers it does not name are denied, so
	// their classes need no representative.
	everyone, named := allowedPrincipals(stmts)
	if !everyone {
		var keep []string
		for _, a := range outside {
			if named[a] {
				keep = append(keep, a)
			}
		}
		outside = keep
	}

	var out []Principal
	if everyone {
		out = append(out, Principal{ARN: "*", Desc: map[string]string{"AWS": "*"}, Context: map[string][]string{}})
	}
	literal := map[string]bool{}
	for _, a := range accts {
		if literalIn(a, f.accountPats) {
			literal[a] = true
		}
	}
	for _, a := range outside {
		opts := orgs
		if p, ok := z.Org.Paths[a]; ok {
			opts = []orgOption{{z.Org.ID, p}}
		}
		for _, o := range opts {
			for _, n := range names {
				p, ok := awsPrincipal(a, n, o)
				if !ok {
					continue
				}
				p.Desc = map[string]string{"AWS": "*"}
				switch {
				case namedPrincipal(p.Caller.ARN, stmts) || namedPrincipal(p.Context["aws:PrincipalArn"][0], stmts):
					p.Desc["AWS"] = p.Context["aws:PrincipalArn"][0]
					if p.Caller.Kind == policy.CallerAssumedRole && namedPrincipal(p.Caller.ARN, stmts) {
						p.Desc["AWS"] = p.Caller.ARN
					}
				case literal[a] || z.Org.Paths[a] != "":
					p.Desc["AWS"] = a
				}
				if p.Desc["AWS"] == "arn:aws:iam::"+a+":root" {
					p.Desc["AWS"] = a // the account, as Access Analyzer names it
				}
				out = append(out, p)
			}
		}
	}
	// The named services, and one that no policy names: a grant to everyone
	// lets any service in, acting for any account.
	var svcs []string
	for _, svc := range append(append([]string(nil), f.services...), unnamedService) {
		if everyone || named[strings.ToLower(svc)] {
			svcs = append(svcs, svc)
		}
	}
	srcArns, ok := repsOf(f.sourceArns, -1)
	exact = exact && ok
	for _, svc := range svcs {
		for _, a := range sources {
			for _, sa := range append(srcArns, "arn:aws:"+serviceOf(svc)+":us-east-1:"+a+":warden-source") {
				var parts [6]string
				if isARNShaped(sa) && arn.Split(sa, &parts) && isDigits12(parts[4]) && parts[4] != a {
					continue // its own account is another class
				}
				opts := orgs
				if p, ok := z.Org.Paths[a]; ok {
					opts = []orgOption{{z.Org.ID, p}}
				}
				for _, o := range opts {
					out = append(out, servicePrincipal(svc, a, sa, o))
				}
			}
		}
	}
	for _, fed := range append(f.federated, "idp.warden.invalid") {
		if !everyone && !named[fed] {
			continue
		}
		c, err := policy.ParseCaller(fed)
		if err != nil || c.Kind != policy.CallerWebIdentity {
			continue
		}
		out = append(out, Principal{ARN: fed, Caller: c, Desc: map[string]string{"Federated": fed}, Context: map[string][]string{}})
	}
	for i := range out {
		if out[i].ARN == "*" {
			out[i].Caller, _ = policy.ParseCaller("*")
		}
	}
	return out, exact
}

// unnamedService stands for every service principal that no policy names.
const unnamedService = "warden-unnamed.amazonaws.com"

// allowedPrincipals reads the Allow statements' principals: whether one
// grants everyone ("*", or a NotPrincipal), and otherwise the accounts,
// services (lower-cased) and identity providers they name.
func allowedPrincipals(stmts []Stmt) (everyone bool, named map[string]bool) {
	named = map[string]bool{}
	for _, st := range stmts {
		if st.S.Effect != policy.Allow || st.S.Src.Principal == nil {
			continue
		}
		if grantsEveryone(st.S.Src) {
			return true, nil
		}
		p := st.S.Src.Principal
		for _, v := range p.AWS {
			if isDigits12(v.Value) {
				named[v.Value] = true
			} else if a, err := arn.Parse(v.Value); err == nil {
				named[a.Account] = true
			}
		}
		for _, v := range p.Service {
			if v.Value == "*" {
				return true, nil
			}
			named[strings.ToLower(v.Value)] = true
		}
		for _, v := range p.Federated {
			named[v.Value] = true
		}
	}
	return false, named
}

func serviceOf(svc string) string {
	s, _, _ := strings.Cut(svc, ".")
	return s
}

func literalIn(s string, pats []pattern) bool {
	for _, p := range pats {
		if p.text == s {
			return true
		}
	}
	return false
}

// namedPrincipal reports whether a Principal or NotPrincipal element names
// the ARN literally.
func namedPrincipal(a string, stmts []Stmt) bool {
	for _, st := range stmts {
		if p := st.S.Src.Principal; p != nil {
			for _, v := range p.AWS {
				if v.Value == a {
					return true
				}
			}
		}
	}
	return false
}

// externalOrgs lists the organizations an account outside the zone's
// organization can be in, as the statements tell them apart: none, or one
// per class of organization ID and path.
func externalOrgs(f principalFacts, z *Zone) []orgOption {
	out := []orgOption{{}}
	ids, _ := repsOf(f.orgIDPats, -1)
	for _, id := range append(ids, "o-wardenzzzz") {
		if id == "" || id == z.Org.ID {
			continue
		}
		out = append(out, orgOption{id, id + "/r-zzzz/"})
	}
	paths, _ := repsOf(f.orgPathPats, -1)
	for _, p := range paths {
		id, _, _ := strings.Cut(p, "/")
		if id == "" || id == z.Org.ID {
			continue
		}
		out = append(out, orgOption{id, p})
	}
	seen := map[orgOption]bool{}
	var uniq []orgOption
	for _, o := range out {
		if !seen[o] {
			seen[o] = true
			uniq = append(uniq, o)
		}
	}
	return uniq
}

// awsPrincipal builds the caller of account a whose principal ARN has the
// resource part name, with the keys AWS sets for it.
func awsPrincipal(a, name string, o orgOption) (Principal, bool) {
	var callerARN, principalARN string
	switch {
	case name == "root":
		callerARN = "arn:aws:iam::" + a + ":root"
		principalARN = callerARN
	case strings.HasPrefix(name, "user/"):
		callerARN = "arn:aws:iam::" + a + ":" + name
		principalARN = callerARN
	case strings.HasPrefix(name, "role/"):
		principalARN = "arn:aws:iam::" + a + ":" + name
		callerARN = "arn:aws:sts::" + a + ":assumed-role/" + lastSeg(name) + "/warden-session"
	case strings.HasPrefix(name, "assumed-role/"):
		callerARN = "arn:aws:sts::" + a + ":" + name
		parts := strings.Split(name, "/")
		if len(parts) != 3 {
			return Principal{}, false
		}
		principalARN = "arn:aws:iam::" + a + ":role/" + parts[1]
	case strings.HasPrefix(name, "federated-user/"):
		callerARN = "arn:aws:sts::" + a + ":" + name
		principalARN = callerARN
	default:
		return Principal{}, false
	}
	c, err := policy.ParseCaller(callerARN)
	if err != nil {
		return Principal{}, false
	}
	ctx := map[string][]string{
		"aws:PrincipalArn":          {principalARN},
		"aws:PrincipalAccount":      {a},
		"aws:PrincipalIsAWSService": {"false"},
		"kms:CallerAccount":         {a},
	}
	switch c.Kind {
	case policy.CallerRoot:
		ctx["aws:PrincipalType"] = []string{"Account"}
	case policy.CallerUser:
		ctx["aws:PrincipalType"] = []string{"User"}
		ctx["aws:username"] = []string{c.Name}
	case policy.CallerAssumedRole:
		ctx["aws:PrincipalType"] = []string{"AssumedRole"}
	case policy.CallerFederatedUser:
		ctx["aws:PrincipalType"] = []string{"FederatedUser"}
	}
	if o.id != "" {
		ctx["aws:PrincipalOrgID"] = []string{o.id}
		ctx["aws:PrincipalOrgPaths"] = []string{o.path}
	}
	return Principal{ARN: callerARN, Caller: c, Context: ctx, Account: a}, true
}

func lastSeg(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// servicePrincipal is service svc acting for account a (aws:SourceAccount),
// on behalf of the resource sourceArn.
func servicePrincipal(svc, a, sourceArn string, o orgOption) Principal {
	c, _ := policy.ParseCaller(svc)
	if c.Kind != policy.CallerService {
		c = policy.Caller{Kind: policy.CallerService, ARN: svc}
	}
	ctx := map[string][]string{
		"aws:PrincipalServiceName":  {svc},
		"aws:PrincipalIsAWSService": {"true"},
		"aws:SourceAccount":         {a},
		"aws:SourceOwner":           {a},
		"aws:SourceArn":             {sourceArn},
	}
	if o.id != "" {
		ctx["aws:SourceOrgID"] = []string{o.id}
		ctx["aws:SourceOrgPaths"] = []string{o.path}
	}
	return Principal{ARN: svc, Caller: c, Context: ctx, Desc: map[string]string{"Service": svc}, Account: a}
}
