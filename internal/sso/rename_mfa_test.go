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

// TestRenameMFADevices: a person renames an authenticator app and a
// security key; the app's serial (its name in the trail, and what its
// seed is sealed to) stays, and its codes keep working. A name another
// app has, an empty or overlong one, and another person's device are
// refused.
func TestRenameMFADevices(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	seed := creds.NewTOTPSeed()
	code := func() string { c, _ := creds.TOTPCode(seed, f.clk.now()); return c }
	app, err := f.auth.EnrollTOTPDevice(ctx, alice, "Phone", seed, code(), "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(app.Serial, "Phone") || !strings.HasPrefix(app.Serial, TOTPSerial(alice.ID)+"/app-") {
		t.Errorf("a new app's serial %q names it", app.Serial)
	}
	other := creds.NewTOTPSeed()
	oc, _ := creds.TOTPCode(other, f.clk.now())
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Tablet", other, oc, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	was, err := f.auth.RenameTOTPDevice(ctx, alice.ID, app.Serial, "  Work phone ")
	if err != nil || was.Name != "Phone" {
		t.Fatalf("rename: %+v %v", was, err)
	}
	apps, _ := f.auth.TOTPDevices(ctx, alice.ID)
	if len(apps) != 2 || apps[1].Serial != app.Serial || apps[1].Name != "Work phone" || apps[0].Name != "Tablet" {
		t.Fatalf("after the rename: %+v (apps of one second are listed by name)", apps)
	}
	f.clk.add(30 * time.Second)
	if err := f.auth.TOTP(ctx, alice, code(), "10.0.0.1"); err != nil {
		t.Errorf("a code of the renamed app: %v", err)
	}
	if _, err := f.auth.RenameTOTPDevice(ctx, alice.ID, app.Serial, "Tablet"); !errors.Is(err, ErrTOTPNameTaken) {
		t.Errorf("another app's name: %v", err)
	}
	if _, err := f.auth.RenameTOTPDevice(ctx, alice.ID, app.Serial, strings.Repeat("x", 65)); !errors.Is(err, ErrBadDeviceName) {
		t.Errorf("an overlong name: %v", err)
	}
	if _, err := f.auth.RenameTOTPDevice(ctx, bob.ID, app.Serial, "Mine now"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another person's app: %v", err)
	}
	// A new app may take the old name; removing an app forgets its name.
	third := creds.NewTOTPSeed()
	tc, _ := creds.TOTPCode(third, f.clk.now())
	if _, err := f.auth.RemoveTOTPDevice(ctx, alice.ID, apps[0].Serial); err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Phone", third, tc, "10.0.0.1"); err != nil {
		t.Errorf("a new app with the renamed one's old name: %v", err)
	}
	if _, err := f.auth.Store.Record(ctx, totpNamesNS, apps[0].Serial); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the removed app's name is kept: %v", err)
	}

	// A security key.
	k := register(t, f, alice, ssotest.FlagUP)
	keys, _ := f.auth.WebAuthnCredentials(ctx, alice.ID)
	was2, err := f.auth.RenameWebAuthnCredential(ctx, alice.ID, keys[0].ID(), "Blue YubiKey")
	if err != nil || was2.Name != "YubiKey" {
		t.Fatalf("rename the key: %+v %v", was2, err)
	}
	keys, _ = f.auth.WebAuthnCredentials(ctx, alice.ID)
	if len(keys) != 1 || keys[0].Name != "Blue YubiKey" {
		t.Errorf("after the key's rename: %+v", keys)
	}
	if err := assert(t, f, alice, k); err != nil {
		t.Errorf("the renamed key signs in: %v", err)
	}
	if _, err := f.auth.RenameWebAuthnCredential(ctx, bob.ID, keys[0].ID(), "Mine"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another person's key: %v", err)
	}
	if _, err := f.auth.RenameWebAuthnCredential(ctx, alice.ID, keys[0].ID(), "bad\x00name"); !errors.Is(err, ErrBadDeviceName) {
		t.Errorf("a name with a control character: %v", err)
	}
}

// TestAppsOfEarlierStores: a store written before app names were kept
// beside the apps holds the one app of the first version (serial
// TOTPSerial) and apps whose serial carries their name
// (TOTPDeviceSerial). They keep working unchanged: listed by those names,
// their codes accepted, renamed without a new serial (their seeds stay
// sealed to it), removed; and they count towards the limits.
func TestAppsOfEarlierStores(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	now := f.clk.now()
	seeds := map[string]string{TOTPSerial(alice.ID): creds.NewTOTPSeed(), TOTPDeviceSerial(alice.ID, "My phone/2"): creds.NewTOTPSeed()}
	for serial, seed := range seeds {
		if err := f.st.PutMFADevice(ctx, store.MFADevice{Serial: serial, Owner: alice.ID,
			SealedSeed: f.auth.Master.Seal([]byte(seed), []byte("mfa:"+serial)), LastStep: now.Unix()/30 - 10, Created: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	apps, err := f.auth.TOTPDevices(ctx, alice.ID)
	if err != nil || len(apps) != 2 || apps[0].Name != LegacyTOTPName || apps[1].Name != "My phone/2" {
		t.Fatalf("the earlier apps: %+v %v", apps, err)
	}
	for _, a := range apps {
		c, _ := creds.TOTPCode(seeds[a.Serial], f.clk.now())
		if err := f.auth.TOTP(ctx, alice, c, "10.0.0.1"); err != nil {
			t.Errorf("a code of %q: %v", a.Name, err)
		}
		f.clk.add(30 * time.Second)
	}
	// Both at the limit of two apps.
	s3 := creds.NewTOTPSeed()
	c3, _ := creds.TOTPCode(s3, f.clk.now())
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Third", s3, c3, "10.0.0.1"); !errors.Is(err, ErrTooManyTOTP) {
		t.Errorf("a third app beside the earlier two: %v", err)
	}
	for i, name := range []string{"Old phone", "Spare phone"} {
		if _, err := f.auth.RenameTOTPDevice(ctx, alice.ID, apps[i].Serial, name); err != nil {
			t.Fatal(err)
		}
	}
	renamed, _ := f.auth.TOTPDevices(ctx, alice.ID)
	for i, a := range renamed {
		if a.Serial != apps[i].Serial || a.Name != []string{"Old phone", "Spare phone"}[i] {
			t.Errorf("renamed app %d: %+v, want serial %s", i, a, apps[i].Serial)
		}
		c, _ := creds.TOTPCode(seeds[a.Serial], f.clk.now())
		if err := f.auth.TOTP(ctx, alice, c, "10.0.0.1"); err != nil {
			t.Errorf("a code of renamed %q: %v", a.Name, err)
		}
		f.clk.add(30 * time.Second)
	}
	// Its earlier name is free again for a new app once it is removed.
	if _, err := f.auth.RemoveTOTPDevice(ctx, alice.ID, apps[1].Serial); err != nil {
		t.Fatal(err)
	}
	c3, _ = creds.TOTPCode(s3, f.clk.now())
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "My phone/2", s3, c3, "10.0.0.1"); err != nil {
		t.Errorf("a new app after a removal: %v", err)
	}
}
