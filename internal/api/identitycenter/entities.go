package identitycenter

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso"
)

// kind is what the identity store's user and group operations share: each
// entity has a unique name (a user's UserName, a group's DisplayName) that
// its ID is derived from, and attributes an update may set.
type kind struct {
	typ        string   // ResourceType: USER or GROUP
	idKey      string   // UserId or GroupId
	attr       string   // the attribute of the unique name: userName or displayName
	unique     []string // the unique attributes of Get...Id
	listKey    string   // Users or Groups
	filterPath string   // the attribute path ListUsers and ListGroups filter on
	id         func(storeID, name string) string
	// name reads the new entity's name from a create input.
	name func(in storeInput) string
	// entries lists the entities with their output shapes.
	entries func(cl *caller) []entry
	add     func(ic *org.IdentityCenterDef, name string, in storeInput) error
	remove  func(ic *org.IdentityCenterDef, name string) bool
	// apply applies UpdateUser's or UpdateGroup's operations.
	apply func(ic *org.IdentityCenterDef, name string, ops []attributeOp) error
}

type entry struct {
	name string
	out  any
	// has reports whether the entity has a unique attribute's value, or
	// carries an external ID.
	has func(path, value string, ext *org.ExternalIDDef) bool
}

var users = &kind{
	typ: "USER", idKey: "UserId", attr: "userName", unique: []string{"userName", "emails.value"}, listKey: "Users", filterPath: "UserName", id: sso.UserID,
	name: func(in storeInput) string { return str(in.UserName) },
	entries: func(cl *caller) []entry {
		var out []entry
		for _, u := range cl.ic.Users {
			out = append(out, entry{u.UserName, cl.userOut(u), func(path, value string, ext *org.ExternalIDDef) bool {
				switch {
				case ext != nil:
					return org.HasExternalID(u.Attributes.ExternalIDs, ext.Issuer, ext.ID)
				case path == "emails.value":
					return u.Attributes.HasEmail(value)
				}
				return strings.EqualFold(u.UserName, value)
			}})
		}
		return out
	},
	add: func(ic *org.IdentityCenterDef, name string, in storeInput) error {
		return ic.AddUser(&org.SSOUserDef{UserName: name, DisplayName: str(in.DisplayName), UserAttributes: in.attrs})
	},
	remove: func(ic *org.IdentityCenterDef, name string) bool { return ic.RemoveUser(name) },
	apply: func(ic *org.IdentityCenterDef, name string, ops []attributeOp) error {
		u := ic.User(name)
		if err := applyUserOps(u, ops); err != nil {
			return err
		}
		return editErr(ic.CheckUser(u))
	},
}

var groups = &kind{
	typ: "GROUP", idKey: "GroupId", attr: "displayName", unique: []string{"displayName"}, listKey: "Groups", filterPath: "DisplayName", id: sso.GroupID,
	name: func(in storeInput) string { return str(in.DisplayName) },
	entries: func(cl *caller) []entry {
		var out []entry
		for _, g := range cl.ic.Groups {
			out = append(out, entry{g.Name, cl.groupOut(g), func(_, value string, ext *org.ExternalIDDef) bool {
				if ext != nil {
					return org.HasExternalID(g.ExternalIDs, ext.Issuer, ext.ID)
				}
				return strings.EqualFold(g.Name, value)
			}})
		}
		return out
	},
	add: func(ic *org.IdentityCenterDef, name string, in storeInput) error {
		return ic.AddGroup(&org.SSOGroupDef{Name: name, Description: str(in.Description)})
	},
	remove: func(ic *org.IdentityCenterDef, name string) bool { return ic.RemoveGroup(name) },
	apply: func(ic *org.IdentityCenterDef, name string, ops []attributeOp) error {
		g := ic.Group(name)
		for i, op := range ops {
			switch strings.ToLower(op.AttributePath) {
			case "description":
				var v *string
				if err := json.Unmarshal(op.AttributeValue, &v); err != nil && len(op.AttributeValue) > 0 {
					return validation("Operations[%d]: the value of description must be a string.", i)
				}
				g.Description = ""
				if v != nil {
					g.Description = *v
				}
			case "displayname":
				return validation("Operations[%d]: Warden does not change displayName: identity store IDs are derived from it.", i)
			default:
				return validation("Operations[%d]: invalid attribute path %q: a group's updatable attribute is description.", i, op.AttributePath)
			}
		}
		return editErr(ic.CheckGroup(g))
	},
}

// inputID is the ID an input names for the kind.
func (k *kind) inputID(in storeInput) string {
	if k == users {
		return in.UserID
	}
	return in.GroupID
}

// find returns the entity with an ID.
func (k *kind) find(cl *caller, id string) (entry, error) {
	for _, e := range k.entries(cl) {
		if k.id(cl.ic.IdentityStoreID, e.name) == id {
			return e, nil
		}
	}
	return entry{}, notFound(k.typ, id)
}

// create serves CreateUser and CreateGroup.
func (s *Service) create(k *kind) api.Handler {
	return func(ctx context.Context, c *api.Call) (any, error) {
		in, cl, err := s.input(ctx, c)
		if err != nil {
			return nil, err
		}
		name := k.name(in)
		if name == "" {
			return nil, validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", k.attr)
		}
		c.RequestParameters = call.Fields{"identityStoreId": in.IdentityStoreID, k.attr: name}
		err = cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error { return editErr(k.add(ic, name, in)) })
		if err != nil {
			return nil, err
		}
		out := map[string]string{k.idKey: k.id(cl.ic.IdentityStoreID, name), "IdentityStoreId": in.IdentityStoreID}
		c.ResponseElements = out
		return out, nil
	}
}

// describe serves DescribeUser and DescribeGroup.
func (s *Service) describe(k *kind) api.Handler {
	return func(ctx context.Context, c *api.Call) (any, error) {
		in, cl, err := s.input(ctx, c)
		if err != nil {
			return nil, err
		}
		e, err := k.find(cl, k.inputID(in))
		return e.out, err
	}
}

// update serves UpdateUser and UpdateGroup. The unique name, which the ID
// is derived from, cannot change.
func (s *Service) update(k *kind) api.Handler {
	return func(ctx context.Context, c *api.Call) (any, error) {
		in, cl, err := s.input(ctx, c)
		if err != nil {
			return nil, err
		}
		e, err := k.find(cl, k.inputID(in))
		if err != nil {
			return nil, err
		}
		if len(in.Operations) == 0 || len(in.Operations) > 100 {
			return nil, validation("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100")
		}
		return nil, cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error {
			return k.apply(ic, e.name, in.Operations)
		})
	}
}

// remove serves DeleteUser and DeleteGroup (with their memberships and
// assignments).
func (s *Service) remove(k *kind) api.Handler {
	return func(ctx context.Context, c *api.Call) (any, error) {
		in, cl, err := s.input(ctx, c)
		if err != nil {
			return nil, err
		}
		e, err := k.find(cl, k.inputID(in))
		if err != nil {
			return nil, err
		}
		return nil, cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error {
			if !k.remove(ic, e.name) {
				return notFound(k.typ, k.inputID(in))
			}
			return nil
		})
	}
}

// list serves ListUsers and ListGroups, with their one filter.
func (s *Service) list(k *kind) api.Handler {
	return func(ctx context.Context, c *api.Call) (any, error) {
		in, cl, err := s.input(ctx, c)
		if err != nil {
			return nil, err
		}
		want, err := filter(in, k.filterPath)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, e := range k.entries(cl) {
			if want == nil || strings.EqualFold(e.name, *want) {
				out = append(out, e.out)
			}
		}
		return listed(in, k.listKey, out)
	}
}

// getID serves GetUserId and GetGroupId, by the unique attribute.
func (s *Service) getID(k *kind) api.Handler {
	return func(ctx context.Context, c *api.Call) (any, error) {
		in, cl, err := s.input(ctx, c)
		if err != nil {
			return nil, err
		}
		path, value, ext, err := alternate(in, k.unique...)
		if err != nil {
			return nil, err
		}
		for _, e := range k.entries(cl) {
			if e.has(path, value, ext) {
				return map[string]string{k.idKey: k.id(cl.ic.IdentityStoreID, e.name), "IdentityStoreId": in.IdentityStoreID}, nil
			}
		}
		if ext != nil {
			value = ext.Issuer + " " + ext.ID
		}
		return nil, notFound(k.typ, value)
	}
}
