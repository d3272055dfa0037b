package iam

import (
	"context"
	"encoding/base64"
	"github.com/securecart/warden/internal/call"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

type createVirtualMFADeviceResult struct {
	VirtualMFADevice VirtualMFADevice `xml:"VirtualMFADevice"`
}

// CreateVirtualMFADevice creates a virtual (TOTP) MFA device in the
// caller's account, assigned to no one until EnableMFADevice. Its seed is
// returned once (Base32StringSeed) and stored sealed. The caller needs
// iam:CreateVirtualMFADevice on the device's ARN, with the request's tags
// (which the store does not keep).
func (s *Service) CreateVirtualMFADevice(ctx context.Context, c *api.Call) (any, error) {
	name, err := required(c, "VirtualMFADeviceName")
	if err != nil {
		return nil, err
	}
	if err := checkName("virtualMFADeviceName", name, 226); err != nil {
		return nil, err
	}
	path, err := optionalPath(c)
	if err != nil {
		return nil, err
	}
	tags, err := tagParams(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"virtualMFADeviceName": name, "path": path}
	acct := c.Identity.Account
	serial := "arn:aws:iam::" + acct + ":mfa" + path + name
	if err := s.Authz.Authorize(ctx, c, "iam:CreateVirtualMFADevice", serial, tagContext(tags, nil)); err != nil {
		return nil, err
	}
	seed := creds.NewTOTPSeed()
	d := store.MFADevice{Serial: serial, SealedSeed: s.Master.Seal([]byte(seed), []byte("mfa:"+serial)), Created: c.Now.UTC()}
	if err := s.Store.PutMFADevice(ctx, d); err != nil {
		if isExists(err) {
			return nil, awsproto.Errorf("EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
		}
		return nil, err
	}
	res := createVirtualMFADeviceResult{VirtualMFADevice: VirtualMFADevice{SerialNumber: serial,
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(seed)), Tags: tags}}
	c.ResponseElements = call.Fields{"virtualMFADevice": map[string]string{"serialNumber": serial}}
	c.Resources = []api.Resource{{ARN: serial, Type: "AWS::IAM::MFADevice", Account: acct}}
	return res, nil
}
