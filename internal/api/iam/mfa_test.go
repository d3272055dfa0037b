package iam_test

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/securecart/warden/internal/creds"
)

type mfaCreateResult struct {
	VirtualMFADevice struct {
		SerialNumber     string `xml:"SerialNumber"`
		Base32StringSeed string `xml:"Base32StringSeed"`
	} `xml:"VirtualMFADevice"`
}

type mfaListResult struct {
	MFADevices []struct {
		UserName     string `xml:"UserName"`
		SerialNumber string `xml:"SerialNumber"`
		EnableDate   string `xml:"EnableDate"`
	} `xml:"MFADevices>member"`
}

// code is the device's TOTP code at t.
func code(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(seed, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// createDevice creates a virtual MFA device and returns its serial and seed.
func (f *fixture) createDevice(t *testing.T, name string) (string, string) {
	t.Helper()
	var got mfaCreateResult
	decode(t, f.ok(rootOf(mgmt), "CreateVirtualMFADevice", "VirtualMFADeviceName", name), &got)
	seed, err := base64.StdEncoding.DecodeString(got.VirtualMFADevice.Base32StringSeed)
	if err != nil {
		t.Fatalf("Base32StringSeed is not base64: %v", err)
	}
	return got.VirtualMFADevice.SerialNumber, string(seed)
}

func TestVirtualMFA(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	f.ok(root, "CreateUser", "UserName", "bob")
	serial, seed := f.createDevice(t, "bob-phone")
	if serial != "arn:aws:iam::"+mgmt+":mfa/bob-phone" || len(seed) != 32 {
		t.Fatalf("device %s, seed %q", serial, seed)
	}
	// Stored sealed, assigned to no one.
	d, err := f.st.MFADevice(f.ctx, serial)
	if err != nil {
		t.Fatal(err)
	}
	if d.Owner != "" {
		t.Errorf("new device owner = %q, want none", d.Owner)
	}
	if open, err := f.sealer.Open(d.SealedSeed, []byte("mfa:"+serial)); err != nil || string(open) != seed {
		t.Errorf("sealed seed does not open to the seed: %v", err)
	}
	e := f.fail(root, "CreateVirtualMFADevice", "EntityAlreadyExists", "VirtualMFADeviceName", "bob-phone")
	if e.Message != "MFADevice entity at the same path and name already exists." {
		t.Errorf("message = %q", e.Message)
	}

	// Wrong codes, then two consecutive ones.
	f.fail(root, "EnableMFADevice", "InvalidAuthenticationCode", "UserName", "bob", "SerialNumber", serial,
		"AuthenticationCode1", code(t, seed, f.now), "AuthenticationCode2", code(t, seed, f.now.Add(-30*time.Second)))
	f.fail(root, "EnableMFADevice", "ValidationError", "UserName", "bob", "SerialNumber", serial,
		"AuthenticationCode1", "12345", "AuthenticationCode2", "123456")
	f.ok(root, "EnableMFADevice", "UserName", "bob", "SerialNumber", serial,
		"AuthenticationCode1", code(t, seed, f.now.Add(-30*time.Second)), "AuthenticationCode2", code(t, seed, f.now))
	d, _ = f.st.MFADevice(f.ctx, serial)
	if d.Owner != "arn:aws:iam::"+mgmt+":user/bob" {
		t.Errorf("owner = %q, want bob", d.Owner)
	}
	var list mfaListResult
	decode(t, f.ok(root, "ListMFADevices", "UserName", "bob"), &list)
	if len(list.MFADevices) != 1 || list.MFADevices[0].SerialNumber != serial || list.MFADevices[0].UserName != "bob" {
		t.Errorf("ListMFADevices = %+v", list.MFADevices)
	}
	e = f.fail(root, "EnableMFADevice", "EntityAlreadyExists", "UserName", "bob", "SerialNumber", serial,
		"AuthenticationCode1", code(t, seed, f.now.Add(30*time.Second)), "AuthenticationCode2", code(t, seed, f.now.Add(60*time.Second)))

	// STS checks codes as creds.CheckTOTP does: the enabling codes are used
	// up, the next one works once.
	if err := creds.CheckTOTP(f.ctx, f.st, f.sealer, serial, code(t, seed, f.now), f.now); !errors.Is(err, creds.ErrMFA) {
		t.Errorf("an enabling code was accepted again: %v", err)
	}
	later := f.now.Add(30 * time.Second)
	if err := creds.CheckTOTP(f.ctx, f.st, f.sealer, serial, code(t, seed, later), later); err != nil {
		t.Errorf("the next code: %v", err)
	}

	e = f.fail(root, "DeleteVirtualMFADevice", "DeleteConflict", "SerialNumber", serial)
	if e.Message != "MFA Device is still in use." {
		t.Errorf("message = %q", e.Message)
	}
	f.fail(root, "DeleteUser", "DeleteConflict", "UserName", "bob")
	f.fail(root, "DeactivateMFADevice", "NoSuchEntity", "UserName", "bob", "SerialNumber", "arn:aws:iam::"+mgmt+":mfa/other")
	f.ok(root, "DeactivateMFADevice", "UserName", "bob", "SerialNumber", serial)
	list = mfaListResult{}
	decode(t, f.ok(root, "ListMFADevices", "UserName", "bob"), &list)
	if len(list.MFADevices) != 0 {
		t.Errorf("after DeactivateMFADevice: %+v", list.MFADevices)
	}
	f.ok(root, "DeleteVirtualMFADevice", "SerialNumber", serial)
	f.fail(root, "DeleteVirtualMFADevice", "NoSuchEntity", "SerialNumber", serial)
	f.fail(root, "EnableMFADevice", "NoSuchEntity", "UserName", "bob", "SerialNumber", serial,
		"AuthenticationCode1", "123456", "AuthenticationCode2", "654321")
	f.ok(root, "DeleteUser", "UserName", "bob")
}

// The root user enables a device for itself when it names no user.
func TestRootMFA(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	serial, seed := f.createDevice(t, "root-device")
	f.ok(root, "EnableMFADevice", "SerialNumber", serial,
		"AuthenticationCode1", code(t, seed, f.now.Add(-30*time.Second)), "AuthenticationCode2", code(t, seed, f.now))
	d, err := f.st.MFADevice(f.ctx, serial)
	if err != nil {
		t.Fatal(err)
	}
	if d.Owner != "arn:aws:iam::"+mgmt+":root" {
		t.Errorf("owner = %q, want the root user", d.Owner)
	}
	var list mfaListResult
	decode(t, f.ok(root, "ListMFADevices"), &list)
	if len(list.MFADevices) != 1 || list.MFADevices[0].SerialNumber != serial {
		t.Errorf("ListMFADevices = %+v", list.MFADevices)
	}
	// A role session must name a user.
	f.fail(f.sessionOf(mgmt, "SecurityAuditRole", "s"), "EnableMFADevice", "ValidationError", "SerialNumber", serial,
		"AuthenticationCode1", "123456", "AuthenticationCode2", "654321")
}
