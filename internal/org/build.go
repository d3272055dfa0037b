package org

import (
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// MaxOUDepth is how deep AWS lets OUs nest under the root.
const MaxOUDepth = 5

// RootName is how the format names the root in parent, ou and attach.
const RootName = "Root"

// build is the state of name resolution.
type build struct {
	ouByName   map[string]*OU
	acctByName map[string]*Account
	acctByID   map[string]*Account
	managed    map[string]*Policy // customer managed policies by name
	docs       map[*Policy]*rawDoc
	groups     map[string]*Group // account ID + "/" + name
	roleDefs   map[roleKey]Pos   // account ID and lower-cased name -> where defined
	providers  map[string]*Provider
	trusts     []trustDef
}

// buildOrg resolves the raw declarations into l.o.
func (l *loader) buildOrg(r *raw) {
	o := l.o
	// The maps of accounts and roles are made for the number the
	// declarations give: a large organization's grew by rehashing.
	roles := roleCount(r)
	l.ouByName = map[string]*OU{}
	l.acctByName = make(map[string]*Account, len(r.accounts))
	l.acctByID = make(map[string]*Account, len(r.accounts))
	l.managed = map[string]*Policy{}
	l.docs = map[*Policy]*rawDoc{}
	l.groups = map[string]*Group{}
	l.roleDefs = make(map[roleKey]Pos, roles)
	l.providers = map[string]*Provider{}
	o.byName, o.byID = l.acctByName, l.acctByID
	o.ouByName = l.ouByName
	o.roles = make(map[roleKey]*Role, roles)
	o.users = map[string]*User{}
	o.resources = map[string]*Resource{}
	o.psRoles = map[string]string{}

	l.organization(r.org)
	l.ous(r.ous)
	l.accounts(r.accounts)
	if r.org != nil && r.org.management.V != "" {
		o.Management = l.account(r.org.management, "organization.managementAccount")
		l.buildDelegated(r.org)
	}
	l.policies(r.policies)
	l.checkSCPCoverage()
	l.buildGroups(r.groups)
	l.buildUsers(r.users)
	l.buildProviders(r.providers)
	l.buildRoles(r.roles)
	l.buildSLRs(r.slrs)
	l.buildIdentityCenter(r.ic)
	l.buildResources(r.resources)
	l.buildWorkloads(r.workloads)
	l.checkTrusts()
	l.precompute()
}

// roleCount estimates the roles the build provisions: a role or
// service-linked role in each account it names, and each permission set's
// role in every account (the most its assignments can reach).
func roleCount(r *raw) int {
	n := 0
	for _, role := range r.roles {
		n += max(1, len(role.accounts))
	}
	for _, slr := range r.slrs {
		n += max(1, len(slr.accounts))
	}
	if r.ic != nil {
		n += len(r.ic.permSets) * len(r.accounts)
	}
	return n
}

func (l *loader) organization(ri *rawOrgInfo) {
	o := l.o
	o.Root = &OU{Name: RootName}
	if ri == nil {
		return
	}
	o.Root.Pos = ri.pos
	o.ID = ri.id.V
	if o.ID != "" && !reOrgID.MatchString(o.ID) {
		l.errs.add(ri.id.P, "organization.id", "malformed organization ID %q: want o- and 10 to 32 lowercase letters or digits", o.ID)
	}
	o.RootID = ri.root.V
	switch {
	case o.RootID == "":
		o.RootID = defaultRootID(o.ID)
	case !reRootID.MatchString(o.RootID):
		l.errs.add(ri.root.P, "organization.root", "malformed root ID %q: want r- and 4 to 32 lowercase letters or digits", o.RootID)
	}
	o.Root.ID = o.RootID
}

func (l *loader) ous(list []*rawOU) {
	o := l.o
	ids := map[string]*rawOU{}
	raws := map[*OU]*rawOU{}
	for _, r := range list {
		name := r.name.V
		switch {
		case name == RootName || name == "*":
			l.errs.add(r.name.P, r.path+".name", "%q is reserved: it cannot name an OU", name)
			continue
		case l.ouByName[name] != nil:
			l.errs.add(r.name.P, r.path+".name", "duplicate OU name %q (first at %s)", name, l.ouByName[name].Pos)
			continue
		}
		ou := &OU{Name: name, ID: r.id.V, Pos: r.pos}
		rootPart := strings.TrimPrefix(o.RootID, "r-")
		if ou.ID == "" {
			ou.ID = defaultOUID(o.ID, o.RootID, name)
		} else if m := reOUID.FindStringSubmatch(ou.ID); m == nil {
			l.errs.add(r.id.P, r.path+".id", "malformed OU ID %q: want ou-, the root's 4 to 32 characters, -, and 8 to 32 lowercase letters or digits", ou.ID)
		} else if m[1] != rootPart {
			l.errs.add(r.id.P, r.path+".id", "OU ID %q does not belong to root %s: AWS's OU IDs start with ou-%s-", ou.ID, o.RootID, rootPart)
		}
		if prev, dup := ids[ou.ID]; dup && r.id.V != "" {
			l.errs.add(r.id.P, r.path+".id", "duplicate OU ID %q (first at %s)", ou.ID, prev.pos)
		}
		ids[ou.ID] = r
		l.ouByName[name] = ou
		raws[ou] = r
		o.OUs = append(o.OUs, ou)
	}
	for _, ou := range o.OUs {
		r := raws[ou]
		switch p := r.parent.V; {
		case p == "" || p == RootName:
			ou.Parent = o.Root
		case l.ouByName[p] != nil:
			ou.Parent = l.ouByName[p]
		default:
			l.errs.add(r.parent.P, r.path+".parent", "unknown parent OU %q%s", p, didYouMean(p, l.ouNames(true)))
			ou.Parent = o.Root
		}
	}
	// Depth and cycles: walk each OU's parents.
	for _, ou := range o.OUs {
		depth, cur := 1, ou.Parent
		for ; cur != o.Root && depth <= len(o.OUs); cur = cur.Parent {
			depth++
		}
		r := raws[ou]
		if cur != o.Root {
			l.errs.add(r.parent.P, r.path+".parent", "OU %q is its own ancestor: its parents form a cycle", ou.Name)
			ou.Parent = o.Root
			continue
		}
		if depth > MaxOUDepth {
			l.errs.add(r.pos, r.path, "OU %q is nested %d levels deep: AWS allows at most %d levels of OUs under the root", ou.Name, depth, MaxOUDepth)
		}
	}
	for _, ou := range o.OUs {
		ou.Parent.Children = append(ou.Parent.Children, ou)
	}
}

func (l *loader) ouNames(withRoot bool) []string {
	var out []string
	if withRoot {
		out = append(out, RootName)
	}
	for _, ou := range l.o.OUs {
		out = append(out, ou.Name)
	}
	return out
}

func (l *loader) accountNames() []string {
	out := make([]string, 0, len(l.o.Accounts))
	for _, a := range l.o.Accounts {
		out = append(out, a.Name)
	}
	return out
}

func (l *loader) accounts(list []*rawAccount) {
	o := l.o
	emails := map[string]*Account{}
	for _, r := range list {
		name := r.name.V
		switch {
		case name == RootName || name == "*" || name == "":
			l.errs.add(r.name.P, r.path+".name", "%q cannot name an account", name)
			continue
		case l.acctByName[name] != nil:
			l.errs.add(r.name.P, r.path+".name", "duplicate account name %q (first at %s)", name, l.acctByName[name].Pos)
			continue
		case l.ouByName[name] != nil:
			l.errs.add(r.name.P, r.path+".name", "%q names both an OU (at %s) and an account: attach lists could not tell them apart", name, l.ouByName[name].Pos)
		}
		a := &Account{Name: name, ID: r.id.V, Email: r.email.V, Tags: r.tags, Pos: r.pos, PublicAccessBlock: r.pab}
		switch prev := l.acctByID[a.ID]; {
		case r.badID:
		case !IsAccountID(a.ID):
			l.errs.add(r.id.P, r.path+".id", "malformed account ID %q: want exactly 12 digits, quoted, as in \"111122223333\"", a.ID)
		case prev != nil:
			l.errs.add(r.id.P, r.path+".id", "duplicate account ID %s: account %s has it too (at %s)", a.ID, prev.Name, prev.Pos)
		default:
			l.acctByID[a.ID] = a
		}
		if r.email.V != "" {
			if !IsEmail(a.Email) {
				l.errs.add(r.email.P, r.path+".email", "malformed email address %q: want name@domain.example, 6 to 64 characters", a.Email)
			} else if prev := emails[strings.ToLower(a.Email)]; prev != nil {
				l.errs.add(r.email.P, r.path+".email", "duplicate email address %q: account %s has it too (at %s); AWS requires one per account", a.Email, prev.Name, prev.Pos)
			} else {
				emails[strings.ToLower(a.Email)] = a
			}
		}
		switch ou := r.ou.V; {
		case ou == "" || ou == RootName:
		case l.ouByName[ou] != nil:
			a.OU = l.ouByName[ou]
		default:
			l.errs.add(r.ou.P, r.path+".ou", "unknown OU %q%s", ou, didYouMean(ou, l.ouNames(true)))
		}
		if a.OU != nil {
			a.OU.Accounts = append(a.OU.Accounts, a)
		} else {
			o.Root.Accounts = append(o.Root.Accounts, a)
		}
		l.acctByName[name] = a
		o.Accounts = append(o.Accounts, a)
	}
}

// account resolves an account name.
func (l *loader) account(ref sval, path string) *Account {
	if a := l.acctByName[ref.V]; a != nil {
		return a
	}
	l.errs.add(ref.P, path, "unknown account %q%s", ref.V, didYouMean(ref.V, l.accountNames()))
	return nil
}

// accountList resolves a list of account names, where "*" stands for every
// member account. It reports an empty list as nothing to provision into; a
// nil list is one whose error is already reported.
func (l *loader) accountList(refs []sval, path string, at Pos, what string) []*Account {
	if refs == nil { // of the wrong type: reported
		return nil
	}
	if len(refs) == 0 {
		l.errs.add(at, path, "%s is in no account: list account names in accounts, or [\"*\"] for every member account", what)
		return nil
	}
	var out []*Account
	seen := map[*Account]bool{}
	for i, ref := range refs {
		if ref.V == "*" {
			for _, a := range l.o.Accounts {
				if a != l.o.Management && !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
			continue
		}
		a := l.account(ref, idx(path, i))
		if a == nil {
			continue
		}
		if seen[a] {
			if !containsStar(refs) {
				l.errs.add(ref.P, idx(path, i), "account %s is listed twice", a.Name)
			}
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}

func containsStar(refs []sval) bool {
	for _, r := range refs {
		if r.V == "*" {
			return true
		}
	}
	return false
}

// policyType maps the format's policy types to the policy language's.
var policyType = map[string]policy.Type{TypeSCP: policy.SCP, TypeRCP: policy.RCP, TypeManaged: policy.Identity}
