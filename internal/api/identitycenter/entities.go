package identitycenter

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

// kind is what the identity store's user and group operations share: each
// entity has an ID, given at creation and kept whatever it is renamed to,
// a unique name (a user's UserName, a group's DisplayName), and attributes
// an update may set, the name among them.
type kind struct {
	typ        string   // ResourceType: USER or GROUP
	idKey      string   // UserId or GroupId
	attr       string   // the attribute of the unique name: userName or displayName
	unique     []string // the unique attributes of Get...Id
	listKey    string   // Users or Groups
	filterPath string   // the attribute path ListUsers and ListGroups filter on
	// name reads the new entity's name from a create input.
	name func(in storeInput) string
	// entries lists the entities with their output shapes.
	entries func(cl *caller) []entry
	// add adds an entity of a new ID.
	add    func(ic *org.IdentityCenterDef, id, name string, in storeInput) error
	remove func(ic *org.IdentityCenterDef, id string) bool
	// apply applies UpdateUser's or UpdateGroup's operations.
	apply func(ic *org.IdentityCenterDef, id string, ops []attributeOp) error
}

type entry struct {
	id, name string
	out      any
	// has reports whether the entity has a unique attribute's value, or
	// carries an external ID.
	has func(path, value string, ext *org.ExternalIDDef) bool
}

var users = &kind{
	typ: "USER", idKey: "UserId", attr: "userName", unique: []string{"userName", "emails.value"}, listKey: "Users", filterPath: "UserName",
	name: func(in storeInput) string { return str(in.UserName) },
	entries: func(cl *caller) []entry {
		var out []entry
		for _, u := range cl.ic.Users {
			out = append(out, entry{u.ID, u.UserName, cl.userOut(u), func(path, value string, ext *org.ExternalIDDef) bool {
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
	add: func(ic *org.IdentityCenterDef, id, name string, in storeInput) error {
		return ic.AddUser(&org.SSOUserDef{ID: id, UserName: name, DisplayName: str(in.DisplayName), UserAttributes: in.attrs})
	},
	remove: func(ic *org.IdentityCenterDef, id string) bool {
		u := ic.UserByID(id)
		return u != nil && ic.RemoveUser(u.UserName)
	},
	apply: func(ic *org.IdentityCenterDef, id string, ops []attributeOp) error {
		u := ic.UserByID(id)
		if u == nil {
			return notFound("USER", id)
		}
		rename, err := applyUserOps(u, ops)
		if err != nil {
			return err
		}
		if rename != nil {
			if err := ic.RenameUser(u, *rename); err != nil {
				return editErr(err)
			}
		}
		return editErr(ic.CheckUser(u))
	},
}

var groups = &kind{
	typ: "GROUP", idKey: "GroupId", attr: "displayName", unique: []string{"displayName"}, listKey: "Groups", filterPath: "DisplayName",
	name: func(in storeInput) string { return str(in.DisplayName) },
	entries: func(cl *caller) []entry {
		var out []entry
		for _, g := range cl.ic.Groups {
			out = append(out, entry{g.ID, g.Name, cl.groupOut(g), func(_, value string, ext *org.ExternalIDDef) bool {
				if ext != nil {
					return org.HasExternalID(g.ExternalIDs, ext.Issuer, ext.ID)
				}
				return strings.EqualFold(g.Name, value)
			}})
		}
		return out
	},
	add: func(ic *org.IdentityCenterDef, id, name string, in storeInput) error {
		return ic.AddGroup(&org.SSOGroupDef{ID: id, Name: name, Description: str(in.Description)})
	},
	remove: func(ic *org.IdentityCenterDef, id string) bool {
		g := ic.GroupByID(id)
		return g != nil && ic.RemoveGroup(g.Name)
	},
	apply: func(ic *org.IdentityCenterDef, id string, ops []attributeOp) error {
		g := ic.GroupByID(id)
		if g == nil {
			return notFound("GROUP", id)
		}
		rename, err := applyGroupOps(g, ops)
		if err != nil {
			return err
		}
		if rename != nil {
			if err := ic.RenameGroup(g, *rename); err != nil {
				return editErr(err)
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
		if strings.EqualFold(e.id, id) {
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
		// A new entity's ID is random, never one an entity had before.
		id := org.NewSSOID()
		err = cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error { return editErr(k.add(ic, id, name, in)) })
		if err != nil {
			return nil, err
		}
		out := map[string]string{k.idKey: id, "IdentityStoreId": in.IdentityStoreID}
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

// update serves UpdateUser and UpdateGroup. A new unique name must be
// unused (ConflictException, UNIQUENESS_CONSTRAINT_VIOLATION); the entity
// keeps its ID, memberships and assignments.
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
			return k.apply(ic, e.id, in.Operations)
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
			if !k.remove(ic, e.id) {
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
				return map[string]string{k.idKey: e.id, "IdentityStoreId": in.IdentityStoreID}, nil
			}
		}
		if ext != nil {
			value = ext.Issuer + " " + ext.ID
		}
		return nil, notFound(k.typ, value)
	}
}
