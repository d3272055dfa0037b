package portal

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/store"
)

// Access portal sessions. A person who signed in (password or identity
// provider, then MFA) holds a session: a random 256-bit ID in a cookie,
// stored server-side only as its SHA-256 (store.Records, namespace
// SessionsNamespace), so that every replica on one database knows it at
// once and a copy of the database opens no session. A session lasts
// Identity Center's session duration (org file
// identityCenter.sessionDuration, 8 hours by default) from the sign-in and
// is never extended; signing out deletes it, and signing out everywhere
// (sso.SignOutEverywhere) ends every session and SSO token of the person.
//
// The cookie is HttpOnly, SameSite=Lax (a link to the portal from mail or
// chat arrives signed in; every change is a POST that needs the CSRF
// token), Path=/ and, except over loopback HTTP, Secure with the __Host-
// prefix (no subdomain nor other path can set or shadow it).
//
// Every form of a signed-in page carries the session's CSRF token: an HMAC
// of the session ID, so it is bound to the session, never stored, and
// compared in constant time (CheckCSRF).

// SessionsNamespace holds the portal's sessions, by the SHA-256 of their ID.
const SessionsNamespace = sso.PortalSessionsNamespace

// Cookie names: with the __Host- prefix when the cookie is Secure.
const (
	sessionCookieSecure   = "__Host-warden-session"
	sessionCookieLoopback = "warden-session"
)

// Session is a signed-in person's portal session.
type Session struct {
	// ID is the session's secret (the cookie's value); never stored.
	ID       string    `json:"-"`
	UserID   string    `json:"u"`
	UserName string    `json:"n"`
	Created  time.Time `json:"c"`
	Expires  time.Time `json:"e"`
	// AuthTime is when the person passed MFA (aws:MultiFactorAuthAge).
	AuthTime time.Time `json:"a"`
	// Source is how the person signed in: "directory", or the identity
	// provider's name.
	Source string `json:"s,omitempty"`
	// SignIn is the session's sign-in ID (its calls' credentialId), the
	// credentialId of the sign-in's events (signInCredential); "" in a
	// session started before sign-ins named it: the ID then comes from
	// the session's key (sso.PortalSignInID).
	SignIn string `json:"si,omitempty"`
}

// signInID is the sign-in of a portal session: the credentialId of its
// calls in the trail, and the sign-in its role sessions descend from.
func signInID(s *Session) string {
	if s.SignIn != "" {
		return s.SignIn
	}
	return sso.PortalSignInID(sessionKey(s.ID))
}

// CSRF is the session's CSRF token for its forms.
func (s *Session) CSRF() string {
	m := hmac.New(sha256.New, []byte(s.ID))
	m.Write([]byte("warden portal csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a posted token is the session's, in constant
// time.
func (s *Session) CheckCSRF(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF())) == 1
}

// Sessions keeps portal sessions.
type Sessions struct {
	Store store.Store
	Orgs  sso.Orgs
	Dir   sso.Directory
	Clock func() time.Time
}

func sessionKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// Duration is Identity Center's session duration: the org file's
// identityCenter.sessionDuration, else 8 hours.
func (ss *Sessions) Duration(ctx context.Context) (time.Duration, error) {
	return sso.SessionLifetime(ctx, ss.Orgs)
}

// Create starts a session for a person who passed every factor, and sets
// its cookie. signIn is the sign-in's ID (signInCredential of its
// AuthWorkflowID), "" for one from the session's key.
func (ss *Sessions) Create(ctx context.Context, w http.ResponseWriter, r *http.Request, u sso.User, authTime time.Time, source, signIn string) (*Session, error) {
	d, err := ss.Duration(ctx)
	if err != nil {
		return nil, err
	}
	now := ss.Clock().UTC()
	s := &Session{ID: randomString(), UserID: u.ID, UserName: u.UserName, Created: now, Expires: now.Add(d), AuthTime: authTime.UTC(), Source: source, SignIn: signIn}
	doc, _ := json.Marshal(s)
	key := sessionKey(s.ID)
	in := sso.SignIn{ID: signInID(s), UserID: u.ID, Kind: sso.SignInPortal, Session: key, Source: source, Created: now, Expires: s.Expires}
	if signIn != "" {
		// A sign-in named from its workflow starts one session: the
		// index first, create-only (sso.ErrSignInExists when its last
		// step was completed before), then the session it names.
		if err := sso.IndexNewSignIn(ctx, ss.Store, in); err != nil {
			return nil, err
		}
	}
	if _, err := ss.Store.PutRecord(ctx, SessionsNamespace, key, doc, 0, now); err != nil {
		return nil, err
	}
	if signIn == "" {
		if err := sso.IndexSignIn(ctx, ss.Store, in); err != nil {
			return nil, err
		}
	}
	setSessionCookie(w, r, s.ID, d)
	return s, nil
}

// setSessionCookie sets the session cookie for maxAge (Max-Age, relative:
// the browser's clock need not agree with the server's); 0 deletes it.
func setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: sessionCookieSecure, Value: value, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	if loopbackHTTP(r) {
		c.Name, c.Secure = sessionCookieLoopback, false
	}
	if c.MaxAge = int(maxAge / time.Second); c.MaxAge <= 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// ErrNoSession is a request without a live session.
var ErrNoSession = errors.New("portal: not signed in")

// Get returns the request's live session: known, not expired, its person
// still an enabled user of the directory, and not ended by a sign-out
// everywhere. ErrNoSession otherwise.
func (ss *Sessions) Get(r *http.Request) (*Session, error) {
	ctx := r.Context()
	name := sessionCookieSecure
	if loopbackHTTP(r) {
		name = sessionCookieLoopback
	}
	ck, err := r.Cookie(name)
	if err != nil || len(ck.Value) < 40 || len(ck.Value) > 64 {
		return nil, ErrNoSession
	}
	rec, err := ss.Store.Record(ctx, SessionsNamespace, sessionKey(ck.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(rec.Doc, &s); err != nil {
		return nil, err
	}
	s.ID = ck.Value
	if !ss.Clock().Before(s.Expires) {
		return nil, ErrNoSession
	}
	if out, err := sso.SignedOutSince(ctx, ss.Store, s.UserID, s.Created); err != nil || out {
		if err == nil {
			err = ErrNoSession
		}
		return nil, err
	}
	if s.SignIn != "" {
		// Its sign-in revoked (warden sso sessions revoke, DeleteSession):
		// whatever session a sign-in of that ID gave ends with it.
		if revoked, err := sso.SignInRevoked(ctx, ss.Store, &creds.SignInRef{UserID: s.UserID, ID: s.SignIn}, s.Created); err != nil || revoked {
			if err == nil {
				err = ErrNoSession
			}
			return nil, err
		}
	}
	if _, err := ss.Dir.UserByID(ctx, s.UserID); err != nil {
		if errors.Is(err, sso.ErrNoUser) {
			return nil, ErrNoSession // deleted or disabled: the session ends at once
		}
		return nil, err
	}
	return &s, nil
}

// End deletes one session and clears its cookie.
func (ss *Sessions) End(ctx context.Context, w http.ResponseWriter, r *http.Request, s *Session) error {
	err := ss.Store.DeleteRecord(ctx, SessionsNamespace, sessionKey(s.ID), store.AnyVersion, ss.Clock())
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	setSessionCookie(w, r, "", 0)
	if err == nil {
		err = sso.ForgetSignIn(ctx, ss.Store, s.UserID, signInID(s), ss.Clock())
	}
	return err
}

// Purge deletes the sessions that expired before now, and forgets
// deletions older than an hour; it returns how many it deleted.
func (ss *Sessions) Purge(ctx context.Context) (int, error) {
	now := ss.Clock()
	n, err := sso.PurgeExpired(ctx, ss.Store, SessionsNamespace, now, func(doc []byte) bool {
		var s Session
		return json.Unmarshal(doc, &s) != nil || !now.Before(s.Expires)
	})
	if err != nil {
		return n, err
	}
	// The index of people's sign-ins, too.
	if _, err := sso.PurgeExpired(ctx, ss.Store, sso.UserSessionsNamespace, now, func(doc []byte) bool {
		var s sso.SignIn
		return json.Unmarshal(doc, &s) != nil || !now.Before(s.Expires)
	}); err != nil {
		return n, err
	}
	if _, err := ss.Store.PurgeRecordTombstones(ctx, sso.UserSessionsNamespace, now.Add(-time.Hour)); err != nil {
		return n, err
	}
	_, err = ss.Store.PurgeRecordTombstones(ctx, SessionsNamespace, now.Add(-time.Hour))
	return n, err
}
