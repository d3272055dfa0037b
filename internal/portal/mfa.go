package portal

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/store"
)

// MFA at the device page: every sign-in ends with a second factor, in one
// of these ways (sso's mfa.go):
//
//   - enrollment, for a person without one: an authenticator app (the
//     otpauth:// URI as a QR code, the key as text beside it) or a security
//     key or passkey (WebAuthn); then ten recovery codes, shown once;
//   - verification: a TOTP code, a security key or passkey, or a recovery
//     code;
//   - a passkey instead of the user name and password (with user
//     verification: both factors at once), when the identity source is
//     Identity Center's directory;
//   - the external identity provider's own MFA, when the org trusts it and
//     the assertion says it was done (saml.go).
//
// Once signed in, the person may manage their factors (add security keys,
// an authenticator app, remove any but the last, make new recovery codes)
// before approving the device. WebAuthn's ceremonies run in the browser
// through /device/webauthn.js (no inline script: the Content-Security-Policy
// allows script only from this server); their state is sealed in the
// sign-in's cookie. Every enrollment, removal, use and failure is in the
// trail, never a secret.

const (
	stepRecovery = "recovery-codes" // new recovery codes, shown once
	stepManage   = "manage"         // the person's MFA devices

	kindCreate  = "create"  // a WebAuthn registration is begun
	kindGet     = "get"     // a WebAuthn authentication (second factor)
	kindPasskey = "passkey" // a passkey sign-in (no user name)
)

//go:embed webauthn.js
var webauthnJS []byte

// WebAuthnScript serves /device/webauthn.js, the pages' only script.
type WebAuthnScript struct{}

func (WebAuthnScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "max-age=300")
	w.Write(webauthnJS)
}

// keyView is a security key or passkey as the manage page lists it.
type keyView struct {
	ID, Name, Kind, Created, LastUsed string
	Ref                               string // the page's element ID of its rename field
}

// ceremony takes the WebAuthn state of the kind the step expects (and
// forgets it: a state answers once).
func (f *flow) ceremony(kind string) string {
	s := ""
	if f.WAKind == kind {
		s = f.WAState
	}
	f.WAState, f.WAKind = "", ""
	return s
}

func (f *flow) user() sso.User { return sso.User{ID: f.UserID, UserName: f.UserName} }

// failure is the trail's message for a refused factor: go-webauthn's reason
// after "Failed authentication", nothing the person typed.
func failure(err error) string {
	reason := strings.TrimPrefix(strings.TrimPrefix(err.Error(), sso.ErrBadCredentials.Error()), ": ")
	if reason == "" || reason == err.Error() {
		return failedAuth
	}
	return failedAuth + ": " + reason
}

// directoryEvent records a change to a person's MFA devices.
func (d *Device) directoryEvent(r *http.Request, name string, u sso.User, params call.Fields, fail string) error {
	return recordEvent(r.Context(), d.Audit, d.Auth.Dir, r, d.Clock(), event{source: directorySource, name: name, user: u, failure: fail, params: params})
}

// verifyFactor checks the second factor posted at the MFA step.
func (d *Device) verifyFactor(r *http.Request, f *flow) (string, error) {
	ctx, form, addr, u := r.Context(), r.PostForm, sourceIP(r), f.user()
	var err error
	kind, left := sso.CredentialTOTP, -1
	switch form.Get("method") {
	case "webauthn":
		kind = sso.CredentialWebAuthn
	case "recovery":
		kind = sso.CredentialRecoveryCode
	}
	// Another factor than the one asked is a new challenge (as when a
	// person chooses "use another MFA device").
	if err := d.challenge(r, f, kind); err != nil {
		return "", err
	}
	switch kind {
	case sso.CredentialWebAuthn:
		_, err = d.Auth.FinishWebAuthnLogin(ctx, r, u, f.ceremony(kindGet), form.Get("credential"), addr)
	case sso.CredentialRecoveryCode:
		left, err = d.Auth.UseRecoveryCode(ctx, u, form.Get("recovery_code"), addr)
	default:
		err = d.Auth.TOTP(ctx, u, form.Get("code"), addr)
	}
	switch {
	case errors.Is(err, sso.ErrBadCredentials):
		msg := map[string]string{
			sso.CredentialTOTP:         "That code is not correct, or it was already used. Wait for the next code.",
			sso.CredentialWebAuthn:     "The security key's answer was not accepted. Try again with a key you registered.",
			sso.CredentialRecoveryCode: "That recovery code is not correct, or it was already used.",
		}[kind]
		return msg, d.signIn(r, f, evVerification, u, kind, failure(err))
	case errors.Is(err, sso.ErrThrottled):
		return "Too many failed attempts. Try again in 15 minutes.", d.signIn(r, f, evVerification, u, kind, "Too many failed attempts")
	case err != nil:
		return "", err
	}
	if kind == sso.CredentialRecoveryCode {
		f.notice = "You signed in with a recovery code. " + map[bool]string{true: "You have no codes left: make new ones below.", false: "Codes left: " + strconv.Itoa(left) + "."}[left == 0] +
			" If you lost your authenticator, remove it and add a new one (Manage MFA)."
	}
	return "", d.passed(r, f, kind)
}

// passed marks the second factor passed now, records it, and moves on: to
// the new recovery codes when the person has none, else to approval.
func (d *Device) passed(r *http.Request, f *flow, kind string) error {
	u := f.user()
	if f.Step == stepEnroll {
		f.Enrolled = true
	} else {
		f.Second = kind
	}
	f.Seed, f.Step, f.AuthTime, f.signedIn = "", f.next(), d.Clock().UTC(), true
	if err := d.signIn(r, f, evVerification, u, kind, ""); err != nil {
		return err
	}
	if err := d.authenticated(r, f); err != nil {
		return err
	}
	left, err := d.Auth.RecoveryCodesLeft(r.Context(), u.ID)
	if err != nil || left > 0 || kind == sso.CredentialRecoveryCode {
		return err
	}
	return d.newRecoveryCodes(r, f, f.next())
}

// newRecoveryCodes makes a new set and shows it next, once.
func (d *Device) newRecoveryCodes(r *http.Request, f *flow, then string) error {
	codes, err := d.Auth.NewRecoveryCodes(r.Context(), f.UserID)
	if err != nil {
		return err
	}
	f.codes, f.Step, f.Return = codes, stepRecovery, then
	return d.directoryEvent(r, "GenerateRecoveryCodes", f.user(), call.Fields{"count": len(codes)}, "")
}

// enroll registers the first factor (or, from the manage page, an
// authenticator app).
func (d *Device) enroll(r *http.Request, f *flow) (string, error) {
	ctx, form, addr, u := r.Context(), r.PostForm, sourceIP(r), f.user()
	if form.Get("method") == "webauthn" {
		if f.AuthTime.IsZero() {
			// Enrolling a security key at sign-in answers a WebAuthn
			// challenge rather than the app's.
			if err := d.challenge(r, f, sso.CredentialWebAuthn); err != nil {
				return "", err
			}
		}
		return d.addWebAuthn(r, f, func() error { return d.passed(r, f, sso.CredentialWebAuthn) })
	}
	app, err := d.Auth.EnrollTOTPDevice(ctx, u, form.Get("name"), f.Seed, form.Get("code"), addr)
	params := call.Fields{"mfaDeviceType": sso.CredentialTOTP}
	switch {
	case errors.Is(err, sso.ErrBadCredentials):
		if err := d.directoryEvent(r, "CompleteVirtualMfaDeviceRegistration", u, params, "The code does not match the new authenticator"); err != nil {
			return "", err
		}
		return "That code is not correct. Check the authenticator's clock and enter the current code.", d.signIn(r, f, evVerification, u, sso.CredentialTOTP, failedAuth)
	case errors.Is(err, sso.ErrThrottled):
		return "Too many failed attempts. Try again in 15 minutes.", d.signIn(r, f, evVerification, u, sso.CredentialTOTP, "Too many failed attempts")
	case errors.Is(err, sso.ErrTooManyTOTP), errors.Is(err, sso.ErrTooManyMFADevices):
		if err := d.directoryEvent(r, "CompleteVirtualMfaDeviceRegistration", u, params, failure(err)); err != nil {
			return "", err
		}
		f.Seed, f.Step = "", stepManage
		return "The authenticator app could not be added: " + err.Error() + ".", nil
	case errors.Is(err, sso.ErrTOTPNameTaken), err != nil && strings.Contains(err.Error(), "authenticator app's name"):
		return "The authenticator app could not be added: " + err.Error() + ".", nil
	case err != nil:
		return "", err
	}
	params["serialNumber"], params["deviceName"] = app.Serial, app.Name
	if err := d.directoryEvent(r, "CompleteVirtualMfaDeviceRegistration", u, params, ""); err != nil {
		return "", err
	}
	if f.Return == stepManage && !f.AuthTime.IsZero() {
		f.Seed, f.Step, f.Return = "", stepManage, ""
		f.notice = "\u201c" + app.Name + "\u201d is set up."
		return "", nil
	}
	return "", d.passed(r, f, sso.CredentialTOTP)
}

// addWebAuthn finishes registering a security key or passkey, records it,
// and calls then.
func (d *Device) addWebAuthn(r *http.Request, f *flow, then func() error) (string, error) {
	u := f.user()
	c, err := d.Auth.FinishWebAuthnRegistration(r.Context(), r, u, f.ceremony(kindCreate), r.PostForm.Get("credential"), r.PostForm.Get("name"))
	switch {
	case errors.Is(err, sso.ErrBadCredentials), errors.Is(err, sso.ErrTooManyCredentials), errors.Is(err, sso.ErrWebAuthnUnavailable):
		if err := d.directoryEvent(r, "CompleteWebAuthnDeviceRegistration", u, call.Fields{"mfaDeviceType": sso.CredentialWebAuthn}, failure(err)); err != nil {
			return "", err
		}
		return "The security key could not be registered: " + strings.TrimPrefix(err.Error(), sso.ErrBadCredentials.Error()+": ") + ".", nil
	case err != nil:
		return "", err
	}
	if err := d.directoryEvent(r, "CompleteWebAuthnDeviceRegistration", u, call.Fields{"mfaDeviceType": sso.CredentialWebAuthn,
		"deviceName": c.Name, "credentialId": c.ID(), "passkey": c.Passkey()}, ""); err != nil {
		return "", err
	}
	f.notice = "\u201c" + c.Name + "\u201d is registered."
	return "", then()
}

// passkey signs a person in with a passkey at the first step.
func (d *Device) passkey(r *http.Request, f *flow) (string, error) {
	ctx := r.Context()
	if _, external, err := sso.ExternalSource(ctx, d.SAML.Orgs); err != nil || external {
		if err != nil {
			return "", err
		}
		return "Your organization signs in through its identity provider, not with a passkey here.", nil
	}
	u, _, err := d.Auth.FinishPasskeyLogin(ctx, r, f.ceremony(kindPasskey), r.PostForm.Get("credential"), sourceIP(r))
	// A passkey is the sign-in's first (and only) factor: its challenge
	// names no one until the key has said whose it is.
	who := sso.User{}
	if err == nil {
		who = u
	}
	if f.Challenged != sso.CredentialWebAuthn {
		f.Challenged = sso.CredentialWebAuthn
		if err := d.signIn(r, f, evChallenge, who, sso.CredentialWebAuthn, ""); err != nil {
			return "", err
		}
	}
	switch {
	case errors.Is(err, sso.ErrBadCredentials):
		return "The passkey was not accepted. Sign in with your user name and password.", d.signIn(r, f, evVerification, sso.User{}, sso.CredentialWebAuthn, failure(err))
	case errors.Is(err, sso.ErrThrottled):
		return "Too many failed attempts. Try again in 15 minutes.", d.signIn(r, f, evVerification, sso.User{}, sso.CredentialWebAuthn, "Too many failed attempts")
	case err != nil:
		return "", err
	}
	f.UserID, f.UserName, f.CSRF, f.Source, f.First = u.ID, u.UserName, randomString(), "directory", sso.CredentialWebAuthn
	return "", d.passed(r, f, sso.CredentialWebAuthn)
}

// manage handles the manage page's actions.
func (d *Device) manage(r *http.Request, f *flow) (string, error) {
	ctx, form, u := r.Context(), r.PostForm, f.user()
	if f.AuthTime.IsZero() {
		f.Step = stepPassword
		return "Sign in first.", nil
	}
	factors, err := d.Auth.Factors(ctx, u.ID)
	if err != nil {
		return "", err
	}
	action, id := form.Get("action"), ""
	if rest, ok := strings.CutPrefix(action, "remove:"); ok {
		action, id = "remove-webauthn", rest
	} else if rest, ok := strings.CutPrefix(action, "remove-app:"); ok {
		action, id = "remove-totp", rest
	}
	switch action {
	case "add-webauthn":
		return d.addWebAuthn(r, f, func() error { return nil })
	case "add-totp":
		if err := d.Auth.RoomForTOTP(ctx, u.ID); err != nil {
			if errors.Is(err, sso.ErrTooManyTOTP) || errors.Is(err, sso.ErrTooManyMFADevices) {
				return "You cannot add an authenticator app: " + err.Error() + ".", nil
			}
			return "", err
		}
		f.Seed, f.Step, f.Return = creds.NewTOTPSeed(), stepEnroll, stepManage
		return "", nil
	case "remove-totp", "remove-webauthn":
		if factors.Count() <= 1 {
			return "This is your only authenticator: add another before you remove it.", nil
		}
		params := call.Fields{"mfaDeviceType": sso.CredentialTOTP}
		if action == "remove-totp" {
			if id == "" && len(factors.Apps) == 1 { // a form from before apps were named
				id = factors.Apps[0].Serial
			}
			var app sso.TOTPDevice
			app, err = d.Auth.RemoveTOTPDevice(ctx, u.ID, id)
			params["serialNumber"], params["deviceName"] = id, app.Name
		} else {
			var c sso.WebAuthnCredential
			c, err = d.Auth.RemoveWebAuthnCredential(ctx, u.ID, id)
			params = call.Fields{"mfaDeviceType": sso.CredentialWebAuthn, "deviceName": c.Name, "credentialId": id}
		}
		if errors.Is(err, store.ErrNotFound) {
			return "That authenticator was already removed.", nil
		}
		if err != nil {
			return "", err
		}
		f.notice = "The authenticator is removed."
		return "", d.directoryEvent(r, "DeleteMfaDeviceForUser", u, params, "")
	case "rename-app", "rename-key":
		return d.rename(r, f, action == "rename-app")
	case "recovery-codes":
		return "", d.newRecoveryCodes(r, f, stepManage)
	case "done":
		f.Step = f.next()
	}
	return "", nil
}

// rename renames one of the person's authenticator apps (app) or security
// keys, and records it (UpdateMfaDeviceForUser, as Identity Center names
// a change to an MFA device).
func (d *Device) rename(r *http.Request, f *flow, app bool) (string, error) {
	ctx, u, id, name := r.Context(), f.user(), r.PostForm.Get("device"), r.PostForm.Get("name")
	var params call.Fields
	var err error
	if app {
		var was sso.TOTPDevice
		was, err = d.Auth.RenameTOTPDevice(ctx, u.ID, id, name)
		params = call.Fields{"mfaDeviceType": sso.CredentialTOTP, "serialNumber": id, "previousDeviceName": was.Name}
	} else {
		var was sso.WebAuthnCredential
		was, err = d.Auth.RenameWebAuthnCredential(ctx, u.ID, id, name)
		params = call.Fields{"mfaDeviceType": sso.CredentialWebAuthn, "credentialId": id, "previousDeviceName": was.Name}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "That authenticator was removed.", nil
	case errors.Is(err, sso.ErrTOTPNameTaken), errors.Is(err, sso.ErrBadDeviceName):
		return "The authenticator could not be renamed: " + strings.TrimPrefix(err.Error(), sso.ErrBadDeviceName.Error()+": ") + ".", nil
	case err != nil:
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = map[bool]string{true: sso.LegacyTOTPName, false: "Security key"}[app]
	}
	params["deviceName"] = name
	f.notice = "Renamed to \u201c" + name + "\u201d."
	return "", d.directoryEvent(r, "UpdateMfaDeviceForUser", u, params, "")
}

// prepare begins the WebAuthn ceremony the page offers (its state sealed
// in the cookie with the flow) and fills what the MFA pages show.
func (d *Device) prepare(r *http.Request, f *flow, p *pageData) {
	ctx := r.Context()
	begin := func(kind string, c sso.Ceremony, err error) {
		if err != nil {
			if errors.Is(err, sso.ErrWebAuthnUnavailable) {
				p.WebAuthnOff = "Security keys and passkeys are not available at this address: " + err.Error() + "."
			} else if !errors.Is(err, sso.ErrNoWebAuthn) && !errors.Is(err, sso.ErrTooManyCredentials) {
				d.Log.Error("device sign-in: WebAuthn", "error", err.Error())
			}
			return
		}
		f.WAState, f.WAKind, p.WebAuthn = c.State, kind, c.Options
	}
	switch f.Step {
	case stepPassword:
		if !p.External && p.IdP == "" {
			c, err := d.Auth.BeginPasskeyLogin(ctx, r)
			begin(kindPasskey, c, err)
			p.WebAuthnOff = ""
		}
	case stepEnroll:
		p.AppName = sso.LegacyTOTPName
		if apps, err := d.Auth.TOTPDevices(ctx, f.UserID); err == nil && len(apps) > 0 {
			p.AppName = fmt.Sprintf("%s %d", sso.LegacyTOTPName, len(apps)+1)
		}
		uri := sso.TOTPURI(d.Issuer, f.UserName, f.Seed)
		p.OTPAuth = uri
		if qr, err := sso.TOTPQRCode(uri, 240); err == nil {
			p.QR = template.URL(qr) // a data:image/png URL made here
		}
		if f.Return != stepManage {
			c, err := d.Auth.BeginWebAuthnRegistration(ctx, r, f.user())
			begin(kindCreate, c, err)
		}
	case stepMFA, stepManage:
		factors, err := d.Auth.Factors(ctx, f.UserID)
		if err != nil {
			d.Log.Error("device sign-in: factors", "error", err.Error())
			return
		}
		p.HasTOTP, p.RecoveryLeft, p.Factors = factors.TOTP, factors.RecoveryCodes, factors.Count()
		p.CanAddApp = len(factors.Apps) < sso.MaxTOTPDevices && factors.Count() < sso.MaxMFADevices
		for i, a := range factors.Apps {
			k := keyView{ID: a.Serial, Name: a.Name, Kind: "Authenticator app", Created: a.Created.Format("2 Jan 2006"), Ref: "app-" + strconv.Itoa(i+1)}
			if !a.LastUsed.IsZero() {
				k.LastUsed = a.LastUsed.Format("2 Jan 2006 15:04 MST")
			}
			p.Apps = append(p.Apps, k)
		}
		for i, c := range factors.WebAuthn {
			k := keyView{ID: c.ID(), Name: c.Name, Kind: "Security key", Created: c.Created.Format("2 Jan 2006"), Ref: "key-" + strconv.Itoa(i+1)}
			if c.Passkey() {
				k.Kind = "Passkey"
			}
			if !c.LastUsed.IsZero() {
				k.LastUsed = c.LastUsed.Format("2 Jan 2006 15:04 MST")
			}
			p.Keys = append(p.Keys, k)
		}
		if f.Step == stepMFA && len(factors.WebAuthn) > 0 {
			c, err := d.Auth.BeginWebAuthnLogin(ctx, r, f.user())
			begin(kindGet, c, err)
		}
		if f.Step == stepManage {
			c, err := d.Auth.BeginWebAuthnRegistration(ctx, r, f.user())
			begin(kindCreate, c, err)
		}
	}
}
