package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// DeleteVirtualMFADevice deletes a virtual MFA device of the caller's
// account; it must be deactivated first (DeleteConflict). The caller needs
// iam:DeleteVirtualMFADevice on the device.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, c *api.Call) (any, error) {
	serial, err := serialParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"serialNumber": serial}
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteVirtualMFADevice", serial, nil); err != nil {
		return nil, err
	}
	d, err := s.accountDevice(ctx, c.Identity.Account, serial)
	if err != nil {
		return nil, err
	}
	if d.Owner != "" {
		return nil, awsproto.Errorf("DeleteConflict", "MFA Device is still in use.")
	}
	if err := s.Store.DeleteMFADevice(ctx, serial); err != nil {
		if isNotFound(err) {
			return nil, noSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
		}
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: serial, Type: "AWS::IAM::MFADevice", Account: c.Identity.Account}}
	return nil, nil
}
