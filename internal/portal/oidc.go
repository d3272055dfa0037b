package portal

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// OIDC sign-in, for every page that signs a person in through an external
// OpenID provider (the device page now; the access portal's /start):
//
//  1. the page calls Start, which returns the provider's authorization
//     URL, a cookie holding the pending request (state, nonce and PKCE
//     verifier, sealed; SameSite=Lax and scoped to /oidc/callback, so that
//     the provider's redirection brings it back and nothing else sees it),
//     and a bind ID the page keeps in its own session;
//  2. the provider sends the browser to /oidc/callback (OIDCSignIn's
//     ServeHTTP), which verifies the answer (sso.OIDCRP.Finish), clears the
//     cookie, records the verification in the trail, and shows a page that
//     posts the result, sealed and valid for two minutes, to the page that
//     started (the page's own SameSite=Strict cookie is sent with that
//     same-site POST, not with the provider's cross-site redirection);
//  3. the page calls Result with its bind ID, and has the verified user, the
//     provider's amr and acr claims, and MFATime when the provider's own MFA
//     counts under the org's policy (sso.TrustedIdPMFA); else Warden's MFA
//     follows.

const (
	oidcCookie     = "warden_oidc"
	oidcCookiePath = "/oidc/callback"
	oidcResultUse  = "oidc-signin:"
	oidcResultTTL  = 2 * time.Minute
	// OIDCResultField is the form field the result is posted in.
	OIDCResultField = "oidc_result"
)

// OIDCSignIn signs people in through the OpenID provider.
type OIDCSignIn struct {
	RP      *sso.OIDCRP
	Keyring *creds.Keyring
	Clock   func() time.Time
	Log     *slog.Logger
	// Audit records the provider's answer as a sign-in event; Dir names
	// the identity store. nil Audit keeps none.
	Audit call.Auditor
	Dir   sso.Directory
}

// Verified is a person the OpenID provider signed in, as a page receives
// it: MFA is still the page's to ask.
type Verified struct {
	User sso.User
	IdP  string
	// AMR and ACR are the ID token's claims as the provider stated them;
	// AuthTime is when it authenticated the person (zero when it did not
	// say).
	AMR      []string
	ACR      string
	AuthTime time.Time
	// MFATime is when the provider did MFA that counts for Warden's (the
	// org trusts it and accepts its acr or amr); zero: Warden asks its own.
	MFATime time.Time
}

type oidcResultData struct {
	Bind     string    `json:"b"`
	UserID   string    `json:"u"`
	UserName string    `json:"n"`
	IdP      string    `json:"i"`
	AMR      []string  `json:"amr,omitempty"`
	ACR      string    `json:"acr,omitempty"`
	AuthTime time.Time `json:"at,omitzero"`
	MFATime  time.Time `json:"m,omitzero"`
	Expires  time.Time `json:"e"`
}

// Configured reports whether people sign in through an OpenID provider,
// and its name.
func (o *OIDCSignIn) Configured(ctx context.Context) (string, bool) {
	if o == nil || o.RP == nil {
		return "", false
	}
	return o.RP.Configured(ctx)
}

// Start begins a sign-in for the page at next (a path of this server,
// which receives the result as a POST of OIDCResultField). It returns the
// URL to send the browser to, the bind ID the page keeps to recognize the
// result, and the cookie to set on the response.
//
// workflow is the sign-in's AuthWorkflowID: the bind ID begins with it
// (workflow.random), so that /oidc/callback records the provider's answer
// in the same sign-in.
func (o *OIDCSignIn) Start(r *http.Request, next, workflow string) (redirect, bind string, cookie *http.Cookie, err error) {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "", "", nil, errors.New("portal: the page after OIDC sign-in must be a path of this server")
	}
	bind = workflow + "." + randomString()
	redirect, pending, err := o.RP.Begin(r.Context(), bind, next)
	if err != nil {
		return "", "", nil, err
	}
	cookie = &http.Cookie{Name: oidcCookie, Value: pending, Path: oidcCookiePath, MaxAge: int(sso.OIDCPendingLifetime / time.Second),
		HttpOnly: true, Secure: !loopbackHTTP(r), SameSite: http.SameSiteLaxMode}
	return redirect, bind, cookie, nil
}

// Result opens the result posted back to the page and checks that it
// answers the sign-in the page started (bind).
func (o *OIDCSignIn) Result(r *http.Request, bind string) (*Verified, error) {
	data, err := o.Keyring.OpenBlob(r.Context(), oidcResultUse, r.PostForm.Get(OIDCResultField))
	var res oidcResultData
	if err != nil || json.Unmarshal(data, &res) != nil || !o.Clock().Before(res.Expires) {
		return nil, errors.New("the sign-in response expired or is not valid")
	}
	if bind == "" || res.Bind != bind {
		return nil, errors.New("that sign-in response answers another sign-in")
	}
	return &Verified{User: sso.User{ID: res.UserID, UserName: res.UserName}, IdP: res.IdP, AMR: res.AMR, ACR: res.ACR, AuthTime: res.AuthTime,
		MFATime: res.MFATime}, nil
}

// idpName names the identity provider on a page ("Your identity
// provider" when it has no name).
func idpName(name string, ok bool) string {
	if !ok || name == "" {
		return "Your identity provider"
	}
	return name
}

// workflow returns the AuthWorkflowID of the sign-in the pending request
// belongs to (its bind ID's first part), or a new one.
func (o *OIDCSignIn) workflow(ctx context.Context, pending string) string {
	w, _, _ := strings.Cut(o.RP.PendingBind(ctx, pending), ".")
	if !validWorkflowID(w) {
		return newWorkflowID()
	}
	return w
}

// ServeHTTP is the redirection endpoint (GET /oidc/callback).
func (o *OIDCSignIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	pending := ""
	if ck, err := r.Cookie(oidcCookie); err == nil {
		pending = ck.Value
	}
	// The pending request is used once, whatever the outcome.
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: oidcCookiePath, MaxAge: -1, HttpOnly: true,
		Secure: !loopbackHTTP(r), SameSite: http.SameSiteLaxMode})
	page := idpResultPage{Field: OIDCResultField, Next: deviceAction}
	in, err := o.RP.Finish(r.Context(), pending, r.URL.Query())
	var denied *sso.OIDCDeniedError
	switch {
	case errors.Is(err, sso.ErrOIDCNoUser):
		page.Error = "Your identity provider signed you in, but no Identity Center user matches you. Ask an administrator to add you."
	case errors.Is(err, sso.ErrOIDCState):
		page.Error = "This sign-in response does not belong to a sign-in started in this browser, or it was already used. Please start again."
	case errors.As(err, &denied):
		page.Error = idpName(o.RP.Configured(r.Context())) + " did not sign you in: " + denied.Reason() + " (" + denied.Code + ")"
		page.Error += "."
		if denied.Description != "" {
			page.Error += " It said: \u201c" + denied.Description + "\u201d"
		}
	case err != nil:
		page.Error = "The sign-in response could not be accepted."
	default:
		res := oidcResultData{Bind: in.Bind, UserID: in.User.ID, UserName: in.User.UserName, IdP: in.IdP, AMR: in.AMR,
			ACR: in.ACR, AuthTime: in.AuthTime, Expires: o.Clock().Add(oidcResultTTL)}
		if in.MFA {
			res.MFATime = in.MFATime
		}
		data, _ := json.Marshal(res)
		if page.Result, err = o.Keyring.SealBlob(oidcResultUse, data); err != nil {
			o.Log.Error("OIDC sign-in: sealing the result", "error", err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		page.UserName, page.IdP, page.Next = in.User.UserName, in.IdP, in.Next
		o.Log.Info("OIDC sign-in", "user", in.User.UserName, "amr", strings.Join(in.AMR, " "), "idp_mfa", in.MFA)
	}
	who, failure := sso.User{}, ""
	if err != nil {
		o.Log.Warn("OIDC sign-in refused", "error", err.Error(), "source", sourceIP(r))
		failure = err.Error()
	} else {
		who = in.User
	}
	step := signInStep{name: evVerification, user: who, cred: sso.CredentialExternalIdP, failure: failure, workflow: o.workflow(r.Context(), pending)}
	if err := recordSignIn(r.Context(), o.Audit, o.Dir, r, o.Clock(), step); err != nil {
		o.Log.Error("OIDC sign-in: recording the event", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeIdPResult(w, o.Log, page)
}
