// Package portal serves the pages people use in a browser: the AWS access
// portal at /start (portal.go: sign in, the accounts and permission sets
// assigned to the person, credentials, sign out everywhere) and the device
// verification page (GET and POST /device), where a person approves the
// user code that `warden login` or an SDK's SSO flow shows.
//
// Both sign in the same way (this file), through Identity Center's
// identity source:
//
//  1. the user code (pre-filled from ?user_code=; not at /start), user name
//     and password;
//  2. a new password, when the password was a one-time password;
//  3. TOTP enrollment (the seed and its otpauth:// URI, confirmed with a
//     code), when the person has no authenticator yet; otherwise a TOTP code:
//     no device is approved without MFA;
//  4. approve or deny the device; at /start, the accounts page.
//
// Passing MFA starts an access portal session (session.go), so a person
// signed in to the portal approves a device code without signing in
// again: /device then asks only to confirm the user code, then to allow.
//
// When Identity Center's identity source is an external identity provider,
// password sign-in is off, as in AWS: the first step shows no password
// form and refuses a posted password before looking any user up. A SAML
// identity provider is offered as "Sign in with <IdP>" (saml.go): the person goes to
// the IdP with a signed AuthnRequest, comes back through the assertion
// consumer service (/saml/acs), and continues at step 3 as the identity
// store's user whose email the IdP vouched for.
//
// The sign-in's progress lives in a cookie sealed with the server's
// session-token keys (AES-256-GCM; any replica opens it), HttpOnly,
// SameSite=Strict, Secure with the __Host- prefix except over loopback
// HTTP, and valid for 10 minutes. Every form carries a CSRF token that must equal the
// one sealed in the cookie (compared in constant time). Pages are
// html/template, with a strict Content-Security-Policy, no caching and no
// framing. Secrets are never put in a URL or a log. Every sign-in step is
// in the audit trail as Identity Center's sign-in events (signin_audit.go).
package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// Device is the device verification page.
type Device struct {
	OIDC    *sso.OIDC
	Auth    *sso.Authenticator
	Keyring *creds.Keyring
	Clock   func() time.Time
	Log     *slog.Logger
	// Issuer names the authenticator in otpauth:// URIs.
	Issuer string
	// SAML is the SAML service provider, used when the identity source is a
	// SAML identity provider.
	SAML *sso.SAMLSP
	// OIDCSignIn signs people in when the identity source is an OpenID
	// provider (oidc.go).
	OIDCSignIn *OIDCSignIn
	// Audit records sign-in events (signin_audit.go); nil keeps none.
	Audit call.Auditor
	// Sessions starts an access portal session once a person passed MFA.
	Sessions *Sessions
	// Base is the server's public URL, without a trailing slash (sign-in
	// events' LoginTo).
	Base string
}

const (
	flowCookieSecure   = "__Host-warden-signin"
	flowCookieLoopback = "warden-signin"
	cookieUse          = "device-signin:"
	flowTimeout        = 10 * time.Minute
)

// Where the sign-in forms post.
const (
	deviceAction = "/device"
	portalAction = "/start/signin"
)

// Steps of the sign-in.
const (
	stepPassword    = "password"
	stepNewPassword = "new-password"
	stepEnroll      = "enroll"
	stepMFA         = "mfa"
	stepApprove     = "approve"
	stepDone        = "done"
	stepSAMLWait    = "saml" // sent to the IdP, awaiting its response
	stepOIDCWait    = "oidc" // sent to the OpenID provider, awaiting its answer
	// stepSessionCode: a person signed in to the portal confirms the user
	// code before allowing the device.
	stepSessionCode = "session-code"
)

// flow is the sealed state of one browser's sign-in.
type flow struct {
	CSRF     string    `json:"c"`
	Step     string    `json:"s"`
	UserCode string    `json:"uc,omitempty"`
	UserID   string    `json:"u,omitempty"`
	UserName string    `json:"n,omitempty"`
	Seed     string    `json:"seed,omitempty"` // TOTP seed being enrolled
	AuthTime time.Time `json:"at,omitzero"`    // when MFA passed
	Expires  time.Time `json:"e"`
	Result   string    `json:"r,omitempty"` // approved or denied, on the last page
	// Portal marks a sign-in to the access portal (no device code).
	Portal bool `json:"p,omitempty"`
	// Source is how the person signed in: "directory" or the identity
	// provider's name.
	Source string `json:"src,omitempty"`
	// SAMLRequest is the ID of the AuthnRequest sent to the IdP, which its
	// response must answer.
	SAMLRequest string `json:"sr,omitempty"`
	// WAState is a begun WebAuthn ceremony of kind WAKind (mfa.go).
	WAState string `json:"wa,omitempty"`
	WAKind  string `json:"wk,omitempty"`
	// Return is the step after enrollment or recovery codes, when not
	// approval (the manage page).
	Return string `json:"rt,omitempty"`
	// redirect, when set by a step, sends the browser on (to the IdP);
	// message is shown on the page rendered next, notice too (not as an
	// error); codes are new recovery codes, shown once.
	// OIDCBind names the sign-in sent to the OpenID provider, which its
	// result must answer.
	OIDCBind string `json:"ob,omitempty"`
	// AMR and ACR are what an OpenID provider said of how it authenticated
	// the person (its ID token's amr and acr).
	AMR []string `json:"amr,omitempty"`
	ACR string   `json:"acr,omitempty"`
	// Workflow is the sign-in's AuthWorkflowID, shared by all its events
	// in the trail; Challenged is the credential type last challenged;
	// First is the first factor's type (the first of
	// UserAuthentication's CredentialType).
	Workflow   string `json:"wf,omitempty"`
	Challenged string `json:"ch,omitempty"`
	First      string `json:"ff,omitempty"`
	// Second is the type of the second factor verified (TOTP, WEBAUTHN,
	// RECOVERY_CODE); Enrolled says the person had to register one
	// instead (UserAuthentication's DeviceEnrollmentRequired).
	Second                    string `json:"f2,omitempty"`
	Enrolled                  bool   `json:"en,omitempty"`
	redirect, message, notice string
	codes                     []string
	// signedIn is set when every factor passed in this request: the
	// request then starts the person's portal session (Device.post).
	signedIn bool
	// cookie is set with the page (the OpenID provider's pending request).
	cookie *http.Cookie
}

// next is the step after MFA: approving the device, or, for a sign-in to
// the portal, done (on to the accounts).
func (f *flow) next() string {
	if f.Portal {
		return stepDone
	}
	return stepApprove
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func flowCookieName(r *http.Request) string {
	if loopbackHTTP(r) {
		return flowCookieLoopback
	}
	return flowCookieSecure
}

func (d *Device) load(ctx context.Context, r *http.Request) (*flow, bool) {
	ck, err := r.Cookie(flowCookieName(r))
	if err != nil {
		return nil, false
	}
	data, err := d.Keyring.OpenBlob(ctx, cookieUse, ck.Value)
	if err != nil {
		return nil, false
	}
	var f flow
	if json.Unmarshal(data, &f) != nil || !d.Clock().Before(f.Expires) {
		return nil, false
	}
	return &f, true
}

func (d *Device) save(w http.ResponseWriter, r *http.Request, f *flow) error {
	data, _ := json.Marshal(f)
	v, err := d.Keyring.SealBlob(cookieUse, data)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: flowCookieName(r), Value: v, Path: "/", Expires: f.Expires, MaxAge: int(flowTimeout / time.Second),
		HttpOnly: true, Secure: !loopbackHTTP(r), SameSite: http.SameSiteStrictMode})
	return nil
}

// clearFlow deletes the sign-in cookie (the sign-in is over).
func clearFlow(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: flowCookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !loopbackHTTP(r), SameSite: http.SameSiteStrictMode})
}

// loopbackHTTP reports a plain-HTTP request over loopback, where a Secure
// cookie would never come back (browsers treat http://127.0.0.1 as
// potentially trustworthy, but not every client does). A request a
// TLS-terminating proxy on the same host forwards (loopback, with
// X-Forwarded-Proto: https) is not: its browser speaks HTTPS.
func loopbackHTTP(r *http.Request) bool {
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

func (d *Device) newFlow(userCode string) *flow {
	return &flow{CSRF: randomString(), Step: stepPassword, UserCode: sso.NormalizeUserCode(userCode), Expires: d.Clock().Add(flowTimeout),
		Workflow: newWorkflowID()}
}

// newPortalFlow starts a sign-in to the access portal.
func (d *Device) newPortalFlow() *flow {
	f := d.newFlow("")
	f.Portal = true
	return f
}

// sessionFlow starts the approval of a device by a person signed in to
// the portal: confirm the user code, then allow.
func (d *Device) sessionFlow(s *Session, userCode string) *flow {
	f := d.newFlow(userCode)
	f.Step, f.UserID, f.UserName, f.AuthTime, f.Source, f.CSRF = stepSessionCode, s.UserID, s.UserName, s.AuthTime, s.Source, s.CSRF()
	return f
}

// session returns the request's portal session, or nil.
func (d *Device) session(r *http.Request) *Session {
	if d.Sessions == nil {
		return nil
	}
	s, err := d.Sessions.Get(r)
	if err != nil {
		if !errors.Is(err, ErrNoSession) {
			d.Log.Error("portal session", "error", err.Error())
		}
		return nil
	}
	return s
}

// ServeHTTP implements http.Handler.
func (d *Device) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := securityHeaders(w)
	switch r.Method {
	case http.MethodGet:
		f, ok := d.load(r.Context(), r)
		code := r.URL.Query().Get("user_code")
		if !ok || f.Step == stepDone || f.Portal || (code != "" && sso.NormalizeUserCode(code) != f.UserCode && (f.Step == stepPassword || f.Step == stepSessionCode)) {
			f = d.newFlow(code)
			if s := d.session(r); s != nil {
				f = d.sessionFlow(s, code)
			}
		}
		if f.Step == stepRecovery {
			// Recovery codes are shown once: a reload moves on.
			f.Step, f.Return = nonEmpty(f.Return, f.next()), ""
		}
		d.render(w, r, f, "")
	case http.MethodPost:
		d.post(w, r)
	default:
		h.Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (d *Device) post(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f, ok := d.load(r.Context(), r)
	if r.PostForm.Has("saml_result") {
		// Back from the IdP: the sealed result of /saml/acs stands in for the
		// CSRF token, bound to this flow by the AuthnRequest's ID.
		if !ok {
			f = nil
		}
		d.finish(w, r, d.samlResult(r, f), "")
		return
	}
	if r.PostForm.Has(OIDCResultField) {
		// Back from the OpenID provider, bound to this flow by OIDCBind.
		if !ok {
			f = nil
		}
		d.finish(w, r, d.oidcResult(r, f), "")
		return
	}
	restart := func(code string) *flow {
		if r.URL.Path == portalAction {
			return d.newPortalFlow()
		}
		return d.newFlow(code)
	}
	if !ok {
		d.renderStatus(w, r, restart(r.PostForm.Get("user_code")), "Your sign-in expired or its cookie is missing. Please start again.", http.StatusForbidden)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(f.CSRF)) != 1 {
		d.renderStatus(w, r, restart(f.UserCode), "The form was not sent by this page (CSRF token mismatch). Please start again.", http.StatusForbidden)
		return
	}
	msg, err := d.step(r, f)
	if err != nil {
		d.Log.Error("sign-in failed", "step", f.Step, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	d.finish(w, r, f, msg)
}

// finish ends a sign-in request: when every factor passed in it, the
// person's portal session starts; a portal sign-in that is done goes on to
// the accounts; anything else renders the flow's page.
func (d *Device) finish(w http.ResponseWriter, r *http.Request, f *flow, msg string) {
	if f.signedIn && d.Sessions != nil {
		signIn := ""
		if f.Workflow != "" {
			signIn = signInCredential(f.Workflow)
		}
		s, err := d.Sessions.Create(r.Context(), w, r, f.user(), f.AuthTime, f.Source, signIn)
		if errors.Is(err, sso.ErrSignInExists) {
			// The form was sent again (a replay, a second click): the
			// sign-in has its session already.
			again := d.newFlow(f.UserCode)
			if f.Portal {
				again = d.newPortalFlow()
			}
			d.renderStatus(w, r, again, "This sign-in was completed already. Please start again.", http.StatusForbidden)
			return
		}
		if err != nil {
			d.Log.Error("sign-in: starting the session", "error", err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		f.CSRF = s.CSRF()
	}
	if f.Portal && f.Step == stepDone {
		clearFlow(w, r)
		securityHeaders(w)
		http.Redirect(w, r, "/start", http.StatusSeeOther)
		return
	}
	d.render(w, r, f, msg)
}

// step advances f with the posted form, and returns a message for the
// person when the step must be repeated.
func (d *Device) step(r *http.Request, f *flow) (string, error) {
	ctx, form, addr := r.Context(), r.PostForm, sourceIP(r)
	switch f.Step {
	case stepPassword:
		if !f.Portal {
			f.UserCode = sso.NormalizeUserCode(form.Get("user_code"))
			if _, err := d.OIDC.PendingDevice(ctx, f.UserCode); err != nil {
				return "That code is not valid: it may have expired or been used. Check the code your terminal shows.", nil
			}
		}
		switch form.Get("via") {
		case "saml":
			return d.startSAML(ctx, f)
		case "oidc":
			return d.startOIDC(r, f)
		}
		if form.Get("via") == "passkey" {
			return d.passkey(r, f)
		}
		// An external identity source turns the directory's passwords off:
		// refused before any user is looked up, the same for every name.
		if idp, external, err := sso.ExternalSource(ctx, d.SAML.Orgs); err != nil || external {
			if err != nil {
				return "", err
			}
			if err := d.signIn(r, f, evVerification, sso.User{}, sso.CredentialPassword, "Password sign-in is disabled: the identity source is an external identity provider"); err != nil {
				return "", err
			}
			return "Password sign-in is turned off: your organization signs in through " + idp + ". Use \"Sign in with " + idp + "\".", nil
		}
		user, mustChange, err := d.Auth.Password(ctx, form.Get("username"), form.Get("password"), addr)
		switch {
		case errors.Is(err, sso.ErrBadCredentials):
			return "The user name or password is incorrect.", d.passwordFailed(r, f, failedAuth)
		case errors.Is(err, sso.ErrThrottled):
			return "Too many failed attempts. Try again in 15 minutes.", d.passwordFailed(r, f, "Too many failed attempts")
		case err != nil:
			return "", err
		}
		// The password challenge names the person once the directory knows
		// them (additionalEventData.UserName), then its verification.
		f.Challenged, f.First = sso.CredentialPassword, sso.CredentialPassword
		if err := d.record(r, f, signInStep{name: evChallenge, user: user, cred: sso.CredentialPassword, userName: user.UserName}); err != nil {
			return "", err
		}
		if err := d.signIn(r, f, evVerification, user, sso.CredentialPassword, ""); err != nil {
			return "", err
		}
		f.UserID, f.UserName, f.CSRF, f.Source = user.ID, user.UserName, randomString(), "directory"
		if mustChange {
			f.Step = stepNewPassword
			return "", nil
		}
		return "", d.toMFA(r, f)
	case stepNewPassword:
		pw := form.Get("new_password")
		if pw != form.Get("confirm_password") {
			return "The two passwords differ.", nil
		}
		if err := d.Auth.ChangePassword(ctx, f.UserID, pw); err != nil {
			if errors.Is(err, sso.ErrWeakPassword) {
				return err.Error() + ".", nil
			}
			return err.Error(), nil
		}
		return "", d.toMFA(r, f)
	case stepEnroll:
		return d.enroll(r, f)
	case stepMFA:
		return d.verifyFactor(r, f)
	case stepManage:
		return d.manage(r, f)
	case stepRecovery:
		f.Step, f.Return = nonEmpty(f.Return, f.next()), ""
		return "", nil
	case stepSessionCode:
		// The portal session stands for the password and MFA; the code is
		// still checked, then the person allows or denies.
		if s := d.session(r); s == nil || s.UserID != f.UserID {
			*f = *d.newFlow(form.Get("user_code"))
			return "Your portal session ended. Sign in again to approve the request.", nil
		}
		f.UserCode = sso.NormalizeUserCode(form.Get("user_code"))
		if _, err := d.OIDC.PendingDevice(ctx, f.UserCode); err != nil {
			return "That code is not valid: it may have expired or been used. Check the code your terminal shows.", nil
		}
		f.Step = stepApprove
		return "", nil
	case stepApprove:
		if form.Get("decision") == "manage" {
			f.Step = stepManage
			return "", nil
		}
		approve := form.Get("decision") == "approve"
		if err := d.OIDC.Decide(ctx, f.UserCode, approve, f.UserID, f.AuthTime); err != nil {
			f.Step = stepPassword
			return "That code is no longer valid: it expired or was already used. Start the sign-in again in your terminal.", nil
		}
		f.Step, f.Result = stepDone, "denied"
		if approve {
			f.Result = "approved"
		}
		return "", nil
	}
	f.Step = stepPassword
	return "", nil
}

// toMFA moves a signed-in person to MFA, or to enrollment when they have
// no authenticator (recovery codes alone are not one).
func (d *Device) toMFA(r *http.Request, f *flow) error {
	factors, err := d.Auth.Factors(r.Context(), f.UserID)
	if err != nil {
		return err
	}
	has := factors.Any()
	// The MFA challenge names the factor asked first: an authenticator
	// app's code when the person has one (and for enrollment), else a
	// security key; using another factor challenges it anew (verifyFactor).
	kind := sso.CredentialTOTP
	if has && !factors.TOTP {
		kind = sso.CredentialWebAuthn
	}
	if err := d.challenge(r, f, kind); err != nil {
		return err
	}
	if has {
		f.Step = stepMFA
		return nil
	}
	f.Step, f.Seed = stepEnroll, creds.NewTOTPSeed()
	return nil
}

// record writes a sign-in event of f's sign-in (signin_audit.go), with its
// AuthWorkflowID.
func (d *Device) record(r *http.Request, f *flow, s signInStep) error {
	s.workflow = f.Workflow
	return recordSignIn(r.Context(), d.Audit, d.Auth.Dir, r, d.Clock(), s)
}

// signIn records a step of f's sign-in: a challenge or verification of a
// credential of type cred.
func (d *Device) signIn(r *http.Request, f *flow, name string, u sso.User, cred, failure string) error {
	return d.record(r, f, signInStep{name: name, user: u, cred: cred, failure: failure})
}

// passwordFailed records a refused password: its challenge (once per
// sign-in) and verification, for the hidden user.
func (d *Device) passwordFailed(r *http.Request, f *flow, why string) error {
	if f.Challenged != sso.CredentialPassword {
		f.Challenged = sso.CredentialPassword
		if err := d.signIn(r, f, evChallenge, sso.User{}, sso.CredentialPassword, ""); err != nil {
			return err
		}
	}
	return d.signIn(r, f, evVerification, sso.User{}, sso.CredentialPassword, why)
}

// challenge records a CredentialChallenge of cred for f's person, unless
// it is the one last asked.
func (d *Device) challenge(r *http.Request, f *flow, cred string) error {
	if f.Challenged == cred {
		return nil
	}
	f.Challenged = cred
	return d.signIn(r, f, evChallenge, f.user(), cred, "")
}

// authenticated records the end of a sign-in whose every factor passed:
// UserAuthentication, with the first factor's type, where the person goes
// (LoginTo: the access portal, or the device page) and, after an external
// identity provider, the user name it vouched for.
//
// Its CredentialType lists the factors verified, in order ("PASSWORD,TOTP"),
// without one registered during the sign-in, which DeviceEnrollmentRequired
// says instead (IAM Identity Center User Guide, "Example events for IAM
// Identity Center sign-in scenarios": password and TOTP; password and
// forced MFA registration).
func (d *Device) authenticated(r *http.Request, f *flow) error {
	s := signInStep{name: evAuthentication, user: f.user(), cred: f.First, loginTo: d.Base + "/start/", enrolled: f.Enrolled}
	if f.Second != "" && f.Second != f.First {
		s.cred += "," + f.Second
	}
	if !f.Portal {
		s.loginTo = d.Base + deviceAction
	}
	if f.First == sso.CredentialExternalIdP {
		s.userName = f.UserName
	}
	return d.record(r, f, s)
}

// idpMFA accepts the identity provider's own MFA, done at at (the org
// trusts it and the assertion says so: sso.TrustedIdPMFA). The
// provider's answer was recorded where it arrived (/saml/acs,
// /oidc/callback).
func (d *Device) idpMFA(r *http.Request, f *flow, at time.Time) error {
	f.Step, f.AuthTime, f.signedIn = f.next(), at, true
	return d.authenticated(r, f)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type pageData struct {
	Step, UserCode, UserName, Seed, OTPAuth, Result string
	// QR is the otpauth:// URI as a PNG QR code (a data: URL).
	QR template.URL
	// WebAuthn is the begun ceremony's options (JSON) for webauthn.js;
	// WebAuthnOff says why security keys cannot be used here.
	WebAuthn, WebAuthnOff string
	// The person's factors (MFA and manage pages).
	HasTOTP      bool
	Apps         []keyView // authenticator apps (ID: the serial)
	CanAddApp    bool      // below the apps' and all devices' limits
	AppName      string    // the default name of a new app
	Keys         []keyView
	RecoveryLeft int
	Factors      int
	Codes        []string
	Return       string
	// IdP names the external identity provider people may sign in with,
	// Via its kind (saml or oidc).
	IdP, Via string
	// External hides the password form: the identity source is an
	// external identity provider.
	External bool
	// Portal is a sign-in to the access portal; Action is where the forms
	// post.
	Portal bool
	Action string
}

// stepTitles are the pages' titles, by step.
var stepTitles = map[string]string{stepPassword: "Sign in", stepNewPassword: "Choose a new password", stepEnroll: "Set up your authenticator",
	stepMFA: "MFA code", stepApprove: "Allow access?", stepSAMLWait: "Continue at your identity provider",
	stepSessionCode: "Approve a sign-in request", stepDone: "Done", stepRecovery: "Recovery codes", stepManage: "Your MFA devices"}

func (d *Device) render(w http.ResponseWriter, r *http.Request, f *flow, msg string) {
	d.renderStatus(w, r, f, msg, 0)
}

func (d *Device) renderStatus(w http.ResponseWriter, r *http.Request, f *flow, msg string, status int) {
	if msg == "" {
		msg = f.message
	}
	if f.cookie != nil {
		http.SetCookie(w, f.cookie)
	}
	p := pageData{Step: f.Step, UserCode: f.UserCode, UserName: f.UserName, Seed: f.Seed, Result: f.Result,
		Codes: f.codes, Return: f.Return, Portal: f.Portal, Action: deviceAction}
	if f.Portal {
		p.Action = portalAction
	}
	if d.SAML != nil {
		if name, ok := d.SAML.Configured(r.Context()); ok {
			p.IdP, p.Via = name, "saml"
		}
		if name, ok := d.OIDCSignIn.Configured(r.Context()); ok {
			p.IdP, p.Via = name, "oidc"
		}
		// Any external identity source hides the password form (fail
		// closed: also when the organization cannot be read).
		_, ext, err := sso.ExternalSource(r.Context(), d.SAML.Orgs)
		p.External = ext || err != nil
	}
	d.prepare(r, f, &p)
	if err := d.save(w, r, f); err != nil {
		d.Log.Error("sign-in: sealing the cookie", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Title: stepTitles[f.Step], Message: msg, Notice: f.notice, CSRF: f.CSRF, Refresh: f.redirect, Data: p, Script: p.WebAuthn != ""}
	if f.Step == stepSessionCode || f.Step == stepApprove || f.Step == stepDone || f.Step == stepManage {
		// Signed in: the header shows who, with the sign-out form (whose
		// token is the session's, as the flow's is then).
		v.Session = d.session(r)
		if v.Session != nil && v.Session.CSRF() != f.CSRF {
			v.Session = nil
		}
	}
	renderPage(w, d.Log, signinPage, status, v)
}
