package ssooidc_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store"
)

// Identity providers that refuse a person: the SAML IdP answers a failed
// status (Responder / AuthnFailed, no assertion, SAML 2.0 Core 3.2.2.2),
// the OpenID provider error=access_denied (OpenID Connect Core 3.1.2.6).
// Each lands on a page that says which provider refused and why, starts
// no session, and is in the trail as a failed EXTERNAL_IDP verification
// of the sign-in's AuthWorkflowID. (internal/e2e's
// TestPortalIdPRefusalsInChromium shows the same pages in a browser.)
func TestIdPRefusals(t *testing.T) {
	t.Run("SAML AuthnFailed", func(t *testing.T) {
		e := startSAML(t, false)
		e.idp.Refuse("alice", "AuthnFailed", "The account is locked.")
		code, _ := e.device(t)
		b, req := e.toIdP(t, code)
		acsURL, resp, rs := e.idp.Authenticate(t, b.Client, req, "alice", "correct horse")
		pg := e.acs(t, b, acsURL, resp, rs)
		want := "Okta did not sign you in: it could not authenticate you (AuthnFailed). It said: \u201cThe account is locked.\u201d"
		if pg.Status != http.StatusForbidden || pg.Title != "Sign-in failed" || !strings.Contains(pg.Alert, want) || strings.Contains(pg.Body, "saml_result") {
			t.Errorf("ACS page after a refusal: %d %q %q", pg.Status, pg.Title, pg.Alert)
		}
		refusedInTrail(t, e.h, e.ev, "AuthnFailed")
	})
	t.Run("OIDC access_denied", func(t *testing.T) {
		e := startOIDC(t)
		e.op.Deny("alice", "User is not assigned to the client application.")
		code, _ := e.device(t)
		b, authURL := e.toOP(t, code)
		pg, err := b.Get(e.op.Authorize(t, authURL, "alice", "correct horse"))
		if err != nil {
			t.Fatal(err)
		}
		want := "Okta did not sign you in: access was denied: you declined, or you are not allowed to use this application (access_denied). It said: \u201cUser is not assigned to the client application.\u201d"
		if pg.Status != http.StatusForbidden || pg.Title != "Sign-in failed" || !strings.Contains(pg.Alert, want) || strings.Contains(pg.Body, "oidc_result") {
			t.Errorf("callback page after access_denied: %d %q %q", pg.Status, pg.Title, pg.Alert)
		}
		refusedInTrail(t, e.h, e.ev, "access_denied")
	})
}

// refusedInTrail checks that the trail has the refusal as the one event of
// its sign-in (a failed EXTERNAL_IDP verification naming no one, whose
// message has reason), and that no portal session started.
func refusedInTrail(t *testing.T, h *servertest.Harness, ev *servertest.Events, reason string) {
	t.Helper()
	wf := signInWorkflows(t, ev, h.URL)
	if len(wf) != 1 || !hasWorkflow(wf, "CredentialVerification EXTERNAL_IDP Failure HIDDEN_DUE_TO_SECURITY_REASONS UserName=HIDDEN_DUE_TO_SECURITY_REASONS") {
		t.Errorf("the refusal's sign-in events: %q", wf)
	}
	if recs := ev.Find("signin.amazonaws.com", "CredentialVerification"); len(recs) != 1 || !strings.Contains(recs[0].ErrorMessage, reason) {
		t.Errorf("the refusal's record: %+v", recs)
	}
	if recs, err := h.Store.ListRecords(servertest.Ctx(t), "sso/portal-sessions", store.RecordQuery{Limit: 10}); err != nil || len(recs) != 0 {
		t.Errorf("portal sessions after a refusal: %d (%v)", len(recs), err)
	}
}
