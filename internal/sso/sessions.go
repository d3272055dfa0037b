package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

// A person's sign-ins, as an administrator sees and ends them (AWS IAM
// Identity Center's console: Users > a user > Active sessions > Delete
// session, https://docs.aws.amazon.com/singlesignon/latest/userguide/end-active-sessions.html).
// A sign-in is an access portal session (ID "ps-" and 24 hex digits: of a
// hash of the sign-in's AuthWorkflowID, the credentialId of its events in
// the trail from its first step on, with the session's record key beside
// it; in sessions started before, of the SHA-256 of its cookie, never the
// cookie) or the tokens of one device authorization of warden login or an
// SDK (ID its grant, "g-…").
// Each is indexed by person (UserSessionsNamespace, "<userID>/<ID>") when
// it starts, so that the sessions of one person are listed without
// scanning every token.
//
// Revoking ends, on every replica from its next request (each check reads
// the store):
//   - the portal session (its record is deleted) or the device's access and
//     refresh tokens (revoked in the store);
//   - the role credentials GetRoleCredentials issued to it, and the role
//     sessions chained from those: every such session carries the sign-in
//     it came from (creds.SignInRef), and the server refuses it once the
//     sign-in is in the person's revocation record (RevocationsNamespace).
//
// Revoking all of a person's sessions also signs them out everywhere
// (SignOutEverywhere), which ends sign-ins the index may not hold, and
// refuses every role session issued to them up to then.

// Namespaces of the sign-in index and of revocations (store.Records).
const (
	UserSessionsNamespace = "sso/user-sessions"
	RevocationsNamespace  = "sso/revocations"
)

// Kinds of sign-in.
const (
	SignInPortal = "portal" // an access portal session
	SignInDevice = "device" // the tokens of a device authorization
)

// revokedKeep is how long a revoked sign-in's ID is kept in the person's
// revocation record: longer than any role session lives (12 hours).
const revokedKeep = 24 * time.Hour

// SignIn is one of a person's sign-ins.
type SignIn struct {
	ID      string    `json:"id"`
	UserID  string    `json:"userId"`
	Kind    string    `json:"kind"`             // SignInPortal or SignInDevice
	Source  string    `json:"source,omitempty"` // how the person signed in (portal): directory or the provider's name
	Client  string    `json:"client,omitempty"` // the registered client (device)
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// Session is a portal sign-in's session record key (in
	// PortalSessionsNamespace), when its ID does not begin with it (a
	// sign-in named from its AuthWorkflowID); kept out of listings.
	Session string `json:"sessionKey,omitempty"`
}

// portalSessions returns the records of portal sign-in s's session (none
// once it ended).
func portalSessions(ctx context.Context, st store.Store, s SignIn, limit int) ([]store.Record, error) {
	if s.Session != "" {
		r, err := st.Record(ctx, PortalSessionsNamespace, s.Session)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []store.Record{r}, nil
	}
	return st.ListRecords(ctx, PortalSessionsNamespace, store.RecordQuery{Prefix: strings.TrimPrefix(s.ID, "ps-"), Limit: limit})
}

// PortalSignInID is the sign-in ID of the portal session whose record key
// (the SHA-256 of its cookie, in hex) is key.
func PortalSignInID(key string) string {
	if len(key) > 24 {
		key = key[:24]
	}
	return "ps-" + key
}

func signInKey(userID, id string) string { return userID + "/" + id }

// IndexSignIn records a sign-in that started.
func IndexSignIn(ctx context.Context, st store.Records, s SignIn) error {
	doc, _ := json.Marshal(s)
	_, err := st.PutRecord(ctx, UserSessionsNamespace, signInKey(s.UserID, s.ID), doc, store.AnyVersion, s.Created)
	return err
}

// ErrSignInExists is returned by IndexNewSignIn when the sign-in is
// indexed already: its last step was completed before.
var ErrSignInExists = errors.New("sso: the sign-in was completed already")

// IndexNewSignIn records a sign-in that started, unless one of that ID is
// indexed already (ErrSignInExists): a portal sign-in named from its
// AuthWorkflowID starts one session, however often its last step is sent
// (a replayed or double-submitted form), so that revoking its ID ends
// every session it gave.
func IndexNewSignIn(ctx context.Context, st store.Records, s SignIn) error {
	doc, _ := json.Marshal(s)
	_, err := st.PutRecord(ctx, UserSessionsNamespace, signInKey(s.UserID, s.ID), doc, 0, s.Created)
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%w: %s", ErrSignInExists, s.ID)
	}
	return err
}

// ForgetSignIn removes a sign-in that ended (a sign-out) from the index.
func ForgetSignIn(ctx context.Context, st store.Records, userID, id string, at time.Time) error {
	err := st.DeleteRecord(ctx, UserSessionsNamespace, signInKey(userID, id), store.AnyVersion, at)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// revocations is a person's revocation record.
type revocations struct {
	// Before ends every role session issued to the person up to it.
	Before time.Time `json:"before,omitzero"`
	// SignIns are revoked sign-ins, by ID, with when.
	SignIns map[string]time.Time `json:"signIns,omitempty"`
}

// SignInRevoked reports whether a role session issued at issued for the
// sign-in ref was revoked since: all the person's sessions up to a time,
// or that sign-in.
func SignInRevoked(ctx context.Context, st store.Records, ref *creds.SignInRef, issued time.Time) (bool, error) {
	if ref == nil || ref.UserID == "" {
		return false, nil
	}
	r, err := st.Record(ctx, RevocationsNamespace, ref.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var v revocations
	if err := json.Unmarshal(r.Doc, &v); err != nil {
		return false, err
	}
	if !v.Before.IsZero() && !issued.After(v.Before) {
		return true, nil
	}
	_, ok := v.SignIns[ref.ID]
	return ok && ref.ID != "", nil
}

// SignIns lists a person's live sign-ins, oldest first: not expired, not
// ended by a sign-out everywhere or a revocation.
func SignIns(ctx context.Context, st store.Store, userID string, now time.Time) ([]SignIn, error) {
	var out []SignIn
	after := ""
	for {
		recs, err := st.ListRecords(ctx, UserSessionsNamespace, store.RecordQuery{Prefix: userID + "/", After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			var s SignIn
			if json.Unmarshal(rec.Doc, &s) != nil || !now.Before(s.Expires) {
				continue
			}
			live, err := signInLive(ctx, st, s)
			if err != nil {
				return nil, err
			}
			if live {
				out = append(out, s)
			}
		}
		if len(recs) < 500 {
			break
		}
		after = recs[len(recs)-1].Key
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// signInLive reports whether an indexed sign-in still holds: not signed
// out everywhere since, its portal session still stored, not revoked.
func signInLive(ctx context.Context, st store.Store, s SignIn) (bool, error) {
	if out, err := SignedOutSince(ctx, st, s.UserID, s.Created); err != nil || out {
		return false, err
	}
	if s.Kind == SignInPortal {
		recs, err := portalSessions(ctx, st, s, 1)
		if err != nil || len(recs) == 0 {
			return false, err
		}
	}
	revoked, err := SignInRevoked(ctx, st, &creds.SignInRef{UserID: s.UserID, ID: s.ID}, s.Created)
	return !revoked, err
}

// PortalSessionsNamespace holds the access portal's sessions, by the
// SHA-256 of their cookie (package portal owns the records; it is named
// here for revocation).
const PortalSessionsNamespace = "sso/portal-sessions"

// ErrNoSignIn is a sign-in ID the person does not have (live).
var ErrNoSignIn = errors.New("the user has no such active session")

// RevokeSignIns ends a person's sign-in id, or all of them when id is "",
// at at, and returns the sign-ins it ended (every live one of the index;
// for all, the person is also signed out everywhere and every role session
// issued to them up to at refused, indexed or not).
func RevokeSignIns(ctx context.Context, st store.Store, userID, id string, at time.Time) ([]SignIn, error) {
	live, err := SignIns(ctx, st, userID, at)
	if err != nil {
		return nil, err
	}
	var ended []SignIn
	for _, s := range live {
		if id == "" || s.ID == id {
			ended = append(ended, s)
		}
	}
	if id != "" && len(ended) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoSignIn, id)
	}
	// The revocation record first: from then on, the role sessions of
	// these sign-ins are refused everywhere.
	if err := addRevocations(ctx, st, userID, ended, id == "", at); err != nil {
		return nil, err
	}
	if id == "" {
		if err := SignOutEverywhere(ctx, st, userID, at); err != nil {
			return nil, err
		}
	}
	for _, s := range ended {
		switch s.Kind {
		case SignInPortal:
			recs, err := portalSessions(ctx, st, s, 2)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				if err := st.DeleteRecord(ctx, PortalSessionsNamespace, r.Key, store.AnyVersion, at); err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
			}
		case SignInDevice:
			if _, err := st.RevokeSSOGrant(ctx, s.ID, at); err != nil {
				return nil, err
			}
		}
		if err := ForgetSignIn(ctx, st, userID, s.ID, at); err != nil {
			return nil, err
		}
	}
	return ended, nil
}

// addRevocations adds sign-ins (and, with all, the time before which every
// role session of the person is refused) to the person's revocation
// record, forgetting entries older than revokedKeep; a concurrent change
// is read again and merged.
func addRevocations(ctx context.Context, st store.Records, userID string, ended []SignIn, all bool, at time.Time) error {
	for range 10 {
		var v revocations
		version := int64(0)
		r, err := st.Record(ctx, RevocationsNamespace, userID)
		switch {
		case err == nil:
			if err := json.Unmarshal(r.Doc, &v); err != nil {
				return err
			}
			version = r.Version
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if v.SignIns == nil {
			v.SignIns = map[string]time.Time{}
		}
		for k, t := range v.SignIns {
			if at.Sub(t) > revokedKeep {
				delete(v.SignIns, k)
			}
		}
		for _, s := range ended {
			v.SignIns[s.ID] = at.UTC()
		}
		if all && at.After(v.Before) {
			v.Before = at.UTC()
		}
		doc, _ := json.Marshal(v)
		_, err = st.PutRecord(ctx, RevocationsNamespace, userID, doc, version, at)
		if !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	return errors.New("the user's revocations changed too often meanwhile: try again")
}

// PurgeExpired deletes the records of namespace ns whose document expired
// reports expired at now, and returns how many it deleted; a record changed
// or deleted meanwhile (by another replica) is left.
func PurgeExpired(ctx context.Context, st store.Records, ns string, now time.Time, expired func(doc []byte) bool) (int, error) {
	n, after := 0, ""
	for {
		recs, err := st.ListRecords(ctx, ns, store.RecordQuery{After: after, Limit: 500})
		if err != nil {
			return n, err
		}
		for _, rec := range recs {
			if !expired(rec.Doc) {
				continue
			}
			err := st.DeleteRecord(ctx, ns, rec.Key, rec.Version, now)
			if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
				return n, err
			}
			n++
		}
		if len(recs) < 500 {
			return n, nil
		}
		after = recs[len(recs)-1].Key
	}
}
