package org

import (
	"strconv"
)

// The raw* types are the sections of the organization files as written,
// with positions, before names are resolved.

type rawOrgInfo struct {
	id, management, root sval
	delegated            []rawDelegated
	pos                  Pos
}

type rawDelegated struct {
	account  sval
	services []sval
	pos      Pos
	path     string
}

type rawOU struct {
	name, id, parent sval
	pos              Pos
	path             string
}

type rawAccount struct {
	name, id, email, ou sval
	badID               bool
	tags                map[string]string
	pab                 PublicAccessBlock
	pos                 Pos
	path                string
}

type rawPolicy struct {
	name, typ, description, ppath sval
	doc                           *rawDoc
	versions                      []rawPolicyVersion
	versionsPos                   Pos // where versions is written; zero when it is not
	versionsN                     int // how many versions are written
	attach, accounts              []sval
	hasAttach, hasAccounts        bool
	pos                           Pos
	path                          string
}

// rawInline is an inline policy: its name and document.
type rawInline struct {
	name sval
	doc  *rawDoc
}

// rawPerms are the policies of a role, user or group.
type rawPerms struct {
	managed  []sval
	inline   []rawInline
	boundary sval
}

type rawRole struct {
	name, ppath, description sval
	accounts                 []sval
	trust                    *rawDoc
	perms                    rawPerms
	maxSession               int
	maxPos                   Pos
	tags                     map[string]string
	pos                      Pos
	path                     string
}

type rawUser struct {
	name, account, ppath sval
	groups               []sval
	perms                rawPerms
	tags                 map[string]string
	pos                  Pos
	path                 string
}

type rawGroup struct {
	name, account, ppath sval
	perms                rawPerms
	pos                  Pos
	path                 string
}

type rawResource struct {
	arn, account sval
	keyManager   sval
	doc          *rawDoc
	pab          PublicAccessBlock
	pabPos       Pos // where publicAccessBlock is written; zero when it is not
	pos          Pos
	path         string
}

type rawProvider struct {
	typ, name sval
	accounts  []sval
	clientIDs []sval
	metadata  sval
	tags      map[string]string
	pos       Pos
	path      string
}

type rawSLR struct {
	service, name sval
	accounts      []sval
	managed       []sval
	pos           Pos
	path          string
}

// raw is everything the organization files declare.
type raw struct {
	org       *rawOrgInfo
	ous       []*rawOU
	accounts  []*rawAccount
	policies  []*rawPolicy
	roles     []*rawRole
	users     []*rawUser
	groups    []*rawGroup
	resources []*rawResource
	workloads []*rawWorkload
	providers []*rawProvider
	slrs      []*rawSLR
	ic        *rawIC
}

var topFields = []string{"organization", "ous", "accounts", "policies", "roles", "users", "groups",
	"resources", "workloads", "identityProviders", "serviceLinkedRoles", "identityCenter"}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// file decodes one organization file into r.
func (d *decoder) file(root *ynode, r *raw) {
	if root.Kind == mappingNode && len(root.Content) >= 2 {
		switch root.Content[0].Value {
		case "Version", "Statement":
			d.errorf(root.Content[0], "", "this looks like a policy document, not an organization file: keep documents that {file: ...} names in a subfolder")
			return
		}
	}
	m, ok := d.fields(root, "", fieldsOf["file"]...)
	if !ok {
		return
	}
	if n := m["organization"]; n != nil {
		d.organization(n, r)
	}
	for i, n := range d.items(m["ous"], "ous") {
		d.ou(n, idx("ous", i), r)
	}
	for i, n := range d.items(m["accounts"], "accounts") {
		d.account(n, idx("accounts", i), r)
	}
	for i, n := range d.items(m["policies"], "policies") {
		d.policy(n, idx("policies", i), r)
	}
	for i, n := range d.items(m["roles"], "roles") {
		d.role(n, idx("roles", i), r)
	}
	for i, n := range d.items(m["users"], "users") {
		d.user(n, idx("users", i), r)
	}
	for i, n := range d.items(m["groups"], "groups") {
		d.group(n, idx("groups", i), r)
	}
	for i, n := range d.items(m["resources"], "resources") {
		d.resource(n, idx("resources", i), r)
	}
	for i, n := range d.items(m["workloads"], "workloads") {
		d.workload(n, idx("workloads", i), r)
	}
	for i, n := range d.items(m["identityProviders"], "identityProviders") {
		d.provider(n, idx("identityProviders", i), r)
	}
	for i, n := range d.items(m["serviceLinkedRoles"], "serviceLinkedRoles") {
		d.slr(n, idx("serviceLinkedRoles", i), r)
	}
	if n := m["identityCenter"]; n != nil {
		d.identityCenter(n, "identityCenter", r)
	}
}

func (d *decoder) organization(n *ynode, r *raw) {
	const path = "organization"
	m, ok := d.fields(n, path, fieldsOf["organization"]...)
	if !ok {
		return
	}
	o := &rawOrgInfo{pos: d.src.pos(n)}
	if r.org != nil {
		d.errorf(n, path, "the organization is given twice (first at %s)", r.org.pos)
		return
	}
	r.org = o
	if d.require(m, n, path, "id") {
		o.id, _ = d.str(m["id"], path+".id")
	}
	if isNull(m["managementAccount"]) {
		d.errorf(n, path, "the organization has no management account: give managementAccount, an account's name")
	} else {
		o.management, _ = d.str(m["managementAccount"], path+".managementAccount")
	}
	o.root = d.optStr(m["root"], path+".root")
	for i, it := range d.items(m["delegatedAdministrators"], path+".delegatedAdministrators") {
		p := idx(path+".delegatedAdministrators", i)
		dm, ok := d.fields(it, p, fieldsOf["delegatedAdministrator"]...)
		if !ok || !d.require(dm, it, p, requiredOf["delegatedAdministrator"]...) {
			continue
		}
		acct, _ := d.str(dm["account"], p+".account")
		o.delegated = append(o.delegated, rawDelegated{account: acct, services: d.list(dm["services"], p+".services"), pos: d.src.pos(it), path: p})
	}
}

func (d *decoder) ou(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["ou"]...)
	if !ok || !d.require(m, n, path, requiredOf["ou"]...) {
		return
	}
	o := &rawOU{pos: d.src.pos(n), path: path}
	var okName bool
	if o.name, okName = d.str(m["name"], path+".name"); !okName {
		return
	}
	o.id = d.optStr(m["id"], path+".id")
	o.parent = d.optStr(m["parent"], path+".parent")
	r.ous = append(r.ous, o)
}

func (d *decoder) account(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["account"]...)
	if !ok || !d.require(m, n, path, requiredOf["account"]...) {
		return
	}
	a := &rawAccount{pos: d.src.pos(n), path: path}
	var okName, okID bool
	a.name, okName = d.rawString(m["name"], path+".name")
	a.id, okID = d.rawString(m["id"], path+".id")
	if !okName {
		return
	}
	a.badID = !okID // reported; the account is kept so that references to it resolve
	a.email = d.optStr(m["email"], path+".email")
	a.ou = d.optStr(m["ou"], path+".ou")
	a.tags = d.tags(m["tags"], path+".tags")
	a.pab, _ = d.publicAccessBlock(m["publicAccessBlock"], path+".publicAccessBlock")
	r.accounts = append(r.accounts, a)
}

func (d *decoder) policy(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["policy"]...)
	if !ok || !d.require(m, n, path, requiredOf["policy"]...) {
		return
	}
	p := &rawPolicy{pos: d.src.pos(n), path: path}
	var okName, okType bool
	p.name, okName = d.str(m["name"], path+".name")
	p.typ, okType = d.str(m["type"], path+".type")
	if !okName || !okType {
		return
	}
	p.description = d.optStr(m["description"], path+".description")
	p.ppath = d.optStr(m["path"], path+".path")
	p.doc = d.doc(m["document"], path+".document")
	_, p.hasAttach = m["attach"]
	_, p.hasAccounts = m["accounts"]
	if p.hasAttach {
		p.attach = d.list(m["attach"], path+".attach")
	}
	p.accounts = d.list(m["accounts"], path+".accounts")
	if vs := m["versions"]; vs != nil {
		p.versionsPos = d.src.pos(vs)
		items := d.items(vs, path+".versions")
		p.versionsN = len(items)
		for i, vn := range items {
			d.policyVersion(vn, idx(path+".versions", i), p)
		}
	}
	r.policies = append(r.policies, p)
}

// perms reads the policy fields that roles, users and groups share.
func (d *decoder) perms(m map[string]*ynode, path string) rawPerms {
	var p rawPerms
	p.managed = d.list(m["managedPolicies"], path+".managedPolicies")
	for _, kv := range d.pairs(m["inlinePolicies"], path+".inlinePolicies") {
		ip := path + ".inlinePolicies." + kv.Key.V
		doc := d.doc(kv.Val, ip)
		if doc == nil {
			if isNull(kv.Val) {
				d.errs.add(kv.Key.P, ip, "the inline policy has no document")
			}
			continue
		}
		p.inline = append(p.inline, rawInline{name: kv.Key, doc: doc})
	}
	p.boundary = d.optStr(m["permissionsBoundary"], path+".permissionsBoundary")
	return p
}

func (d *decoder) role(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["role"]...)
	if !ok || !d.require(m, n, path, requiredOf["role"]...) {
		return
	}
	ro := &rawRole{pos: d.src.pos(n), path: path}
	var okName bool
	if ro.name, okName = d.str(m["name"], path+".name"); !okName {
		return
	}
	ro.accounts = d.list(m["accounts"], path+".accounts")
	ro.ppath = d.optStr(m["path"], path+".path")
	ro.description = d.optStr(m["description"], path+".description")
	ro.trust = d.doc(m["trust"], path+".trust")
	ro.perms = d.perms(m, path)
	if v, p, ok := d.integer(m["maxSessionDuration"], path+".maxSessionDuration"); ok {
		ro.maxSession, ro.maxPos = v, p
	}
	ro.tags = d.tags(m["tags"], path+".tags")
	r.roles = append(r.roles, ro)
}

func (d *decoder) user(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["user"]...)
	if !ok || !d.require(m, n, path, requiredOf["user"]...) {
		return
	}
	u := &rawUser{pos: d.src.pos(n), path: path}
	var okName, okAcct bool
	u.name, okName = d.str(m["name"], path+".name")
	u.account, okAcct = d.str(m["account"], path+".account")
	if !okName || !okAcct {
		return
	}
	u.ppath = d.optStr(m["path"], path+".path")
	u.groups = d.list(m["groups"], path+".groups")
	u.perms = d.perms(m, path)
	u.tags = d.tags(m["tags"], path+".tags")
	r.users = append(r.users, u)
}

func (d *decoder) group(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["group"]...)
	if !ok || !d.require(m, n, path, requiredOf["group"]...) {
		return
	}
	g := &rawGroup{pos: d.src.pos(n), path: path}
	var okName, okAcct bool
	g.name, okName = d.str(m["name"], path+".name")
	g.account, okAcct = d.str(m["account"], path+".account")
	if !okName || !okAcct {
		return
	}
	g.ppath = d.optStr(m["path"], path+".path")
	g.perms = d.perms(m, path)
	r.groups = append(r.groups, g)
}

func (d *decoder) resource(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["resource"]...)
	if !ok || !d.require(m, n, path, requiredOf["resource"]...) {
		return
	}
	res := &rawResource{pos: d.src.pos(n), path: path}
	var okARN bool
	if res.arn, okARN = d.str(m["arn"], path+".arn"); !okARN {
		return
	}
	res.account = d.optStr(m["account"], path+".account")
	res.keyManager = d.optStr(m["keyManager"], path+".keyManager")
	res.doc = d.doc(m["policy"], path+".policy")
	res.pab, res.pabPos = d.publicAccessBlock(m["publicAccessBlock"], path+".publicAccessBlock")
	r.resources = append(r.resources, res)
}

func (d *decoder) provider(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["identityProvider"]...)
	if !ok || !d.require(m, n, path, requiredOf["identityProvider"]...) {
		return
	}
	p := &rawProvider{pos: d.src.pos(n), path: path}
	var okType, okName bool
	p.typ, okType = d.str(m["type"], path+".type")
	p.name, okName = d.str(m["name"], path+".name")
	if !okType || !okName {
		return
	}
	p.accounts = d.list(m["accounts"], path+".accounts")
	p.clientIDs = d.list(m["clientIds"], path+".clientIds")
	if len(p.clientIDs) > 0 && p.typ.V == "saml" {
		d.errorf(m["clientIds"], path+".clientIds", "clientIds are for OIDC providers only")
	}
	p.metadata = d.optStr(m["metadata"], path+".metadata")
	if p.metadata.V != "" && p.typ.V != "saml" {
		d.errorf(m["metadata"], path+".metadata", "metadata is for SAML providers only")
	}
	p.tags = d.tags(m["tags"], path+".tags")
	r.providers = append(r.providers, p)
}

func (d *decoder) slr(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["serviceLinkedRole"]...)
	if !ok || !d.require(m, n, path, requiredOf["serviceLinkedRole"]...) {
		return
	}
	s := &rawSLR{pos: d.src.pos(n), path: path}
	var okSvc, okName bool
	s.service, okSvc = d.str(m["service"], path+".service")
	s.name, okName = d.str(m["name"], path+".name")
	if !okSvc || !okName {
		return
	}
	s.accounts = d.list(m["accounts"], path+".accounts")
	s.managed = d.list(m["managedPolicies"], path+".managedPolicies")
	r.slrs = append(r.slrs, s)
}
