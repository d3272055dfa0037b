package org

import (
	"strings"
	"time"

	"github.com/securecart/warden/internal/policy"
)

// samlAudience is the audience of AWS's SAML sign-in endpoint.
const samlAudience = "https://signin.aws.amazon.com/saml"

func (l *loader) buildIdentityCenter(r *rawIC) {
	if r == nil {
		return
	}
	o := l.o
	ic := &IdentityCenter{InstanceARN: r.instanceARN.V, IdentityStoreID: r.storeID.V, Pos: r.pos}
	o.IdentityCenter = ic
	m := reInstanceARN.FindStringSubmatch(ic.InstanceARN)
	if m == nil && ic.InstanceARN != "" {
		l.errs.add(r.instanceARN.P, "identityCenter.instanceArn", "malformed instance ARN %q: want arn:aws:sso:::instance/ssoins- and 16 hex digits", ic.InstanceARN)
	}
	if m != nil {
		ic.SAMLProvider = "AWSSSO_" + m[1] + "_DO_NOT_DELETE"
	} else {
		ic.SAMLProvider = "AWSSSO_" + hashHex(16, ic.InstanceARN) + "_DO_NOT_DELETE"
	}
	if ic.IdentityStoreID != "" && !reStoreID.MatchString(ic.IdentityStoreID) {
		l.errs.add(r.storeID.P, "identityCenter.identityStoreId", "malformed identity store ID %q: want d- and 10 hex digits", ic.IdentityStoreID)
	}
	if v := r.sessionDuration; v.V != "" {
		if secs, err := ICSessionDuration(v.V); err != nil {
			l.errs.add(v.P, "identityCenter.sessionDuration", "%v", err)
		} else {
			ic.SessionDuration = time.Duration(secs) * time.Second
		}
	}
	if p := r.idp; p != nil {
		ic.ExternalIdP = &ExternalIdP{Type: p.typ.V, Name: p.name.V, MetadataURL: p.metadataURL.V, Metadata: p.metadata.V, Issuer: p.issuer.V,
			AllowIdPInitiated: p.allowIdPInitiated, SAML: p.saml, ClientID: p.clientID.V, ClientSecretEnv: p.clientSecretEnv.V,
			UserClaim: p.userClaim.V}
		for _, s := range p.scopes {
			ic.ExternalIdP.Scopes = append(ic.ExternalIdP.Scopes, s.V)
		}
		if ic.ExternalIdP.Type == "oidc" {
			if ic.ExternalIdP.UserClaim == "" {
				ic.ExternalIdP.UserClaim = "email"
			}
			if len(ic.ExternalIdP.Scopes) == 0 {
				ic.ExternalIdP.Scopes = []string{"openid", "email", "profile"}
			}
		}
	}

	ic.MFA = r.mfa

	ids := map[string]Pos{} // identity store IDs in use (users' and groups')
	groups := map[string]*SSOGroup{}
	for _, g := range r.groups {
		if prev := groups[g.name.V]; prev != nil {
			l.errs.add(g.name.P, g.path+".name", "duplicate group %q (first at %s)", g.name.V, prev.Pos)
			continue
		}
		if err := CheckSSOGroupName(g.name.V); err != nil {
			l.errs.add(g.name.P, g.path+".name", "%s", strings.TrimPrefix(err.Error(), ErrInvalidValue.Error()+": "))
		}
		for _, x := range g.externalIDs {
			for _, prev := range ic.Groups {
				if HasExternalID(prev.ExternalIDs, x.Issuer, x.ID) {
					l.errs.add(g.pos, g.path+".externalIds", "the external ID %s %s is the group %s's already (at %s)", x.Issuer, x.ID, prev.Name, prev.Pos)
				}
			}
		}
		sg := &SSOGroup{ID: l.ssoID(ids, g.id, g.path, DerivedSSOGroupID(ic.IdentityStoreID, g.name.V), g.pos), Name: g.name.V, Description: g.description.V,
			ExternalIDs: g.externalIDs, Pos: g.pos}
		groups[sg.Name] = sg
		ic.Groups = append(ic.Groups, sg)
	}
	groupNames := func() []string {
		var out []string
		for _, g := range ic.Groups {
			out = append(out, g.Name)
		}
		return out
	}
	users := map[string]*SSOUser{}
	for _, u := range r.users {
		if prev := users[u.userName.V]; prev != nil {
			l.errs.add(u.userName.P, u.path+".userName", "duplicate user %q (first at %s)", u.userName.V, prev.Pos)
			continue
		}
		if err := CheckSSOUserName(u.userName.V); err != nil {
			l.errs.add(u.userName.P, u.path+".userName", "%s", strings.TrimPrefix(err.Error(), ErrInvalidValue.Error()+": "))
		}
		l.checkUnique(ic, u)
		su := &SSOUser{ID: l.ssoID(ids, u.id, u.path, DerivedSSOUserID(ic.IdentityStoreID, u.userName.V), u.pos), UserName: u.userName.V, DisplayName: u.displayName.V, Attributes: u.attrs, MFADevices: u.mfa, Pos: u.pos}
		for i, g := range u.groups {
			if sg := groups[g.V]; sg != nil {
				su.Groups = append(su.Groups, sg)
			} else {
				l.errs.add(g.P, idx(u.path+".groups", i), "unknown group %q%s", g.V, didYouMean(g.V, groupNames()))
			}
		}
		users[su.UserName] = su
		ic.Users = append(ic.Users, su)
	}

	sets := map[string]*PermissionSet{}
	raws := map[*PermissionSet]*rawPermSet{}
	for _, p := range r.permSets {
		if prev := sets[p.name.V]; prev != nil {
			l.errs.add(p.name.P, p.path+".name", "duplicate permission set %q (first at %s)", p.name.V, prev.Pos)
			continue
		}
		ps := l.permissionSet(ic, p)
		sets[ps.Name] = ps
		raws[ps] = p
		ic.PermissionSets = append(ic.PermissionSets, ps)
		o.psRoles[ps.Name] = ps.RoleName
	}

	assigned := map[*PermissionSet]map[*Account]bool{}
	for _, a := range r.assignments {
		as := &Assignment{Pos: a.pos}
		if a.group.V != "" {
			if as.Group = groups[a.group.V]; as.Group == nil {
				l.errs.add(a.group.P, a.path+".group", "unknown group %q%s", a.group.V, didYouMean(a.group.V, groupNames()))
			}
		}
		if a.user.V != "" {
			if as.User = users[a.user.V]; as.User == nil {
				l.errs.add(a.user.P, a.path+".user", "unknown user %q", a.user.V)
			}
		}
		ps := sets[a.permSet.V]
		if ps == nil {
			var names []string
			for _, x := range ic.PermissionSets {
				names = append(names, x.Name)
			}
			l.errs.add(a.permSet.P, a.path+".permissionSet", "unknown permission set %q%s", a.permSet.V, didYouMean(a.permSet.V, names))
			continue
		}
		as.PermissionSet = ps
		if assigned[ps] == nil {
			assigned[ps] = map[*Account]bool{}
		}
		for _, acct := range l.targets(a.accounts, a.ous, a.path) {
			as.Accounts = append(as.Accounts, acct)
			assigned[ps][acct] = true
		}
		ic.Assignments = append(ic.Assignments, as)
	}
	l.temporaryAccess(ic, r, sets, groups, groupNames)

	l.provisioned(ic, r, sets, assigned)
	stale := l.provisionedVersions(ic, r, sets, assigned)
	for _, ps := range ic.PermissionSets {
		var latest []*Account
		for _, a := range o.Accounts {
			if !assigned[ps][a] {
				continue
			}
			ps.Accounts = append(ps.Accounts, a)
			if v := stale[ps][a]; v != nil {
				ps.Stale = append(ps.Stale, a)
			} else {
				latest = append(latest, a)
			}
		}
		l.provision(ic, ps, raws[ps], latest)
	}
	for _, v := range r.versions {
		ps := sets[v.ps.name.V]
		if ps == nil || v.built == nil {
			continue
		}
		var in []*Account
		for _, a := range ps.Stale {
			if stale[ps][a] == v {
				in = append(in, a)
			}
		}
		l.provision(ic, v.built, v.ps, in)
	}
}

// permissionSet builds a permission set (or an older version of one) from
// its mapping.
func (l *loader) permissionSet(ic *IdentityCenter, p *rawPermSet) *PermissionSet {
	l.checkName(p.name, p.path+".name", "permission set", MaxPermissionSetName)
	ps := &PermissionSet{Name: p.name.V, Description: p.description.V, SessionDuration: DefaultSessionDuration, Pos: p.pos,
		RoleName: SSORoleName(ic.InstanceARN, p.name.V), Boundary: p.boundary.V, CustomerManaged: values(p.customer)}
	if p.session.V != "" {
		if secs, err := sessionSeconds(p.session.V); err != nil {
			l.errs.add(p.session.P, p.path+".sessionDuration", "%v", err)
		} else {
			ps.SessionDuration = secs
		}
	}
	ps.RelayState, ps.Tags = p.relayState.V, p.tags
	if p.relayState.V != "" {
		if err := CheckRelayState(p.relayState.V); err != nil {
			l.errs.add(p.relayState.P, p.path+".relayState", "malformed relay state %q: want 1 to %d URL characters", p.relayState.V, MaxRelayState)
		}
	}
	for i, ref := range p.managed {
		path := idx(p.path+".managedPolicies", i)
		if !strings.HasPrefix(ref.V, "arn:") {
			l.errs.add(ref.P, path, "%q: managedPolicies of a permission set are AWS managed policies, by ARN; name customer managed policies in customerManagedPolicies", ref.V)
			continue
		}
		if pr, ok := l.resolveRef(ref, path, nil, policy.Identity, ""); ok {
			ps.ManagedPolicies = append(ps.ManagedPolicies, pr.aws)
		}
	}
	ps.Inline = l.compile(p.inline, policy.Identity, "permission set "+ps.Name+" inline")
	return ps
}

// accountsUnder lists the accounts in an OU and below it.
func accountsUnder(ou *OU) []*Account {
	out := append([]*Account(nil), ou.Accounts...)
	for _, c := range ou.Children {
		out = append(out, accountsUnder(c)...)
	}
	return out
}

// provision creates a permission set's role, and the SAML provider it
// trusts, in each account it is assigned to.
func (l *loader) provision(ic *IdentityCenter, ps *PermissionSet, r *rawPermSet, accounts []*Account) {
	if len(accounts) == 0 {
		return
	}
	what := "permission set " + ps.Name
	var custom []polRef
	for i, ref := range r.customer {
		path := idx(r.path+".customerManagedPolicies", i)
		if strings.HasPrefix(ref.V, "arn:") {
			l.errs.add(ref.P, path, "customer managed policies are named by name, not ARN; AWS managed ones go in managedPolicies")
			continue
		}
		if pr, ok := l.resolveRef(ref, path, accounts, policy.Identity, what); ok {
			custom = append(custom, pr)
		}
	}
	var boundary polRef
	if r.boundary.V != "" {
		boundary, _ = l.resolveRef(r.boundary, r.path+".permissionsBoundary", accounts, policy.Boundary, what)
	}
	for _, a := range accounts {
		l.ensureSSOProvider(ic, a)
		providerARN := "arn:aws:iam::" + a.ID + ":saml-provider/" + ic.SAMLProvider
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":` + jsonString(providerARN) +
			`},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"` + samlAudience + `"}}}]}`
		role := &Role{Name: ps.RoleName, Path: SSORolePath, Account: a, MaxSessionDuration: ps.SessionDuration,
			PermissionSet: ps.Name, Description: ps.Description, Pos: ps.Pos}
		role.Trust = l.compile(&rawDoc{kind: docBuilt, text: []byte(trust), at: ps.Pos, path: r.path}, policy.Trust, "role "+ps.RoleName+" trust")
		role.Policies = append(role.Policies, ps.ManagedPolicies...)
		for _, p := range ps.ManagedPolicies {
			role.Attached.ManagedARNs = append(role.Attached.ManagedARNs, p.Name)
		}
		for _, c := range custom {
			if p := l.in(c, a, policy.Identity); p != nil {
				role.Policies = append(role.Policies, p)
				role.Attached.ManagedARNs = append(role.Attached.ManagedARNs, c.arnIn(a))
			}
		}
		if ps.Inline != nil {
			role.Policies = append(role.Policies, ps.Inline)
			// AWS provisions a permission set's inline policy under this name.
			role.Attached.InlineNames = []string{"AwsSSOInlinePolicy"}
		}
		role.Boundary = l.in(boundary, a, policy.Boundary)
		role.Attached.BoundaryARN = boundary.arnIn(a)
		l.addRole(role, r.name.P, r.path+".name")
	}
}

// ensureSSOProvider adds Identity Center's SAML provider to an account,
// unless the organization declares it there already.
func (l *loader) ensureSSOProvider(ic *IdentityCenter, a *Account) {
	if l.providers[providerKey(a, "saml", ic.SAMLProvider)] != nil {
		return
	}
	l.addProvider(&Provider{Type: "saml", Name: ic.SAMLProvider, Account: a, Pos: ic.Pos})
}

// checkUnique reports a user's email address or external ID that an earlier
// user of the directory has already.
func (l *loader) checkUnique(ic *IdentityCenter, u *rawSSOUser) {
	for _, prev := range ic.Users {
		for _, e := range u.attrs.Emails {
			if prev.Attributes.HasEmail(e.Value) {
				l.errs.add(u.pos, u.path+".emails", "the email address %s is the user %s's already (at %s)", e.Value, prev.UserName, prev.Pos)
			}
		}
		for _, x := range u.attrs.ExternalIDs {
			if HasExternalID(prev.Attributes.ExternalIDs, x.Issuer, x.ID) {
				l.errs.add(u.pos, u.path+".externalIds", "the external ID %s %s is the user %s's already (at %s)", x.Issuer, x.ID, prev.UserName, prev.Pos)
			}
		}
	}
}

// provisioned adds the accounts permission sets were provisioned to
// without an assignment there (ProvisionPermissionSet) to those they are
// provisioned to.
func (l *loader) provisioned(ic *IdentityCenter, r *rawIC, sets map[string]*PermissionSet, assigned map[*PermissionSet]map[*Account]bool) {
	for _, v := range r.provisioned {
		ps := sets[v.ps.V]
		if ps == nil {
			l.errs.add(v.ps.P, v.path+".permissionSet", "unknown permission set %q%s", v.ps.V, didYouMean(v.ps.V, setNames(ic)))
			continue
		}
		if assigned[ps] == nil {
			assigned[ps] = map[*Account]bool{}
		}
		for i, ref := range v.accounts {
			if acct := l.account(ref, idx(v.path+".accounts", i)); acct != nil {
				assigned[ps][acct] = true
			}
		}
	}
}

// provisionedVersions builds the older versions of permission sets that
// are still provisioned in accounts, and tells, by permission set and
// account, the version provisioned there (none: the latest). An account
// where the permission set is no longer assigned has no role to keep and
// is passed over.
func (l *loader) provisionedVersions(ic *IdentityCenter, r *rawIC, sets map[string]*PermissionSet, assigned map[*PermissionSet]map[*Account]bool) map[*PermissionSet]map[*Account]*rawVersion {
	out := map[*PermissionSet]map[*Account]*rawVersion{}
	for _, v := range r.versions {
		ps := sets[v.ps.name.V]
		if ps == nil {
			l.errs.add(v.ps.name.P, v.path+".permissionSet.name", "unknown permission set %q%s", v.ps.name.V, didYouMean(v.ps.name.V, setNames(ic)))
			continue
		}
		v.built = l.permissionSet(ic, v.ps)
		if out[ps] == nil {
			out[ps] = map[*Account]*rawVersion{}
		}
		for i, ref := range v.accounts {
			acct := l.account(ref, idx(v.path+".accounts", i))
			switch {
			case acct == nil || !assigned[ps][acct]:
			case out[ps][acct] != nil:
				l.errs.add(ref.P, idx(v.path+".accounts", i), "permission set %s has two provisioned versions in account %s (the other at %s)", ps.Name, acct.Name, out[ps][acct].pos)
			default:
				out[ps][acct] = v
			}
		}
	}
	return out
}

// setNames lists the permission sets' names, for "did you mean".
func setNames(ic *IdentityCenter) []string {
	var names []string
	for _, x := range ic.PermissionSets {
		names = append(names, x.Name)
	}
	return names
}

// ssoID is a user's or group's identity store ID: the stored one (checked,
// and unique among users and groups), else the derived one.
func (l *loader) ssoID(ids map[string]Pos, stored sval, path, derived string, pos Pos) string {
	id := derived
	if stored.V != "" {
		id = stored.V
		if err := CheckSSOID(id); err != nil {
			l.errs.add(stored.P, path+".id", "%s", strings.TrimPrefix(err.Error(), ErrInvalidValue.Error()+": "))
		}
	}
	key := strings.ToLower(id)
	if prev, dup := ids[key]; dup {
		at := pos
		if stored.V != "" {
			at = stored.P
		}
		l.errs.add(at, path+".id", "the identity store ID %s is in use already (at %s)", id, prev)
	} else {
		ids[key] = pos
	}
	return id
}

// targets resolves an entry's accounts and OUs (every account in them and
// below) to accounts, in the order of Org.Accounts.
func (l *loader) targets(accounts, ous []sval, path string) []*Account {
	o := l.o
	in := map[*Account]bool{}
	for i, ref := range accounts {
		if acct := l.account(ref, idx(path+".accounts", i)); acct != nil {
			in[acct] = true
		}
	}
	for i, ref := range ous {
		var ou *OU
		switch {
		case ref.V == RootName:
			ou = o.Root
		case l.ouByName[ref.V] != nil:
			ou = l.ouByName[ref.V]
		default:
			l.errs.add(ref.P, idx(path+".ous", i), "unknown OU %q%s", ref.V, didYouMean(ref.V, l.ouNames(true)))
			continue
		}
		for _, acct := range accountsUnder(ou) {
			in[acct] = true
		}
	}
	var out []*Account
	for _, acct := range o.Accounts {
		if in[acct] {
			out = append(out, acct)
		}
	}
	return out
}

// temporaryAccess builds the policies of time-boxed access.
func (l *loader) temporaryAccess(ic *IdentityCenter, r *rawIC, sets map[string]*PermissionSet, groups map[string]*SSOGroup, groupNames func() []string) {
	names := map[string]Pos{}
	for _, a := range r.access {
		if prev, dup := names[a.name.V]; dup {
			l.errs.add(a.name.P, a.path+".name", "duplicate temporary access policy %q (first at %s)", a.name.V, prev)
			continue
		}
		names[a.name.V] = a.pos
		if err := CheckAccessPolicyName(a.name.V); err != nil {
			l.errs.add(a.name.P, a.path+".name", "%s", strings.TrimPrefix(err.Error(), ErrInvalidValue.Error()+": "))
		}
		p := &TemporaryAccess{Name: a.name.V, Description: a.description.V, ApprovalRequiresMFA: a.mfa, Pos: a.pos}
		if p.PermissionSet = sets[a.permSet.V]; p.PermissionSet == nil {
			l.errs.add(a.permSet.P, a.path+".permissionSet", "unknown permission set %q%s", a.permSet.V, didYouMean(a.permSet.V, setNames(ic)))
		}
		secs, err := parseSessionDuration(a.maxDuration.V)
		switch {
		case err != nil:
			l.errs.add(a.maxDuration.P, a.path+".maxDuration", "%v", err)
		case secs < 1 || secs > MaxAccessDuration:
			l.errs.add(a.maxDuration.P, a.path+".maxDuration", "maxDuration %s is out of range: want PT1S to PT12H", a.maxDuration.V)
		}
		p.MaxDuration = time.Duration(secs) * time.Second
		p.Accounts = l.targets(a.accounts, a.ous, a.path)
		for _, g := range []struct {
			refs []sval
			to   *[]*SSOGroup
			key  string
		}{{a.requesters, &p.RequesterGroups, "requesterGroups"}, {a.approvers, &p.ApproverGroups, "approverGroups"}} {
			for i, ref := range g.refs {
				if sg := groups[ref.V]; sg != nil {
					*g.to = append(*g.to, sg)
				} else {
					l.errs.add(ref.P, idx(a.path+"."+g.key, i), "unknown group %q%s", ref.V, didYouMean(ref.V, groupNames()))
				}
			}
		}
		ic.TemporaryAccess = append(ic.TemporaryAccess, p)
	}
}
