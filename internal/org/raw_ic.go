package org

import (
	"strings"
)

type rawIC struct {
	instanceARN, storeID sval
	sessionDuration      sval
	idp                  *rawIdP
	mfa                  *MFAPolicy
	users                []*rawSSOUser
	groups               []*rawSSOGroup
	permSets             []*rawPermSet
	assignments          []*rawAssignment
	versions             []*rawVersion
	provisioned          []*rawProvisioned
	access               []*rawAccess
	pos                  Pos
}

// rawAccess is a policy of time-boxed access.
type rawAccess struct {
	name, description, permSet, maxDuration sval
	accounts, ous, requesters, approvers    []sval
	mfa                                     bool
	pos                                     Pos
	path                                    string
}

// rawVersion is an older version of a permission set still provisioned in
// accounts.
type rawVersion struct {
	ps       *rawPermSet
	accounts []sval
	built    *PermissionSet
	pos      Pos
	path     string
}

// rawProvisioned is a permission set provisioned to accounts without an
// assignment there.
type rawProvisioned struct {
	ps       sval
	accounts []sval
	path     string
}

type rawIdP struct {
	typ, name, metadataURL, metadata, issuer sval
	clientID, clientSecretEnv, userClaim     sval
	scopes                                   []sval
	allowIdPInitiated                        bool
	saml                                     *SAMLMetadata
	pos                                      Pos
}

type rawSSOUser struct {
	id, userName, displayName sval
	attrs                     UserAttributes
	groups                    []sval
	mfa                       []MFADevice
	pos                       Pos
	path                      string
}

type rawSSOGroup struct {
	id, name, description sval
	externalIDs           []ExternalIDDef
	pos                   Pos
	path                  string
}

type rawPermSet struct {
	name, description, session, boundary sval
	relayState                           sval
	managed, customer                    []sval
	tags                                 map[string]string
	inline                               *rawDoc
	pos                                  Pos
	path                                 string
}

type rawAssignment struct {
	permSet, group, user sval
	accounts, ous        []sval
	pos                  Pos
	path                 string
}

func (d *decoder) identityCenter(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["identityCenter"]...)
	if !ok {
		return
	}
	if r.ic != nil {
		d.errorf(n, path, "identityCenter is given twice (first at %s)", r.ic.pos)
		return
	}
	ic := &rawIC{pos: d.src.pos(n)}
	r.ic = ic
	if d.require(m, n, path, "instanceArn") {
		ic.instanceARN, _ = d.str(m["instanceArn"], path+".instanceArn")
	}
	ic.storeID = d.optStr(m["identityStoreId"], path+".identityStoreId")
	ic.sessionDuration = d.optStr(m["sessionDuration"], path+".sessionDuration")
	if x := m["externalIdentityProvider"]; !isNull(x) {
		ic.idp = d.externalIdP(x, path+".externalIdentityProvider")
	}
	if x := m["mfa"]; !isNull(x) {
		ic.mfa = d.mfaPolicy(x, path+".mfa")
	}
	for i, it := range d.items(m["groups"], path+".groups") {
		p := idx(path+".groups", i)
		gm, ok := d.fields(it, p, fieldsOf["ssoGroup"]...)
		if !ok || !d.require(gm, it, p, requiredOf["ssoGroup"]...) {
			continue
		}
		g := &rawSSOGroup{pos: d.src.pos(it), path: p, id: d.optStr(gm["id"], p+".id"), description: d.optStr(gm["description"], p+".description"),
			externalIDs: d.externalIDs(gm["externalIds"], p+".externalIds")}
		if g.name, ok = d.str(gm["name"], p+".name"); ok {
			ic.groups = append(ic.groups, g)
		}
	}
	for i, it := range d.items(m["users"], path+".users") {
		if u := d.ssoUser(it, idx(path+".users", i)); u != nil {
			ic.users = append(ic.users, u)
		}
	}
	for i, it := range d.items(m["permissionSets"], path+".permissionSets") {
		if ps := d.permSet(it, idx(path+".permissionSets", i)); ps != nil {
			ic.permSets = append(ic.permSets, ps)
		}
	}
	for i, it := range d.items(m["assignments"], path+".assignments") {
		if a := d.assignment(it, idx(path+".assignments", i)); a != nil {
			ic.assignments = append(ic.assignments, a)
		}
	}
	for i, it := range d.items(m["provisioned"], path+".provisioned") {
		p := idx(path+".provisioned", i)
		pm, ok := d.fields(it, p, fieldsOf["provisioned"]...)
		if !ok || !d.require(pm, it, p, requiredOf["provisioned"]...) {
			continue
		}
		v := &rawProvisioned{path: p, accounts: d.list(pm["accounts"], p+".accounts")}
		v.ps, _ = d.str(pm["permissionSet"], p+".permissionSet")
		ic.provisioned = append(ic.provisioned, v)
	}
	for i, it := range d.items(m["temporaryAccess"], path+".temporaryAccess") {
		p := idx(path+".temporaryAccess", i)
		am, ok := d.fields(it, p, fieldsOf["temporaryAccess"]...)
		if !ok || !d.require(am, it, p, requiredOf["temporaryAccess"]...) {
			continue
		}
		a := &rawAccess{pos: d.src.pos(it), path: p, mfa: true}
		if a.name, ok = d.str(am["name"], p+".name"); !ok {
			continue
		}
		a.description = d.optStr(am["description"], p+".description")
		a.permSet, _ = d.str(am["permissionSet"], p+".permissionSet")
		a.maxDuration, _ = d.str(am["maxDuration"], p+".maxDuration")
		a.accounts = d.list(am["accounts"], p+".accounts")
		a.ous = d.list(am["ous"], p+".ous")
		if len(a.accounts) == 0 && len(a.ous) == 0 {
			d.errorf(it, p, "the policy names no account: give accounts and/or ous")
		}
		a.requesters = d.list(am["requesterGroups"], p+".requesterGroups")
		a.approvers = d.list(am["approverGroups"], p+".approverGroups")
		if len(a.requesters) == 0 {
			d.errorf(am["requesterGroups"], p+".requesterGroups", "name at least one group whose members may request")
		}
		if len(a.approvers) == 0 {
			d.errorf(am["approverGroups"], p+".approverGroups", "name at least one group whose members may approve")
		}
		if x := am["approvalRequiresMfa"]; !isNull(x) {
			a.mfa = d.optBool(x, p+".approvalRequiresMfa")
		}
		ic.access = append(ic.access, a)
	}
	for i, it := range d.items(m["provisionedVersions"], path+".provisionedVersions") {
		p := idx(path+".provisionedVersions", i)
		vm, ok := d.fields(it, p, fieldsOf["provisionedVersion"]...)
		if !ok || !d.require(vm, it, p, requiredOf["provisionedVersion"]...) {
			continue
		}
		v := &rawVersion{pos: d.src.pos(it), path: p, accounts: d.list(vm["accounts"], p+".accounts")}
		if v.ps = d.permSet(vm["permissionSet"], p+".permissionSet"); v.ps != nil {
			ic.versions = append(ic.versions, v)
		}
	}
}

func (d *decoder) externalIdP(n *ynode, path string) *rawIdP {
	m, ok := d.fields(n, path, fieldsOf["externalIdentityProvider"]...)
	if !ok || !d.require(m, n, path, requiredOf["externalIdentityProvider"]...) {
		return nil
	}
	p := &rawIdP{pos: d.src.pos(n)}
	p.typ, _ = d.str(m["type"], path+".type")
	p.name, _ = d.str(m["name"], path+".name")
	p.metadataURL = d.optStr(m["metadataUrl"], path+".metadataUrl")
	p.metadata = d.optStr(m["metadata"], path+".metadata")
	p.issuer = d.optStr(m["issuer"], path+".issuer")
	p.allowIdPInitiated = d.optBool(m["allowIdpInitiated"], path+".allowIdpInitiated")
	p.clientID = d.optStr(m["clientId"], path+".clientId")
	p.clientSecretEnv = d.optStr(m["clientSecretEnv"], path+".clientSecretEnv")
	p.userClaim = d.optStr(m["userClaim"], path+".userClaim")
	p.scopes = d.list(m["scopes"], path+".scopes")
	switch p.typ.V {
	case "saml":
		if p.metadataURL.V == "" && p.metadata.V == "" {
			d.errorf(n, path, "a SAML identity provider needs metadataUrl or metadata")
		}
		if u := p.metadataURL.V; u != "" && !strings.HasPrefix(u, "https://") {
			d.errorf(m["metadataUrl"], path+".metadataUrl", "the metadata URL must be https://, not %q", u)
		}
		if p.metadata.V != "" {
			md, err := ParseSAMLMetadata(p.metadata.V)
			if err != nil {
				d.errorf(m["metadata"], path+".metadata", "%v", err)
			}
			p.saml = md
		}
		if p.metadataURL.V != "" && p.metadata.V != "" {
			d.errorf(m["metadata"], path+".metadata", "give metadataUrl or metadata, not both")
		}
		for _, f := range []string{"issuer", "clientId", "clientSecretEnv", "scopes", "userClaim"} {
			if m[f] != nil {
				d.errorf(m[f], path+"."+f, "%s is for OIDC identity providers; a SAML one gives metadataUrl or metadata", f)
			}
		}
	case "oidc":
		d.oidcIdP(p, m, n, path)
		if p.allowIdPInitiated {
			d.errorf(m["allowIdpInitiated"], path+".allowIdpInitiated", "allowIdpInitiated is for SAML identity providers")
		}
	default:
		d.errs.add(p.typ.P, path+".type", "unknown identity provider type %q: want saml or oidc", p.typ.V)
	}
	return p
}

// oidcIdP checks an OpenID provider's fields: its issuer (https://, as
// OpenID Connect Discovery requires), the client ID Warden signs in as, the
// environment variable holding the client secret (never the secret itself:
// organization files are kept in version control), the scopes (openid
// among them) and the claim matched to the identity store.
func (d *decoder) oidcIdP(p *rawIdP, m map[string]*ynode, n *ynode, path string) {
	switch u := p.issuer.V; {
	case u == "":
		d.errorf(n, path, "an OIDC identity provider needs issuer, its https:// URL")
	case !strings.HasPrefix(u, "https://") || strings.ContainsAny(u, "?# "):
		d.errorf(m["issuer"], path+".issuer", "the issuer must be an https:// URL without query or fragment, not %q", u)
	}
	if p.clientID.V == "" {
		d.errorf(n, path, "an OIDC identity provider needs clientId, the client ID of Warden's application at the provider")
	}
	if e := p.clientSecretEnv.V; e != "" && !reEnvName.MatchString(e) {
		d.errorf(m["clientSecretEnv"], path+".clientSecretEnv", "%q is not an environment variable name (letters, digits and _, not starting with a digit)", e)
	}
	if m["scopes"] != nil {
		openid := false
		for i, s := range p.scopes {
			if s.V == "" || strings.ContainsAny(s.V, " \t\"\\") {
				d.errs.add(s.P, idx(path+".scopes", i), "malformed scope %q", s.V)
			}
			openid = openid || s.V == "openid"
		}
		if !openid {
			d.errorf(m["scopes"], path+".scopes", "the scopes must include openid")
		}
	}
	if c := p.userClaim.V; m["userClaim"] != nil && (c == "" || c == "sub" || c == "iss" || c == "aud") {
		d.errorf(m["userClaim"], path+".userClaim", "userClaim %q cannot name a user: use email (the default), preferred_username, upn or another claim holding the user's email address or user name", c)
	}
	if p.metadataURL.V != "" || p.metadata.V != "" {
		d.errorf(n, path, "metadataUrl and metadata are for SAML identity providers; an OIDC one gives issuer")
	}
}

func (d *decoder) ssoUser(n *ynode, path string) *rawSSOUser {
	m, ok := d.fields(n, path, fieldsOf["ssoUser"]...)
	if !ok || !d.require(m, n, path, requiredOf["ssoUser"]...) {
		return nil
	}
	u := &rawSSOUser{pos: d.src.pos(n), path: path}
	if u.userName, ok = d.str(m["userName"], path+".userName"); !ok {
		return nil
	}
	u.id = d.optStr(m["id"], path+".id")
	u.displayName = d.optStr(m["displayName"], path+".displayName")
	u.attrs = d.userAttrs(m, path)
	u.groups = d.list(m["groups"], path+".groups")
	for i, it := range d.items(m["mfaDevices"], path+".mfaDevices") {
		p := idx(path+".mfaDevices", i)
		dm, ok := d.fields(it, p, fieldsOf["mfaDevice"]...)
		if !ok || !d.require(dm, it, p, requiredOf["mfaDevice"]...) {
			continue
		}
		t, _ := d.str(dm["type"], p+".type")
		name, _ := d.str(dm["name"], p+".name")
		if t.V != "totp" && t.V != "webauthn" {
			d.errs.add(t.P, p+".type", "unknown MFA device type %q: want totp or webauthn", t.V)
			continue
		}
		u.mfa = append(u.mfa, MFADevice{Type: t.V, Name: name.V})
	}
	return u
}

func (d *decoder) permSet(n *ynode, path string) *rawPermSet {
	m, ok := d.fields(n, path, fieldsOf["permissionSet"]...)
	if !ok || !d.require(m, n, path, requiredOf["permissionSet"]...) {
		return nil
	}
	ps := &rawPermSet{pos: d.src.pos(n), path: path}
	if ps.name, ok = d.str(m["name"], path+".name"); !ok {
		return nil
	}
	ps.description = d.optStr(m["description"], path+".description")
	ps.session = d.optStr(m["sessionDuration"], path+".sessionDuration")
	ps.relayState = d.optStr(m["relayState"], path+".relayState")
	ps.tags = d.tags(m["tags"], path+".tags")
	ps.managed = d.list(m["managedPolicies"], path+".managedPolicies")
	ps.customer = d.list(m["customerManagedPolicies"], path+".customerManagedPolicies")
	ps.inline = d.doc(m["inlinePolicy"], path+".inlinePolicy")
	ps.boundary = d.optStr(m["permissionsBoundary"], path+".permissionsBoundary")
	return ps
}

func (d *decoder) assignment(n *ynode, path string) *rawAssignment {
	m, ok := d.fields(n, path, fieldsOf["assignment"]...)
	if !ok || !d.require(m, n, path, requiredOf["assignment"]...) {
		return nil
	}
	a := &rawAssignment{pos: d.src.pos(n), path: path}
	if a.permSet, ok = d.str(m["permissionSet"], path+".permissionSet"); !ok {
		return nil
	}
	a.group = d.optStr(m["group"], path+".group")
	a.user = d.optStr(m["user"], path+".user")
	switch {
	case a.group.V == "" && a.user.V == "":
		d.errorf(n, path, "the assignment names no principal: give group or user")
	case a.group.V != "" && a.user.V != "":
		d.errorf(m["user"], path+".user", "give group or user, not both: make two assignments")
	}
	a.accounts = d.list(m["accounts"], path+".accounts")
	a.ous = d.list(m["ous"], path+".ous")
	if a.accounts != nil && a.ous != nil && len(a.accounts) == 0 && len(a.ous) == 0 {
		d.errorf(n, path, "the assignment targets no account: give accounts and/or ous")
	}
	return a
}

// mfaPolicy reads identityCenter.mfa: whether an external identity
// provider's own MFA counts, and for which authentication contexts, and
// what WebAuthn asks of authenticators.
func (d *decoder) mfaPolicy(n *ynode, path string) *MFAPolicy {
	m, ok := d.fields(n, path, fieldsOf["mfa"]...)
	if !ok {
		return nil
	}
	p := &MFAPolicy{TrustIdentityProvider: d.optBool(m["trustIdentityProvider"], path+".trustIdentityProvider")}
	for _, c := range d.list(m["acceptedAuthnContexts"], path+".acceptedAuthnContexts") {
		if strings.TrimSpace(c.V) == "" {
			d.errs.add(c.P, path+".acceptedAuthnContexts", "an authentication context must not be empty")
			continue
		}
		p.AcceptedAuthnContexts = append(p.AcceptedAuthnContexts, c.V)
	}
	if p.TrustIdentityProvider && len(p.AcceptedAuthnContexts) == 0 {
		d.errorf(n, path, "trustIdentityProvider needs acceptedAuthnContexts: the SAML AuthnContextClassRef or OIDC amr/acr values that mean the provider did MFA (for example http://schemas.microsoft.com/claims/multipleauthn, mfa)")
	}
	if len(p.AcceptedAuthnContexts) > 0 && !p.TrustIdentityProvider {
		d.errorf(m["acceptedAuthnContexts"], path+".acceptedAuthnContexts", "acceptedAuthnContexts has no effect unless trustIdentityProvider is true")
	}
	uv := d.optStr(m["webauthnUserVerification"], path+".webauthnUserVerification")
	switch uv.V {
	case "", "preferred", "required", "discouraged":
		p.WebAuthnUserVerification = uv.V
	default:
		d.errs.add(uv.P, path+".webauthnUserVerification", "unknown user verification %q: want required, preferred or discouraged", uv.V)
	}
	return p
}
