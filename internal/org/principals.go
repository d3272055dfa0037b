package org

import (
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// perms are a principal definition's policies, resolved for its accounts.
type perms struct {
	refs        []polRef
	inline      []*policy.Policy
	inlineNames []string
	boundary    polRef
}

// resolvePerms resolves the managed policies, inline policies and boundary
// of a definition (kind "role", "user" or "group" named name) provisioned
// into accts.
func (l *loader) resolvePerms(p rawPerms, path string, accts []*Account, kind, name string) perms {
	var out perms
	what := kind + " " + name
	seen := map[string]bool{}
	for i, ref := range p.managed {
		if seen[ref.V] {
			l.errs.add(ref.P, idx(path+".managedPolicies", i), "%s is listed twice", ref.V)
			continue
		}
		seen[ref.V] = true
		if r, ok := l.resolveRef(ref, idx(path+".managedPolicies", i), accts, policy.Identity, what); ok {
			out.refs = append(out.refs, r)
		}
	}
	for _, in := range p.inline {
		if !IsIAMName(in.name.V, MaxPolicyName) {
			l.errs.add(in.name.P, in.doc.path, "malformed inline policy name %q: want 1 to 128 letters, digits and +=,.@_-", in.name.V)
			continue
		}
		if c := l.compile(in.doc, policy.Identity, what+" inline "+in.name.V); c != nil {
			out.inline = append(out.inline, c)
			out.inlineNames = append(out.inlineNames, in.name.V)
		}
	}
	if p.boundary.V != "" {
		out.boundary, _ = l.resolveRef(p.boundary, path+".permissionsBoundary", accts, policy.Boundary, what)
	}
	return out
}

// in returns the policies and boundary as they apply in account a.
func (l *loader) permsIn(p perms, a *Account) ([]*policy.Policy, *policy.Policy) {
	out := make([]*policy.Policy, 0, len(p.refs)+len(p.inline))
	for _, r := range p.refs {
		if c := l.in(r, a, policy.Identity); c != nil {
			out = append(out, c)
		}
	}
	out = append(out, p.inline...)
	return out, l.in(p.boundary, a, policy.Boundary)
}

// attached names p's policies as they apply in account a.
func (l *loader) attached(p perms, a *Account) Attached {
	out := Attached{InlineNames: p.inlineNames, BoundaryARN: p.boundary.arnIn(a)}
	for _, r := range p.refs {
		if arn := r.arnIn(a); arn != "" {
			out.ManagedARNs = append(out.ManagedARNs, arn)
		}
	}
	return out
}

// checkName reports an IAM name that AWS would reject.
func (l *loader) checkName(v sval, path, what string, maxLen int) bool {
	if !IsIAMName(v.V, maxLen) {
		l.errs.add(v.P, path, "malformed %s name %q: want 1 to %d letters, digits and +=,.@_-", what, v.V, maxLen)
		return false
	}
	return true
}

// iamPath returns a path, "/" when absent, reporting a malformed one.
func (l *loader) iamPath(v sval, path string) string {
	if v.V == "" {
		return "/"
	}
	if !IsIAMPath(v.V) {
		l.errs.add(v.P, path, "malformed path %q: want / or /a/path/, starting and ending with /", v.V)
	}
	return v.V
}

func (l *loader) buildGroups(list []*rawGroup) {
	for _, r := range list {
		l.checkName(r.name, r.path+".name", "group", MaxGroupName)
		a := l.account(r.account, r.path+".account")
		if a == nil {
			continue
		}
		key := a.ID + "/" + strings.ToLower(r.name.V)
		if prev := l.groups[key]; prev != nil {
			l.errs.add(r.name.P, r.path+".name", "group %s is defined twice in account %s (first at %s)", r.name.V, a.Name, prev.Pos)
			continue
		}
		g := &Group{Name: r.name.V, Path: l.iamPath(r.ppath, r.path+".path"), Account: a, Pos: r.pos}
		g.ARN = "arn:aws:iam::" + a.ID + ":group" + g.Path + g.Name
		p := l.resolvePerms(r.perms, r.path, []*Account{a}, "group", g.Name)
		g.Policies, _ = l.permsIn(p, a)
		g.Attached = l.attached(p, a)
		l.groups[key] = g
		l.o.Groups = append(l.o.Groups, g)
	}
}

func (l *loader) buildUsers(list []*rawUser) {
	o := l.o
	for _, r := range list {
		l.checkName(r.name, r.path+".name", "user", MaxUserName)
		a := l.account(r.account, r.path+".account")
		if a == nil {
			continue
		}
		key := a.ID + "/" + r.name.V
		if prev := l.findUser(a, r.name.V); prev != nil {
			l.errs.add(r.name.P, r.path+".name", "user %s is defined twice in account %s (first at %s)", r.name.V, a.Name, prev.Pos)
			continue
		}
		u := &User{Name: r.name.V, Path: l.iamPath(r.ppath, r.path+".path"), Account: a, Tags: r.tags, Pos: r.pos}
		u.ARN = "arn:aws:iam::" + a.ID + ":user" + u.Path + u.Name
		for i, g := range r.groups {
			grp := l.groups[a.ID+"/"+strings.ToLower(g.V)]
			if grp == nil {
				var names []string
				for _, x := range o.Groups {
					if x.Account == a {
						names = append(names, x.Name)
					}
				}
				l.errs.add(g.P, idx(r.path+".groups", i), "unknown group %q in account %s%s", g.V, a.Name, didYouMean(g.V, names))
				continue
			}
			u.Groups = append(u.Groups, grp)
		}
		p := l.resolvePerms(r.perms, r.path, []*Account{a}, "user", u.Name)
		u.Policies, u.Boundary = l.permsIn(p, a)
		u.Attached = l.attached(p, a)
		o.users[key] = u
		o.Users = append(o.Users, u)
	}
}

func (l *loader) findUser(a *Account, name string) *User {
	for _, u := range l.o.Users {
		if u.Account == a && strings.EqualFold(u.Name, name) {
			return u
		}
	}
	return nil
}

// addRole registers a provisioned role, rejecting a second role of the same
// name (IAM names ignore case) in the account.
func (l *loader) addRole(r *Role, nameAt Pos, path string) bool {
	key := roleKey{r.Account.ID, strings.ToLower(r.Name)}
	if prev, dup := l.roleDefs[key]; dup {
		l.errs.add(nameAt, path, "role %s is defined twice in account %s (first at %s)", r.Name, r.Account.Name, prev)
		return false
	}
	l.roleDefs[key] = r.Pos
	r.ARN = "arn:aws:iam::" + r.Account.ID + ":role" + r.Path + r.Name
	l.o.roles[roleKey{r.Account.ID, r.Name}] = r
	l.o.Roles = append(l.o.Roles, r)
	r.Account.Roles = append(r.Account.Roles, r)
	return true
}

// trustDef is a written trust policy, checked once every role exists.
type trustDef struct {
	doc  *rawDoc
	name string
	p    *policy.Policy
}

func (l *loader) buildRoles(list []*rawRole) {
	for _, r := range list {
		l.checkName(r.name, r.path+".name", "role", MaxRoleName)
		accts := l.accountList(r.accounts, r.path+".accounts", r.pos, "role "+r.name.V)
		trustName := "role " + r.name.V + " trust"
		trust := l.compile(r.trust, policy.Trust, trustName)
		if trust != nil {
			l.trusts = append(l.trusts, trustDef{doc: r.trust, name: trustName, p: trust})
		}
		p := l.resolvePerms(r.perms, r.path, accts, "role", r.name.V)
		maxSession := DefaultSessionDuration
		if r.maxPos.Line > 0 {
			maxSession = r.maxSession
			if maxSession < MinSessionDuration || maxSession > MaxSessionDuration {
				l.errs.add(r.maxPos, r.path+".maxSessionDuration", "maxSessionDuration %d is out of range: want 3600 to 43200 seconds (1 to 12 hours)", maxSession)
			}
		}
		rolePath := l.iamPath(r.ppath, r.path+".path")
		for _, a := range accts {
			role := &Role{Name: r.name.V, Path: rolePath, Description: r.description.V, Account: a, Trust: trust,
				MaxSessionDuration: maxSession, Tags: r.tags, Pos: r.pos}
			role.Policies, role.Boundary = l.permsIn(p, a)
			role.Attached = l.attached(p, a)
			l.addRole(role, r.name.P, r.path+".name")
		}
	}
}

func (l *loader) buildSLRs(list []*rawSLR) {
	for _, r := range list {
		svc := r.service.V
		if !strings.HasSuffix(svc, ".amazonaws.com") || strings.ContainsAny(svc, "/: ") {
			l.errs.add(r.service.P, r.path+".service", "malformed service principal %q: want a name such as guardduty.amazonaws.com", svc)
			continue
		}
		if !strings.HasPrefix(r.name.V, "AWSServiceRoleFor") {
			l.errs.add(r.name.P, r.path+".name", "a service-linked role's name starts with AWSServiceRoleFor, not %q", r.name.V)
			continue
		}
		l.checkName(r.name, r.path+".name", "role", MaxRoleName)
		accts := l.accountList(r.accounts, r.path+".accounts", r.pos, "service-linked role "+r.name.V)
		trust := l.compile(&rawDoc{kind: docBuilt, at: r.pos, path: r.path,
			text: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":` + jsonString(svc) + `},"Action":"sts:AssumeRole"}]}`)},
			policy.Trust, "role "+r.name.V+" trust")
		p := l.resolvePerms(rawPerms{managed: r.managed}, r.path, accts, "role", r.name.V)
		for _, a := range accts {
			role := &Role{Name: r.name.V, Path: "/aws-service-role/" + svc + "/", Account: a, Trust: trust,
				MaxSessionDuration: 3600, ServiceLinked: true, Service: svc, Pos: r.pos}
			role.Policies, _ = l.permsIn(p, a)
			role.Attached = l.attached(p, a)
			l.addRole(role, r.name.P, r.path+".name")
		}
	}
}

func (l *loader) buildProviders(list []*rawProvider) {
	for _, r := range list {
		typ, name := r.typ.V, r.name.V
		var md *SAMLMetadata
		var err error
		switch typ {
		case "saml":
			if !reSAMLName.MatchString(name) {
				l.errs.add(r.name.P, r.path+".name", "malformed SAML provider name %q: want 1 to 128 letters, digits and ._-", name)
			}
			if r.metadata.V != "" {
				if md, err = ParseSAMLMetadata(r.metadata.V); err != nil {
					l.errs.add(r.metadata.P, r.path+".metadata", "SAML provider %s: %v", name, err)
				}
			}
		case "oidc":
			if strings.Contains(name, "://") || name == "" || strings.ContainsAny(name, " ") {
				l.errs.add(r.name.P, r.path+".name", "an OIDC provider is named by its issuer's host and path without https://, as in token.actions.githubusercontent.com, not %q", name)
			}
		default:
			l.errs.add(r.typ.P, r.path+".type", "unknown identity provider type %q: want saml or oidc", typ)
			continue
		}
		for _, a := range l.accountList(r.accounts, r.path+".accounts", r.pos, typ+" provider "+name) {
			if prev := l.providers[providerKey(a, typ, name)]; prev != nil {
				l.errs.add(r.name.P, r.path+".name", "%s provider %s is defined twice in account %s (first at %s)", typ, name, a.Name, prev.Pos)
				continue
			}
			l.addProvider(&Provider{Type: typ, Name: name, Account: a, ClientIDs: values(r.clientIDs),
				Metadata: r.metadata.V, SAML: md, Tags: r.tags, Pos: r.pos})
		}
	}
}

func providerKey(a *Account, typ, name string) string { return a.ID + "/" + typ + "/" + name }

func (l *loader) addProvider(p *Provider) {
	l.providers[providerKey(p.Account, p.Type, p.Name)] = p
	p.ARN = "arn:aws:iam::" + p.Account.ID + ":" + p.Type + "-provider/" + p.Name
	l.o.Providers = append(l.o.Providers, p)
}

func values(list []sval) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = v.V
	}
	return out
}
