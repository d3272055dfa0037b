package iam

import (
	"context"
	"errors"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/store"
)

// EnableMFADevice assigns a virtual MFA device of the caller's account to
// an IAM user (or, without UserName, to the calling root user) once two
// consecutive codes of it (AuthenticationCode1, then AuthenticationCode2)
// check against its seed. The codes are then used up: STS accepts only later
// ones. The caller needs iam:EnableMFADevice on the user.
func (s *Service) EnableMFADevice(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	serial, err := serialParam(c)
	if err != nil {
		return nil, err
	}
	code1, err := authCodeParam(c, "AuthenticationCode1")
	if err != nil {
		return nil, err
	}
	code2, err := authCodeParam(c, "AuthenticationCode2")
	if err != nil {
		return nil, err
	}
	req := map[string]string{"serialNumber": serial}
	if t.name != "" {
		req["userName"] = t.name
	}
	c.RequestParameters = req
	if err := s.Authz.Authorize(ctx, c, "iam:EnableMFADevice", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	d, err := s.accountDevice(ctx, c.Identity.Account, serial)
	if err != nil {
		return nil, err
	}
	if d.Owner != "" {
		return nil, awsproto.Errorf("EntityAlreadyExists", "MFA Device is already in use.")
	}
	seed, err := s.Master.Open(d.SealedSeed, []byte("mfa:"+serial))
	if err != nil {
		return nil, err
	}
	step, ok := consecutiveStep(string(seed), d, code1, code2, c.Now)
	if !ok {
		return nil, invalidCode()
	}
	if err := s.Store.AdvanceMFAStep(ctx, serial, step); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, invalidCode()
		}
		return nil, err
	}
	d.LastStep = step
	if err := s.reassign(ctx, d, t.owner(), c.Now.UTC()); err != nil {
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: t.arn, Type: "AWS::IAM::User", Account: c.Identity.Account}, {ARN: serial, Type: "AWS::IAM::MFADevice", Account: c.Identity.Account}}
	return nil, nil
}

// authCodeParam reads an authentication code: six digits.
func authCodeParam(c *api.Call, name string) (string, error) {
	v, err := required(c, name)
	if err != nil {
		return "", err
	}
	if len(v) != 6 {
		return "", validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 6", v, lowerFirst(name))
	}
	if !authCodeRE.MatchString(v) {
		return "", validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+", v, lowerFirst(name))
	}
	return v, nil
}
