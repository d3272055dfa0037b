package sts

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type getCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// GetCallerIdentity returns who the caller is. It needs no permission: AWS
// allows it even when a policy denies it.
func (s *Service) GetCallerIdentity(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	id := c.Identity
	return getCallerIdentityResult{Arn: id.ARN, UserID: id.UserID, Account: id.Account}, nil
}
