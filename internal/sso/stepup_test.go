package sso

import (
	"errors"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso/ssotest"
)

var site = Site{Host: "localhost:4566", RemoteIP: "127.0.0.1"}

// stepUpAnswer issues a challenge for u and purpose and answers it with k.
func stepUpAnswer(t *testing.T, f *fixture, u User, purpose string, k *ssotest.SoftKey) string {
	t.Helper()
	c, err := f.auth.BeginWebAuthnStepUp(t.Context(), site, u, purpose)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := k.Assert(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestWebAuthnStepUp: a step-up challenge is bound to the person and the
// purpose, answered once, within StepUpTTL, with the person's own key
// (WebAuthn Level 3 section 7.2, as at sign-in); every refusal names why
// and counts towards the rate limit.
func TestWebAuthnStepUp(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ka := register(t, f, alice, ssotest.FlagUP|ssotest.FlagUV)
	kb := register(t, f, bob, ssotest.FlagUP|ssotest.FlagUV)
	const approve1, approve2, deny1 = "access:approve:ar-1", "access:approve:ar-2", "access:deny:ar-1"
	finish := func(u User, purpose, resp string) error {
		_, err := f.auth.FinishWebAuthnStepUp(ctx, site, u, purpose, resp, "127.0.0.1")
		return err
	}
	refused := func(what string, err error, reason string) {
		t.Helper()
		if !errors.Is(err, ErrBadCredentials) || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: %v; want a refusal saying %q", what, err, reason)
		}
		f.auth.Store.ResetRateLimit(ctx, "user:"+alice.ID)
	}

	resp := stepUpAnswer(t, f, alice, approve1, ka)
	if err := finish(alice, approve1, resp); err != nil {
		t.Fatalf("the answer to alice's challenge: %v", err)
	}
	refused("replayed", finish(alice, approve1, resp), "already answered")

	refused("another request's challenge", finish(alice, approve1, stepUpAnswer(t, f, alice, approve2, ka)), "issued for access:approve:ar-2")
	refused("a denial's challenge to approve", finish(alice, approve1, stepUpAnswer(t, f, alice, deny1, ka)), "issued for access:deny:ar-1")
	// Bob answers his own challenge; alice submits it as hers.
	refused("another person's challenge", finish(alice, approve1, stepUpAnswer(t, f, bob, approve1, kb)), "not issued to alice")
	// Bob's key answers alice's challenge.
	refused("another person's key", finish(alice, approve1, stepUpAnswer(t, f, alice, approve1, kb)), "")

	resp = stepUpAnswer(t, f, alice, approve1, ka)
	f.clk.add(StepUpTTL)
	refused("expired", finish(alice, approve1, resp), "expired")
	// An expired challenge, once refused, is gone.
	refused("expired, again", finish(alice, approve1, resp), "already answered")

	// Clone detection as at sign-in: the counter must grow.
	resp = stepUpAnswer(t, f, alice, approve1, ka)
	if err := finish(alice, approve1, resp); err != nil {
		t.Fatal(err)
	}
	ka.Counter -= 2
	refused("a cloned key", finish(alice, approve1, stepUpAnswer(t, f, alice, approve1, ka)), "cloned")
	ka.Counter += 5

	// User verification as the org asks.
	f.auth.Orgs = policyOrg(&org.MFAPolicy{WebAuthnUserVerification: "required"})
	ka.Flags = ssotest.FlagUP
	refused("no user verification under required", finish(alice, approve1, stepUpAnswer(t, f, alice, approve1, ka)), "")
	ka.Flags = ssotest.FlagUP | ssotest.FlagUV
	if err := finish(alice, approve1, stepUpAnswer(t, f, alice, approve1, ka)); err != nil {
		t.Errorf("a verified key under required: %v", err)
	}

	// Failures count: the fifth in a row locks the person.
	for i := range MaxUserFailures {
		if err := finish(alice, approve1, resp); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if err := finish(alice, approve1, stepUpAnswer(t, f, alice, approve1, ka)); !errors.Is(err, ErrThrottled) {
		t.Errorf("after %d failures: %v, want throttled", MaxUserFailures, err)
	}

	// A person without a key gets no challenge; at most MaxStepUps wait.
	if _, err := f.auth.BeginWebAuthnStepUp(ctx, site, User{ID: "u-none", UserName: "none"}, approve1); !errors.Is(err, ErrNoWebAuthn) {
		t.Errorf("no key: %v", err)
	}
	// (bob's challenge answered above as alice's has expired since.)
	for i := range MaxStepUps {
		if _, err := f.auth.BeginWebAuthnStepUp(ctx, site, bob, approve1); err != nil {
			t.Fatalf("challenge %d: %v", i+1, err)
		}
	}
	if _, err := f.auth.BeginWebAuthnStepUp(ctx, site, bob, approve1); !errors.Is(err, ErrTooManyStepUps) {
		t.Errorf("challenge %d: %v, want too many", MaxStepUps+1, err)
	}
	// Once they expire, new ones are issued (and the old forgotten).
	f.clk.add(StepUpTTL)
	if _, err := f.auth.BeginWebAuthnStepUp(ctx, site, bob, approve1); err != nil {
		t.Errorf("after the waiting challenges expired: %v", err)
	}
}
