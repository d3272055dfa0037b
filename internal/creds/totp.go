package creds

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/securecart/warden/internal/store"
)

// TOTPPeriod is the length of a TOTP time step.
const TOTPPeriod = 30 * time.Second

// ErrMFA is a wrong, expired or reused MFA code.
var ErrMFA = errors.New("creds: MFA code is wrong, expired or already used")

// CheckTOTP checks a code of the device against the steps around now and
// records the step it matched, so that no code is accepted twice.
func CheckTOTP(ctx context.Context, st store.Store, master *Sealer, serial, code string, now time.Time) error {
	d, err := st.MFADevice(ctx, serial)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrMFA
		}
		return err
	}
	seed, err := master.Open(d.SealedSeed, []byte("mfa:"+serial))
	if err != nil {
		return fmt.Errorf("MFA device %s: %w", serial, err)
	}
	step := now.Unix() / int64(TOTPPeriod/time.Second)
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := totp.GenerateCodeCustom(string(seed), time.Unix(s*30, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if s <= d.LastStep {
				return ErrMFA
			}
			if err := st.AdvanceMFAStep(ctx, serial, s); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return ErrMFA
				}
				return err
			}
			return nil
		}
	}
	return ErrMFA
}

// NewTOTPSeed returns a base32 seed for a virtual MFA device.
func NewTOTPSeed() string {
	return randomFrom(base32Upper, 32)
}

// TOTPCode returns the code of a seed at a time (for tests and tools).
func TOTPCode(seed string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(seed, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
