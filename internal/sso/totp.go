package sso

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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

// An app's serial never changes: it names the app in the trail and binds
// its sealed seed. Its name is kept beside it, in the records store
// (namespace sso/totp-names, key SERIAL), so that a person may rename it.
// The serials a store may hold:
//
//   - TOTPSerial(user): the one app a person could have at first, named
//     LegacyTOTPName unless renamed;
//   - TOTPDeviceSerial(user, name): an app enrolled while the name was part
//     of the serial, named by it unless renamed;
//   - newTOTPSerial(user), TOTPSerial(user)+"/app-"+16 hex digits: an app
//     enrolled since, named by its record.
//
// Existing devices are never rewritten (their seeds are sealed to their
// serials): a rename writes the name's record.
const totpNamesNS = "sso/totp-names"

// TOTPDeviceSerial is the serial an authenticator app of that name was
// given before app names were kept beside the apps (the name path-escaped
// after TOTPSerial); such apps keep it.
func TOTPDeviceSerial(userID, name string) string {
	return TOTPSerial(userID) + "/" + url.PathEscape(name)
}

// newTOTPSerial is a new app's serial: random, whatever its name.
func newTOTPSerial(userID string) string {
	var b [8]byte
	rand.Read(b[:])
	return TOTPSerial(userID) + "/app-" + hex.EncodeToString(b[:])
}

type totpName struct {
	Name string `json:"name"`
}

// totpNames returns the names of a person's apps kept beside them, by
// serial, with their record versions.
func (a *Authenticator) totpNames(ctx context.Context, userID string) (map[string]store.Record, error) {
	recs, err := store.AllRecords(ctx, a.Store, totpNamesNS, TOTPSerial(userID))
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.Record, len(recs))
	for _, r := range recs {
		out[r.Key] = r
	}
	return out, nil
}

// totpDevice reads a stored device of userID as an app, or false when it
// is not one of their authenticator apps; names are the names kept beside
// the apps.
func totpDevice(userID string, d store.MFADevice, names map[string]store.Record) (TOTPDevice, bool) {
	if d.Owner != userID {
		return TOTPDevice{}, false
	}
	name := ""
	if r, ok := names[d.Serial]; ok {
		var n totpName
		if json.Unmarshal(r.Doc, &n) == nil && n.Name != "" {
			name = n.Name
		}
	}
	if d.Serial == TOTPSerial(userID) {
		name = cmp.Or(name, LegacyTOTPName)
	} else if rest, ok := strings.CutPrefix(d.Serial, TOTPSerial(userID)+"/"); ok {
		n, err := url.PathUnescape(rest)
		if err != nil || n == "" {
			return TOTPDevice{}, false
		}
		name = cmp.Or(name, n)
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
	names, err := a.totpNames(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []TOTPDevice
	for _, d := range ds {
		if t, ok := totpDevice(userID, d, names); ok {
			out = append(out, t)
		}
	}
	// Oldest first; apps of one second by name (unique per person).
	slices.SortStableFunc(out, func(x, y TOTPDevice) int {
		return cmp.Or(x.Created.Compare(y.Created), cmp.Compare(x.Name, y.Name))
	})
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

// ErrBadDeviceName: an MFA device's name is too long or not text.
var ErrBadDeviceName = errors.New("bad name")

// cleanTOTPName checks an app's name ("" gives the default name).
func cleanTOTPName(name string) (string, error) {
	return cleanDeviceName(name, "the authenticator app's name", LegacyTOTPName)
}

// cleanDeviceName checks the name of an MFA device (what names it in
// errors; "" gives dflt).
func cleanDeviceName(name, what, dflt string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = dflt
	}
	if utf8.RuneCountInString(name) > maxCredentialName {
		return "", fmt.Errorf("%w: %s has more than %d characters", ErrBadDeviceName, what, maxCredentialName)
	}
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", fmt.Errorf("%w: %s has a control character or is not UTF-8", ErrBadDeviceName, what)
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
			serial := newTOTPSerial(u.ID)
			d := store.MFADevice{Serial: serial, Owner: u.ID,
				SealedSeed: a.Master.Seal([]byte(seed), []byte("mfa:"+serial)), LastStep: s, Created: now.UTC()}
			nameDoc, _ := json.Marshal(totpName{Name: name})
			// The slot and the name first (the limits), then the device
			// (slots.go).
			err := a.withSlot(ctx, u.ID, slotTOTP, serial, func(op store.RecordOp) error {
				if err := a.applySlot(ctx, op, store.RecordOp{Namespace: totpNamesNS, Key: serial, Doc: nameDoc, At: now}); err != nil {
					return err
				}
				err := a.Store.PutMFADevice(ctx, d)
				if err != nil {
					a.releaseSlot(ctx, u.ID, slotTOTP, serial)
					a.Store.DeleteRecord(ctx, totpNamesNS, serial, store.AnyVersion, now)
				}
				return err
			})
			if errors.Is(err, store.ErrExists) {
				return TOTPDevice{}, ErrTOTPNameTaken
			}
			if err != nil {
				return TOTPDevice{}, err
			}
			t := TOTPDevice{Serial: serial, Name: name, Created: d.Created}
			t.LastUsed = time.Unix(s*int64(creds.TOTPPeriod/time.Second), 0).UTC()
			return t, a.Store.ResetRateLimit(ctx, key)
		}
	}
	return TOTPDevice{}, a.fail(ctx, key, addr, now)
}

// RemoveTOTPDevice removes one of a person's authenticator apps by serial
// (store.ErrNotFound when they have no such app). Whether it may go (not
// the last factor) is the caller's rule.
func (a *Authenticator) RemoveTOTPDevice(ctx context.Context, userID, serial string) (TOTPDevice, error) {
	t, err := a.totpDeviceBySerial(ctx, userID, serial)
	if err != nil {
		return TOTPDevice{}, err
	}
	if err := a.Store.DeleteMFADevice(ctx, serial); err != nil {
		return TOTPDevice{}, err
	}
	err = a.Store.DeleteRecord(ctx, totpNamesNS, serial, store.AnyVersion, a.Clock())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return TOTPDevice{}, err
	}
	return t, a.releaseSlot(ctx, userID, slotTOTP, serial)
}

// totpDeviceBySerial reads one of a person's apps (store.ErrNotFound when
// they have no such app).
func (a *Authenticator) totpDeviceBySerial(ctx context.Context, userID, serial string) (TOTPDevice, error) {
	apps, err := a.TOTPDevices(ctx, userID)
	if err != nil {
		return TOTPDevice{}, err
	}
	for _, t := range apps {
		if t.Serial == serial {
			return t, nil
		}
	}
	return TOTPDevice{}, store.ErrNotFound
}

// RenameTOTPDevice gives one of a person's authenticator apps a new name
// (unique among their apps); its serial stays. It returns the app as it
// was (store.ErrNotFound when they have no such app).
func (a *Authenticator) RenameTOTPDevice(ctx context.Context, userID, serial, name string) (TOTPDevice, error) {
	name, err := cleanTOTPName(name)
	if err != nil {
		return TOTPDevice{}, err
	}
	apps, err := a.TOTPDevices(ctx, userID)
	if err != nil {
		return TOTPDevice{}, err
	}
	i := slices.IndexFunc(apps, func(d TOTPDevice) bool { return d.Serial == serial })
	if i < 0 {
		return TOTPDevice{}, store.ErrNotFound
	}
	if slices.ContainsFunc(apps, func(d TOTPDevice) bool { return d.Name == name && d.Serial != serial }) {
		return TOTPDevice{}, ErrTOTPNameTaken
	}
	var version int64
	rec, err := a.Store.Record(ctx, totpNamesNS, serial)
	if err == nil {
		version = rec.Version
	} else if !errors.Is(err, store.ErrNotFound) {
		return TOTPDevice{}, err
	}
	doc, _ := json.Marshal(totpName{Name: name})
	if _, err := a.Store.PutRecord(ctx, totpNamesNS, serial, doc, version, a.Clock()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return TOTPDevice{}, fmt.Errorf("the authenticator app was renamed meanwhile: %w", err)
		}
		return TOTPDevice{}, err
	}
	return apps[i], nil
}
