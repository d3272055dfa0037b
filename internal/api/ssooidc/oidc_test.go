package ssooidc_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
)

var reOIDCResult = regexp.MustCompile(`name="oidc_result" value="([^"]+)"`)

const oidcSecretEnv = "WARDEN_TEST_DEVICE_OIDC_SECRET"

// oidcEnv is a server whose Identity Center identity source is a real
// OpenID provider (zitadel/oidc's, on loopback over TLS from a test CA),
// where Warden is registered as a confidential client whose redirection
// endpoint is /oidc/callback.
type oidcEnv struct {
	samlEnv // the server, the SSO OIDC client and the trail
	op      *servertest.OIDCOP
}

func startOIDC(t *testing.T) *oidcEnv {
	t.Helper()
	op := servertest.NewOIDCOP(t)
	ev := &servertest.Events{}
	h := servertest.Start(t, servertest.Options{Audit: ev, OIDCClient: op.Client})
	t.Setenv(oidcSecretEnv, "device-client-secret-0123456789")
	op.AddClient("warden", "device-client-secret-0123456789", h.URL+"/oidc/callback")
	op.AddUser(t, "alice", "alice@securecart.example", "correct horse", nil)
	op.AddUser(t, "zed", "zed@securecart.example", "correct horse", nil)
	if _, err := h.Server.State.Mutate(servertest.Ctx(t), func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = &org.ExternalIdPDef{Type: "oidc", Name: "Okta", Issuer: op.Issuer,
			ClientID: "warden", ClientSecretEnv: oidcSecretEnv}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return &oidcEnv{samlEnv: samlEnv{h: h, oidc: startOIDCClient(h), ev: ev}, op: op}
}

// startOIDCClient is an SSO OIDC client of the server, unsigned as the SDKs
// call it.
func startOIDCClient(h *servertest.Harness) *ssooidc.Client {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(h.URL), Retryer: servertest.Retryer,
		Credentials: aws.AnonymousCredentials{}}
	return ssooidc.NewFromConfig(cfg)
}

// toOP opens the device page with a user code, chooses the provider, and
// returns the browser and the authorization request's URL.
func (e *oidcEnv) toOP(t *testing.T, code string) (*servertest.Browser, string) {
	t.Helper()
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.Get(e.h.URL + "/device?user_code=" + url.QueryEscape(code))
	if err != nil || !strings.Contains(pg.Body, `value="oidc">Sign in with Okta`) || strings.Contains(pg.Body, `name="password"`) {
		t.Fatalf("device page with an OIDC identity source: %v %s", err, pg.Body)
	}
	pg, err = b.Post(pg, url.Values{"user_code": {code}, "via": {"oidc"}})
	m := reIdPLink.FindStringSubmatch(pg.Body)
	if err != nil || pg.Title != "Continue at Okta" || m == nil {
		t.Fatalf("after choosing Okta: %q %q %v", pg.Title, pg.Alert, err)
	}
	return b, html.UnescapeString(m[1])
}

// A person approves a device code after signing in at the OpenID provider
// (authorization code flow with PKCE, state and nonce), then MFA; the
// SDK's CreateToken gets tokens. Negative twins: the callback replayed,
// opened in another browser, and a result posted to another sign-in.
func TestDeviceSignInThroughOIDC(t *testing.T) {
	e := startOIDC(t)
	ctx := servertest.Ctx(t)
	code, poll := e.device(t)
	b, authURL := e.toOP(t, code)
	u, _ := url.Parse(authURL)
	if u.Scheme+"://"+u.Host != e.op.Issuer || u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("redirect_uri") != e.h.URL+"/oidc/callback" {
		t.Fatalf("the authorization request %s is not a PKCE request to the provider for /oidc/callback", authURL)
	}
	cb := e.op.Authorize(t, authURL, "alice", "correct horse")
	pg, err := b.Get(cb)
	m := reOIDCResult.FindStringSubmatch(pg.Body)
	if err != nil || pg.Title != "Signed in as alice@securecart.example" || m == nil {
		t.Fatalf("callback page %q %q %v", pg.Title, pg.Alert, err)
	}
	approveAfterIdP(t, e.h, b, url.Values{"oidc_result": {html.UnescapeString(m[1])}}, "", code)
	e.h.Clock.Advance(2 * time.Second)
	tok, err := e.oidc.CreateToken(ctx, poll)
	if err != nil || aws.ToString(tok.AccessToken) == "" {
		t.Fatalf("CreateToken after the OIDC sign-in: %v", err)
	}
	// CreateToken is recorded as the person's, an IdentityCenterUser with
	// onBehalfOf and the sign-in (the token's grant) as credentialId (AWS
	// Security Blog, "Modifications to AWS CloudTrail event data of IAM
	// Identity Center",
	// https://aws.amazon.com/blogs/security/modifications-to-aws-cloudtrail-event-data-of-iam-identity-center/:
	// of the OIDC events, CreateToken); a refused one (pending) names no
	// one.
	st, err := e.h.Store.SSOToken(ctx, sso.Digest(aws.ToString(tok.AccessToken)))
	if err != nil {
		t.Fatal(err)
	}
	var granted int
	for _, r := range e.ev.Find("sso-oauth.amazonaws.com", "CreateToken") {
		u := r.UserIdentity
		switch {
		case r.ErrorCode != "" && u.Type != "IdentityCenterUser" && u.OnBehalfOf == nil:
		case r.ErrorCode == "" && u.Type == "IdentityCenterUser" && u.AccountID == r.RecipientAccountID && u.AccountID != "" &&
			u.OnBehalfOf != nil && u.OnBehalfOf.UserID == aliceID(t, e.h) && strings.HasPrefix(u.OnBehalfOf.IdentityStoreARN, "arn:aws:identitystore::") &&
			u.CredentialID == st.GrantID && u.UserName == "" && u.PrincipalID == "":
			granted++
		default:
			t.Errorf("CreateToken record: %+v identity %+v", r, u)
		}
	}
	if granted != 1 {
		t.Errorf("%d CreateToken records of alice, want 1", granted)
	}
	// The bind ID carried the sign-in's AuthWorkflowID to the callback.
	if wf := signInWorkflows(t, e.ev, e.h.URL); !hasWorkflow(wf, externalSignIn...) {
		t.Errorf("the OIDC sign-in's events: %q, want one workflow of %q", wf, externalSignIn)
	}
	// The same callback again in the same browser: its cookie is gone and
	// the state used.
	if pg, _ := b.Get(cb); pg.Status != http.StatusForbidden || !strings.Contains(pg.Alert, "does not belong") {
		t.Errorf("replayed callback: %d %q", pg.Status, pg.Alert)
	}
	// A callback opened in a browser that did not start the sign-in (an
	// attacker's code sent to a victim): refused.
	code2, _ := e.device(t)
	_, authURL2 := e.toOP(t, code2)
	cb2 := e.op.Authorize(t, authURL2, "alice", "correct horse")
	if pg, _ := servertest.NewBrowser(e.h.URL).Get(cb2); pg.Status != http.StatusForbidden || !strings.Contains(pg.Alert, "does not belong") {
		t.Errorf("callback in another browser: %d %q", pg.Status, pg.Alert)
	}
	// A result of one browser's sign-in posted to another's device page.
	code3, _ := e.device(t)
	b3, _ := e.toOP(t, code3)
	b4, authURL4 := e.toOP(t, code3)
	pg4, _ := b4.Get(e.op.Authorize(t, authURL4, "alice", "correct horse"))
	m4 := reOIDCResult.FindStringSubmatch(pg4.Body)
	if m4 == nil {
		t.Fatalf("callback page %q %q", pg4.Title, pg4.Alert)
	}
	if pg, _ := b3.PostForm(e.h.URL+"/device", url.Values{"oidc_result": {html.UnescapeString(m4[1])}}); !strings.Contains(pg.Alert, "answers another sign-in") {
		t.Errorf("another browser's result: %q %q", pg.Title, pg.Alert)
	}
	// A person the identity store lacks.
	code5, _ := e.device(t)
	b5, authURL5 := e.toOP(t, code5)
	if pg, _ := b5.Get(e.op.Authorize(t, authURL5, "zed", "correct horse")); pg.Status != http.StatusForbidden || !strings.Contains(pg.Alert, "no Identity Center user") {
		t.Errorf("unknown person: %d %q", pg.Status, pg.Alert)
	}
	// The trail: the provider's verification of alice, and the refusals
	// without a user.
	// A verified sign-in is alice's as an IdentityCenterUser (AWS Security
	// Blog, "Modifications to AWS CloudTrail event data of IAM Identity
	// Center": sign-in events "limited to successful authentications"),
	// a refused one Unknown, naming no one in userIdentity and the hidden
	// user name in additionalEventData.UserName (since July 14, 2025).
	alice := aliceID(t, e.h)
	var ok, refused int
	for _, r := range e.ev.Find("signin.amazonaws.com", "CredentialVerification") {
		switch {
		case r.ErrorCode == "" && r.UserIdentity.Type == "IdentityCenterUser" && r.UserIdentity.OnBehalfOf != nil && r.UserIdentity.OnBehalfOf.UserID == alice:
			ok++
		case r.ErrorCode != "" && r.UserIdentity.Type == "Unknown" && r.UserIdentity.UserName == "" && r.UserIdentity.PrincipalID == "" &&
			additionalUserName(r) == "HIDDEN_DUE_TO_SECURITY_REASONS":
			refused++
		}
	}
	if ok < 3 || refused != 3 {
		t.Errorf("trail: %d verified sign-ins of alice (want 3 or more), %d refused (want 3)", ok, refused)
	}
	// As CloudTrail writes Identity Center's sign-in events
	// (https://docs.aws.amazon.com/singlesignon/latest/userguide/sign-in-events-examples.html):
	// service events whose serviceEventDetails say how the step went.
	for _, name := range []string{"CredentialVerification", "CredentialChallenge", "UserAuthentication"} {
		recs := e.ev.Find("signin.amazonaws.com", name)
		if len(recs) == 0 {
			t.Errorf("no %s records", name)
		}
		for _, r := range recs {
			outcome := "Success"
			if r.ErrorCode != "" {
				outcome = "Failure"
			}
			d, _ := r.ServiceEventDetails.(map[string]any)
			if r.EventType != "AwsServiceEvent" || d[name] != outcome {
				t.Errorf("%s record: eventType %q, serviceEventDetails %v; want AwsServiceEvent and %s", name, r.EventType, r.ServiceEventDetails, outcome)
			}
		}
	}
}

// The provider's own MFA counts only when the org trusts it and accepts
// what its ID token says (identityCenter.mfa: an amr value here): then the
// device is approved without Warden's MFA; an ID token whose amr is only
// pwd, or an org that does not trust the provider, gets Warden's.
func TestDeviceSignInOIDCProviderMFA(t *testing.T) {
	e := startOIDC(t)
	amr := []string{"pwd", "mfa"}
	e.op.RewriteIDToken(func(raw string) string {
		c := servertest.Claims(t, raw)
		c["amr"] = amr
		return e.op.Sign(t, c, "RS256", nil)
	})
	setTrust := func(trust bool) {
		t.Helper()
		if _, err := e.h.Server.State.Mutate(servertest.Ctx(t), func(d *state.Doc) error {
			d.Org.IdentityCenter.MFA = &org.MFAPolicy{TrustIdentityProvider: trust, AcceptedAuthnContexts: []string{"mfa"}}
			if !trust {
				d.Org.IdentityCenter.MFA.AcceptedAuthnContexts = nil
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	after := func() servertest.Page {
		t.Helper()
		code, _ := e.device(t)
		b, authURL := e.toOP(t, code)
		pg, _ := b.Get(e.op.Authorize(t, authURL, "alice", "correct horse"))
		m := reOIDCResult.FindStringSubmatch(pg.Body)
		if m == nil {
			t.Fatalf("callback page %q %q", pg.Title, pg.Alert)
		}
		pg, err := b.PostForm(e.h.URL+"/device", url.Values{"oidc_result": {html.UnescapeString(m[1])}})
		if err != nil {
			t.Fatal(err)
		}
		return pg
	}
	setTrust(true)
	if pg := after(); pg.Title != "Allow access?" {
		t.Errorf("amr mfa from a trusted provider: %q %q, want the approval page", pg.Title, pg.Alert)
	}
	amr = []string{"pwd"}
	if pg := after(); pg.Title == "Allow access?" {
		t.Errorf("amr pwd only: the approval page without Warden's MFA")
	}
	amr = []string{"pwd", "mfa"}
	setTrust(false)
	if pg := after(); pg.Title == "Allow access?" {
		t.Errorf("a provider the org does not trust: the approval page without Warden's MFA")
	}
}

// The access portal signs people in through the OpenID provider: no
// password form at /start, "Sign in with Okta" starts the authorization
// code flow, the callback's result comes back into the portal's sign-in,
// MFA follows, and the person lands on the accounts page.
func TestPortalSignInThroughOIDC(t *testing.T) {
	e := startOIDC(t)
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.Get(e.h.URL + "/start")
	if err != nil || pg.Title != "Sign in" || strings.Contains(pg.Body, `name="password"`) || !strings.Contains(pg.Body, `value="oidc">Sign in with Okta`) {
		t.Fatalf("portal sign-in with an OIDC source: %q %v\n%s", pg.Title, err, pg.Body)
	}
	pg, err = b.PostTo("/start/signin", pg, url.Values{"via": {"oidc"}})
	m := reIdPLink.FindStringSubmatch(pg.Body)
	if err != nil || pg.Title != "Continue at Okta" || m == nil {
		t.Fatalf("after choosing Okta: %q %q %v", pg.Title, pg.Alert, err)
	}
	cb, err := b.Get(e.op.Authorize(t, html.UnescapeString(m[1]), "alice", "correct horse"))
	r := reOIDCResult.FindStringSubmatch(cb.Body)
	if err != nil || r == nil {
		t.Fatalf("callback page %q: %q %v", cb.Title, cb.Alert, err)
	}
	pg, err = b.PostForm(e.h.URL+"/device", url.Values{"oidc_result": {html.UnescapeString(r[1])}})
	if err != nil || pg.Title != "Set up your authenticator" || !strings.Contains(pg.Body, `action="/start/signin"`) {
		t.Fatalf("after the provider: %q %q %v", pg.Title, pg.Alert, err)
	}
	seed := reSeed.FindStringSubmatch(pg.Body)[1]
	c, _ := creds.TOTPCode(seed, e.h.Clock.Now())
	pg, err = b.PostTo("/start/signin", pg, url.Values{"code": {c}})
	if err == nil && pg.Title == "Save your recovery codes" {
		pg, err = b.PostTo("/start/signin", pg, url.Values{})
	}
	if err != nil || pg.Title != "Your AWS accounts" || !strings.Contains(pg.Body, "DeveloperAccess") || !strings.Contains(pg.Body, "alice@securecart.example") {
		t.Fatalf("after MFA: %q %q %v", pg.Title, pg.Alert, err)
	}
}
