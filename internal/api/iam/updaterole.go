package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"

	"github.com/securecart/warden/internal/api"
)

// UpdateRole changes a role's description and maximum session duration.
// The caller needs iam:UpdateRole on the role.
func (s *Service) UpdateRole(ctx context.Context, c *api.Call) (any, error) {
	_, _, t, err := s.targetRole(ctx, c)
	if err != nil {
		return nil, err
	}
	desc, hasDesc, err := description(c)
	if err != nil {
		return nil, err
	}
	maxSession, err := sessionDurationParam(c)
	if err != nil {
		return nil, err
	}
	req := call.Fields{"roleName": t.name}
	if hasDesc {
		req["description"] = desc
	}
	if maxSession > 0 {
		req["maxSessionDuration"] = maxSession
	}
	c.RequestParameters = req
	if err := s.Authz.Authorize(ctx, c, "iam:UpdateRole", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if err := t.modifiable(); err != nil {
		return nil, err
	}
	if err := s.setRoleFields(ctx, c, t, desc, hasDesc, maxSession); err != nil {
		return nil, err
	}
	return nil, nil
}

// setRoleFields writes a role's description and maximum session duration.
func (s *Service) setRoleFields(ctx context.Context, c *api.Call, t *roleTarget, desc string, hasDesc bool, maxSession int) error {
	if !hasDesc && maxSession == 0 {
		return nil
	}
	_, err := s.mutate(ctx, func(m *model) error {
		def, err := ownRoleIn(m, c.Identity.Account, t.name)
		if err != nil {
			return err
		}
		if hasDesc {
			def.Description = desc
		}
		if maxSession > 0 {
			def.MaxSessionDuration = maxSession
		}
		return nil
	})
	c.Resources = roleResource(t.arn, c.Identity.Account)
	return invalid(err, "ValidationError", "The role cannot be changed")
}
