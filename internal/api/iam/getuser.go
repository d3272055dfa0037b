package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type getUserResult struct {
	User User `xml:"User"`
}

// GetUser returns an IAM user of the caller's account; without UserName,
// the calling user (or, for the root user, the account's root user: its ARN
// and the account ID as user ID). The caller needs iam:GetUser on the user.
func (s *Service) GetUser(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	m, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	if t.name != "" {
		c.RequestParameters = map[string]string{"userName": t.name}
	}
	if err := s.Authz.Authorize(ctx, c, "iam:GetUser", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if t.root {
		return getUserResult{User: User{UserID: c.Identity.Account, Arn: t.arn, CreateDate: isoTime(s.seeded(ctx))}}, nil
	}
	c.Resources = userResource(t.arn, c.Identity.Account)
	return getUserResult{User: s.userStruct(ctx, m.d, t.rec, true)}, nil
}
