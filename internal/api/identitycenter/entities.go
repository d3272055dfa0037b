package identitycenter

import (
	"context"
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
	typ        string // ResourceType: USER or GROUP
	idKey      string // UserId or GroupId
	attr       string // the unique attribute of Get...Id: userName or displayName
	listKey    string // Users or Groups
	filterPath string // the attribute path ListUsers and ListGroups filter on
	id         func(storeID, name string) string
	// name reads the new entity's name from a create input.
	name func(in storeInput) string
	// entries lists the entities with their output shapes.
	entries func(cl *caller) []entry
	add     func(ic *org.IdentityCenterDef, name string, in storeInput) error
	remove  func(ic *org.IdentityCenterDef, name string) bool
	// set sets one updatable attribute; false for an attribute the kind does
	// not hold.
	set func(ic *org.IdentityCenterDef, name, path, value string) bool
}

type entry struct {
	name string
	out  any
}

var users = &kind{
	typ: "USER", idKey: "UserId", attr: "userName", listKey: "Users", filterPath: "UserName", id: sso.UserID,
	name: func(in storeInput) string { return str(in.UserName) },
	entries: func(cl *caller) []entry {
		var out []entry
		for _, u := range cl.ic.Users {
			out = append(out, entry{u.UserName, cl.user(u)})
		}
		return out
	},
	add: func(ic *org.IdentityCenterDef, name string, in storeInput) error {
		return ic.AddUser(&org.SSOUserDef{UserName: name, DisplayName: str(in.DisplayName)})
	},
	remove: func(ic *org.IdentityCenterDef, name string) bool { return ic.RemoveUser(name) },
	set: func(ic *org.IdentityCenterDef, name, path, value string) bool {
		if !strings.EqualFold(path, "displayName") {
			return false
		}
		ic.User(name).DisplayName = value
		return true
	},
}

var groups = &kind{
	typ: "GROUP", idKey: "GroupId", attr: "displayName", listKey: "Groups", filterPath: "DisplayName", id: sso.GroupID,
	name: func(in storeInput) string { return str(in.DisplayName) },
	entries: func(cl *caller) []entry {
		var out []entry
		for _, g := range cl.ic.Groups {
			out = append(out, entry{g.Name, cl.group(g)})
		}
		return out
	},
	add: func(ic *org.IdentityCenterDef, name string, in storeInput) error {
		return ic.AddGroup(&org.SSOGroupDef{Name: name, Description: str(in.Description)})
	},
	remove: func(ic *org.IdentityCenterDef, name string) bool { return ic.RemoveGroup(name) },
	set: func(ic *org.IdentityCenterDef, name, path, value string) bool {
		if !strings.EqualFold(path, "description") {
			return false
		}
		ic.Group(name).Description = value
		return true
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
		if len(in.Operations) == 0 {
			return nil, validation("1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		for _, op := range in.Operations {
			if strings.EqualFold(op.AttributePath, k.attr) {
				return nil, validation("Warden does not change %s: identity store IDs are derived from it.", k.attr)
			}
		}
		return nil, cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error {
			for _, op := range in.Operations {
				v, _ := op.AttributeValue.(string)
				if !k.set(ic, e.name, op.AttributePath, v) {
					return validation("Invalid attribute path %q: Warden's directory does not hold it.", op.AttributePath)
				}
			}
			return nil
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
		name, err := uniqueValue(in, k.attr)
		if err != nil {
			return nil, err
		}
		for _, e := range k.entries(cl) {
			if strings.EqualFold(e.name, name) {
				return map[string]string{k.idKey: k.id(cl.ic.IdentityStoreID, e.name), "IdentityStoreId": in.IdentityStoreID}, nil
			}
		}
		return nil, notFound(k.typ, name)
	}
}
