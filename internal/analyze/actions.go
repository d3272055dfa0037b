package analyze

import (
	"sort"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// ActionClass is a set of actions that every statement treats alike: each
// statement's Action or NotAction element matches all of them or none, and
// RCPs either leave all of them alone as exempt (awsdata.RCPExempt) or none,
// and AWS refuses all of them to IAM principals (eval.FederatedAssume) or
// none.
type ActionClass struct {
	Rep     string   // the representative the engine is run on
	Actions []string // every member, as AWS spells them
}

// ActionClasses groups the actions of universe by the statements that match
// them.
func ActionClasses(stmts []Stmt, universe []string) []ActionClass {
	bySig := map[string]int{}
	var out []ActionClass
	sig := make([]byte, len(stmts)+2)
	for _, a := range universe {
		act := policy.NewAction(a)
		for i, st := range stmts {
			sig[i] = '0'
			if st.S.MatchesAction(&act) {
				sig[i] = '1'
			}
		}
		// An action RCPs do not impact is decided otherwise than its
		// neighbours whenever an RCP denies them both.
		sig[len(stmts)] = '0'
		if awsdata.RCPExempt(a) {
			sig[len(stmts)] = '1'
		}
		// Only an identity provider's user calls AssumeRoleWithSAML and
		// AssumeRoleWithWebIdentity: refused to IAM principals, unlike
		// AssumeRole beside them.
		sig[len(stmts)+1] = '0'
		if eval.FederatedAssume(a) {
			sig[len(stmts)+1] = '1'
		}
		k := string(sig)
		if i, ok := bySig[k]; ok {
			out[i].Actions = append(out[i].Actions, a)
			continue
		}
		bySig[k] = len(out)
		out = append(out, ActionClass{Rep: a, Actions: []string{a}})
	}
	return out
}

// ActionsOn lists the actions of AWS's reference that apply to a resource
// ARN (by the ARN templates of the actions' resource types), with the
// literal actions of the statements for its services that the reference
// does not know. exact is false when a statement names actions of such a
// service by a wildcard: they cannot be listed.
func ActionsOn(resource string, stmts []Stmt) (acts []string, exact bool) {
	svcs := servicesOf(resource)
	exact = true
	seen := map[string]bool{}
	for _, svc := range svcs {
		for _, rt := range serviceResourceTypes(svc) {
			if !rt.pat.match(resource) {
				continue
			}
			for _, a := range rt.actions {
				if k := strings.ToLower(a); !seen[k] {
					seen[k] = true
					acts = append(acts, a)
				}
			}
		}
	}
	for _, st := range stmts {
		for _, v := range st.S.Src.Action {
			svc, name, _ := strings.Cut(strings.ToLower(v.Value), ":")
			if !containsStr(svcs, svc) {
				continue
			}
			if _, known := awsdata.LookupService(svc); known {
				if _, ok := awsdata.LookupAction(v.Value); ok || strings.ContainsAny(name, "*?") {
					continue
				}
			} else if strings.ContainsAny(name, "*?") {
				exact = false
				continue
			}
			if k := strings.ToLower(v.Value); !seen[k] {
				seen[k] = true
				acts = append(acts, v.Value)
			}
		}
	}
	sort.Slice(acts, func(i, j int) bool { return lessFold(acts[i], acts[j]) })
	return acts, exact
}

func lessFold(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := lowerASCII(a[i]), lowerASCII(b[i])
		if x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}

// typeActions is a resource type of a service with its ARN pattern and the
// actions that apply to it.
type typeActions struct {
	pat     pattern
	actions []string
}

var resourceTypeCache sync.Map // service prefix -> []typeActions

func serviceResourceTypes(svc string) []typeActions {
	if v, ok := resourceTypeCache.Load(svc); ok {
		return v.([]typeActions)
	}
	var out []typeActions
	if s, ok := awsdata.LookupService(svc); ok {
		idx := map[string]int{}
		for _, a := range s.Actions() {
			for _, rt := range a.ResourceTypes {
				i, ok := idx[rt.Name]
				if !ok {
					t, found := s.ResourceType(rt.Name)
					if !found {
						continue
					}
					i = len(out)
					idx[rt.Name] = i
					out = append(out, typeActions{pat: templatePattern(t.ARN)})
				}
				out[i].actions = append(out[i].actions, a.String())
			}
		}
	}
	resourceTypeCache.Store(svc, out)
	return out
}

// servicesOf names the services whose actions act on a resource: the ARN's
// service, and STS for an IAM role (its trust policy).
func servicesOf(resource string) []string {
	parts := strings.SplitN(resource, ":", 4)
	if len(parts) < 3 {
		return nil
	}
	if parts[2] == "iam" {
		return []string{"sts", "iam"}
	}
	return []string{parts[2]}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// templatePattern turns a resource type's ARN template, such as
// arn:${Partition}:s3:::${BucketName}/${ObjectName}, into a pattern: a
// placeholder is any run of characters within its ARN part; in the resource
// part the last placeholder may span slashes, the others (and a bucket or
// access point name) may not.
//
// The partition is "aws": Warden's organizations live in it.
func templatePattern(t string) pattern {
	t = strings.ReplaceAll(t, "${Partition}", "aws")
	p := pattern{text: t}
	colons := 0
	last := strings.LastIndex(t, "${")
	for i := 0; i < len(t); i++ {
		if strings.HasPrefix(t[i:], "${") {
			j := strings.IndexByte(t[i:], '}')
			if j < 0 {
				break
			}
			name := t[i+2 : i+j]
			span := i == last && colons >= 5 && name != "BucketName" && !strings.HasSuffix(name, "AccessPointName")
			p.toks = append(p.toks, tok{wild: '?', noColon: colons < 5, noSlash: !span && colons >= 5},
				tok{wild: '*', noColon: colons < 5 || !span, noSlash: !span && colons >= 5})
			i += j
			continue
		}
		if t[i] == ':' {
			colons++
		}
		p.toks = append(p.toks, tok{ch: t[i]})
	}
	return p
}
