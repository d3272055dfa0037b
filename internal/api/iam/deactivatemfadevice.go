package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeactivateMFADevice unassigns an MFA device from an IAM user (or from the
// calling root user); the virtual device remains, unassigned. The caller
// needs iam:DeactivateMFADevice on the user.
func (s *Service) DeactivateMFADevice(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	serial, err := serialParam(c)
	if err != nil {
		return nil, err
	}
	req := map[string]string{"serialNumber": serial}
	if t.name != "" {
		req["userName"] = t.name
	}
	c.RequestParameters = req
	if err := s.Authz.Authorize(ctx, c, "iam:DeactivateMFADevice", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	d, err := s.accountDevice(ctx, c.Identity.Account, serial)
	if err != nil {
		return nil, err
	}
	if d.Owner != t.owner() {
		return nil, noSuchEntity("MFA Device with serial number %s does not exist for %s.", serial, t.arn)
	}
	if err := s.reassign(ctx, d, "", d.Created); err != nil {
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: serial, Type: "AWS::IAM::MFADevice", Account: c.Identity.Account}}
	return nil, nil
}
