package portal

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/sso"
)

// Time-boxed access (internal/access, docs/access.md) in the portal:
//
//	GET  /start/access          the request form (what the person may request),
//	                            the person's requests and grants, and the
//	                            requests the person may decide or revoke
//	POST /start/access/request  a new request
//	POST /start/access/approve  approve, with the approver's MFA code, or
//	                            their security key's answer (method=webauthn,
//	                            credential=the PublicKeyCredential's JSON)
//	POST /start/access/approve-key  the security key step of an approval: a
//	                            challenge bound to the approver, the request
//	                            and the approval (access.WebAuthnChallenge),
//	                            on a page whose button runs
//	                            navigator.credentials.get (webauthn.js) and
//	                            posts the answer to /start/access/approve
//	POST /start/access/deny     deny
//	POST /start/access/revoke   end a grant now, or withdraw a pending request
//
// Each step is recorded in the trail as the API records it (event source
// access.warden.local).

var (
	accessPage    = pageTemplate("access")
	accessKeyPage = pageTemplate("access-key")
)

// accessOption is one permission set in one account the person may request.
type accessOption struct {
	Value, Label string
}

// accessItem is a request as the page shows it, with what the viewer may do.
type accessItem struct {
	*access.Request
	Duration, Requested, Until, Ended string
	NeedsMFA, CanDecide, CanRevoke    bool
}

type accessData struct {
	Options    []accessOption
	Mine       []accessItem
	ToDecide   []accessItem
	ToRevoke   []accessItem
	Form       struct{ Target, Duration, Reason string }
	Approver   bool
	MaxSummary string
	// Key: the approver may answer with a security key or passkey (one is
	// registered, and WebAuthn works at this address); App: they have an
	// authenticator app.
	Key, App bool
	// KeyOff says why an approver with a key cannot use it at this address.
	KeyOff string
}

// accessKeyData is the security key step of an approval.
type accessKeyData struct {
	Item    accessItem
	Options string // the challenge's PublicKeyCredentialRequestOptions
	Comment string
	Expires string
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04 UTC, 2 Jan")
}

func item(r *access.Request, mfa map[string]bool) accessItem {
	it := accessItem{Request: r, Duration: hours(time.Duration(r.DurationSeconds) * time.Second), Requested: when(r.RequestedAt),
		Until: when(r.ExpiresAt), Ended: when(r.EndedAt), NeedsMFA: mfa[r.Policy]}
	return it
}

// accessView gathers the page's data for the person.
func (p *Portal) accessView(r *http.Request, s *Session) (accessData, error) {
	ctx := r.Context()
	var d accessData
	policies, err := p.Grants.Policies(ctx, s.UserID)
	if err != nil {
		return d, err
	}
	for _, pol := range policies {
		if pol.PermissionSet == nil {
			continue
		}
		for _, a := range pol.Accounts {
			d.Options = append(d.Options, accessOption{Value: pol.PermissionSet.Name + "@" + a.ID,
				Label: pol.PermissionSet.Name + " in " + a.Name + ", up to " + hours(pol.MaxDuration) + " (" + a.ID + ")"})
		}
	}
	mfa := map[string]bool{}
	if o, err := p.Grants.State.Org(ctx); err == nil && o.IdentityCenter != nil {
		for _, pol := range o.IdentityCenter.TemporaryAccess {
			mfa[pol.Name] = pol.ApprovalRequiresMFA
		}
	}
	mine, err := p.Grants.List(ctx, access.Filter{UserID: s.UserID})
	if err != nil {
		return d, err
	}
	for _, r := range mine {
		it := item(r, mfa)
		it.CanRevoke = r.Open()
		d.Mine = append(d.Mine, it)
	}
	theirs, err := p.Grants.List(ctx, access.Filter{Approver: s.UserID})
	if err != nil {
		return d, err
	}
	for _, r := range theirs {
		it := item(r, mfa)
		switch r.Status {
		case access.Pending:
			it.CanDecide = true
			d.ToDecide = append(d.ToDecide, it)
		case access.Active:
			it.CanRevoke = true
			d.ToRevoke = append(d.ToRevoke, it)
		}
	}
	sort.SliceStable(d.ToDecide, func(i, j int) bool { return d.ToDecide[i].RequestedAt.Before(d.ToDecide[j].RequestedAt) })
	d.Approver = len(theirs) > 0 || p.isApprover(r, s)
	if len(d.ToDecide) > 0 {
		f, err := p.Grants.Auth.Factors(ctx, s.UserID)
		if err != nil {
			return d, err
		}
		d.App = len(f.Apps) > 0
		if len(f.WebAuthn) > 0 {
			if err := p.Grants.Auth.WebAuthnAvailable(r); err != nil {
				d.KeyOff = "Your security key or passkey cannot be used at this address: " + err.Error() + "."
			} else {
				d.Key = true
			}
		}
	}
	return d, nil
}

// isApprover reports whether the person approves under some policy.
func (p *Portal) isApprover(r *http.Request, s *Session) bool {
	o, err := p.Grants.State.Org(r.Context())
	if err != nil || o.IdentityCenter == nil {
		return false
	}
	for _, u := range o.IdentityCenter.Users {
		if u.ID != s.UserID {
			continue
		}
		for _, pol := range o.IdentityCenter.TemporaryAccess {
			if u.InAny(pol.ApproverGroups) {
				return true
			}
		}
	}
	return false
}

// accessShow renders the page with a message or a notice.
func (p *Portal) accessShow(w http.ResponseWriter, r *http.Request, s *Session, status int, message, notice string, form *accessData) {
	d, err := p.accessView(r, s)
	if err != nil {
		p.fail(w, "reading access requests", err)
		return
	}
	if form != nil {
		d.Form = form.Form
	}
	renderPage(w, p.Log, accessPage, status, view{Title: "Temporary access", Session: s, CSRF: s.CSRF(), Wide: true,
		Message: message, Notice: notice, Data: d})
}

// accessHome is GET /start/access.
func (p *Portal) accessHome(w http.ResponseWriter, r *http.Request, s *Session) {
	p.accessShow(w, r, s, 0, "", "", nil)
}

// accessStep records one step in the trail and shows the page with its
// outcome.
func (p *Portal) accessStep(w http.ResponseWriter, r *http.Request, s *Session, name string, params call.Fields,
	do func(u sso.User) (*access.Request, error), done func(*access.Request) string, form *accessData) {
	ctx := r.Context()
	u, err := p.user(r, s)
	if err != nil {
		p.fail(w, "reading the user", err)
		return
	}
	req, err := do(u)
	ev := event{source: access.EventSource, service: "access", name: name, user: u, params: params}
	if err == nil {
		ev.response = call.Fields{"accessRequest": req}
		if o, oerr := p.Grants.State.Org(ctx); oerr == nil {
			ev.resources = access.Resources(o, req)
		}
	}
	if p.accessRecord(w, r, s, ev, err, form) {
		p.accessShow(w, r, s, 0, "", done(req), nil)
	}
}

// accessRecord records a step's event (with its refusal, when err is
// one) and reports whether it succeeded; otherwise it has answered: the
// page with the refusal, or a failure.
func (p *Portal) accessRecord(w http.ResponseWriter, r *http.Request, s *Session, ev event, err error, form *accessData) bool {
	var ae *access.Error
	switch {
	case errors.As(err, &ae):
		ev.failure, ev.response, ev.resources = ae.Message, nil, nil
	case err != nil:
		p.fail(w, ev.name, err)
		return false
	}
	if rerr := recordEvent(r.Context(), p.Audit, p.Dir, r, p.Clock(), ev); rerr != nil {
		p.fail(w, "recording the event", rerr)
		return false
	}
	if ae != nil {
		status := http.StatusBadRequest
		if ae.Code == access.CodeDenied {
			status = http.StatusForbidden
		} else if ae.Code == access.CodeConflict {
			status = http.StatusConflict
		}
		p.accessShow(w, r, s, status, sentence(ae.Message), "", form)
		return false
	}
	return true
}

// accessRequest is POST /start/access/request.
func (p *Portal) accessRequest(w http.ResponseWriter, r *http.Request, s *Session) {
	f := r.PostForm
	var form accessData
	form.Form.Target, form.Form.Duration, form.Form.Reason = f.Get("target"), f.Get("duration"), f.Get("reason")
	ps, acct, _ := strings.Cut(form.Form.Target, "@")
	params := call.Fields{"accountId": acct, "permissionSet": ps, "duration": form.Form.Duration, "reason": form.Form.Reason}
	p.accessStep(w, r, s, "CreateAccessRequest", params, func(u sso.User) (*access.Request, error) {
		d, err := access.ParseDuration(strings.TrimSpace(form.Form.Duration))
		if err != nil {
			return nil, &access.Error{Code: access.CodeValidation, Message: err.Error()}
		}
		if ps == "" || acct == "" {
			return nil, &access.Error{Code: access.CodeValidation, Message: "choose a permission set and an account"}
		}
		return p.Grants.Create(r.Context(), access.Actor{User: &u, Addr: sourceIP(r)}, access.NewRequest{Account: acct, PermissionSet: ps, Duration: d, Reason: form.Form.Reason})
	}, func(req *access.Request) string {
		return "Request " + req.ID + " sent: an approver decides it; it appears below."
	}, &form)
}

// accessDecide is POST /start/access/approve and /start/access/deny.
func (p *Portal) accessDecide(approve bool) func(http.ResponseWriter, *http.Request, *Session) {
	return func(w http.ResponseWriter, r *http.Request, s *Session) {
		id, comment, code := r.PostForm.Get("request"), r.PostForm.Get("comment"), strings.TrimSpace(r.PostForm.Get("code"))
		name, verb := "DenyAccessRequest", "denied"
		params := call.Fields{"requestId": id, "comment": comment}
		key := ""
		if approve && r.PostForm.Get("method") == "webauthn" {
			// The security key step's answer (webauthn.js fills it).
			key, code = r.PostForm.Get("credential"), ""
		}
		if approve {
			name, verb = "ApproveAccessRequest", "approved"
			params["mfaCodeGiven"] = code != ""
			switch {
			case r.PostForm.Get("method") == "webauthn":
				params["mfaMethod"] = access.MFAWebAuthn
			case code != "":
				params["mfaMethod"] = access.MFAMethod(code)
			}
		}
		p.accessStep(w, r, s, name, params, func(u sso.User) (*access.Request, error) {
			who := access.Actor{User: &u, MFACode: code, WebAuthn: key, Site: sso.SiteOf(r), Addr: sourceIP(r)}
			if approve && r.PostForm.Get("method") == "webauthn" && key == "" {
				return nil, &access.Error{Code: access.CodeDenied, Message: "MFA failed: your browser sent no answer of a security key or passkey"}
			}
			if approve {
				return p.Grants.Approve(r.Context(), who, id, comment)
			}
			return p.Grants.Deny(r.Context(), who, id, comment)
		}, func(req *access.Request) string {
			if approve {
				return "You approved " + req.UserName + "'s " + req.PermissionSet + " in " + req.AccountName + " until " + when(req.ExpiresAt) + "."
			}
			return "You " + verb + " " + req.UserName + "'s request for " + req.PermissionSet + " in " + req.AccountName + "."
		}, nil)
	}
}

// accessKey is POST /start/access/approve-key: the challenge for the
// approver's security key or passkey, on a page that asks for it and
// posts the answer with the approval (the comment typed there).
func (p *Portal) accessKey(w http.ResponseWriter, r *http.Request, s *Session) {
	ctx, id := r.Context(), r.PostForm.Get("request")
	u, err := p.user(r, s)
	if err != nil {
		p.fail(w, "reading the user", err)
		return
	}
	ch, err := p.Grants.WebAuthnChallenge(ctx, access.Actor{User: &u, Site: sso.SiteOf(r), Addr: sourceIP(r)}, id, access.ActionApprove)
	ev := event{source: access.EventSource, service: "access", name: "CreateWebAuthnChallenge", user: u,
		params: call.Fields{"requestId": id, "action": access.ActionApprove}}
	if err == nil {
		ev.response = call.Fields{"requestId": ch.RequestID, "action": ch.Action, "expiresAt": ch.ExpiresAt}
	}
	if !p.accessRecord(w, r, s, ev, err, nil) {
		return
	}
	req, err := p.Grants.Get(ctx, id)
	if err != nil {
		p.fail(w, "reading the request", err)
		return
	}
	d := accessKeyData{Item: item(req, nil), Options: string(ch.Options), Comment: r.PostForm.Get("comment"), Expires: when(ch.ExpiresAt)}
	renderPage(w, p.Log, accessKeyPage, 0, view{Title: "Approve with your security key", Session: s, CSRF: s.CSRF(), Script: true, Data: d})
}

// accessRevoke is POST /start/access/revoke.
func (p *Portal) accessRevoke(w http.ResponseWriter, r *http.Request, s *Session) {
	id, reason := r.PostForm.Get("request"), r.PostForm.Get("reason")
	p.accessStep(w, r, s, "RevokeAccessGrant", call.Fields{"requestId": id, "reason": reason}, func(u sso.User) (*access.Request, error) {
		return p.Grants.Revoke(r.Context(), access.Actor{User: &u, Addr: sourceIP(r)}, id, reason)
	}, func(req *access.Request) string {
		switch {
		case req.Status == access.Cancelled:
			return "You withdrew request " + req.ID + "."
		case req.UserID == s.UserID:
			return "You gave back " + req.PermissionSet + " in " + req.AccountName + ": its sessions are refused from this moment."
		}
		return req.UserName + "'s " + req.PermissionSet + " in " + req.AccountName + " ended now: its sessions are refused from this moment."
	}, nil)
}

// sentence starts a message with a capital letter.
func sentence(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
