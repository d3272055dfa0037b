package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listMFADevicesResult struct {
	MFADevices []MFADevice `xml:"MFADevices>member"`
	pageInfo
}

// ListMFADevices lists the MFA devices assigned to an IAM user, or without
// UserName to the caller (its user or its root user). The caller needs
// iam:ListMFADevices on the user.
func (s *Service) ListMFADevices(ctx context.Context, c *api.Call) (any, error) {
	t, err := s.listOfUser(ctx, c, "iam:ListMFADevices")
	if err != nil {
		return nil, err
	}
	devs, err := s.Store.MFADevices(ctx, t.owner())
	if err != nil {
		return nil, err
	}
	list := make([]MFADevice, 0, len(devs))
	for _, d := range devs {
		list = append(list, MFADevice{UserName: t.name, SerialNumber: d.Serial, EnableDate: isoTime(d.Created)})
	}
	page, info, err := paginate(c, list, func(d MFADevice) string { return d.SerialNumber })
	if err != nil {
		return nil, err
	}
	return listMFADevicesResult{MFADevices: page, pageInfo: info}, nil
}
