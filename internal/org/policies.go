package org

import (
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// policies builds the organization policies and customer managed policies.
func (l *loader) policies(list []*rawPolicy) {
	o := l.o
	byKey := map[string]*Policy{}
	for _, r := range list {
		t, ok := policyType[r.typ.V]
		if !ok {
			l.errs.add(r.typ.P, r.path+".type", "unknown policy type %q%s: want scp, rcp or managed", r.typ.V,
				didYouMean(r.typ.V, []string{TypeSCP, TypeRCP, TypeManaged}))
			continue
		}
		p := &Policy{Name: r.name.V, Type: r.typ.V, Description: r.description.V, Pos: r.pos}
		key := p.Type + "/" + p.Name
		if prev := byKey[key]; prev != nil {
			l.errs.add(r.name.P, r.path+".name", "duplicate %s policy name %q (first at %s)", p.Type, p.Name, prev.Pos)
			continue
		}
		byKey[key] = p
		if p.Name == "" {
			l.errs.add(r.name.P, r.path+".name", "the policy's name is empty")
		}
		l.docs[p] = r.doc
		switch p.Type {
		case TypeSCP, TypeRCP:
			if r.hasAccounts {
				l.errs.add(r.pos, r.path+".accounts", "accounts is for managed policies; an %s is attached with attach", strings.ToUpper(p.Type))
			}
			if r.ppath.V != "" {
				l.errs.add(r.ppath.P, r.path+".path", "path is for managed policies")
			}
			if r.versionsPos != (Pos{}) {
				l.errs.add(r.versionsPos, r.path+".versions", "versions are for managed policies; an %s has one document", strings.ToUpper(p.Type))
			}
			kind := "service_control_policy"
			if p.Type == TypeRCP {
				kind = "resource_control_policy"
			}
			if o.Management != nil {
				p.ARN = "arn:aws:organizations::" + o.Management.ID + ":policy/" + o.ID + "/" + kind + "/" + policyID(o.ID, p.Type, p.Name)
			}
			p.Compiled = l.compile(r.doc, t, p.Type+" "+p.Name)
			l.attach(p, r)
		case TypeManaged:
			if r.hasAttach {
				l.errs.add(r.pos, r.path+".attach", "attach is for SCPs and RCPs; a managed policy is placed in accounts and named by roles, users and groups")
			}
			if !IsIAMName(p.Name, MaxPolicyName) {
				l.errs.add(r.name.P, r.path+".name", "malformed managed policy name %q: want 1 to 128 letters, digits and +=,.@_-", p.Name)
			}
			p.Path = "/"
			if r.ppath.V != "" {
				p.Path = r.ppath.V
				if !IsIAMPath(p.Path) {
					l.errs.add(r.ppath.P, r.path+".path", "malformed path %q: want / or /a/path/, starting and ending with /", p.Path)
				}
			}
			p.Accounts = l.accountList(r.accounts, r.path+".accounts", r.pos, "managed policy "+p.Name)
			p.Compiled = l.compile(r.doc, t, "managed policy "+p.Name)
			l.versions(p, r, t)
			l.managed[p.Name] = p
			p.inAccount = map[string]*policy.Policy{}
			p.boundary = map[string]*policy.Policy{}
			p.held = map[*Account]bool{}
			for _, a := range p.Accounts {
				p.held[a] = true
			}
			if p.Compiled != nil {
				for _, a := range p.Accounts {
					p.inAccount[a.ID] = renamed(p.Compiled, p.ARNIn(a))
				}
			}
		}
		o.Policies = append(o.Policies, p)
	}
}

// attach resolves an SCP's or RCP's targets.
func (l *loader) attach(p *Policy, r *rawPolicy) {
	o := l.o
	if len(r.attach) == 0 {
		if l.opt.AllowDetached {
			return
		}
		l.errs.add(r.pos, r.path+".attach", "%s %s is attached to nothing: list targets in attach (Root, OU names, account names)", strings.ToUpper(p.Type), p.Name)
		return
	}
	seen := map[string]bool{}
	for i, t := range r.attach {
		path := idx(r.path+".attach", i)
		if seen[t.V] {
			l.errs.add(t.P, path, "%s is listed twice", t.V)
			continue
		}
		seen[t.V] = true
		p.Attach = append(p.Attach, t.V)
		switch {
		case t.V == RootName:
			o.Root.attach(p)
		case l.ouByName[t.V] != nil:
			l.ouByName[t.V].attach(p)
		case l.acctByName[t.V] != nil:
			l.acctByName[t.V].attach(p)
		default:
			known := append(l.ouNames(true), l.accountNames()...)
			l.errs.add(t.P, path, "unknown attach target %q%s: want Root, an OU's name or an account's name", t.V, didYouMean(t.V, known))
		}
	}
}

func (ou *OU) attach(p *Policy) {
	if p.Type == TypeSCP {
		ou.SCPs = append(ou.SCPs, p)
	} else {
		ou.RCPs = append(ou.RCPs, p)
	}
}

func (a *Account) attach(p *Policy) {
	if p.Type == TypeSCP {
		a.SCPs = append(a.SCPs, p)
	} else {
		a.RCPs = append(a.RCPs, p)
	}
}

// checkSCPCoverage enforces what AWS does once SCPs are enabled: every root,
// OU and account keeps at least one SCP attached (the last one cannot be
// detached). Without one, a level would allow nothing. An organization
// that defines no SCP has SCPs disabled, and none apply.
func (l *loader) checkSCPCoverage() {
	o := l.o
	for _, p := range o.Policies {
		if p.Type == TypeSCP {
			o.scpEnabled = true
		}
	}
	if !o.scpEnabled {
		return
	}
	const fix = "AWS keeps at least one SCP on the root and on every OU and account (usually FullAWSAccess): attach one, or nothing there is allowed"
	if len(o.Root.SCPs) == 0 && o.Root.Pos.File != "" { // without an organization section, that is reported
		l.errs.add(o.Root.Pos, "organization", "no SCP is attached to Root: %s", fix)
	}
	for _, ou := range o.OUs {
		if len(ou.SCPs) == 0 {
			l.errs.add(ou.Pos, "", "no SCP is attached to OU %s: %s", ou.Name, fix)
		}
	}
	for _, a := range o.Accounts {
		if len(a.SCPs) == 0 && a != o.Management {
			l.errs.add(a.Pos, "", "no SCP is attached to account %s: %s", a.Name, fix)
		}
	}
}

// maxVersions is how many versions IAM keeps of a managed policy, the
// default one included (IAM's quota "Managed policy versions").
const maxVersions = 5

// versions builds a managed policy's other versions.
func (l *loader) versions(p *Policy, r *rawPolicy, t policy.Type) {
	if r.versionsN > maxVersions-1 {
		l.errs.add(r.versionsPos, r.path+".versions", "%d versions beside the default one: IAM keeps at most %d versions of a policy, the default included", r.versionsN, maxVersions)
	}
	seen := map[string]Pos{}
	for _, v := range r.versions {
		if VersionNumber(v.id.V) == 0 {
			l.errs.add(v.id.P, v.path+".id", "malformed version ID %q: want v and a number, such as v1", v.id.V)
			continue
		}
		if prev, dup := seen[v.id.V]; dup {
			l.errs.add(v.id.P, v.path+".id", "duplicate version %s (first at %s)", v.id.V, prev)
			continue
		}
		seen[v.id.V] = v.pos
		c := l.compile(v.doc, t, "managed policy "+p.Name+" version "+v.id.V)
		if c != nil {
			p.Versions = append(p.Versions, &PolicyVersion{ID: v.id.V, Compiled: c, Pos: v.pos})
		}
	}
}
