package compliance

import (
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// customerPolicy is one account's copy of a customer managed policy.
type customerPolicy struct {
	res      Resource
	doc      *policy.Policy
	boundary bool // some role or user of the account uses it as its permissions boundary
	pos      string
}

func customerPolicies(o *org.Org) []customerPolicy {
	boundaries := map[string]bool{}
	for _, r := range o.Roles {
		boundaries[r.Attached.BoundaryARN] = true
	}
	for _, u := range o.Users {
		boundaries[u.Attached.BoundaryARN] = true
	}
	var out []customerPolicy
	for _, p := range o.Policies {
		if p.Type != org.TypeManaged || p.Compiled == nil {
			continue
		}
		for _, a := range p.Accounts {
			arn := p.ARNIn(a)
			out = append(out, customerPolicy{
				res:      Resource{Type: TypePolicy, ID: creds.StableID("ANPA", arn), Name: p.Name, ARN: arn, Account: a.ID},
				doc:      p.Compiled,
				boundary: boundaries[arn],
				pos:      p.Pos.String(),
			})
		}
	}
	return out
}

// entity is a role, user or group with its policies.
type entity struct {
	res      Resource
	attached org.Attached
	policies []*policy.Policy // managed then inline, as the loader orders them
	role     *org.Role
	user     *org.User
	pos      string
}

// inline returns the entity's inline policies (the last len(InlineNames)).
func (e *entity) inline() []*policy.Policy {
	n := len(e.attached.InlineNames)
	if n > len(e.policies) {
		n = len(e.policies)
	}
	return e.policies[len(e.policies)-n:]
}

func roleResource(r *org.Role) Resource {
	return Resource{Type: TypeRole, ID: creds.StableID("AROA", r.ARN), Name: r.Name, ARN: r.ARN, Account: r.Account.ID}
}

func entities(o *org.Org, types ...string) []entity {
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	var out []entity
	if want[TypeRole] {
		for _, r := range o.Roles {
			out = append(out, entity{res: roleResource(r), attached: r.Attached, policies: r.Policies, role: r, pos: r.Pos.String()})
		}
	}
	if want[TypeUser] {
		for _, u := range o.Users {
			out = append(out, entity{res: Resource{Type: TypeUser, ID: creds.StableID("AIDA", u.ARN), Name: u.Name, ARN: u.ARN, Account: u.Account.ID},
				attached: u.Attached, policies: u.Policies, user: u, pos: u.Pos.String()})
		}
	}
	if want[TypeGroup] {
		for _, g := range o.Groups {
			out = append(out, entity{res: Resource{Type: TypeGroup, ID: creds.StableID("AGPA", g.ARN), Name: g.Name, ARN: g.ARN, Account: g.Account.ID},
				attached: g.Attached, policies: g.Policies, pos: g.Pos.String()})
		}
	}
	return out
}

func accountResource(a *org.Account) Resource {
	return Resource{Type: TypeAccount, ID: a.ID, Name: a.Name, Account: a.ID}
}

func eval1(res Resource, compliance, annotation, where string) Evaluation {
	return Evaluation{Resource: res, Compliance: compliance, Annotation: annotation, Where: where}
}
