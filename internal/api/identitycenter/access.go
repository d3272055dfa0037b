package identitycenter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// Service is both APIs over the org state.
type Service struct {
	State *state.Manager
	Authz *api.Authorizer
	Store store.Store

	mu     sync.Mutex
	purged time.Time // when this replica last purged old statuses
}

// caller is one call's standing: the org it reads.
type caller struct {
	s   *Service
	c   *api.Call
	o   *org.Org
	ic  *org.IdentityCenter
	doc *state.Doc // the stored document, read on demand
	// delegated: the caller is the delegated administrator, not the
	// management account.
	delegated bool
}

// stored returns the stored document (what the built org does not keep:
// creation times, policy texts as written).
func (cl *caller) stored(ctx context.Context) *state.Doc {
	if cl.doc == nil {
		cl.doc = &state.Doc{Org: &org.Spec{}}
		if raw, _, err := cl.s.Store.State(ctx); err == nil {
			var d state.Doc
			if json.Unmarshal(raw, &d) == nil && d.Org != nil {
				cl.doc = &d
			}
		}
	}
	return cl.doc
}

// created returns when an entity was created, by ARN: as the document's
// metadata records it, else when the store was seeded.
func (cl *caller) created(ctx context.Context, arn string) time.Time {
	d := cl.stored(ctx)
	if t, ok := d.Meta.Created[arn]; ok {
		return t
	}
	return d.Meta.Seeded
}

// storedSet returns the stored definition of a permission set.
func (cl *caller) storedSet(ctx context.Context, name string) *org.PermissionSetDef {
	d := cl.stored(ctx)
	if d.Org.IdentityCenter == nil {
		return nil
	}
	return d.Org.IdentityCenter.PermissionSet(name)
}

// begin checks that the caller is signed and that the org has an Identity
// Center instance, and authorizes service:Action on resource with the
// engine (identity policies, boundary, session policies, SCPs); then only
// the management account, which owns the instance, may go on.
func (s *Service) begin(ctx context.Context, c *api.Call, service string, resource func(*org.Org) string) (*caller, error) {
	if c.Identity == nil {
		return nil, awsproto.Errorf("MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	o, err := s.State.Org(ctx)
	if err != nil {
		return nil, err
	}
	if o.IdentityCenter == nil || o.Management == nil {
		return nil, accessDenied("The organization has no IAM Identity Center instance.")
	}
	// The delegated administrator reaches the instance through the
	// delegation, as if it were its own; no resource policy is involved.
	delegated := c.Identity.Account != o.Management.ID && o.IsDelegatedAdministrator(c.Identity.Account, org.ServiceSSO)
	authorize := s.Authz.Authorize
	if delegated {
		authorize = s.Authz.AuthorizeOwn
	}
	err = authorize(ctx, c, service+":"+c.Action, resource(o), nil)
	var ae *awsproto.Error
	if errors.As(err, &ae) && ae.Code == "AccessDenied" {
		return nil, accessDenied("%s", ae.Message)
	}
	if err != nil {
		return nil, err
	}
	if c.Identity.Account != o.Management.ID && !delegated {
		return nil, accessDenied("User: %s is not authorized to perform: %s:%s: only the management account %s, which owns the IAM Identity Center instance, or the delegated administrator of sso.amazonaws.com may administer it.",
			c.Identity.ARN, service, c.Action, o.Management.ID)
	}
	return &caller{s: s, c: c, o: o, ic: o.IdentityCenter, delegated: delegated}, nil
}

// guardManagement refuses the delegated administrator what IAM Identity
// Center keeps to the management account (User Guide, Delegated
// administration: it cannot manage permission sets provisioned in the
// management account, nor enable or disable user access in it): a change
// to a permission set provisioned there (ps), or to an assignment in it
// (account).
func (cl *caller) guardManagement(ps *org.PermissionSet, account *org.Account) error {
	if !cl.delegated {
		return nil
	}
	mgmt := cl.o.Management
	if ps != nil && slices.Contains(ps.Accounts, mgmt) {
		return accessDenied("User: %s is not authorized to perform: sso:%s: the permission set %s is provisioned in the management account %s, which only the management account may manage.",
			cl.c.Identity.ARN, cl.c.Action, ps.Name, mgmt.ID)
	}
	if account == mgmt {
		return accessDenied("User: %s is not authorized to perform: sso:%s: access to the management account %s is managed from the management account only.",
			cl.c.Identity.ARN, cl.c.Action, mgmt.ID)
	}
	return nil
}

// mutate applies fn to the stored spec, with the org's rules, and reloads.
func (cl *caller) mutate(ctx context.Context, fn func(s *org.Spec, ic *org.IdentityCenterDef) error) error {
	return cl.mutateDoc(ctx, func(d *state.Doc) error { return fn(d.Org, d.Org.IdentityCenter) })
}

// mutateDoc is mutate with the whole document (its metadata too).
func (cl *caller) mutateDoc(ctx context.Context, fn func(d *state.Doc) error) error {
	o, err := cl.s.State.Mutate(ctx, func(d *state.Doc) error {
		if d.Org.IdentityCenter == nil {
			return accessDenied("The organization has no IAM Identity Center instance.")
		}
		if err := fn(d); err != nil {
			return err
		}
		d.Org.PruneVersions()
		return nil
	})
	cl.doc = nil
	if errors.Is(err, state.ErrInvalid) {
		return validation("%s", err.Error())
	}
	if err != nil {
		return err
	}
	cl.o, cl.ic = o, o.IdentityCenter
	return nil
}

// editErr maps the spec editor's errors to AWS's.
func editErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, org.ErrUnknown):
		return errf("ResourceNotFoundException", 400, "%s", err.Error())
	case errors.Is(err, org.ErrDuplicate):
		return conflict("%s", err.Error())
	}
	var ae *awsproto.Error
	if errors.As(err, &ae) {
		return err
	}
	return validation("%s", err.Error())
}

// hashID is a stable ID from parts.
func hashID(n int, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
