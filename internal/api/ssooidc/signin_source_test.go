package ssooidc_test

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// With an external identity source, people sign in only at the IdP
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-change.html):
// the device page shows no password form, and a password posted anyway is
// refused, even a correct one, with the same message for a user who exists
// and one who does not (refused before any user is looked up). The twin
// with the directory as identity source (password sign-in works) is
// internal/api/ssoportal's TestSignInEvents and TestSignInAndRoleCredentials.
func TestPasswordRefusedWithExternalSource(t *testing.T) {
	e := startSAML(t, false)
	ctx := servertest.Ctx(t)
	u, err := sso.OrgDirectory{Orgs: e.h.Server.State}.UserByName(ctx, "alice@securecart.example")
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Alice-0wn-passw0rd!"
	if err := e.h.Store.AddSSOPassword(ctx, store.SSOPassword{UserID: u.ID, Hash: sso.HashPassword(pw), Updated: e.h.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	code, _ := e.device(t)
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.Get(e.h.URL + "/device?user_code=" + url.QueryEscape(code))
	if err != nil || strings.Contains(pg.Body, `name="password"`) || !strings.Contains(pg.Body, "Sign in with Okta") {
		t.Fatalf("device page with a SAML identity source shows a password form or no IdP button: %v\n%s", err, pg.Body)
	}
	var alerts []string
	for _, who := range []string{"alice@securecart.example", "nobody@securecart.example"} {
		pg, err = b.Post(pg, url.Values{"user_code": {code}, "username": {who}, "password": {pw}})
		if err != nil || pg.Title != "Approve a sign-in request" || !strings.Contains(pg.Alert, "Password sign-in is turned off") || !strings.Contains(pg.Alert, "Sign in with Okta") {
			t.Fatalf("password of %s with a SAML identity source: %q %q %v", who, pg.Title, pg.Alert, err)
		}
		alerts = append(alerts, pg.Alert)
	}
	if alerts[0] != alerts[1] {
		t.Errorf("the refusal differs for a user who exists (%q) and one who does not (%q)", alerts[0], alerts[1])
	}
	recs := e.ev.Find("signin.amazonaws.com", "CredentialVerification")
	if len(recs) != 2 {
		t.Fatalf("%d CredentialVerification records, want 2 (both refused)", len(recs))
	}
	// Both name no one: no principalId nor userName in userIdentity, the
	// user name hidden in additionalEventData.UserName (AWS Security Blog,
	// "Modifications to AWS CloudTrail event data of IAM Identity Center").
	for _, r := range recs {
		if r.ErrorCode == "" || additionalUserName(r) != "HIDDEN_DUE_TO_SECURITY_REASONS" || r.UserIdentity.UserName != "" || r.UserIdentity.PrincipalID != "" {
			t.Errorf("refused password record: error %q, identity %+v", r.ErrorCode, r.UserIdentity)
		}
	}
	// No failure was counted against alice: the IdP sign-in still works.
	if n, err := e.h.Store.RateLimitCount(ctx, "user:alice@securecart.example", e.h.Clock.Now(), sso.FailureWindow); err != nil || n != 0 {
		t.Errorf("refused passwords counted %d failures (%v)", n, err)
	}
}

// A SAML sign-in is in the trail: the IdP's answer as a
// CredentialVerification of the person, then MFA's CredentialChallenge and
// UserAuthentication; an IdP user the identity store lacks is a failed
// CredentialVerification that names no one.
func TestSAMLSignInEvents(t *testing.T) {
	e := startSAML(t, false)
	code, _ := e.device(t)
	b, req := e.toIdP(t, code)
	acsURL, resp, rs := e.idp.Authenticate(t, b.Client, req, "alice", "correct horse")
	e.finish(t, b, e.acs(t, b, acsURL, resp, rs), "", code)
	ver := e.ev.Find("signin.amazonaws.com", "CredentialVerification")
	if len(ver) != 2 {
		t.Fatalf("%d CredentialVerification records, want 2 (IdP, TOTP)", len(ver))
	}
	alice := aliceID(t, e.h)
	for _, r := range ver {
		if r.ErrorCode != "" || r.UserIdentity.Type != "IdentityCenterUser" || r.UserIdentity.UserName != "" ||
			r.UserIdentity.OnBehalfOf == nil || r.UserIdentity.OnBehalfOf.UserID != alice || r.SourceIPAddress != "127.0.0.1" {
			t.Errorf("SAML sign-in record: %+v identity %+v", r, r.UserIdentity)
		}
		if strings.Contains(string(mustJSON(t, r)), resp[:40]) {
			t.Errorf("the SAML response is in the trail")
		}
	}
	if a := e.ev.Find("signin.amazonaws.com", "UserAuthentication"); len(a) != 1 || a[0].UserIdentity.Type != "IdentityCenterUser" || a[0].UserIdentity.OnBehalfOf == nil || a[0].UserIdentity.OnBehalfOf.UserID != alice {
		t.Errorf("UserAuthentication records: %+v", a)
	}
	code2, _ := e.device(t)
	b2, req2 := e.toIdP(t, code2)
	a2, r2, s2 := e.idp.Authenticate(t, b2.Client, req2, "zed", "correct horse")
	e.acs(t, b2, a2, r2, s2)
	ver = e.ev.Find("signin.amazonaws.com", "CredentialVerification")
	if last := ver[len(ver)-1]; len(ver) != 3 || last.ErrorCode == "" || !strings.Contains(last.ErrorMessage, "no Identity Center user") ||
		additionalUserName(last) != "HIDDEN_DUE_TO_SECURITY_REASONS" || last.UserIdentity.UserName != "" || last.UserIdentity.PrincipalID != "" {
		t.Errorf("unknown IdP user: %d records, last %+v", len(ver), last)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A SAML provider's own MFA counts only when the org trusts it and the
// assertion's AuthnContextClassRef is one the org accepts
// (identityCenter.mfa): then the device page goes from the IdP straight to
// approval, the trail's CredentialVerification says EXTERNAL_IDP, and the
// sign-in's MFA time is the assertion's AuthnInstant. The twin: an org
// that accepts only Entra ID's multipleauthn gets crewjam's
// PasswordProtectedTransport, and Warden asks its own MFA.
func TestSAMLIdPMFA(t *testing.T) {
	for _, c := range []struct {
		accepted string
		trusted  bool
	}{
		{"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", true},
		{"http://schemas.microsoft.com/claims/multipleauthn", false},
	} {
		e := startSAML(t, false)
		ctx := servertest.Ctx(t)
		if _, err := e.h.Server.State.Mutate(ctx, func(d *state.Doc) error {
			d.Org.IdentityCenter.MFA = &org.MFAPolicy{TrustIdentityProvider: true, AcceptedAuthnContexts: []string{c.accepted}}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		code, _ := e.device(t)
		b, req := e.toIdP(t, code)
		acsURL, resp, rs := e.idp.Authenticate(t, b.Client, req, "alice", "correct horse")
		m := reSAMLResult.FindStringSubmatch(e.acs(t, b, acsURL, resp, rs).Body)
		if m == nil {
			t.Fatal("no SAML result")
		}
		pg, err := b.PostForm(e.h.URL+"/device", url.Values{"saml_result": {html.UnescapeString(m[1])}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{true: "Allow access?", false: "Set up your authenticator"}[c.trusted]
		if pg.Title != want {
			t.Fatalf("accepting %s: page %q (%q), want %q", c.accepted, pg.Title, pg.Alert, want)
		}
		var types []string
		for _, r := range e.ev.Find("signin.amazonaws.com", "CredentialVerification") {
			if m, ok := r.AdditionalEventData.(map[string]any); ok {
				types = append(types, m["CredentialType"].(string))
			}
		}
		// The IdP's answer is verified either way; only its trusted MFA
		// ends the sign-in (UserAuthentication) without Warden's.
		if got := strings.Join(types, ","); got != "EXTERNAL_IDP" {
			t.Errorf("accepting %s: credential types %q", c.accepted, got)
		}
		if n := len(e.ev.Find("signin.amazonaws.com", "UserAuthentication")); n != map[bool]int{true: 1, false: 0}[c.trusted] {
			t.Errorf("accepting %s: %d UserAuthentication records", c.accepted, n)
		}
		if !c.trusted {
			continue
		}
		pg, err = b.Post(pg, url.Values{"decision": {"approve"}})
		if err != nil || pg.Title != "Request approved" {
			t.Fatalf("approve: %q %v", pg.Title, err)
		}
		da, err := e.h.Store.DeviceAuthByUserCode(ctx, sso.NormalizeUserCode(code))
		if d := e.h.Clock.Now().Sub(da.AuthTime); err != nil || da.AuthTime.IsZero() || d < -time.Minute || d > time.Minute {
			t.Errorf("the sign-in's MFA time %v (now %v): want the assertion's AuthnInstant, %v", da.AuthTime, e.h.Clock.Now(), err)
		}
	}
}

// aliceID is alice's identity store ID: the onBehalfOf userId of her
// IdentityCenterUser records.
func aliceID(t *testing.T, h *servertest.Harness) string {
	t.Helper()
	u, err := sso.OrgDirectory{Orgs: h.Server.State}.UserByName(servertest.Ctx(t), "alice@securecart.example")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
