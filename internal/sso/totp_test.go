package sso

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso/ssotest"
	"github.com/securecart/warden/internal/store"
)

// TestSeveralAuthenticatorApps: a person registers two authenticator apps,
// each with its own seed and name; a code of either signs in, each code
// once per app; a third app is refused (AWS IAM Identity Center: "up to
// two virtual authenticator apps ... for a total of eight MFA devices",
// https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-mfa.html);
// removing one leaves the other working.
func TestSeveralAuthenticatorApps(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	phone, tablet := creds.NewTOTPSeed(), creds.NewTOTPSeed()
	code := func(seed string) string { c, _ := creds.TOTPCode(seed, f.clk.now()); return c }
	a1, err := f.auth.EnrollTOTPDevice(ctx, alice, "Phone", phone, code(phone), "10.0.0.1")
	if err != nil || a1.Name != "Phone" {
		t.Fatalf("first app: %+v %v", a1, err)
	}
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Phone", tablet, code(tablet), "10.0.0.1"); !errors.Is(err, ErrTOTPNameTaken) {
		t.Errorf("second app with the first's name: %v, want ErrTOTPNameTaken", err)
	}
	a2, err := f.auth.EnrollTOTPDevice(ctx, alice, "Tablet", tablet, code(tablet), "10.0.0.1")
	if err != nil || a2.Serial == a1.Serial {
		t.Fatalf("second app: %+v %v", a2, err)
	}
	apps, err := f.auth.TOTPDevices(ctx, alice.ID)
	if err != nil || len(apps) != 2 || apps[0].Name != "Phone" || apps[1].Name != "Tablet" {
		t.Fatalf("TOTPDevices = %+v, %v", apps, err)
	}
	if fs, _ := f.auth.Factors(ctx, alice.ID); fs.Count() != 2 || !fs.TOTP {
		t.Errorf("Factors = %+v, want 2 apps", fs)
	}

	// Each app's enrolment code was recorded as used: neither replays.
	if err := f.auth.TOTP(ctx, alice, code(phone), "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("phone's enrolment code replayed: %v", err)
	}
	f.clk.add(30 * time.Second)
	pc, tc := code(phone), code(tablet)
	if err := f.auth.TOTP(ctx, alice, pc, "10.0.0.1"); err != nil {
		t.Errorf("phone's code: %v", err)
	}
	// The same step's code of the other app still works: reuse is per app.
	if err := f.auth.TOTP(ctx, alice, tc, "10.0.0.1"); err != nil {
		t.Errorf("tablet's code in the step the phone's was used: %v", err)
	}
	if err := f.auth.TOTP(ctx, alice, pc, "10.0.0.2"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("phone's code reused: %v, want ErrBadCredentials", err)
	}
	if err := f.auth.TOTP(ctx, alice, tc, "10.0.0.2"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("tablet's code reused: %v, want ErrBadCredentials", err)
	}
	if apps, _ := f.auth.TOTPDevices(ctx, alice.ID); apps[0].LastUsed.IsZero() || apps[1].LastUsed.IsZero() {
		t.Errorf("last used not recorded: %+v", apps)
	}

	// A third app is beyond the limit, with an error saying so.
	third := creds.NewTOTPSeed()
	_, err = f.auth.EnrollTOTPDevice(ctx, alice, "Laptop", third, code(third), "10.0.0.1")
	if !errors.Is(err, ErrTooManyTOTP) || !strings.Contains(err.Error(), "at most 2 authenticator apps") {
		t.Errorf("third app: %v, want ErrTooManyTOTP", err)
	}
	if err := f.auth.RoomForTOTP(ctx, alice.ID); !errors.Is(err, ErrTooManyTOTP) {
		t.Errorf("RoomForTOTP with two apps: %v", err)
	}

	// Removing the phone: its codes no longer sign in, the tablet's do.
	if _, err := f.auth.RemoveTOTPDevice(ctx, bob.ID, a1.Serial); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another person removes alice's app: %v, want ErrNotFound", err)
	}
	if _, err := f.auth.RemoveTOTPDevice(ctx, alice.ID, a1.Serial); err != nil {
		t.Fatal(err)
	}
	f.clk.add(30 * time.Second)
	if err := f.auth.TOTP(ctx, alice, code(phone), "10.0.0.3"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("removed phone's code: %v", err)
	}
	if err := f.auth.TOTP(ctx, alice, code(tablet), "10.0.0.3"); err != nil {
		t.Errorf("tablet after the phone's removal: %v", err)
	}
	// ResetMFA removes every app.
	if err := f.auth.ResetMFA(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if has, _ := f.auth.HasTOTP(ctx, alice.ID); has {
		t.Errorf("HasTOTP after ResetMFA")
	}
}

// TestMFADeviceTotalLimit: with two apps, six security keys reach AWS's
// eight MFA devices, and a seventh key is refused with a clear error.
func TestMFADeviceTotalLimit(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, name := range []string{"Phone", "Tablet"} {
		seed := creds.NewTOTPSeed()
		c, _ := creds.TOTPCode(seed, f.clk.now())
		if _, err := f.auth.EnrollTOTPDevice(ctx, alice, name, seed, c, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	for range MaxWebAuthnCredentials {
		register(t, f, alice, ssotest.FlagUP)
	}
	fs, err := f.auth.Factors(ctx, alice.ID)
	if err != nil || fs.Count() != MaxMFADevices {
		t.Fatalf("Count = %d (%v), want %d", fs.Count(), err, MaxMFADevices)
	}
	_, err = f.auth.BeginWebAuthnRegistration(ctx, request(), alice)
	if !errors.Is(err, ErrTooManyCredentials) || !strings.Contains(err.Error(), "8 MFA devices in all") {
		t.Errorf("a seventh security key: %v, want ErrTooManyCredentials", err)
	}
}

// TestSecondAppRoomAndName: one app is below the limits: a second app has
// room, and a name longer than 64 characters is refused.
func TestSecondAppRoomAndName(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	seed := creds.NewTOTPSeed()
	c, _ := creds.TOTPCode(seed, f.clk.now())
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "", seed, c, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := f.auth.RoomForTOTP(ctx, alice.ID); err != nil {
		t.Errorf("room for a second app: %v", err)
	}
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, strings.Repeat("x", 65), seed, c, "10.0.0.1"); err == nil || !strings.Contains(err.Error(), "more than 64 characters") {
		t.Errorf("a 65-character name: %v", err)
	}
}

// TestLegacySingleTOTPRecord: a person enrolled when one app was all one
// could have (the seed stored under TOTPSerial) keeps their app: it is
// listed as "Authenticator app", its codes sign in once, and a second app
// can be added beside it.
func TestLegacySingleTOTPRecord(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	seed := creds.NewTOTPSeed()
	serial := TOTPSerial(alice.ID)
	now := f.clk.now()
	if err := f.st.PutMFADevice(ctx, store.MFADevice{Serial: serial, Owner: alice.ID,
		SealedSeed: f.auth.Master.Seal([]byte(seed), []byte("mfa:"+serial)), LastStep: now.Unix()/30 - 10, Created: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	apps, err := f.auth.TOTPDevices(ctx, alice.ID)
	if err != nil || len(apps) != 1 || apps[0].Name != LegacyTOTPName || apps[0].Serial != serial {
		t.Fatalf("TOTPDevices = %+v, %v", apps, err)
	}
	c, _ := creds.TOTPCode(seed, now)
	if err := f.auth.TOTP(ctx, alice, c, "10.0.0.1"); err != nil {
		t.Errorf("legacy app's code: %v", err)
	}
	if err := f.auth.TOTP(ctx, alice, c, "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("legacy app's code reused: %v", err)
	}
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "", seed, c, "10.0.0.1"); !errors.Is(err, ErrTOTPNameTaken) {
		t.Errorf("a new app with the legacy app's name: %v, want ErrTOTPNameTaken", err)
	}
	other := creds.NewTOTPSeed()
	oc, _ := creds.TOTPCode(other, now)
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Work phone", other, oc, "10.0.0.1"); err != nil {
		t.Errorf("a second app beside the legacy one: %v", err)
	}
	if _, err := f.auth.RemoveTOTPDevice(ctx, alice.ID, serial); err != nil {
		t.Errorf("removing the legacy app: %v", err)
	}
}
