package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/sigv4"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/store"
)

var errInvalidToken = awsproto.Errorf("InvalidClientTokenId", "The security token included in the request is invalid.")

// verify checks the signature with the key's secret and sets the caller's
// identity. Long-term keys (AKIA) come from the store; temporary keys (ASIA)
// from their session token, which must be present and authentic.
// The credential scope's region and service are checked after, by the
// router, against what the request addresses.
func (s *Server) verify(r *http.Request, c *call.Call, auth *sigv4.Auth, body []byte) error {
	if auth.Presigned && auth.Expires > sigv4.MaxSkew {
		// AWS's query services honour a presigned request for 15 minutes
		// from its X-Amz-Date, whatever X-Amz-Expires says.
		auth.Expires = sigv4.MaxSkew
	}
	ctx := r.Context()
	id := &call.Identity{AccessKeyID: auth.AccessKeyID}
	c.Claimed = id // for the trail, until the request is authenticated
	var secret string
	switch {
	case strings.HasPrefix(auth.AccessKeyID, creds.PrefixTemporary):
		if auth.SecurityToken == "" {
			return errInvalidToken
		}
		sess, err := s.keyring.Open(ctx, auth.SecurityToken)
		if err != nil || sess.AccessKeyID != auth.AccessKeyID {
			return errInvalidToken
		}
		secret = sess.Secret
		id.Session, id.ARN, id.Account, id.UserID = sess, sess.Principal, sess.Account, sess.UserID
		switch sess.Kind {
		case "assumed-role":
			id.Kind = policy.CallerAssumedRole
		case "federated-user":
			id.Kind = policy.CallerFederatedUser
		default:
			caller, err := policy.ParseCaller(sess.Principal)
			if err != nil {
				return errInvalidToken
			}
			id.Kind = caller.Kind
		}
	case strings.HasPrefix(auth.AccessKeyID, creds.PrefixLongTerm):
		if auth.SecurityToken != "" {
			// A session token belongs with the temporary key it was issued
			// with, never with a long-term key.
			return errInvalidToken
		}
		k, err := s.lookupKey(ctx, auth.AccessKeyID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (k.key.Status != "Active" || k.bad)) {
			return errInvalidToken
		}
		if err != nil {
			return err
		}
		secret = k.secret
		id.ARN, id.Account, id.Kind, id.UserID = k.key.Owner, k.key.Account, k.kind, k.userID
	default:
		return errInvalidToken
	}
	if err := auth.Verify(r, body, secret, c.Now); err != nil {
		return sigError(err)
	}
	if id.Session != nil && !c.Now.Before(id.Session.Expires) {
		return awsproto.Errorf("ExpiredToken", "The security token included in the request is expired")
	}
	if id.Session != nil && id.Session.Grant != "" {
		// A session of a time-boxed access grant works while the grant is
		// active, read from the store on each request, so that a
		// revocation on any replica is enforced at once.
		if err := s.grants.Check(ctx, id.Session.Grant, c.Now); err != nil {
			c.Identity, c.Claimed = id, nil // recorded as the session it was
			switch {
			case errors.Is(err, access.ErrExpired):
				return awsproto.Errorf("ExpiredToken", "The security token included in the request is expired")
			case errors.Is(err, access.ErrGrantEnded):
				return awsproto.Errorf("AccessDenied", "User: %s is not authorized to perform this request: its session was revoked (%v)", id.ARN, err)
			}
			return err
		}
	}
	if id.Session != nil && id.Session.SignIn != nil {
		// A session of an Identity Center sign-in works until an
		// administrator revokes the sign-in (or all the person's), read
		// from the store on each request, so that the revocation is
		// enforced at once on every replica.
		revoked, err := sso.SignInRevoked(ctx, s.st, id.Session.SignIn, id.Session.Issued)
		if err != nil {
			return err
		}
		if revoked {
			c.Identity, c.Claimed = id, nil // recorded as the session it was
			return awsproto.Errorf("AccessDenied", "User: %s is not authorized to perform this request: an administrator revoked the Identity Center session it was issued to", id.ARN)
		}
	}
	c.Identity, c.Claimed = id, nil
	return nil
}
