package org

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/policy"
)

func (l *loader) buildResources(list []*rawResource) {
	o := l.o
	for _, r := range list {
		a, err := arn.Parse(r.arn.V)
		if err != nil || strings.ContainsAny(r.arn.V, "*?") {
			l.errs.add(r.arn.P, r.path+".arn", "malformed resource ARN %q: want arn:aws:service:region:account:resource, without wildcards", r.arn.V)
			continue
		}
		if prev := o.resources[r.arn.V]; prev != nil {
			l.errs.add(r.arn.P, r.path+".arn", "duplicate resource %s (first at %s)", r.arn.V, prev.Pos)
			continue
		}
		res := &Resource{ARN: r.arn.V, Pos: r.pos, PublicAccessBlock: r.pab, KeyManager: r.keyManager.V}
		if r.keyManager.V != "" {
			switch {
			case a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") && !AWSManagedAlias(r.arn.V):
				l.errs.add(r.keyManager.P, r.path+".keyManager", "keyManager applies to KMS keys (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID) and the aliases of AWS managed keys (alias/aws/SERVICE), not to %s", r.arn.V)
			case r.keyManager.V != KeyManagerAWS && r.keyManager.V != KeyManagerCustomer:
				l.errs.add(r.keyManager.P, r.path+".keyManager", "unknown keyManager %q: want AWS or CUSTOMER (KMS DescribeKey's KeyManager)", r.keyManager.V)
			case r.keyManager.V != KeyManagerAWS && AWSManagedAlias(r.arn.V):
				l.errs.add(r.keyManager.P, r.path+".keyManager", "keyManager %s: %s names an AWS managed key (KMS reserves the alias/aws/ prefix for AWS managed keys): want AWS", r.keyManager.V, r.arn.V)
			}
		}
		if r.pabPos != (Pos{}) && !IsS3PolicyResource(r.arn.V) {
			l.errs.add(r.pabPos, r.path+".publicAccessBlock", "Block Public Access applies to S3 buckets (arn:aws:s3:::BUCKET) and access points, not to %s", r.arn.V)
		}
		if a.Account != "" {
			res.Account = l.acctByID[a.Account]
			if res.Account == nil {
				l.errs.add(r.arn.P, r.path+".arn", "account %s of the ARN is not in the organization", a.Account)
				continue
			}
		}
		if r.account.V != "" {
			owner := l.account(r.account, r.path+".account")
			if owner == nil {
				continue
			}
			if res.Account != nil && res.Account != owner {
				l.errs.add(r.account.P, r.path+".account", "the ARN names account %s (%s), not %s", res.Account.Name, res.Account.ID, owner.Name)
				continue
			}
			res.Account = owner
		}
		if res.Account == nil {
			l.errs.add(r.pos, r.path, "the ARN names no account: give the owner in account")
			continue
		}
		res.Policy = l.compile(r.doc, policy.Resource, "resource "+res.ARN)
		o.resources[res.ARN] = res
		o.Resources = append(o.Resources, res)
	}
}

// checkTrusts reports trust policies that name a role or user of an
// organization account that the organization does not define there: a typo
// that AWS would reject when the policy is saved, since a principal must
// exist.
func (l *loader) checkTrusts() {
	if len(l.trusts) == 0 {
		return
	}
	known := make(map[string]bool, len(l.o.Roles)+len(l.o.Users))
	for _, r := range l.o.Roles {
		known[r.ARN] = true
	}
	for _, u := range l.o.Users {
		known[u.ARN] = true
	}
	for _, t := range l.trusts {
		if len(l.unknownPrincipals(t.p, known)) == 0 {
			continue
		}
		// Report at this document's own positions: a compiled document may
		// be shared with an identical one elsewhere.
		p := l.compileDoc(t.doc, policy.Trust, t.name, false)
		if p == nil {
			continue
		}
		for _, s := range l.unknownPrincipals(p, known) {
			l.errs.add(t.doc.origin(s.Pos), t.doc.path, "%s: %s", s.Path, l.unknownPrincipalMsg(s.Value))
		}
	}
}

// unknownPrincipals lists the AWS principals of a policy that name a role or
// user in an organization account that does not exist.
func (l *loader) unknownPrincipals(p *policy.Policy, known map[string]bool) []policy.Str {
	var out []policy.Str
	for _, s := range p.Doc.Statements {
		if s.Principal == nil {
			continue
		}
		for _, v := range s.Principal.AWS {
			a, err := arn.Parse(v.Value)
			if err != nil || a.Service != "iam" || l.acctByID[a.Account] == nil || strings.ContainsAny(v.Value, "*?") {
				continue
			}
			if (strings.HasPrefix(a.Resource, "role/") || strings.HasPrefix(a.Resource, "user/")) && !known[v.Value] {
				out = append(out, v)
			}
		}
	}
	return out
}

func (l *loader) unknownPrincipalMsg(v string) string {
	a, _ := arn.Parse(v)
	acct := l.acctByID[a.Account]
	kind, rest, _ := strings.Cut(a.Resource, "/")
	name := rest[strings.LastIndex(rest, "/")+1:]
	// The same name at another path is a likely mistake worth naming.
	if kind == "role" {
		for _, r := range acct.Roles {
			if r.Name == name {
				return "the principal " + v + " does not exist: role " + name + " in account " + acct.Name + " is " + r.ARN
			}
		}
	}
	var known []string
	if kind == "role" {
		for _, r := range acct.Roles {
			known = append(known, r.Name)
		}
	} else {
		for _, u := range l.o.Users {
			if u.Account == acct {
				known = append(known, u.Name)
			}
		}
	}
	return "the principal " + v + " does not exist: the organization defines no " + kind + " " + name + " in account " + acct.Name + didYouMean(name, known)
}
