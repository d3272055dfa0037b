package compliance

import (
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// The values custom rules see: each resource as a map of plain values
// (strings, booleans, numbers, lists and maps), documented in
// docs/compliance.md. They are built from the loaded org.

// Resource types of Identity Center, as CloudFormation names them.
const (
	TypePermissionSet = "AWS::SSO::PermissionSet"
	TypeAssignment    = "AWS::SSO::Assignment"
)

// CustomTypes are the resource types a custom rule may name.
var CustomTypes = []string{TypeRole, TypeUser, TypeGroup, TypePolicy, TypeAccount, TypeBucket, TypePermissionSet, TypeAssignment}

// object is one resource for a custom rule: its Resource and its value.
type object struct {
	res   Resource
	value map[string]any
	pos   string
}

func accountValue(a *org.Account) map[string]any {
	ou := "Root"
	if a.OU != nil {
		ou = a.OU.Name
	}
	return map[string]any{"id": a.ID, "name": a.Name, "ou": ou, "tags": stringMap(a.Tags)}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func strList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// statements renders a policy's statements: effect, principals by kind,
// actions, resources (with their Not forms) and conditions as
// {operator: {key: [values]}}.
func statements(p *policy.Policy) []any {
	if p == nil {
		return []any{}
	}
	var out []any
	for _, s := range p.Doc.Statements {
		st := map[string]any{"sid": s.Sid, "effect": s.Effect,
			"actions": strs(s.Action), "notAction": s.NotAction,
			"resources": strs(s.Resource), "notResource": s.NotResource,
			"notPrincipal": s.NotPrincipal}
		pr := map[string]any{"aws": []any{}, "service": []any{}, "federated": []any{}}
		if s.Principal != nil {
			if s.Principal.Wildcard {
				pr["aws"] = []any{"*"}
			} else {
				pr["aws"], pr["service"], pr["federated"] = strs(s.Principal.AWS), strs(s.Principal.Service), strs(s.Principal.Federated)
			}
		}
		st["principals"] = pr
		cond := map[string]any{}
		for _, c := range s.Condition {
			m, _ := cond[c.Op].(map[string]any)
			if m == nil {
				m = map[string]any{}
				cond[c.Op] = m
			}
			m[c.Key] = strList(c.Values)
		}
		st["conditions"] = cond
		out = append(out, st)
	}
	return out
}

func strs(list []policy.Str) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s.Value
	}
	return out
}

func objects(o *org.Org, typ string) []object {
	var out []object
	switch typ {
	case TypeRole, TypeUser, TypeGroup:
		for _, e := range entities(o, typ) {
			v := map[string]any{"name": e.res.Name, "arn": e.res.ARN, "id": e.res.ID,
				"managedPolicies": strList(e.attached.ManagedARNs), "inlinePolicies": strList(e.attached.InlineNames),
				"boundary": e.attached.BoundaryARN}
			switch {
			case e.role != nil:
				r := e.role
				v["account"] = accountValue(r.Account)
				v["path"], v["tags"], v["serviceLinked"] = r.Path, stringMap(r.Tags), r.ServiceLinked
				v["permissionSet"], v["maxSessionDuration"] = r.PermissionSet, int64(r.MaxSessionDuration)
				v["trust"] = statements(r.Trust)
			case e.user != nil:
				u := e.user
				v["account"], v["path"], v["tags"] = accountValue(u.Account), u.Path, stringMap(u.Tags)
				var groups []string
				for _, g := range u.Groups {
					groups = append(groups, g.Name)
				}
				v["groups"] = strList(groups)
			default:
				a, _ := o.AccountByID(e.res.Account)
				v["account"] = accountValue(a)
			}
			out = append(out, object{res: e.res, value: v, pos: e.pos})
		}
	case TypePolicy:
		for _, p := range customerPolicies(o) {
			a, _ := o.AccountByID(p.res.Account)
			out = append(out, object{res: p.res, pos: p.pos, value: map[string]any{"name": p.res.Name, "arn": p.res.ARN, "id": p.res.ID,
				"account": accountValue(a), "boundary": p.boundary, "statements": statements(p.doc)}})
		}
	case TypeAccount:
		for _, a := range o.Accounts {
			v := accountValue(a)
			v["management"] = a == o.Management
			out = append(out, object{res: accountResource(a), value: v, pos: a.Pos.String()})
		}
	case TypeBucket:
		for _, r := range o.Resources {
			name, ok := bucketName(r.ARN)
			if !ok {
				continue
			}
			out = append(out, object{res: Resource{Type: TypeBucket, ID: name, Name: name, ARN: r.ARN, Account: r.Account.ID}, pos: r.Pos.String(),
				value: map[string]any{"name": name, "arn": r.ARN, "account": accountValue(r.Account), "statements": statements(r.Policy)}})
		}
	case TypePermissionSet, TypeAssignment:
		ic := o.IdentityCenter
		if ic == nil {
			return nil
		}
		if typ == TypePermissionSet {
			for _, ps := range ic.PermissionSets {
				arn := ic.InstanceARN + "/ps/" + ps.Name
				out = append(out, object{res: Resource{Type: typ, ID: ps.Name, Name: ps.Name, ARN: arn, Account: o.Management.ID}, pos: ps.Pos.String(),
					value: map[string]any{"name": ps.Name, "sessionDuration": int64(ps.SessionDuration), "tags": stringMap(ps.Tags),
						"boundary": ps.Boundary, "customerManagedPolicies": strList(ps.CustomerManaged)}})
			}
			return out
		}
		for _, as := range ic.Assignments {
			kind, name := "GROUP", ""
			if as.User != nil {
				kind, name = "USER", as.User.UserName
			} else if as.Group != nil {
				name = as.Group.Name
			}
			for _, a := range as.Accounts {
				id := as.PermissionSet.Name + "/" + kind + "/" + name + "/" + a.ID
				out = append(out, object{res: Resource{Type: typ, ID: id, Name: id, Account: a.ID}, pos: as.Pos.String(),
					value: map[string]any{"permissionSet": as.PermissionSet.Name, "principalType": kind, "principalName": name,
						"account": accountValue(a)}})
			}
		}
	}
	return out
}
