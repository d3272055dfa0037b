package escalate

import (
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/managed"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
	"slices"
)

// grantWay is one way to make a principal admin: the requests to make and
// the change they bring.
type grantWay struct {
	kind  string
	reqs  []request
	ch    *change
	gives string // what the change does, for the note
}

// grants finds, for every principal that is not admin, a way to make
// itself admin, or to make admin a principal it can then become by a chain
// of edges (the nearest first, breadth first): a grant (an inline policy,
// AdministratorAccess attached, a new policy version, a boundary deleted or
// replaced, a group joined, a permission set edited) after which the engine
// finds the grantee administrator-equivalent. Only a principal that may
// make some grant's request walks its chains.
func (a *analyzer) grants() {
	for _, x := range a.nodes {
		if x.external() || x.admin != nil {
			continue
		}
		if steps, proof, w := a.grantOn(x, x); steps != nil {
			x.grant, x.grantProof, x.grantWay, x.grantee = steps, proof, w, x
			continue
		}
		if !mayGrant(x) {
			continue
		}
		via := map[*Node]*Edge{x: nil}
		for queue := []*Node{x}; len(queue) > 0 && x.grant == nil; queue = queue[1:] {
			for _, e := range queue[0].out {
				if e.To.external() || via[e.To] != nil || e.To == x {
					continue
				}
				via[e.To] = e
				if steps, proof, w := a.grantOn(x, e.To); steps != nil {
					x.grantEdges = chain(via, e.To)
					x.grant, x.grantProof, x.grantWay, x.grantee = append(steps, stepsOf(x.grantEdges)...), proof, w, e.To
					break
				}
				queue = append(queue, e.To)
			}
		}
	}
}

// chain is the edges by which a principal becomes y, in order.
func chain(via map[*Node]*Edge, y *Node) []*Edge {
	var edges []*Edge
	for e := via[y]; e != nil; e = via[e.From] {
		edges = append(edges, e)
	}
	for i, j := 0, len(edges)-1; i < j; i, j = i+1, j-1 {
		edges[i], edges[j] = edges[j], edges[i]
	}
	return edges
}

// stepsOf is the steps of edges, in order.
func stepsOf(edges []*Edge) []Step {
	var steps []Step
	for _, e := range edges {
		steps = append(steps, e.Steps...)
	}
	return steps
}

// grantActions are the actions of every grant way's requests (grantWays):
// a principal that may make none of them makes no grant.
var grantActions = []string{
	"iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
	"iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AddUserToGroup",
	"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
	"iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary",
	"sso:PutInlinePolicyToPermissionSet", "sso:AttachManagedPolicyToPermissionSet",
}

func mayGrant(x *Node) bool {
	for _, act := range grantActions {
		if x.may(act) {
			return true
		}
	}
	return false
}

// grantOn finds the steps by which x makes y admin (any session).
func (a *analyzer) grantOn(x, y *Node) ([]Step, *AdminProof, *grantWay) {
	ws := a.grantWays(x, y)
	for i := range ws {
		w := &ws[i]
		steps := a.grantReqs(x, w, nil)
		if steps == nil {
			continue
		}
		proof := a.adminIn(y, w.ch, nil)
		if proof == nil {
			continue
		}
		steps[len(steps)-1].Note = w.gives + "; " + y.ARN + " is then administrator-equivalent"
		return steps, proof, w
	}
	return nil, nil, nil
}

// grantReqs decides the requests of x's grant way w, made in the session s
// (nil: any): the steps, or nil when one is denied.
func (a *analyzer) grantReqs(x *Node, w *grantWay, s *sess) []Step {
	for _, r := range w.reqs {
		if !x.may(r.action) {
			return nil
		}
	}
	var steps []Step
	for _, r := range w.reqs {
		r.sess = s
		st := a.decide(x, r)
		if st == nil {
			return nil
		}
		st.Kind = w.kind
		steps = append(steps, *st)
	}
	return steps
}

// grantWays lists the grants x could make on y.
func (a *analyzer) grantWays(x, y *Node) []grantWay {
	adminPolicy := withPolicies("admin", adminAccess())
	attach := map[string][]string{"iam:PolicyARN": {AdministratorAccessARN}}
	var ws []grantWay
	version := func(arns []string) {
		for _, p := range customerManaged(arns) {
			ws = append(ws, grantWay{kind: KindPolicyVersion, reqs: []request{{action: "iam:CreatePolicyVersion", resource: p}}, ch: adminPolicy,
				gives: "a new default version of " + p + " allows everything"})
			for _, v := range a.versionsOf(p) {
				ws = append(ws, grantWay{kind: KindSetDefaultVersion, reqs: []request{{action: "iam:SetDefaultPolicyVersion", resource: p}}, ch: withVersion(p, v),
					gives: "version " + v.ID + " of " + p + " becomes its default version"})
			}
		}
	}
	boundary := func(has bool, del, put string, arn string, attached []string) {
		if !has {
			return
		}
		// An older version of the customer managed policy that is the
		// boundary (and not also attached, whose versions are tried above).
		if !slices.Contains(attached, arn) {
			for _, p := range customerManaged([]string{arn}) {
				for _, v := range a.versionsOf(p) {
					ws = append(ws, grantWay{kind: KindSetDefaultVersion, reqs: []request{{action: "iam:SetDefaultPolicyVersion", resource: p}}, ch: withVersion(p, v),
						gives: "version " + v.ID + " of " + p + ", the permissions boundary, becomes its default version"})
				}
			}
		}
		ws = append(ws, grantWay{kind: KindDeleteBoundary, reqs: []request{{action: del, resource: y.ARN}}, ch: withBoundary("no-boundary", nil),
			gives: "the permissions boundary is gone"})
		if b, err := managed.Policy(AdministratorAccessARN, policy.Boundary); err == nil {
			ws = append(ws, grantWay{kind: KindPutBoundary, reqs: []request{{action: put, resource: y.ARN, fixed: map[string][]string{"iam:PermissionsBoundary": {AdministratorAccessARN}}}},
				ch: withBoundary("admin-boundary", b), gives: "the permissions boundary becomes AdministratorAccess"})
		}
	}
	// policies are the inline policy put and AdministratorAccess attached
	// to a role, user or group (of: "Role", "User" or "Group").
	policies := func(of, resource, whose string) {
		ws = append(ws,
			grantWay{kind: KindPutPolicy, reqs: []request{{action: "iam:Put" + of + "Policy", resource: resource}}, ch: adminPolicy, gives: "an inline policy of " + whose + " allows everything"},
			grantWay{kind: KindAttachPolicy, reqs: []request{{action: "iam:Attach" + of + "Policy", resource: resource, fixed: attach}}, ch: adminPolicy, gives: "AdministratorAccess is attached to " + whose})
	}
	switch {
	case y.Role != nil:
		r := y.Role
		policies("Role", y.ARN, "role "+r.Name)
		version(r.Attached.ManagedARNs)
		boundary(r.Boundary != nil, "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", r.Attached.BoundaryARN, r.Attached.ManagedARNs)
		if ps := a.permissionSet(r); ps != "" {
			provision := request{action: "sso:ProvisionPermissionSet", resource: ps}
			ws = append(ws,
				grantWay{kind: KindPermissionSetEdit, reqs: []request{{action: "sso:PutInlinePolicyToPermissionSet", resource: ps}, provision}, ch: adminPolicy,
					gives: "the permission set's inline policy allows everything, provisioned to its roles"},
				grantWay{kind: KindPermissionSetEdit, reqs: []request{{action: "sso:AttachManagedPolicyToPermissionSet", resource: ps}, provision}, ch: adminPolicy,
					gives: "AdministratorAccess is attached to the permission set, provisioned to its roles"})
		}
	case y.User != nil:
		u := y.User
		policies("User", y.ARN, "user "+u.Name)
		version(u.Attached.ManagedARNs)
		boundary(u.Boundary != nil, "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary", u.Attached.BoundaryARN, u.Attached.ManagedARNs)
		for _, g := range u.Groups {
			policies("Group", g.ARN, "group "+g.Name)
			version(g.Attached.ManagedARNs)
		}
		for _, g := range a.o.Groups {
			if g.Account == u.Account && !inGroup(u, g) {
				ws = append(ws, grantWay{kind: KindAddToGroup, reqs: []request{{action: "iam:AddUserToGroup", resource: g.ARN}},
					ch: withPolicies("group "+g.ARN, g.Policies...), gives: y.ARN + " joins group " + g.Name})
			}
		}
	}
	return ws
}

func inGroup(u *org.User, g *org.Group) bool {
	for _, h := range u.Groups {
		if h == g {
			return true
		}
	}
	return false
}

// permissionSet is the ARN of the permission set an Identity Center role
// was provisioned from ("" for another role).
func (a *analyzer) permissionSet(r *org.Role) string {
	if r.PermissionSet == "" || a.o.IdentityCenter == nil {
		return ""
	}
	return org.PermissionSetARN(a.o.IdentityCenter.InstanceARN, r.PermissionSet)
}

// versionsOf lists the other versions of the customer managed policy an
// ARN names (an account's copy), from an index of the policies that have
// some, made once.
func (a *analyzer) versionsOf(arn string) []*org.PolicyVersion {
	if a.versions == nil {
		a.versions = map[string][]*org.PolicyVersion{}
		for _, p := range a.o.Policies {
			if p.Type == org.TypeManaged && len(p.Versions) > 0 {
				for _, acct := range p.Accounts {
					a.versions[p.ARNIn(acct)] = p.Versions
				}
			}
		}
	}
	return a.versions[arn]
}

// withVersion is the change that makes a version of a customer managed
// policy (by its account copy's ARN) the default one: the principal's
// identity policies, and its permissions boundary when the policy is it,
// hold that version in place of the policy's document.
func withVersion(arn string, v *org.PolicyVersion) *change {
	doc := *v.Compiled
	doc.Name = arn
	bound := doc
	bound.Type = policy.Boundary
	replace := func(in []*policy.Policy, by *policy.Policy) []*policy.Policy {
		ps := append([]*policy.Policy(nil), in...)
		for i, p := range ps {
			if p.Name == arn {
				ps[i] = by
			}
		}
		return ps
	}
	return &change{key: "version " + arn + " " + v.ID, policies: []*policy.Policy{&doc}, apply: func(in *eval.Inputs) {
		in.Identity = replace(in.Identity, &doc)
		in.Boundary = replace(in.Boundary, &bound)
	}}
}
