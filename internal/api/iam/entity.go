package iam

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
)

// entityKind is what tells roles and users apart in the actions they share
// (their policies, permissions boundaries and tags): each such action is
// one helper, and its role and user handlers pass roleKind or userKind.
type entityKind struct {
	noun         string // "role" or "user", in messages
	param        string // the name's key in the trail's requestParameters
	managedQuota string // the quota on attached managed policies
	maxManaged   int
	inlineLimit  int    // characters of all inline policies together
	tagQuota     string // the quota on tags

	// target reads and finds the entity the call names.
	target func(s *Service, ctx context.Context, c *api.Call) (*entity, error)
	// own returns the entity's definition in the document for a change of
	// the caller's account, or NoSuchEntity.
	own func(m *model, acctID, name string) (*org.Entity, error)
	// resource is the trail's record of the entity.
	resource func(arn, acct string) []api.Resource
}

var roleKind = &entityKind{
	noun: "role", param: "roleName",
	managedQuota: "PoliciesPerRole", maxManaged: maxManagedPerRole,
	inlineLimit: maxRoleInlineSize, tagQuota: "TagsPerRole",
	target: func(s *Service, ctx context.Context, c *api.Call) (*entity, error) {
		m, _, t, err := s.targetRole(ctx, c)
		if err != nil {
			return nil, err
		}
		e := &entity{entityTarget: t, m: m, name: t.name, arn: t.arn}
		if r := t.rec; r != nil {
			e.rec = &entityRec{Name: r.Name, Managed: r.Managed, Inline: r.Inline, Boundary: r.Boundary, Tags: r.Tags}
		}
		return e, nil
	},
	own: func(m *model, acctID, name string) (*org.Entity, error) {
		def, err := ownRoleIn(m, acctID, name)
		if err != nil {
			return nil, err
		}
		return &def.Entity, nil
	},
	resource: roleResource,
}

var userKind = &entityKind{
	noun: "user", param: "userName",
	managedQuota: "PoliciesPerUser", maxManaged: maxManagedPerUser,
	inlineLimit: maxUserInlineSize, tagQuota: "TagsPerUser",
	target: func(s *Service, ctx context.Context, c *api.Call) (*entity, error) {
		m, t, err := s.targetUser(ctx, c, false)
		if err != nil {
			return nil, err
		}
		e := &entity{entityTarget: t, m: m, name: t.name, arn: t.arn}
		if u := t.rec; u != nil {
			e.rec = &entityRec{Name: u.Name, Managed: u.Managed, Inline: u.Inline, Boundary: u.Boundary, Tags: u.Tags}
		}
		return e, nil
	},
	own: func(m *model, acctID, name string) (*org.Entity, error) {
		def, err := ownUser(m, acctID, name)
		if err != nil {
			return nil, err
		}
		return &def.Entity, nil
	},
	resource: userResource,
}

// entityTarget is what roleTarget and userTarget have in common.
type entityTarget interface {
	// context returns the condition keys of a call on the entity.
	context(extra map[string][]string) map[string][]string
	// found returns NoSuchEntity for an entity that does not exist.
	found() error
	// modifiable refuses changes to the entities AWS manages.
	modifiable() error
}

// entity is the role or user a call names.
type entity struct {
	*entityKind
	entityTarget
	m    *model
	acct string // the caller's account, where the entity is
	name string
	arn  string
	rec  *entityRec // nil when it does not exist
}

// entityRec is what the shared actions read of a role or user.
type entityRec struct {
	Name     string
	Managed  []string          // ARNs of the attached managed policies
	Inline   map[string]string // inline policy name -> text
	Boundary string
	Tags     map[string]string
}

// targetEntity reads and finds the role or user the call names.
func (s *Service) targetEntity(ctx context.Context, c *api.Call, k *entityKind) (*entity, error) {
	e, err := k.target(s, ctx, c)
	if err != nil {
		return nil, err
	}
	e.entityKind, e.acct = k, c.Identity.Account
	return e, nil
}

// changeable returns NoSuchEntity for an entity that does not exist and
// UnmodifiableEntity for one AWS manages.
func (e *entity) changeable() error {
	if err := e.found(); err != nil {
		return err
	}
	return e.modifiable()
}

// authorizeChange authorizes action on the entity with the condition keys
// extra and checks that the entity can change.
func (e *entity) authorizeChange(ctx context.Context, s *Service, c *api.Call, action string, extra map[string][]string) error {
	if err := s.Authz.Authorize(ctx, c, action, e.arn, e.context(extra)); err != nil {
		return err
	}
	return e.changeable()
}

// apply changes the document with fn; an org that would not load is an
// error of code, saying what. It records the entity as the call's resource.
func (e *entity) apply(ctx context.Context, s *Service, c *api.Call, code, what string, fn func(m *model) error) error {
	if _, err := s.mutate(ctx, fn); err != nil {
		return invalid(err, code, what)
	}
	c.Resources = e.resource(e.arn, c.Identity.Account)
	return nil
}

// ownDef returns the entity's definition for a change of the caller's
// account alone, or NoSuchEntity.
func (e *entity) ownDef(m *model) (*org.Entity, error) {
	return e.own(m, e.acct, e.name)
}

// read authorizes a read of the entity (action, with its condition keys)
// and checks that it exists.
func (e *entity) read(ctx context.Context, s *Service, c *api.Call, action string) error {
	if err := s.Authz.Authorize(ctx, c, action, e.arn, e.context(nil)); err != nil {
		return err
	}
	return e.found()
}

// entityContext returns the condition keys of a call on a role or user:
// its tags and its permissions boundary.
func entityContext(tags map[string]string, boundary string, extra map[string][]string) map[string][]string {
	extra = resourceTagContext(tags, extra)
	if boundary != "" {
		if _, set := extra["iam:PermissionsBoundary"]; !set {
			extra["iam:PermissionsBoundary"] = []string{boundary}
		}
	}
	return extra
}

// listEntities reads PathPrefix and MaxItems, authorizes action (ListRoles
// or ListUsers), and returns the page of the caller's roles or users (all)
// whose path starts with the prefix, by name.
func listEntities[R any](ctx context.Context, s *Service, c *api.Call, action string, all func(m *model, o *org.Org, acctID string) []R, path, name func(R) string) (*model, []R, pageInfo, error) {
	c.ReadOnly = true
	prefix, err := pathPrefix(c)
	if err != nil {
		return nil, nil, pageInfo{}, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, nil, pageInfo{}, err
	}
	c.RequestParameters = map[string]string{"pathPrefix": prefix}
	if err := s.Authz.Authorize(ctx, c, action, "*", nil); err != nil {
		return nil, nil, pageInfo{}, err
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, nil, pageInfo{}, err
	}
	var items []R
	for _, r := range all(m, o, c.Identity.Account) {
		if strings.HasPrefix(path(r), prefix) {
			items = append(items, r)
		}
	}
	page, info, err := paginate(c, items, name)
	if err != nil {
		return nil, nil, pageInfo{}, err
	}
	return m, page, info, nil
}

// deletable refuses to delete a role or user that still holds policies, or
// a user still in groups, as IAM does.
func deletable(e *org.Entity, groups []string) error {
	managed, inline := e.HasPolicies()
	switch {
	case managed:
		return awsproto.Errorf("DeleteConflict", "Cannot delete entity, must detach all policies first.")
	case inline:
		return awsproto.Errorf("DeleteConflict", "Cannot delete entity, must delete policies first.")
	case len(groups) > 0:
		return awsproto.Errorf("DeleteConflict", "Cannot delete entity, must remove users from group first.")
	}
	return nil
}
