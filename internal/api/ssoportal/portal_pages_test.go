package ssoportal_test

import (
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

// The access portal at /start, driven with net/http (a cookie jar, no
// script): internal/e2e's TestPortalInChromium drives the same pages in
// a real browser.

var (
	rePre  = regexp.MustCompile(`(?s)<pre class="copy" id="([a-z-]+)">(.*?)</pre>`)
	reLink = regexp.MustCompile(`<a class="primary" href="([^"]+)">Open</a>`)
)

func alice(e *env) *servertest.Person {
	return &servertest.Person{UserName: "alice@securecart.example", Password: e.pws["alice@securecart.example"], NewPassword: "Alice-new-passw0rd"}
}

// credentialsFile reads the credentials-file snippet of a credentials page.
func credentialsFile(t *testing.T, pg servertest.Page) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range rePre.FindAllStringSubmatch(pg.Body, -1) {
		if m[1] != "credentials-file" {
			continue
		}
		for _, line := range strings.Split(html.UnescapeString(m[2]), "\n") {
			if k, v, ok := strings.Cut(line, " = "); ok {
				out[k] = v
			}
		}
	}
	if out["aws_access_key_id"] == "" || out["aws_secret_access_key"] == "" || out["aws_session_token"] == "" {
		t.Fatalf("no credentials-file snippet on %q:\n%s", pg.Title, pg.Body)
	}
	return out
}

// A person signs in at /start (one-time password, new password, TOTP
// enrollment), sees the accounts assigned through the Developers group,
// searches them on the server, opens DeveloperAccess in Dev, gets
// credentials (no-store) and uses them with STS; the trail holds the
// sign-in and the portal's ListAccounts and GetRoleCredentials.
func TestPortalSignInAndCredentials(t *testing.T) {
	e := start(t)
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.SignIn(alice(e), e.h.Clock.Now)
	if err != nil {
		t.Fatalf("portal sign-in: %v", err)
	}
	for _, want := range []string{"<h2>Dev</h2>", "<h2>Staging</h2>", "DeveloperAccess", "through Developers", "alice@securecart.example"} {
		if !strings.Contains(pg.Body, want) {
			t.Errorf("accounts page lacks %q", want)
		}
	}
	h := pg.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") ||
		!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "style-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("security headers: %v", h)
	}
	if strings.Contains(pg.Body, "<script") || strings.Contains(pg.Body, "style=") || strings.Contains(pg.Body, "<style") {
		t.Error("the page has script or inline style")
	}
	// The search runs on the server, from the query string.
	pg, err = b.Get(e.h.URL + "/start?q=stag")
	if err != nil || !strings.Contains(pg.Body, "<h2>Staging</h2>") || strings.Contains(pg.Body, "<h2>Dev</h2>") || !strings.Contains(pg.Body, "1 of 2 accounts match") {
		t.Fatalf("search stag: %v\n%s", err, pg.Body)
	}
	pg, err = b.Get(e.h.URL + "/start?q=nothing-like-this")
	if err != nil || !strings.Contains(pg.Body, "No account or permission set matches") {
		t.Errorf("search without a match: %v", err)
	}
	pg, _ = b.Get(e.h.URL + "/start?q=dev+developeraccess")
	m := reLink.FindStringSubmatch(pg.Body)
	if m == nil {
		t.Fatalf("no Open link for Dev:\n%s", pg.Body)
	}
	pg, err = b.Get(e.h.URL + html.UnescapeString(m[1]))
	if err != nil || pg.Title != "DeveloperAccess in Dev" || !strings.Contains(pg.Body, "warden login --endpoint "+e.h.URL) ||
		!strings.Contains(pg.Body, "sso_role_name = DeveloperAccess") || !strings.Contains(pg.Body, "no AWS Management Console") {
		t.Fatalf("role page %q: %v\n%s", pg.Title, err, pg.Body)
	}
	acct := regexp.MustCompile(`name="account" value="(\d{12})"`).FindStringSubmatch(pg.Body)
	if acct == nil {
		t.Fatal("no account on the role page's form")
	}
	cp, err := b.PostTo("/start/credentials", pg, url.Values{"account": {acct[1]}, "role": {"DeveloperAccess"}})
	if err != nil || cp.Status != 200 || cp.Title != "Credentials for DeveloperAccess" || cp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("credentials page %d %q %v (Cache-Control %q)", cp.Status, cp.Title, err, cp.Header.Get("Cache-Control"))
	}
	c := credentialsFile(t, cp)
	if !strings.Contains(cp.Body, `export AWS_SESSION_TOKEN="`+c["aws_session_token"]+`"`) {
		t.Error("the environment variables differ from the credentials file")
	}
	who, err := sts.NewFromConfig(e.h.Config(c["aws_access_key_id"], c["aws_secret_access_key"], c["aws_session_token"])).GetCallerIdentity(servertest.Ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the portal's credentials: %v", err)
	}
	if arn := aws.ToString(who.Arn); !strings.HasPrefix(arn, "arn:aws:sts::"+acct[1]+":assumed-role/AWSReservedSSO_DeveloperAccess_") || !strings.HasSuffix(arn, "/alice@securecart.example") {
		t.Errorf("caller %s", arn)
	}
	// The session carries MFA, as a portal sign-in always passed it.
	sess, err := e.h.Server.Keyring().Open(servertest.Ctx(t), c["aws_session_token"])
	if err != nil || !sess.MFA || sess.MFATime.IsZero() || sess.OnBehalfOf == nil || sess.OnBehalfOf.UserName != "alice@securecart.example" {
		t.Errorf("portal session: %+v, %v", sess, err)
	}
	// The trail: the sign-in, then the portal's calls on behalf of alice;
	// the secret is in no record.
	if len(e.ev.Find("signin.amazonaws.com", "UserAuthentication")) != 1 {
		t.Error("no UserAuthentication record")
	}
	if len(e.ev.Find("sso.amazonaws.com", "ListAccounts")) < 1 {
		t.Error("no ListAccounts record")
	}
	// As CloudTrail records the access portal's calls (userIdentity
	// IdentityCenterUser: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
	// the instance's account, onBehalfOf and the sign-in as credentialId,
	// the account and role in serviceEventDetails, no credentials.
	recs := e.ev.Find("sso.amazonaws.com", "GetRoleCredentials")
	if len(recs) != 1 || recs[0].UserIdentity.OnBehalfOf == nil || recs[0].ErrorCode != "" {
		t.Fatalf("GetRoleCredentials records: %+v", recs)
	}
	u := recs[0].UserIdentity
	if u.Type != "IdentityCenterUser" || u.AccountID != e.mgmt(t) || !strings.HasPrefix(u.CredentialID, "ps-") || u.UserName != "" || u.PrincipalID != "" ||
		recs[0].EventType != "AwsServiceEvent" || recs[0].RequestParameters != nil || recs[0].ResponseElements != nil {
		t.Errorf("GetRoleCredentials record: %+v, identity %+v", recs[0], u)
	}
	if la := e.ev.Find("sso.amazonaws.com", "ListAccounts"); la[0].UserIdentity.CredentialID != u.CredentialID || la[0].UserIdentity.Type != "IdentityCenterUser" {
		t.Errorf("ListAccounts record's identity %+v, want the sign-in %s", la[0].UserIdentity, u.CredentialID)
	}
	data, _ := json.Marshal(recs[0])
	if d, _ := json.Marshal(recs[0].ServiceEventDetails); string(d) != `{"account_id":"`+acct[1]+`","role_name":"DeveloperAccess"}` ||
		strings.Contains(string(data), c["aws_secret_access_key"]) || strings.Contains(string(data), c["aws_session_token"]) {
		t.Errorf("GetRoleCredentials record: %s", data)
	}
	// A permission set not assigned in the account is refused, and recorded.
	np, _ := b.PostTo("/start/credentials", pg, url.Values{"account": {acct[1]}, "role": {"AdministratorAccess"}})
	if np.Status != http.StatusNotFound || strings.Contains(np.Body, "aws_secret_access_key") {
		t.Errorf("credentials of an unassigned permission set: %d", np.Status)
	}
	if recs := e.ev.Find("sso.amazonaws.com", "GetRoleCredentials"); len(recs) != 2 || recs[1].ErrorCode == "" {
		t.Errorf("refused GetRoleCredentials not recorded as a failure")
	}
}

// Negative twins of the portal's forms: a POST without the CSRF token, or
// with another session's, is refused (403) and issues nothing; a page
// without a session asks to sign in.
func TestPortalCSRF(t *testing.T) {
	e := start(t)
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.SignIn(alice(e), e.h.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	pg, _ = b.Get(e.h.URL + "/start?q=dev+developeraccess")
	pg, _ = b.Get(e.h.URL + html.UnescapeString(reLink.FindStringSubmatch(pg.Body)[1]))
	acct := regexp.MustCompile(`name="account" value="(\d{12})"`).FindStringSubmatch(pg.Body)[1]
	other := servertest.NewBrowser(e.h.URL)
	bob := &servertest.Person{UserName: "bob@securecart.example", Password: e.pws["bob@securecart.example"], NewPassword: "Bob-new-passw0rd!"}
	op, err := other.SignIn(bob, e.h.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{"none": "", "forged": "AAAA", "another session's": op.CSRF} {
		form := url.Values{"account": {acct}, "role": {"DeveloperAccess"}, "csrf": {token}}
		if token == "" {
			form.Del("csrf")
			form["csrf"] = nil
		}
		resp, err := b.Client.PostForm(e.h.URL+"/start/credentials", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("credentials with %s CSRF token: %d, want 403", name, resp.StatusCode)
		}
		resp, _ = b.Client.PostForm(e.h.URL+"/start/signout", url.Values{"csrf": {token}, "everywhere": {"1"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign-out with %s CSRF token: %d, want 403", name, resp.StatusCode)
		}
	}
	if n := len(e.ev.Find("sso.amazonaws.com", "GetRoleCredentials")); n != 0 {
		t.Errorf("%d credentials issued without a valid CSRF token", n)
	}
	// Still signed in: the refused sign-outs did nothing.
	if pg, _ := b.Get(e.h.URL + "/start"); pg.Title != "Your AWS accounts" {
		t.Errorf("after refused sign-outs: %q", pg.Title)
	}
	// The sign-in form refuses a missing token too.
	anon := servertest.NewBrowser(e.h.URL)
	sp, _ := anon.Get(e.h.URL + "/start")
	sp, _ = anon.PostTo("/start/signin", sp, url.Values{"csrf": {"x"}, "username": {"alice@securecart.example"}, "password": {"Alice-new-passw0rd"}})
	if sp.Status != http.StatusForbidden || !strings.Contains(sp.Alert, "CSRF") {
		t.Errorf("sign-in without the CSRF token: %d %q", sp.Status, sp.Alert)
	}
}

// Wrong and reused TOTP codes are refused at the portal's sign-in.
func TestPortalTOTPRefused(t *testing.T) {
	e := start(t)
	p := alice(e)
	if _, err := servertest.NewBrowser(e.h.URL).SignIn(p, e.h.Clock.Now); err != nil {
		t.Fatal(err)
	}
	e.h.Clock.Advance(31 * time.Second)
	b := servertest.NewBrowser(e.h.URL)
	pg, _ := b.Get(e.h.URL + "/start")
	pg, err := b.PostTo("/start/signin", pg, url.Values{"username": {p.UserName}, "password": {p.Password}})
	if err != nil || pg.Title != "Enter your MFA code" {
		t.Fatalf("after the password: %q %q %v", pg.Title, pg.Alert, err)
	}
	code, _ := creds.TOTPCode(p.Seed, e.h.Clock.Now())
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	pg, _ = b.PostTo("/start/signin", pg, url.Values{"code": {wrong}})
	if pg.Title != "Enter your MFA code" || !strings.Contains(pg.Alert, "not correct") {
		t.Errorf("wrong code: %q %q", pg.Title, pg.Alert)
	}
	pg, _ = b.PostTo("/start/signin", pg, url.Values{"code": {code}})
	if pg.Title != "Your AWS accounts" {
		t.Fatalf("right code: %q %q", pg.Title, pg.Alert)
	}
	// The same code again, in another browser, within its 30 seconds.
	b2 := servertest.NewBrowser(e.h.URL)
	pg, _ = b2.Get(e.h.URL + "/start")
	pg, _ = b2.PostTo("/start/signin", pg, url.Values{"username": {p.UserName}, "password": {p.Password}})
	pg, _ = b2.PostTo("/start/signin", pg, url.Values{"code": {code}})
	if pg.Title != "Enter your MFA code" || !strings.Contains(pg.Alert, "already used") {
		t.Errorf("reused code: %q %q", pg.Title, pg.Alert)
	}
	if pg, _ := b2.Get(e.h.URL + "/start"); pg.Title != "Sign in" {
		t.Errorf("a refused code left a session: %q", pg.Title)
	}
}

// Sessions end after Identity Center's session duration (8 hours, or the
// org file's identityCenter.sessionDuration), with a page that says so.
func TestPortalSessionExpires(t *testing.T) {
	e := start(t)
	b := servertest.NewBrowser(e.h.URL)
	if _, err := b.SignIn(alice(e), e.h.Clock.Now); err != nil {
		t.Fatal(err)
	}
	e.h.Clock.Advance(8*time.Hour - time.Minute)
	if pg, _ := b.Get(e.h.URL + "/start"); pg.Title != "Your AWS accounts" {
		t.Fatalf("before 8 hours: %q", pg.Title)
	}
	e.h.Clock.Advance(time.Minute)
	pg, _ := b.Get(e.h.URL + "/start")
	if pg.Title != "Sign in" || !strings.Contains(pg.Alert, "session has ended") {
		t.Fatalf("after 8 hours: %q %q", pg.Title, pg.Alert)
	}
	if cp, _ := b.PostTo("/start/credentials", pg, url.Values{"account": {"111111111111"}, "role": {"DeveloperAccess"}}); cp.Status != http.StatusForbidden {
		t.Errorf("credentials with an expired session: %d", cp.Status)
	}

	// A shorter session duration in the org.
	if _, err := e.h.Server.State.Mutate(t.Context(), func(d *state.Doc) error {
		d.Org.IdentityCenter.SessionDuration = "PT1H"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b = servertest.NewBrowser(e.h.URL)
	bob := &servertest.Person{UserName: "bob@securecart.example", Password: e.pws["bob@securecart.example"], NewPassword: "Bob-new-passw0rd!"}
	if _, err := b.SignIn(bob, e.h.Clock.Now); err != nil {
		t.Fatal(err)
	}
	e.h.Clock.Advance(time.Hour)
	if pg, _ := b.Get(e.h.URL + "/start"); pg.Title != "Sign in" {
		t.Errorf("after the org's PT1H: %q", pg.Title)
	}
}

// Signing out everywhere ends every portal session of the person and
// every SSO token (warden login, SDKs) at once; signing out ends this
// browser's session only.
func TestPortalSignOutEverywhere(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	p := alice(e)
	tok, reg := e.signIn(t, p) // the device flow: SDK tokens
	b1, b2 := servertest.NewBrowser(e.h.URL), servertest.NewBrowser(e.h.URL)
	e.h.Clock.Advance(31 * time.Second)
	if _, err := b1.SignIn(p, e.h.Clock.Now); err != nil {
		t.Fatal(err)
	}
	e.h.Clock.Advance(31 * time.Second)
	pg, err := b2.SignIn(p, e.h.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	// Plain sign-out: b2 only.
	out, _ := b2.PostTo("/start/signout", pg, url.Values{})
	if out.Title != "Signed out" {
		t.Fatalf("sign-out: %q", out.Title)
	}
	if pg, _ := b2.Get(e.h.URL + "/start"); pg.Title != "Sign in" {
		t.Errorf("b2 after signing out: %q", pg.Title)
	}
	pg, _ = b1.Get(e.h.URL + "/start")
	if pg.Title != "Your AWS accounts" {
		t.Fatalf("b1 after b2 signed out: %q", pg.Title)
	}
	if _, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatalf("the SDK's token after a plain sign-out: %v", err)
	}
	e.h.Clock.Advance(time.Second)
	out, _ = b1.PostTo("/start/signout", pg, url.Values{"everywhere": {"1"}})
	if out.Title != "Signed out" || !strings.Contains(out.Body, "signed out everywhere") {
		t.Fatalf("sign-out everywhere: %q", out.Title)
	}
	if pg, _ := b1.Get(e.h.URL + "/start"); pg.Title != "Sign in" {
		t.Errorf("b1 after signing out everywhere: %q", pg.Title)
	}
	var unauth *ssotypes.UnauthorizedException
	if _, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken}); !errors.As(err, &unauth) {
		t.Errorf("the SDK's access token after sign-out everywhere: %v, want UnauthorizedException", err)
	}
	var grant *oidctypes.InvalidGrantException
	if _, err := e.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken}); !errors.As(err, &grant) {
		t.Errorf("the SDK's refresh token after sign-out everywhere: %v, want InvalidGrantException", err)
	}
	if recs := e.ev.Find("sso.amazonaws.com", "Logout"); len(recs) != 2 {
		t.Errorf("%d Logout records, want 2", len(recs))
	}
	// A new sign-in after it works.
	e.h.Clock.Advance(31 * time.Second)
	if _, err := servertest.NewBrowser(e.h.URL).SignIn(p, e.h.Clock.Now); err != nil {
		t.Errorf("signing in again: %v", err)
	}
}

// A person signed in to the portal approves a device code without
// entering a password again: the code is still checked, then allowed.
func TestPortalApprovesDevice(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	b := servertest.NewBrowser(e.h.URL)
	if _, err := b.SignIn(alice(e), e.h.Clock.Now); err != nil {
		t.Fatal(err)
	}
	reg, err := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("cli"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		StartUrl: aws.String(e.h.URL + "/start")})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := b.Get(aws.ToString(da.VerificationUriComplete))
	if err != nil || pg.Title != "Approve a sign-in request" || strings.Contains(pg.Body, `name="password"`) || !strings.Contains(pg.Body, aws.ToString(da.UserCode)) {
		t.Fatalf("device page when signed in: %q %v\n%s", pg.Title, err, pg.Body)
	}
	// A wrong code is refused; the right one leads to Allow.
	bad, _ := b.Post(pg, url.Values{"user_code": {"BCDF-GHJK"}})
	if bad.Title != "Approve a sign-in request" || !strings.Contains(bad.Alert, "not valid") {
		t.Errorf("wrong user code: %q %q", bad.Title, bad.Alert)
	}
	pg, _ = b.Post(bad, url.Values{"user_code": {aws.ToString(da.UserCode)}})
	if pg.Title != "Allow access?" {
		t.Fatalf("after the code: %q %q", pg.Title, pg.Alert)
	}
	pg, _ = b.Post(pg, url.Values{"decision": {"approve"}})
	if pg.Title != "Request approved" {
		t.Fatalf("after Allow: %q", pg.Title)
	}
	e.h.Clock.Advance(2 * time.Second)
	if _, err := e.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: da.DeviceCode}); err != nil {
		t.Errorf("CreateToken after approval from the portal session: %v", err)
	}
	// Without a session the device page asks for the password.
	pg, _ = servertest.NewBrowser(e.h.URL).Get(e.h.URL + "/device")
	if !strings.Contains(pg.Body, `name="password"`) {
		t.Error("device page without a session shows no password form")
	}
}

// The session cookie's flags over loopback HTTP (the harness): HttpOnly,
// SameSite=Lax, Path=/, no Secure (it would never come back); the unit
// twin over TLS is internal/portal's TestSessionCookieFlags.
func TestPortalCookieFlags(t *testing.T) {
	e := start(t)
	b := servertest.NewBrowser(e.h.URL)
	b.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p := alice(e)
	pg, _ := b.Get(e.h.URL + "/start")
	pg, _ = b.PostTo("/start/signin", pg, url.Values{"username": {p.UserName}, "password": {p.Password}})
	pg, _ = b.PostTo("/start/signin", pg, url.Values{"new_password": {p.NewPassword}, "confirm_password": {p.NewPassword}})
	seed := regexp.MustCompile(`Key: <code>([A-Z2-7]+)</code>`).FindStringSubmatch(pg.Body)
	if seed == nil {
		t.Fatalf("no seed: %q", pg.Title)
	}
	code, _ := creds.TOTPCode(seed[1], e.h.Clock.Now())
	form := url.Values{"code": {code}, "csrf": {pg.CSRF}}
	resp, err := b.Client.PostForm(e.h.URL+"/start/signin", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// MFA passed: the session starts now, on the page of the new recovery
	// codes, which leads to the accounts.
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Save your recovery codes") {
		t.Fatalf("after MFA: %d", resp.StatusCode)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	next, err := b.Client.PostForm(e.h.URL+"/start/signin", url.Values{"csrf": {csrf[1]}})
	if err != nil {
		t.Fatal(err)
	}
	next.Body.Close()
	if next.StatusCode != http.StatusSeeOther || next.Header.Get("Location") != "/start" {
		t.Fatalf("after the recovery codes: %d %q", next.StatusCode, next.Header.Get("Location"))
	}
	var session string
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "warden-session=") {
			session = c
		}
	}
	if session == "" || !strings.Contains(session, "HttpOnly") || !strings.Contains(session, "SameSite=Lax") || !strings.Contains(session, "Path=/") ||
		strings.Contains(session, "Secure") || !strings.Contains(session, "Max-Age=28800") {
		t.Errorf("session cookie %q", session)
	}
	// The cookie's value is not what the store keeps.
	value := strings.TrimPrefix(strings.SplitN(session, ";", 2)[0], "warden-session=")
	if _, err := e.h.Store.Record(servertest.Ctx(t), "sso/portal-sessions", value); err == nil {
		t.Error("the store keeps the session ID itself")
	}
}

// Two replicas on one PostgreSQL database: a portal session started on
// one is valid on the other at once, and signing out everywhere on one
// ends the person's sessions on both.
func TestPortalSessionOnTwoReplicas(t *testing.T) {
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{})
	a, b := hs[0], hs[1]
	p, _ := aliceOnReplicas(t, a)
	first := servertest.NewBrowser(a.URL)
	if _, err := first.SignIn(p, a.Clock.Now); err != nil {
		t.Fatalf("sign-in on replica A: %v", err)
	}
	// The same browser on B (a cookie is the host's, whatever the port).
	onB := &servertest.Browser{Client: first.Client, Base: b.URL}
	if pg, err := onB.Get(b.URL + "/start"); err != nil || pg.Title != "Your AWS accounts" {
		t.Fatalf("replica B with A's session: %q %v", pg.Title, err)
	}
	// A second browser signs in on B, then signs out everywhere there.
	b.Clock.Set(a.Clock.Now().Add(31 * time.Second))
	second := servertest.NewBrowser(b.URL)
	pg, err := second.SignIn(p, b.Clock.Now)
	if err != nil {
		t.Fatalf("sign-in on replica B: %v", err)
	}
	b.Clock.Advance(time.Second)
	if out, _ := second.PostTo("/start/signout", pg, url.Values{"everywhere": {"1"}}); out.Title != "Signed out" {
		t.Fatalf("sign out everywhere on B: %q", out.Title)
	}
	a.Clock.Set(b.Clock.Now())
	if pg, _ := first.Get(a.URL + "/start"); pg.Title != "Sign in" {
		t.Errorf("the first browser on replica A after B signed out everywhere: %q", pg.Title)
	}
}
