package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/securecart/warden/internal/store"
)

// WebAuthn step-up: a fresh assertion of one of a person's security keys
// or passkeys for one action of a signed-in person (approving an access
// request), verified on whatever replica the answer reaches:
//
//   - The challenge is bound to the person and to a purpose the caller
//     names (such as "access:approve:ar-…": the action and its object),
//     and stored in the records store (namespace sso/webauthn-stepup, key
//     USER/CHALLENGE), so that any replica on the same store verifies the
//     answer. It lives StepUpTTL and is taken once: the first answer that
//     reaches it deletes it (at its version, so two replicas cannot both
//     take it), whether the answer then verifies or not.
//   - An answer is refused when its challenge was not issued to this
//     person (another person's, or none), was issued for another purpose,
//     has expired, or was already answered.
//   - The assertion is verified as at sign-in (finishLogin): origin and
//     relying party ID, one of the person's registered credentials, the
//     signature, user presence and the org's user verification
//     (identityCenter.mfa.webauthnUserVerification), a growing signature
//     counter (a cloned authenticator is refused), and the challenge
//     accepted once on any replica (UseOnce).
//   - Every refusal counts towards the sign-in MFA rate limits, as a
//     wrong code does.
//   - A person has at most MaxStepUps challenges waiting; expired ones are
//     forgotten when a new one is issued.
const (
	stepUpNS = "sso/webauthn-stepup"
	// StepUpTTL is how long a step-up challenge may be answered.
	StepUpTTL = ceremonyTimeout
	// MaxStepUps is how many unexpired step-up challenges one person may
	// have waiting.
	MaxStepUps = 20
)

// ErrTooManyStepUps: the person has MaxStepUps challenges waiting.
var ErrTooManyStepUps = fmt.Errorf("%d requests for a security key are waiting: answer one, or try again in %v", MaxStepUps, StepUpTTL)

// stepUp is a stored step-up challenge. State is go-webauthn's session
// data: the challenge, the allowed credential IDs and the user
// verification asked for (no secret).
type stepUp struct {
	UserID  string    `json:"userId"`
	Purpose string    `json:"purpose"`
	State   string    `json:"state"`
	Expires time.Time `json:"expires"`
}

// StepUpChallenge is an issued step-up challenge.
type StepUpChallenge struct {
	// Options are the PublicKeyCredentialRequestOptions for
	// navigator.credentials.get, JSON {"publicKey": {...}} with the binary
	// members base64url.
	Options string
	Expires time.Time
}

// BeginWebAuthnStepUp issues a challenge for an assertion of one of u's
// security keys or passkeys, bound to purpose.
func (a *Authenticator) BeginWebAuthnStepUp(ctx context.Context, site Site, u User, purpose string) (StepUpChallenge, error) {
	rp, err := a.relyingPartyAt(site)
	if err != nil {
		return StepUpChallenge{}, err
	}
	have, uv, err := a.assertionInputs(ctx, u)
	if err != nil {
		return StepUpChallenge{}, err
	}
	now := a.Clock().UTC()
	if err := a.forgetExpiredStepUps(ctx, u.ID, now); err != nil {
		return StepUpChallenge{}, err
	}
	opts, sess, err := rp.BeginLogin(waUser{u: u, creds: have}, webauthn.WithUserVerification(uv))
	if err != nil {
		return StepUpChallenge{}, err
	}
	c, err := marshalCeremony(opts, sess)
	if err != nil {
		return StepUpChallenge{}, err
	}
	su := stepUp{UserID: u.ID, Purpose: purpose, State: c.State, Expires: now.Add(StepUpTTL)}
	doc, err := json.Marshal(su)
	if err != nil {
		return StepUpChallenge{}, err
	}
	if _, err := a.Store.PutRecord(ctx, stepUpNS, u.ID+"/"+sess.Challenge, doc, 0, now); err != nil {
		return StepUpChallenge{}, err
	}
	return StepUpChallenge{Options: c.Options, Expires: su.Expires}, nil
}

// forgetExpiredStepUps deletes u's expired challenges and refuses a new
// one when MaxStepUps are waiting.
func (a *Authenticator) forgetExpiredStepUps(ctx context.Context, userID string, now time.Time) error {
	recs, err := store.AllRecords(ctx, a.Store, stepUpNS, userID+"/")
	if err != nil {
		return err
	}
	waiting := 0
	for _, r := range recs {
		var su stepUp
		if err := json.Unmarshal(r.Doc, &su); err == nil && now.Before(su.Expires) {
			waiting++
			continue
		}
		if err := a.Store.DeleteRecord(ctx, stepUpNS, r.Key, r.Version, now); err != nil &&
			!errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	if waiting >= MaxStepUps {
		return ErrTooManyStepUps
	}
	return nil
}

// FinishWebAuthnStepUp verifies u's answer (PublicKeyCredential JSON, as
// toJSON gives it) to a challenge BeginWebAuthnStepUp issued for purpose,
// from address addr, and returns the credential that answered. A refusal
// wraps ErrBadCredentials with a reason fit for the trail (never a
// secret); ErrThrottled after too many failures.
func (a *Authenticator) FinishWebAuthnStepUp(ctx context.Context, site Site, u User, purpose, response, addr string) (WebAuthnCredential, error) {
	now := a.Clock()
	key := "user:" + u.ID
	if t, err := a.throttled(ctx, key, addr, now); err != nil || t {
		if err == nil {
			err = ErrThrottled
		}
		return WebAuthnCredential{}, err
	}
	c, reason, err := a.finishStepUp(ctx, site, u, purpose, response, now)
	if err != nil {
		return WebAuthnCredential{}, err
	}
	if reason != "" {
		return WebAuthnCredential{}, a.failWith(ctx, key, addr, now, reason)
	}
	return c, a.Store.ResetRateLimit(ctx, key)
}

// finishStepUp takes the answered challenge and verifies the assertion;
// a refusal is a reason, err the store's failures.
func (a *Authenticator) finishStepUp(ctx context.Context, site Site, u User, purpose, response string, now time.Time) (WebAuthnCredential, string, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(response))
	if err != nil {
		return WebAuthnCredential{}, describeWebAuthnError(err), nil
	}
	if parsed.Response.CollectedClientData.Type != protocol.AssertCeremony {
		return WebAuthnCredential{}, "the answer is not an assertion (webauthn.get)", nil
	}
	recKey := u.ID + "/" + parsed.Response.CollectedClientData.Challenge
	rec, err := a.Store.Record(ctx, stepUpNS, recKey)
	if errors.Is(err, store.ErrNotFound) {
		return WebAuthnCredential{}, "the answer's challenge was not issued to " + u.UserName + ", or was already answered", nil
	}
	if err != nil {
		return WebAuthnCredential{}, "", err
	}
	var su stepUp
	if err := json.Unmarshal(rec.Doc, &su); err != nil {
		return WebAuthnCredential{}, "", fmt.Errorf("the stored challenge %s: %w", rec.Key, err)
	}
	if su.UserID != u.ID {
		return WebAuthnCredential{}, "the answer's challenge was not issued to " + u.UserName, nil
	}
	if su.Purpose != purpose {
		return WebAuthnCredential{}, fmt.Sprintf("the answer's challenge was issued for %s, not for %s", su.Purpose, purpose), nil
	}
	// Taken once: the first answer deletes it, at the version read.
	err = a.Store.DeleteRecord(ctx, stepUpNS, recKey, rec.Version, now)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return WebAuthnCredential{}, "the answer's challenge was already answered", nil
	}
	if err != nil {
		return WebAuthnCredential{}, "", err
	}
	if !now.Before(su.Expires) {
		return WebAuthnCredential{}, "the challenge expired at " + su.Expires.UTC().Format(time.RFC3339), nil
	}
	return a.finishLogin(ctx, site, &u, su.State, response, false)
}
