// Package portal serves the pages people use in a browser. Today that is
// the device verification page (GET and POST /device), where a person
// approves the user code that `warden login` or an SDK's SSO flow shows,
// after signing in to Identity Center's directory:
//
//  1. the user code (pre-filled from ?user_code=), user name and password;
//  2. a new password, when the password was a one-time password;
//  3. TOTP enrollment (the seed and its otpauth:// URI, confirmed with a
//     code), when the person has no authenticator yet; otherwise a TOTP code:
//     no device is approved without MFA;
//  4. approve or deny the device.
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
// SameSite=Strict, Secure except over loopback HTTP, scoped to /device and
// valid for 10 minutes. Every form carries a CSRF token that must equal the
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
	"log/slog"
	"net"
	"net/http"
	"net/url"
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
	// Audit records sign-in events (signin_audit.go); nil keeps none.
	Audit call.Auditor
}

const (
	cookieName  = "warden_device_signin"
	cookiePath  = "/device"
	cookieUse   = "device-signin:"
	flowTimeout = 10 * time.Minute
)

// Steps of the sign-in.
const (
	stepPassword    = "password"
	stepNewPassword = "new-password"
	stepEnroll      = "enroll"
	stepMFA         = "mfa"
	stepApprove     = "approve"
	stepDone        = "done"
	stepSAMLWait    = "saml"      // sent to the IdP, awaiting its response
	stepSAMLCode    = "saml-code" // signed in by an IdP-initiated response: the user code
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
	// SAMLRequest is the ID of the AuthnRequest sent to the IdP, which its
	// response must answer.
	SAMLRequest string `json:"sr,omitempty"`
	// redirect, when set by a step, sends the browser on (to the IdP);
	// message is shown on the page rendered next.
	redirect, message string
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (d *Device) load(ctx context.Context, r *http.Request) (*flow, bool) {
	ck, err := r.Cookie(cookieName)
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
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: v, Path: cookiePath, Expires: f.Expires, MaxAge: int(flowTimeout / time.Second),
		HttpOnly: true, Secure: !loopbackHTTP(r), SameSite: http.SameSiteStrictMode})
	return nil
}

// loopbackHTTP reports a plain-HTTP request over loopback, where a Secure
// cookie would never come back (browsers treat http://127.0.0.1 as
// potentially trustworthy, but not every client does).
func loopbackHTTP(r *http.Request) bool {
	if r.TLS != nil {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

func (d *Device) newFlow(userCode string) *flow {
	return &flow{CSRF: randomString(), Step: stepPassword, UserCode: sso.NormalizeUserCode(userCode), Expires: d.Clock().Add(flowTimeout)}
}

// securityHeaders sets the headers of every page: a strict
// Content-Security-Policy (no script; forms post to this server only), no
// framing, sniffing, referrer or caching.
func securityHeaders(w http.ResponseWriter) http.Header {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	return h
}

// ServeHTTP implements http.Handler.
func (d *Device) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := securityHeaders(w)
	switch r.Method {
	case http.MethodGet:
		f, ok := d.load(r.Context(), r)
		if code := r.URL.Query().Get("user_code"); !ok || f.Step == stepDone || (code != "" && sso.NormalizeUserCode(code) != f.UserCode && f.Step == stepPassword) {
			f = d.newFlow(code)
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
		d.render(w, r, d.samlResult(r, f), "")
		return
	}
	if !ok {
		d.render(w, r, d.newFlow(r.PostForm.Get("user_code")), "Your sign-in expired or its cookie is missing. Please start again.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(f.CSRF)) != 1 {
		w.WriteHeader(http.StatusForbidden)
		d.render(w, r, d.newFlow(f.UserCode), "The form was not sent by this page (CSRF token mismatch). Please start again.")
		return
	}
	msg, err := d.step(r, f)
	if err != nil {
		d.Log.Error("device sign-in failed", "step", f.Step, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	d.render(w, r, f, msg)
}

// step advances f with the posted form, and returns a message for the
// person when the step must be repeated.
func (d *Device) step(r *http.Request, f *flow) (string, error) {
	ctx, form, addr := r.Context(), r.PostForm, sourceIP(r)
	u := sso.User{ID: f.UserID, UserName: f.UserName}
	switch f.Step {
	case stepPassword:
		f.UserCode = sso.NormalizeUserCode(form.Get("user_code"))
		if _, err := d.OIDC.PendingDevice(ctx, f.UserCode); err != nil {
			return "That code is not valid: it may have expired or been used. Check the code your terminal shows.", nil
		}
		if form.Get("via") == "saml" {
			return d.startSAML(ctx, f)
		}
		// An external identity source turns the directory's passwords off:
		// refused before any user is looked up, the same for every name.
		if idp, external, err := sso.ExternalSource(ctx, d.SAML.Orgs); err != nil || external {
			if err != nil {
				return "", err
			}
			if err := d.audit(r, evVerification, sso.User{}, "Password sign-in is disabled: the identity source is an external identity provider"); err != nil {
				return "", err
			}
			return "Password sign-in is turned off: your organization signs in through " + idp + ". Use \"Sign in with " + idp + "\".", nil
		}
		user, mustChange, err := d.Auth.Password(ctx, form.Get("username"), form.Get("password"), addr)
		switch {
		case errors.Is(err, sso.ErrBadCredentials):
			return "The user name or password is incorrect.", d.audit(r, evVerification, sso.User{}, failedAuth)
		case errors.Is(err, sso.ErrThrottled):
			return "Too many failed attempts. Try again in 15 minutes.", d.audit(r, evVerification, sso.User{}, "Too many failed attempts")
		case err != nil:
			return "", err
		}
		if err := d.audit(r, evVerification, user, ""); err != nil {
			return "", err
		}
		f.UserID, f.UserName, f.CSRF = user.ID, user.UserName, randomString()
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
		err := d.Auth.EnrollTOTP(ctx, u, f.Seed, form.Get("code"), addr)
		switch {
		case errors.Is(err, sso.ErrBadCredentials):
			return "That code is not correct. Check the authenticator's clock and enter the current code.", d.audit(r, evVerification, u, failedAuth)
		case errors.Is(err, sso.ErrThrottled):
			return "Too many failed attempts. Try again in 15 minutes.", d.audit(r, evVerification, u, "Too many failed attempts")
		case err != nil:
			return "", err
		}
		f.Seed, f.Step, f.AuthTime = "", stepApprove, d.Clock().UTC()
		return "", d.authenticated(r, u)
	case stepMFA:
		err := d.Auth.TOTP(ctx, u, form.Get("code"), addr)
		switch {
		case errors.Is(err, sso.ErrBadCredentials):
			return "That code is not correct, or it was already used. Wait for the next code.", d.audit(r, evVerification, u, failedAuth)
		case errors.Is(err, sso.ErrThrottled):
			return "Too many failed attempts. Try again in 15 minutes.", d.audit(r, evVerification, u, "Too many failed attempts")
		case err != nil:
			return "", err
		}
		f.Step, f.AuthTime = stepApprove, d.Clock().UTC()
		return "", d.authenticated(r, u)
	case stepSAMLCode:
		f.UserCode = sso.NormalizeUserCode(form.Get("user_code"))
		if _, err := d.OIDC.PendingDevice(ctx, f.UserCode); err != nil {
			return "That code is not valid: it may have expired or been used. Check the code your terminal shows.", nil
		}
		return "", d.toMFA(r, f)
	case stepApprove:
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

// toMFA moves a signed-in person to TOTP, or to enrollment when they have
// no authenticator.
func (d *Device) toMFA(r *http.Request, f *flow) error {
	has, err := d.Auth.HasTOTP(r.Context(), f.UserID)
	if err != nil {
		return err
	}
	if err := d.audit(r, evChallenge, sso.User{ID: f.UserID, UserName: f.UserName}, ""); err != nil {
		return err
	}
	if has {
		f.Step = stepMFA
		return nil
	}
	f.Step, f.Seed = stepEnroll, creds.NewTOTPSeed()
	return nil
}

// audit records a sign-in event (signin_audit.go).
func (d *Device) audit(r *http.Request, name string, u sso.User, failure string) error {
	return recordSignIn(r.Context(), d.Audit, d.Auth.Dir, r, d.Clock(), name, u, failure)
}

// authenticated records that every factor passed.
func (d *Device) authenticated(r *http.Request, u sso.User) error {
	if err := d.audit(r, evVerification, u, ""); err != nil {
		return err
	}
	return d.audit(r, evAuthentication, u, "")
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type pageData struct {
	Step, Message, CSRF, UserCode, UserName, Seed, OTPAuth, Result string
	// IdP names the SAML identity provider people may sign in with;
	// Redirect is the URL of the sign-in request to it, which the page
	// opens (a refresh and a link: the CSP lets forms post only here).
	IdP, Redirect string
	// External hides the password form: the identity source is an
	// external identity provider.
	External bool
}

func (d *Device) render(w http.ResponseWriter, r *http.Request, f *flow, msg string) {
	if msg == "" {
		msg = f.message
	}
	if err := d.save(w, r, f); err != nil {
		d.Log.Error("device sign-in: sealing the cookie", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p := pageData{Step: f.Step, Message: msg, CSRF: f.CSRF, UserCode: f.UserCode, UserName: f.UserName, Seed: f.Seed, Result: f.Result,
		Redirect: f.redirect}
	if d.SAML != nil {
		p.IdP, _ = d.SAML.Configured(r.Context())
		// Any external identity source hides the password form (fail
		// closed: also when the organization cannot be read).
		_, ext, err := sso.ExternalSource(r.Context(), d.SAML.Orgs)
		p.External = ext || err != nil
	}
	if f.Seed != "" {
		issuer := d.Issuer
		if issuer == "" {
			issuer = "Warden"
		}
		p.OTPAuth = "otpauth://totp/" + url.PathEscape(issuer+":"+f.UserName) + "?" + url.Values{
			"secret": {f.Seed}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}.Encode()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTmpl.Execute(w, p); err != nil {
		d.Log.Error("device page", "error", err.Error())
	}
}
