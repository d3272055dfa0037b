package portal

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// SAML sign-in at the device page: the person leaves for the IdP with a
// signed AuthnRequest (startSAML), the IdP posts its response to the
// assertion consumer service (SAMLACS, which verifies it and matches the
// user), and the ACS page posts the sealed result back to /device
// (samlResult), where the sign-in continues with MFA. The ACS cannot read
// the device page's cookie (the IdP's POST is cross-site, and the cookie
// is SameSite=Strict and scoped to /device), so the result is bound to the
// browser's sign-in by the AuthnRequest's ID the cookie holds; a result
// answering no request (IdP-initiated) starts a new sign-in that asks for
// the user code, and only when the org allows IdP-initiated sign-in.

const (
	samlResultUse = "saml-signin:"
	samlResultTTL = 2 * time.Minute
)

// samlResultData is what /saml/acs hands to /device, sealed.
type samlResultData struct {
	UserID       string    `json:"u"`
	UserName     string    `json:"n"`
	InResponseTo string    `json:"irt,omitempty"`
	Expires      time.Time `json:"e"`
	// Workflow is the AuthWorkflowID /saml/acs recorded the answer under.
	Workflow string `json:"wf,omitempty"`
	// MFATime is when the IdP did MFA that counts for Warden's (the org
	// trusts it and the assertion says so); zero: Warden asks its own.
	MFATime time.Time `json:"m,omitzero"`
}

// startSAML sends the person to the IdP.
func (d *Device) startSAML(ctx context.Context, f *flow) (string, error) {
	if d.SAML == nil {
		return "Sign-in through an identity provider is not configured.", nil
	}
	// The RelayState carries the sign-in's AuthWorkflowID to /saml/acs
	// (which cannot read this page's cookie), for the IdP's answer to be
	// recorded in the same sign-in.
	u, id, err := d.SAML.AuthnRequest(ctx, f.Workflow)
	if err != nil {
		d.Log.Warn("SAML sign-in: no request to the identity provider", "error", err.Error())
		return "Sign-in through the identity provider is not available now: " + err.Error(), nil
	}
	f.SAMLRequest, f.Step, f.redirect = id, stepSAMLWait, u
	return "", nil
}

// samlResult continues a sign-in with the result /saml/acs sealed, and
// returns the flow to render.
func (d *Device) samlResult(r *http.Request, f *flow) *flow {
	data, err := d.Keyring.OpenBlob(r.Context(), samlResultUse, r.PostForm.Get("saml_result"))
	var res samlResultData
	if err != nil || json.Unmarshal(data, &res) != nil || !d.Clock().Before(res.Expires) {
		nf := d.newFlow("")
		return nf.withMessage("The sign-in response expired or is not valid. Please start again.")
	}
	switch {
	case res.InResponseTo == "":
		// IdP-initiated (the ACS allowed it): a new sign-in to the access
		// portal for this user, as AWS lands it; a device code is then
		// approved from the portal's session.
		nf := d.newPortalFlow()
		nf.UserID, nf.UserName, nf.Source, nf.First = res.UserID, res.UserName, "saml", sso.CredentialExternalIdP
		if res.Workflow != "" {
			nf.Workflow = res.Workflow
		}
		next := func() error { return d.toMFA(r, nf) }
		if !res.MFATime.IsZero() {
			next = func() error { return d.idpMFA(r, nf, res.MFATime) }
		}
		if err := next(); err != nil {
			d.Log.Error("SAML sign-in: MFA", "error", err.Error())
			return d.newPortalFlow().withMessage("Something went wrong. Please start again.")
		}
		return nf
	case f == nil || f.Step != stepSAMLWait || f.SAMLRequest != res.InResponseTo:
		code := ""
		if f != nil {
			code = f.UserCode
		}
		return d.newFlow(code).withMessage("That sign-in response answers another sign-in request. Please start again.")
	}
	f.UserID, f.UserName, f.SAMLRequest, f.CSRF, f.Source, f.First = res.UserID, res.UserName, "", randomString(), "saml", sso.CredentialExternalIdP
	if res.Workflow != "" {
		// The sign-in goes on under the ID the ACS recorded the IdP's
		// answer with (the same, unless the IdP dropped the RelayState).
		f.Workflow = res.Workflow
	}
	next := func() error { return d.toMFA(r, f) }
	if !res.MFATime.IsZero() {
		next = func() error { return d.idpMFA(r, f, res.MFATime) }
	}
	if err := next(); err != nil {
		d.Log.Error("SAML sign-in: MFA", "error", err.Error())
		return d.newFlow(f.UserCode).withMessage("Something went wrong. Please start again.")
	}
	return f
}

// startOIDC sends the person to the OpenID provider; the result comes back
// to /device (for a device's sign-in and the portal's alike: the flow's
// cookie is the same), bound to this flow.
func (d *Device) startOIDC(r *http.Request, f *flow) (string, error) {
	if _, ok := d.OIDCSignIn.Configured(r.Context()); !ok {
		return "Sign-in through an OpenID provider is not configured.", nil
	}
	u, bind, ck, err := d.OIDCSignIn.Start(r, deviceAction, f.Workflow)
	if err != nil {
		d.Log.Warn("OIDC sign-in: no request to the provider", "error", err.Error())
		return "Sign-in through the identity provider is not available now.", nil
	}
	f.OIDCBind, f.Step, f.redirect, f.cookie = bind, stepOIDCWait, u, ck
	return "", nil
}

// oidcResult continues a sign-in (a device's or the portal's) with the
// verified result of /oidc/callback: the provider's own MFA when the org
// trusts it (portal.Verified.MFATime), else Warden's.
func (d *Device) oidcResult(r *http.Request, f *flow) *flow {
	if f == nil || f.Step != stepOIDCWait {
		return d.newFlow("").withMessage("Your sign-in expired or its cookie is missing. Please start again.")
	}
	restart := func() *flow {
		if f.Portal {
			return d.newPortalFlow()
		}
		return d.newFlow(f.UserCode)
	}
	v, err := d.OIDCSignIn.Result(r, f.OIDCBind)
	if err != nil {
		return restart().withMessage("The sign-in response is not valid for this sign-in (" + err.Error() + "). Please start again.")
	}
	f.UserID, f.UserName, f.OIDCBind, f.CSRF, f.Source, f.First = v.User.ID, v.User.UserName, "", randomString(), "oidc", sso.CredentialExternalIdP
	next := func() error { return d.toMFA(r, f) }
	if !v.MFATime.IsZero() {
		next = func() error { return d.idpMFA(r, f, v.MFATime) }
	}
	if err := next(); err != nil {
		d.Log.Error("OIDC sign-in: MFA", "error", err.Error())
		return restart().withMessage("Something went wrong. Please start again.")
	}
	return f
}

// withMessage marks a flow to be shown with a message (see render).
func (f *flow) withMessage(msg string) *flow {
	f.message = msg
	return f
}

// SAMLACS is the assertion consumer service (POST /saml/acs, HTTP-POST
// binding).
type SAMLACS struct {
	SAML    *sso.SAMLSP
	Keyring *creds.Keyring
	Clock   func() time.Time
	Log     *slog.Logger
	// Audit records the IdP's answer as a sign-in event (signin_audit.go);
	// Dir names the identity store. nil Audit keeps none.
	Audit call.Auditor
	Dir   sso.Directory
}

// idpResultPage is web/acs.html's data: the page an identity provider's
// answer lands on (/saml/acs, /oidc/callback), with the error, or the
// sealed result in a form that posts it (Field) to the page that started
// the sign-in (Next).
type idpResultPage struct{ Error, UserName, IdP, Field, Result, Next string }

// writeIdPResult writes the page (403 with an error).
func writeIdPResult(w http.ResponseWriter, log *slog.Logger, page idpResultPage) {
	status, title := 0, "Signed in"
	if page.Error != "" {
		status, title = http.StatusForbidden, "Sign-in failed"
	}
	renderPage(w, log, acsPage, status, view{Title: title, Data: page})
}

func (a *SAMLACS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	page := idpResultPage{Field: "saml_result", Next: deviceAction}
	// The sign-in's AuthWorkflowID comes back as the RelayState of a
	// response to Warden's request; an IdP-initiated one starts a new
	// sign-in.
	workflow := r.PostForm.Get("RelayState")
	if !validWorkflowID(workflow) {
		workflow = newWorkflowID()
	}
	in, err := a.SAML.Consume(r.Context(), r.PostForm.Get("SAMLResponse"))
	var refused *sso.SAMLStatusError
	switch {
	case errors.As(err, &refused):
		page.Error = idpName(a.SAML.Configured(r.Context())) + " did not sign you in"
		switch refused.SubCode {
		case "AuthnFailed":
			page.Error += ": it could not authenticate you (AuthnFailed)"
		case "RequestDenied":
			page.Error += ": it denied the request (RequestDenied)"
		case "":
			page.Error += " (it answered " + nonEmpty(refused.Code, "an unknown status") + ")"
		default:
			page.Error += " (it answered " + refused.SubCode + ")"
		}
		page.Error += "."
		if refused.Message != "" {
			page.Error += " It said: \u201c" + refused.Message + "\u201d"
		}
	case errors.Is(err, sso.ErrSAMLNoUser):
		page.Error = "Your identity provider signed you in, but no Identity Center user has your email address. Ask an administrator to add you."
	case errors.Is(err, sso.ErrSAMLReplayed):
		page.Error = "This sign-in response was already used. Please start again."
	case err != nil:
		a.Log.Warn("SAML sign-in refused", "error", err.Error(), "source", sourceIP(r))
		page.Error = "The sign-in response could not be accepted: " + err.Error()
	default:
		res := samlResultData{UserID: in.User.ID, UserName: in.User.UserName, InResponseTo: in.InResponseTo,
			Expires: a.Clock().Add(samlResultTTL), Workflow: workflow}
		if in.MFA {
			res.MFATime = in.MFATime
		}
		data, _ := json.Marshal(res)
		if page.Result, err = a.Keyring.SealBlob(samlResultUse, data); err != nil {
			a.Log.Error("SAML sign-in: sealing the result", "error", err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		page.UserName, page.IdP = in.User.UserName, in.IdP
		a.Log.Info("SAML sign-in", "user", in.User.UserName, "idp_initiated", in.InResponseTo == "", "idp_mfa", in.MFA)
	}
	who, failure := sso.User{}, page.Error
	if err == nil {
		who = in.User
	}
	step := signInStep{name: evVerification, user: who, cred: sso.CredentialExternalIdP, failure: failure, workflow: workflow}
	if err := recordSignIn(r.Context(), a.Audit, a.Dir, r, a.Clock(), step); err != nil {
		a.Log.Error("SAML sign-in: recording the event", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeIdPResult(w, a.Log, page)
}

// SAMLMetadata serves the service provider's metadata (GET
// /saml/metadata), for the IdP to import.
type SAMLMetadata struct {
	SAML *sso.SAMLSP
	Log  *slog.Logger
}

func (m *SAMLMetadata) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	md, err := m.SAML.Metadata(r.Context())
	if err != nil {
		m.Log.Error("SAML metadata", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(md)
}
