package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// ListAttachedUserPolicies lists the managed policies attached to an IAM
// user whose path starts with PathPrefix. The caller needs
// iam:ListAttachedUserPolicies on the user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	m, t, err := s.targetUser(ctx, c, false)
	if err != nil {
		return nil, err
	}
	prefix, err := pathPrefix(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"userName": t.name, "pathPrefix": prefix}
	if err := s.Authz.Authorize(ctx, c, "iam:ListAttachedUserPolicies", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	page, info, err := paginate(c, m.attachedList(c.Identity.Account, t.rec.Managed, prefix), func(p AttachedPolicy) string { return p.PolicyName + "\x00" + p.PolicyArn })
	if err != nil {
		return nil, err
	}
	return listAttachedResult{AttachedPolicies: page, pageInfo: info}, nil
}
