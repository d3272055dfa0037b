package sso

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso/ssotest"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/postgres/pgtest"
)

// raceEnrollments has four authenticator apps and ten security keys
// enrolled for alice at once, each by its own goroutine and through the
// authenticator of its turn (replicas), and checks AWS IAM Identity
// Center's limits: two apps, six keys, eight devices in all
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/enable-mfa.html).
// The losers are refused with the limit's error, and the winners fill the
// limits exactly.
func raceEnrollments(t *testing.T, auths []*Authenticator) {
	ctx := t.Context()
	const apps, keys = 4, 10
	type begun struct {
		c Ceremony
		k *ssotest.SoftKey
	}
	// Every registration is begun before any finishes: each sees room.
	var ceremonies []begun
	for i := range keys {
		c, err := auths[i%len(auths)].BeginWebAuthnRegistration(ctx, request(), alice)
		if err != nil {
			t.Fatal(err)
		}
		ceremonies = append(ceremonies, begun{c, &ssotest.SoftKey{Origin: "http://localhost:4566", Flags: ssotest.FlagUP}})
	}
	seeds := make([]string, apps)
	for i := range seeds {
		seeds[i] = creds.NewTOTPSeed()
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var appErrs, keyErrs []error
	start := make(chan struct{})
	for i, seed := range seeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := auths[i%len(auths)]
			code, err := creds.TOTPCode(seed, a.Clock())
			<-start
			if err == nil {
				_, err = a.EnrollTOTPDevice(ctx, alice, fmt.Sprintf("Phone %d", i), seed, code, "127.0.0.1")
			}
			mu.Lock()
			appErrs = append(appErrs, err)
			mu.Unlock()
		}()
	}
	for i, b := range ceremonies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := auths[i%len(auths)]
			resp, err := b.k.Register(b.c.Options)
			<-start
			if err == nil {
				_, err = a.FinishWebAuthnRegistration(ctx, request(), alice, b.c.State, resp, fmt.Sprintf("Key %d", i))
			}
			mu.Lock()
			keyErrs = append(keyErrs, err)
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()

	count := func(errs []error, limit ...error) (ok int) {
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !slicesContainsErr(limit, err):
				t.Errorf("an enrollment failed otherwise than at a limit: %v", err)
			}
		}
		return ok
	}
	okApps := count(appErrs, ErrTooManyTOTP, ErrTooManyMFADevices)
	okKeys := count(keyErrs, ErrTooManyCredentials, ErrTooManyMFADevices)
	f, err := auths[0].Factors(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Apps) != MaxTOTPDevices || len(f.WebAuthn) != MaxWebAuthnCredentials || f.Count() > MaxMFADevices ||
		okApps != len(f.Apps) || okKeys != len(f.WebAuthn) {
		t.Errorf("after the race: %d apps and %d keys stored (%d and %d enrollments succeeded); want %d and %d, at most %d in all",
			len(f.Apps), len(f.WebAuthn), okApps, okKeys, MaxTOTPDevices, MaxWebAuthnCredentials, MaxMFADevices)
	}

	// A removal frees its slot at once; the next enrollment takes it, and
	// one more is refused.
	if _, err := auths[0].RemoveTOTPDevice(ctx, alice.ID, f.Apps[0].Serial); err != nil {
		t.Fatal(err)
	}
	last := auths[len(auths)-1]
	for i, want := range []error{nil, ErrTooManyTOTP} {
		seed := creds.NewTOTPSeed()
		code, _ := creds.TOTPCode(seed, last.Clock())
		if _, err := last.EnrollTOTPDevice(ctx, alice, fmt.Sprintf("Tablet %d", i), seed, code, "127.0.0.1"); !errors.Is(err, want) && (err != nil || want != nil) {
			t.Errorf("enrollment %d after a removal: %v, want %v", i+1, err, want)
		}
	}
}

func slicesContainsErr(l []error, err error) bool {
	for _, e := range l {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// TestMFALimitsUnderRace: the limits hold when enrollments race on one
// SQLite store.
func TestMFALimitsUnderRace(t *testing.T) {
	f := newFixture(t)
	raceEnrollments(t, []*Authenticator{f.auth})
}

// TestMFALimitsUnderRacePostgres: the limits hold when enrollments race on
// two replicas of one PostgreSQL database (each its own connection pool).
func TestMFALimitsUnderRacePostgres(t *testing.T) {
	if os.Getenv("WARDEN_TEST_POSTGRES") == "" {
		t.Skip("WARDEN_TEST_POSTGRES is not set")
	}
	dsn := pgtest.FreshDatabase(t)
	f := newFixture(t)
	var auths []*Authenticator
	for range 2 {
		st, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		a := *f.auth
		a.Store = st
		auths = append(auths, &a)
	}
	raceEnrollments(t, auths)
}

// TestMFASlotsOfEarlierEnrollments: a person enrolled before the device
// list existed (devices stored, no list) is counted by their devices; a
// slot whose enrollment never stored its device is forgotten after
// slotTTL.
func TestMFASlotsOfEarlierEnrollments(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for i := range MaxTOTPDevices {
		seed := creds.NewTOTPSeed()
		code, _ := creds.TOTPCode(seed, f.clk.now())
		if _, err := f.auth.EnrollTOTPDevice(ctx, alice, fmt.Sprintf("Phone %d", i), seed, code, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	// As before the list: only the devices.
	if err := f.auth.Store.DeleteRecord(ctx, slotsNS, alice.ID, store.AnyVersion, f.clk.now()); err != nil {
		t.Fatal(err)
	}
	seed := creds.NewTOTPSeed()
	code, _ := creds.TOTPCode(seed, f.clk.now())
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Third", seed, code, "127.0.0.1"); !errors.Is(err, ErrTooManyTOTP) {
		t.Errorf("a third app without a list: %v, want %v", err, ErrTooManyTOTP)
	}
	// An enrollment that reserved a slot and crashed before storing its
	// device holds the slot for slotTTL, then not.
	apps, _ := f.auth.TOTPDevices(ctx, alice.ID)
	if _, err := f.auth.RemoveTOTPDevice(ctx, alice.ID, apps[0].Serial); err != nil {
		t.Fatal(err)
	}
	op, err := f.auth.reserveSlot(ctx, alice.ID, slotTOTP, TOTPDeviceSerial(alice.ID, "Crashed"), f.clk.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.auth.applySlot(ctx, op); err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Fourth", seed, code, "127.0.0.1"); !errors.Is(err, ErrTooManyTOTP) {
		t.Errorf("while the crashed enrollment's slot is young: %v, want %v", err, ErrTooManyTOTP)
	}
	f.clk.add(slotTTL)
	code, _ = creds.TOTPCode(seed, f.clk.now())
	if _, err := f.auth.EnrollTOTPDevice(ctx, alice, "Fourth", seed, code, "127.0.0.1"); err != nil {
		t.Errorf("after the crashed enrollment's slot aged: %v", err)
	}
}
