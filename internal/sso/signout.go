package sso

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/securecart/warden/internal/store"
)

// SignOutsNamespace holds, by identity store user ID, when the person last
// signed out everywhere (store.Records, namespace owned by Identity
// Center's sign-in).
const SignOutsNamespace = "sso/sign-outs"

type signOut struct {
	At time.Time `json:"at"`
}

// SignOutEverywhere ends every sign-in of a user made up to at: access and
// refresh tokens of every device authorization (warden login, SDKs) and
// every access portal session, on every replica, from the next request on
// (each check reads the store). Credentials already issued by
// GetRoleCredentials are not revoked: they are STS sessions that last until
// they expire, as in AWS.
func SignOutEverywhere(ctx context.Context, st store.Records, userID string, at time.Time) error {
	doc, _ := json.Marshal(signOut{At: at.UTC()})
	_, err := st.PutRecord(ctx, SignOutsNamespace, userID, doc, store.AnyVersion, at)
	return err
}

// SignedOutSince reports whether the user signed out everywhere at or after
// created, which ends a token or session created then.
func SignedOutSince(ctx context.Context, st store.Records, userID string, created time.Time) (bool, error) {
	r, err := st.Record(ctx, SignOutsNamespace, userID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var s signOut
	if err := json.Unmarshal(r.Doc, &s); err != nil {
		return false, err
	}
	return !created.After(s.At), nil
}
