package iam

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

// serialParam reads SerialNumber: 9 to 256 characters of [\w+=/:,.@-].
func serialParam(c *api.Call) (string, error) {
	v, err := required(c, "SerialNumber")
	if err != nil {
		return "", err
	}
	if len(v) < 9 || len(v) > 256 {
		return "", validationf("1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9", v)
	}
	if !serialRE.MatchString(v) {
		return "", validationf("1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]+", v)
	}
	return v, nil
}

// accountDevice returns a virtual MFA device of the account; NoSuchEntity
// for one that does not exist or is another account's.
func (s *Service) accountDevice(ctx context.Context, acct, serial string) (store.MFADevice, error) {
	d, err := s.Store.MFADevice(ctx, serial)
	if isNotFound(err) || (err == nil && !strings.HasPrefix(serial, "arn:aws:iam::"+acct+":mfa/")) {
		return store.MFADevice{}, noSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	return d, err
}

// reassign gives a device another owner ("" to unassign it), keeping its
// seed and last accepted step. The store has no update of the owner: the
// device is stored anew.
func (s *Service) reassign(ctx context.Context, d store.MFADevice, owner string, at time.Time) error {
	if err := s.Store.DeleteMFADevice(ctx, d.Serial); err != nil {
		return err
	}
	d.Owner, d.Created = owner, at
	return s.Store.PutMFADevice(ctx, d)
}

// consecutiveStep finds the time step s at which code1 is the device's code
// and code2 the next one, with the second code current (within one step of
// now, or the step before, to allow for typing), and after the device's last
// accepted step. It returns the second code's step.
func consecutiveStep(seed string, d store.MFADevice, code1, code2 string, now time.Time) (int64, bool) {
	period := int64(creds.TOTPPeriod / time.Second)
	cur := now.Unix() / period
	code := func(step int64) string {
		c, err := totp.GenerateCodeCustom(seed, time.Unix(step*period, 0), totp.ValidateOpts{Period: uint(period), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return ""
		}
		return c
	}
	for second := cur + 1; second >= cur-2; second-- {
		first := second - 1
		if first <= d.LastStep {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(code(first)), []byte(code1)) == 1 &&
			subtle.ConstantTimeCompare([]byte(code(second)), []byte(code2)) == 1 {
			return second, true
		}
	}
	return 0, false
}

// invalidCode is IAM's error for MFA codes that do not match.
func invalidCode() error {
	return awsproto.Errorf("InvalidAuthenticationCode", "Authentication code for device is not valid.")
}
