package sso

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

// A person may register several authenticator apps (TOTP, RFC 6238), each
// with its own sealed seed, name and last accepted time step: a code is
// accepted once per app, and a code of any of the person's apps signs
// them in. The limits are AWS IAM Identity Center's: "up to two virtual
// authenticator apps ... and six FIDO authenticators ... for a total of
// eight MFA devices"
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-mfa.html).
const (
	MaxTOTPDevices = 2
	MaxMFADevices  = 8
	// LegacyTOTPName names the app of a person enrolled when one app was
	// all a person could have (its serial is TOTPSerial).
	LegacyTOTPName = "Authenticator app"
)

var (
	// ErrTooManyTOTP: the person has the most authenticator apps.
	ErrTooManyTOTP = fmt.Errorf("at most %d authenticator apps per person (and %d MFA devices in all): remove one first", MaxTOTPDevices, MaxMFADevices)
	// ErrTooManyMFADevices: the person has the most MFA devices of all kinds.
	ErrTooManyMFADevices = fmt.Errorf("at most %d MFA devices per person (authenticator apps, security keys and passkeys together): remove one first", MaxMFADevices)
	// ErrTOTPNameTaken: another of the person's apps has the name.
	ErrTOTPNameTaken = errors.New("another authenticator app of yours has this name: choose another")
)

// TOTPDevice is one of a person's authenticator apps.
type TOTPDevice struct {
	Serial   string // the MFA device serial, as the trail names it
	Name     string
	Created  time.Time
	LastUsed time.Time // start of the last accepted time step (zero: none)
}

// TOTPDeviceSerial is the serial of a person's authenticator app of that
// name (the name is part of it, path-escaped, so that it is stored with
// the device and unique per person).
func TOTPDeviceSerial(userID, name string) string {
	return TOTPSerial(userID) + "/" + url.PathEscape(name)
}

// totpDevice reads a stored device of userID as an app, or false when it
// is not one of their authenticator apps.
func totpDevice(userID string, d store.MFADevice) (TOTPDevice, bool) {
	if d.Owner != userID {
		return TOTPDevice{}, false
	}
	name := ""
	if d.Serial == TOTPSerial(userID) {
		name = LegacyTOTPName
	} else if rest, ok := strings.CutPrefix(d.Serial, TOTPSerial(userID)+"/"); ok {
		n, err := url.PathUnescape(rest)
		if err != nil || n == "" {
			return TOTPDevice{}, false
		}
		name = n
	} else {
		return TOTPDevice{}, false
	}
	t := TOTPDevice{Serial: d.Serial, Name: name, Created: d.Created}
	if d.LastStep > 0 {
		t.LastUsed = time.Unix(d.LastStep*int64(creds.TOTPPeriod/time.Second), 0).UTC()
	}
	return t, true
}

// TOTPDevices lists a person's authenticator apps, oldest first.
func (a *Authenticator) TOTPDevices(ctx context.Context, userID string) ([]TOTPDevice, error) {
	ds, err := a.Store.MFADevices(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []TOTPDevice
	for _, d := range ds {
		if t, ok := totpDevice(userID, d); ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// HasTOTP reports whether a user has an authenticator app.
func (a *Authenticator) HasTOTP(ctx context.Context, userID string) (bool, error) {
	apps, err := a.TOTPDevices(ctx, userID)
	return len(apps) > 0, err
}

// roomForKey refuses a new security key or passkey beyond the limits.
func (a *Authenticator) roomForKey(ctx context.Context, userID string, keys int) error {
	if keys >= MaxWebAuthnCredentials {
		return ErrTooManyCredentials
	}
	apps, err := a.TOTPDevices(ctx, userID)
	if err != nil {
		return err
	}
	if len(apps)+keys >= MaxMFADevices {
		return ErrTooManyMFADevices
	}
	return nil
}

// RoomForTOTP reports (as an error) whether the person may add an
// authenticator app: nil, ErrTooManyTOTP or ErrTooManyMFADevices.
func (a *Authenticator) RoomForTOTP(ctx context.Context, userID string) error {
	apps, err := a.TOTPDevices(ctx, userID)
	if err != nil {
		return err
	}
	if len(apps) >= MaxTOTPDevices {
		return ErrTooManyTOTP
	}
	keys, err := a.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return err
	}
	if len(apps)+len(keys) >= MaxMFADevices {
		return ErrTooManyMFADevices
	}
	return nil
}

// cleanTOTPName checks an app's name ("" gives the default name).
func cleanTOTPName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = LegacyTOTPName
	}
	if utf8.RuneCountInString(name) > maxCredentialName {
		return "", fmt.Errorf("the authenticator app's name has more than %d characters", maxCredentialName)
	}
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", errors.New("the authenticator app's name has a control character or is not UTF-8")
	}
	return name, nil
}

// TOTP checks a code of any of the user's authenticator apps: each code is
// accepted once per app (RFC 6238 section 5.2), and failures count towards
// the rate limits.
func (a *Authenticator) TOTP(ctx context.Context, u User, code, addr string) error {
	now := a.Clock()
	key := "user:" + u.ID
	if t, err := a.throttled(ctx, key, addr, now); err != nil || t {
		if err == nil {
			err = ErrThrottled
		}
		return err
	}
	apps, err := a.TOTPDevices(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, d := range apps {
		err := creds.CheckTOTP(ctx, a.Store, a.Master, d.Serial, code, now)
		if err == nil {
			return a.Store.ResetRateLimit(ctx, key)
		}
		if !errors.Is(err, creds.ErrMFA) {
			return err
		}
	}
	return a.fail(ctx, key, addr, now)
}

// EnrollTOTP registers an authenticator app of the default name (see
// EnrollTOTPDevice).
func (a *Authenticator) EnrollTOTP(ctx context.Context, u User, seed, code, addr string) error {
	_, err := a.EnrollTOTPDevice(ctx, u, "", seed, code, addr)
	return err
}

// EnrollTOTPDevice registers an authenticator app with the seed the person
// was shown, under the name they gave ("": LegacyTOTPName), once they
// prove it with a current code; that code's step is recorded as used, so
// it cannot be replayed. Beyond the limits it is refused (ErrTooManyTOTP,
// ErrTooManyMFADevices); a name another of their apps has, too
// (ErrTOTPNameTaken).
func (a *Authenticator) EnrollTOTPDevice(ctx context.Context, u User, name, seed, code, addr string) (TOTPDevice, error) {
	now := a.Clock()
	key := "user:" + u.ID
	if t, err := a.throttled(ctx, key, addr, now); err != nil || t {
		if err == nil {
			err = ErrThrottled
		}
		return TOTPDevice{}, err
	}
	name, err := cleanTOTPName(name)
	if err != nil {
		return TOTPDevice{}, err
	}
	if err := a.RoomForTOTP(ctx, u.ID); err != nil {
		return TOTPDevice{}, err
	}
	apps, err := a.TOTPDevices(ctx, u.ID)
	if err != nil {
		return TOTPDevice{}, err
	}
	if slices.ContainsFunc(apps, func(d TOTPDevice) bool { return d.Name == name }) {
		return TOTPDevice{}, ErrTOTPNameTaken
	}
	step := now.Unix() / int64(creds.TOTPPeriod/time.Second)
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := creds.TOTPCode(seed, time.Unix(s*30, 0))
		if err != nil {
			return TOTPDevice{}, err
		}
		if len(code) == len(want) && constantEq(want, code) {
			serial := TOTPDeviceSerial(u.ID, name)
			d := store.MFADevice{Serial: serial, Owner: u.ID,
				SealedSeed: a.Master.Seal([]byte(seed), []byte("mfa:"+serial)), LastStep: s, Created: now.UTC()}
			// The slot first (the limits), then the device (slots.go).
			err := a.withSlot(ctx, u.ID, slotTOTP, serial, func(op store.RecordOp) error {
				if err := a.applySlot(ctx, op); err != nil {
					return err
				}
				err := a.Store.PutMFADevice(ctx, d)
				if err != nil {
					a.releaseSlot(ctx, u.ID, slotTOTP, serial)
				}
				return err
			})
			if errors.Is(err, store.ErrExists) {
				return TOTPDevice{}, ErrTOTPNameTaken
			}
			if err != nil {
				return TOTPDevice{}, err
			}
			t, _ := totpDevice(u.ID, d)
			return t, a.Store.ResetRateLimit(ctx, key)
		}
	}
	return TOTPDevice{}, a.fail(ctx, key, addr, now)
}

// RemoveTOTPDevice removes one of a person's authenticator apps by serial
// (store.ErrNotFound when they have no such app). Whether it may go (not
// the last factor) is the caller's rule.
func (a *Authenticator) RemoveTOTPDevice(ctx context.Context, userID, serial string) (TOTPDevice, error) {
	d, err := a.Store.MFADevice(ctx, serial)
	if err != nil {
		return TOTPDevice{}, err
	}
	t, ok := totpDevice(userID, d)
	if !ok {
		return TOTPDevice{}, store.ErrNotFound
	}
	if err := a.Store.DeleteMFADevice(ctx, serial); err != nil {
		return TOTPDevice{}, err
	}
	return t, a.releaseSlot(ctx, userID, slotTOTP, serial)
}
