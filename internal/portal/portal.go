package portal

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// The AWS access portal at /start:
//
//	GET  /start                   the accounts and permission sets assigned to the
//	                              person, accountsPerPage at a time (?page=N);
//	                              ?q= searches them on the server; the sign-in
//	                              when there is no session
//	POST /start/signin            the sign-in's steps (device.go)
//	GET  /start/role              one permission set in one account (?account=&role=):
//	                              what it is and how to use it ("open a role")
//	POST /start/credentials       credentials of that role (shown once, never cached)
//	POST /start/signout           sign out; with everywhere=1, every sign-in of the person
//	GET  /start/access            time-boxed access: request, decide, give back (access.go)
//	GET  /start/static/portal.css the stylesheet
//
// Every POST carries the session's CSRF token. The trail records the
// portal's calls as AWS's access portal does (sso.amazonaws.com:
// ListAccounts, GetRoleCredentials, Logout), on behalf of the person.

// Portal serves the access portal.
type Portal struct {
	// Device signs people in (its sign-in forms post to /start/signin).
	Device   *Device
	Sessions *Sessions
	Dir      sso.Directory
	Keyring  *creds.Keyring
	// Grants are the time-boxed access grants: credentials of a
	// permission set held through one are tied to it and end with it.
	Grants *access.Manager
	Audit  call.Auditor
	Clock  func() time.Time
	Log    *slog.Logger
	// PublicURL is the server's URL in the snippets people copy; "" takes
	// it from the request.
	PublicURL string
}

const portalSource = "sso.amazonaws.com"

// accountsPerPage is how many accounts a page of /start shows; the
// others are on the next pages (?page=), and a search (?q=) runs over all.
const accountsPerPage = 50

func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/start/static/portal.css":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		serveStylesheet(w, r)
	case "/start", "/start/":
		p.get(w, r, p.accounts)
	case portalAction:
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/start", http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "GET, POST")
			return
		}
		p.Device.post(w, r)
	case "/start/role":
		p.get(w, r, p.role)
	case "/start/credentials":
		p.post(w, r, p.credentials)
	case "/start/signout":
		p.post(w, r, p.signOut)
	case "/start/access":
		p.withGrants(w, r, func() { p.get(w, r, p.accessHome) })
	case "/start/access/request":
		p.withGrants(w, r, func() { p.post(w, r, p.accessRequest) })
	case "/start/access/approve":
		p.withGrants(w, r, func() { p.post(w, r, p.accessDecide(true)) })
	case "/start/access/approve-key":
		p.withGrants(w, r, func() { p.post(w, r, p.accessKey) })
	case "/start/access/deny":
		p.withGrants(w, r, func() { p.post(w, r, p.accessDecide(false)) })
	case "/start/access/revoke":
		p.withGrants(w, r, func() { p.post(w, r, p.accessRevoke) })
	default:
		securityHeaders(w)
		renderPage(w, p.Log, messagePage, http.StatusNotFound, view{Title: "Not found", Session: p.sessionOrNil(r),
			Data: messageData{Heading: "There is no such page", Lines: []string{"The address may be mistyped, or the page was moved."}, Link: "/start", LinkText: "Go to your accounts"}})
	}
}

// withGrants serves a page of time-boxed access when the portal has them.
func (p *Portal) withGrants(w http.ResponseWriter, r *http.Request, serve func()) {
	if p.Grants == nil {
		securityHeaders(w)
		http.NotFound(w, r)
		return
	}
	serve()
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	securityHeaders(w).Set("Allow", allow)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

// sessionOrNil is the request's session, for pages that show it when
// there is one.
func (p *Portal) sessionOrNil(r *http.Request) *Session {
	s, err := p.Sessions.Get(r)
	if err != nil {
		return nil
	}
	return s
}

// hadSession reports a session cookie that no longer opens a session.
func hadSession(r *http.Request) bool {
	for _, n := range []string{sessionCookieSecure, sessionCookieLoopback} {
		if c, err := r.Cookie(n); err == nil && c.Value != "" {
			return true
		}
	}
	return false
}

// get serves a page that needs a signed-in person: without a session,
// the sign-in page (which leads back to /start).
func (p *Portal) get(w http.ResponseWriter, r *http.Request, page func(http.ResponseWriter, *http.Request, *Session)) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	securityHeaders(w)
	s, err := p.Sessions.Get(r)
	switch {
	case errors.Is(err, ErrNoSession):
		msg := ""
		if hadSession(r) {
			msg = "Your session has ended. Please sign in again."
			setSessionCookie(w, r, "", 0)
		}
		p.Device.render(w, r, p.Device.newPortalFlow(), msg)
		return
	case err != nil:
		p.fail(w, "reading the session", err)
		return
	}
	page(w, r, s)
}

// post serves a form of a signed-in page: the session and its CSRF token
// are required (403 otherwise), and the form is small.
func (p *Portal) post(w http.ResponseWriter, r *http.Request, action func(http.ResponseWriter, *http.Request, *Session)) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	securityHeaders(w)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s, err := p.Sessions.Get(r)
	switch {
	case errors.Is(err, ErrNoSession):
		f := p.Device.newPortalFlow()
		p.Device.renderStatus(w, r, f, "Your session has ended. Please sign in again.", http.StatusForbidden)
		return
	case err != nil:
		p.fail(w, "reading the session", err)
		return
	}
	if !s.CheckCSRF(r.PostForm.Get("csrf")) {
		renderPage(w, p.Log, messagePage, http.StatusForbidden, view{Title: "Request refused", Session: s, CSRF: s.CSRF(),
			Data: messageData{Heading: "Request refused", Lines: []string{"The form was not sent by this portal's page (its CSRF token is missing or wrong), so nothing was done."},
				Link: "/start", LinkText: "Go to your accounts"}})
		return
	}
	action(w, r, s)
}

func (p *Portal) fail(w http.ResponseWriter, what string, err error) {
	p.Log.Error("portal: "+what, "error", err.Error())
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// base is the server's URL as people reach it.
func (p *Portal) base(r *http.Request) string {
	if p.PublicURL != "" {
		return strings.TrimSuffix(p.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// user returns the session's person from the directory.
func (p *Portal) user(r *http.Request, s *Session) (sso.User, error) {
	return p.Dir.UserByID(r.Context(), s.UserID)
}

// accountView is one account of the accounts page.
type accountView struct {
	ID, Name, Email string
	Roles           []roleView
}

type roleView struct {
	sso.Role
	Hours, Link string
}

func hours(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

func roleLink(r sso.Role) string {
	return "/start/role?" + url.Values{"account": {r.AccountID}, "role": {r.PermissionSet}}.Encode()
}

// matches reports whether a role matches a search: every word of it is in
// the account's name, ID or email, or the permission set's name (ignoring
// case).
func matches(r sso.Role, words []string) bool {
	hay := strings.ToLower(r.AccountName + " " + r.AccountID + " " + r.AccountEmail + " " + r.PermissionSet)
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

type accountsData struct {
	Query        string
	Accounts     []accountView
	Total, Shown int // the person's accounts; those matching the search
	// The page: its number, how many there are, the accounts on it (From
	// to To of Shown), and the links to the previous and next ones.
	Page, Pages, From, To int
	Prev, Next            string
}

// pageLink is the accounts page n of a search.
func pageLink(q string, n int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/start"
	}
	return "/start?" + v.Encode()
}

// accounts is GET /start: what the person may use, filtered by ?q=.
func (p *Portal) accounts(w http.ResponseWriter, r *http.Request, s *Session) {
	ctx := r.Context()
	u, err := p.user(r, s)
	if err != nil {
		p.fail(w, "reading the user", err)
		return
	}
	roles, err := p.Dir.Roles(ctx, s.UserID)
	if err != nil {
		p.fail(w, "listing the roles", err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	words := strings.Fields(strings.ToLower(q))
	d := accountsData{Query: q}
	index := map[string]int{}
	total := map[string]bool{}
	for _, role := range roles {
		total[role.AccountID] = true
		if !matches(role, words) {
			continue
		}
		i, ok := index[role.AccountID]
		if !ok {
			i = len(d.Accounts)
			index[role.AccountID] = i
			d.Accounts = append(d.Accounts, accountView{ID: role.AccountID, Name: role.AccountName, Email: role.AccountEmail})
		}
		d.Accounts[i].Roles = append(d.Accounts[i].Roles, roleView{Role: role, Hours: hours(role.SessionDuration), Link: roleLink(role)})
	}
	d.Total, d.Shown = len(total), len(d.Accounts)
	d.Pages = max(1, (d.Shown+accountsPerPage-1)/accountsPerPage)
	d.Page = 1
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		d.Page = min(n, d.Pages)
	}
	d.From, d.To = (d.Page-1)*accountsPerPage, min(d.Page*accountsPerPage, d.Shown)
	d.Accounts = d.Accounts[d.From:d.To]
	if d.Shown > 0 {
		d.From++
	}
	if d.Page > 1 {
		d.Prev = pageLink(q, d.Page-1)
	}
	if d.Page < d.Pages {
		d.Next = pageLink(q, d.Page+1)
	}
	if err := recordEvent(ctx, p.Audit, p.Dir, r, p.Clock(), event{source: portalSource, service: "sso", name: "ListAccounts", user: u, credential: signInID(s)}); err != nil {
		p.fail(w, "recording the event", err)
		return
	}
	renderPage(w, p.Log, accountsPage, 0, view{Title: "Your AWS accounts", Session: s, CSRF: s.CSRF(), Wide: true, Data: d})
}

// findRole returns the role the person may use in an account.
func (p *Portal) findRole(r *http.Request, s *Session, account, permissionSet string) (sso.Role, bool, error) {
	roles, err := p.Dir.Roles(r.Context(), s.UserID)
	if err != nil {
		return sso.Role{}, false, err
	}
	for _, role := range roles {
		if role.AccountID == account && role.PermissionSet == permissionSet {
			return role, true, nil
		}
	}
	return sso.Role{}, false, nil
}

func (p *Portal) noRole(w http.ResponseWriter, s *Session) {
	renderPage(w, p.Log, messagePage, http.StatusNotFound, view{Title: "No access", Session: s, CSRF: s.CSRF(),
		Data: messageData{Heading: "No access", Lines: []string{"This permission set is not assigned to you in that account, or its role is not provisioned there."},
			Link: "/start", LinkText: "Go to your accounts"}})
}

// profileName is the AWS profile the snippets name: <account>-<permission set>.
func profileName(r sso.Role) string {
	name := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			return c
		}
		return '-'
	}, r.AccountName+"-"+r.PermissionSet)
	return name
}

type roleData struct {
	Role                 sso.Role
	Hours, Base, Profile string
}

// role is GET /start/role: one permission set in one account.
func (p *Portal) role(w http.ResponseWriter, r *http.Request, s *Session) {
	q := r.URL.Query()
	role, ok, err := p.findRole(r, s, q.Get("account"), q.Get("role"))
	if err != nil {
		p.fail(w, "listing the roles", err)
		return
	}
	if !ok {
		p.noRole(w, s)
		return
	}
	renderPage(w, p.Log, rolePage, 0, view{Title: role.PermissionSet + " in " + role.AccountName, Session: s, CSRF: s.CSRF(), Medium: true,
		Data: roleData{Role: role, Hours: hours(role.SessionDuration), Base: p.base(r), Profile: profileName(role)}})
}

type credentialsData struct {
	Role                                sso.Role
	AccessKeyID, Secret, Token, Expires string
	Base, Profile, Back                 string
}

// credentials is POST /start/credentials: credentials of a role, as
// GetRoleCredentials issues them, shown once.
func (p *Portal) credentials(w http.ResponseWriter, r *http.Request, s *Session) {
	ctx := r.Context()
	acct, name := r.PostForm.Get("account"), r.PostForm.Get("role")
	role, ok, err := p.findRole(r, s, acct, name)
	if err != nil {
		p.fail(w, "listing the roles", err)
		return
	}
	u, err := p.user(r, s)
	if err != nil {
		p.fail(w, "reading the user", err)
		return
	}
	details := call.Fields{"role_name": name, "account_id": acct}
	if !ok {
		if err := recordEvent(ctx, p.Audit, p.Dir, r, p.Clock(), event{source: portalSource, service: "sso", name: "GetRoleCredentials", user: u,
			credential: signInID(s), details: details, failure: "No access"}); err != nil {
			p.fail(w, "recording the event", err)
			return
		}
		p.noRole(w, s)
		return
	}
	in, err := p.Dir.Instance(ctx)
	if err != nil {
		p.fail(w, "reading the instance", err)
		return
	}
	now := p.Clock()
	var bind func(*creds.Session) error
	if p.Grants != nil {
		bind = p.Grants.Bind(ctx, u.ID, role.AccountID, role.PermissionSet)
	}
	rc, err := sso.IssueRoleCredentials(p.Keyring, in, u, role, s.AuthTime, now, signInID(s), bind)
	if err != nil {
		p.fail(w, "issuing credentials", err)
		return
	}
	sess := rc.Session
	if err := recordEvent(ctx, p.Audit, p.Dir, r, now, event{source: portalSource, service: "sso", name: "GetRoleCredentials", user: u,
		credential: signInID(s), details: details}); err != nil {
		p.fail(w, "recording the event", err)
		return
	}
	renderPage(w, p.Log, credentialsPage, 0, view{Title: "Credentials for " + role.PermissionSet, Session: s, CSRF: s.CSRF(), Medium: true,
		Data: credentialsData{Role: role, AccessKeyID: sess.AccessKeyID, Secret: sess.Secret, Token: rc.Token,
			Expires: sess.Expires.UTC().Format("15:04 UTC, 2 January 2006"), Base: p.base(r), Profile: profileName(role), Back: roleLink(role)}})
}

// signOut is POST /start/signout: this session, or with everywhere=1
// every sign-in of the person (sso.SignOutEverywhere).
func (p *Portal) signOut(w http.ResponseWriter, r *http.Request, s *Session) {
	ctx := r.Context()
	everywhere := r.PostForm.Get("everywhere") == "1"
	now := p.Clock()
	u := sso.User{ID: s.UserID, UserName: s.UserName}
	if everywhere {
		if err := sso.SignOutEverywhere(ctx, p.Sessions.Store, s.UserID, now); err != nil {
			p.fail(w, "signing out everywhere", err)
			return
		}
	}
	if err := p.Sessions.End(ctx, w, r, s); err != nil {
		p.fail(w, "ending the session", err)
		return
	}
	if err := recordEvent(ctx, p.Audit, p.Dir, r, now, event{source: portalSource, service: "sso", name: "Logout", user: u,
		credential: signInID(s), params: call.Fields{"everywhere": everywhere}}); err != nil {
		p.fail(w, "recording the event", err)
		return
	}
	lines := []string{"You signed out of the access portal in this browser."}
	if everywhere {
		lines = []string{"You signed out everywhere: every portal session of yours, and the sign-ins of warden login and of SDKs, ended.",
			"Credentials you copied keep working until they expire."}
	}
	renderPage(w, p.Log, messagePage, 0, view{Title: "Signed out",
		Data: messageData{Heading: "Signed out", Lines: lines, Link: "/start", LinkText: "Sign in again"}})
}
