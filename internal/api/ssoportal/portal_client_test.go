package ssoportal_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

type env struct {
	h      *servertest.Harness
	ev     *servertest.Events
	oidc   *ssooidc.Client
	portal *sso.Client
	pws    map[string]string
}

func start(t *testing.T) *env { return startAt(t, time.Time{}) }

// startAt starts the server with its clock at now (zero: the wall clock).
func startAt(t *testing.T, now time.Time) *env { return startWith(t, servertest.Options{Now: now}) }

// startWith starts the server with opt; without a durable trail
// (opt.TrailOwner), its events are kept in env.ev.
func startWith(t *testing.T, opt servertest.Options) *env {
	ev := &servertest.Events{}
	if opt.TrailOwner == "" {
		opt.Audit = ev
	}
	h := servertest.Start(t, opt)
	// Password sign-in needs the directory as identity source: SecureCart's
	// is Okta, which turns the directory's passwords off.
	if _, err := h.Server.State.Mutate(t.Context(), func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(h.Dir, server.PasswordsFile)
	n, err := server.WriteInitialPasswords(t.Context(), h.Store, mustSealer(t, h), path, h.URL+"/device", h.Clock.Now)
	if err != nil || n != 7 {
		t.Fatalf("WriteInitialPasswords = %d, %v; want SecureCart's 7 users", n, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("passwords file: %v, %v; want mode 0600", fi.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	pws := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if u, pw, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			pws[u] = pw
		}
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(h.URL), Retryer: servertest.Retryer,
		Credentials: aws.AnonymousCredentials{}}
	return &env{h: h, ev: ev, oidc: ssooidc.NewFromConfig(cfg), portal: sso.NewFromConfig(cfg), pws: pws}
}

func mustSealer(t *testing.T, h *servertest.Harness) *credsSealer {
	s, err := newSealer(h.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signIn runs the device flow for a person with the SDK's ssooidc client
// and the device page, and returns the tokens and the client.
func (e *env) signIn(t *testing.T, p *servertest.Person) (*ssooidc.CreateTokenOutput, *ssooidc.RegisterClientOutput) {
	t.Helper()
	ctx := servertest.Ctx(t)
	reg, err := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public"),
		Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(e.h.URL + "/start")})
	if err != nil {
		t.Fatalf("StartDeviceAuthorization: %v", err)
	}
	in := &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: da.DeviceCode}
	var pending *oidctypes.AuthorizationPendingException
	if _, err := e.oidc.CreateToken(ctx, in); !errors.As(err, &pending) || aws.ToString(pending.Error_) != "authorization_pending" {
		t.Fatalf("CreateToken before approval: %v, want AuthorizationPendingException", err)
	}
	if pg, err := servertest.NewBrowser(e.h.URL).Approve(aws.ToString(da.VerificationUriComplete), p, e.h.Clock.Now, true); err != nil || pg.Title != "Request approved" {
		t.Fatalf("device page: %q, %v", pg.Title, err)
	}
	e.h.Clock.Advance(2 * time.Second)
	tok, err := e.oidc.CreateToken(ctx, in)
	if err != nil {
		t.Fatalf("CreateToken after approval: %v", err)
	}
	return tok, reg
}

func TestSignInAndRoleCredentials(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	alice := &servertest.Person{UserName: "alice@securecart.example", Password: e.pws["alice@securecart.example"], NewPassword: "Alice-new-passw0rd"}
	tok, reg := e.signIn(t, alice)
	if alice.Seed == "" || aws.ToString(tok.RefreshToken) == "" || tok.ExpiresIn != 3600 {
		t.Fatalf("after sign-in: seed %q, tokens %+v", alice.Seed, tok)
	}
	at := tok.AccessToken

	// Alice (Developers) sees Dev and Staging, with DeveloperAccess.
	accts, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: at})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ids := map[string]string{}
	for _, a := range accts.AccountList {
		names = append(names, aws.ToString(a.AccountName))
		ids[aws.ToString(a.AccountName)] = aws.ToString(a.AccountId)
	}
	if !slices.Equal(names, []string{"Dev", "Staging"}) {
		t.Errorf("ListAccounts = %v, want [Dev Staging]", names)
	}
	roles, err := e.portal.ListAccountRoles(ctx, &sso.ListAccountRolesInput{AccessToken: at, AccountId: aws.String(ids["Dev"])})
	if err != nil || len(roles.RoleList) != 1 || aws.ToString(roles.RoleList[0].RoleName) != "DeveloperAccess" {
		t.Fatalf("ListAccountRoles(Dev) = %+v, %v", roles, err)
	}
	rc, err := e.portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: at, AccountId: aws.String(ids["Dev"]), RoleName: aws.String("DeveloperAccess")})
	if err != nil {
		t.Fatal(err)
	}
	c := rc.RoleCredentials
	if exp := time.UnixMilli(c.Expiration); exp.Sub(e.h.Clock.Now()) != 8*time.Hour {
		t.Errorf("credentials expire in %v, want the permission set's 8 hours", exp.Sub(e.h.Clock.Now()))
	}
	stsc := sts.NewFromConfig(e.h.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	who, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the role credentials: %v", err)
	}
	if arn := aws.ToString(who.Arn); !strings.HasPrefix(arn, "arn:aws:sts::"+ids["Dev"]+":assumed-role/AWSReservedSSO_DeveloperAccess_") || !strings.HasSuffix(arn, "/alice@securecart.example") {
		t.Errorf("caller = %s, want Dev's AWSReservedSSO_DeveloperAccess_ session named alice@securecart.example", arn)
	}
	// The trail names the person behind the session.
	recs := e.ev.Find("sts.amazonaws.com", "GetCallerIdentity")
	if len(recs) != 1 || recs[0].UserIdentity.Type != "AssumedRole" || recs[0].UserIdentity.OnBehalfOf == nil ||
		recs[0].UserIdentity.OnBehalfOf.IdentityStoreARN != "arn:aws:identitystore::"+e.mgmt(t)+":identitystore/d-9067c3a1b2" ||
		recs[0].UserIdentity.SessionContext.Attributes.MFAAuthenticated != "true" {
		t.Errorf("GetCallerIdentity record: %+v", recs)
	}
	checkPortalRecords(t, e, recs[0].UserIdentity.OnBehalfOf.UserID, ids["Dev"])

	// Negative twins: Prod is not Alice's.
	if _, err := e.portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: at, AccountId: aws.String(e.account(t, "Prod")), RoleName: aws.String("DeveloperAccess")}); err == nil || !strings.Contains(err.Error(), "ForbiddenException") {
		t.Errorf("GetRoleCredentials(Prod): %v, want ForbiddenException", err)
	}
	if r, err := e.portal.ListAccountRoles(ctx, &sso.ListAccountRolesInput{AccessToken: at, AccountId: aws.String(e.account(t, "Prod"))}); err != nil || len(r.RoleList) != 0 {
		t.Errorf("ListAccountRoles(Prod) = %+v, %v; want none", r, err)
	}

	// The SDK's ssocreds provider, from a cached token.
	cache := filepath.Join(t.TempDir(), "token.json")
	os.WriteFile(cache, []byte(`{"accessToken":"`+aws.ToString(at)+`","expiresAt":"`+e.h.Clock.Now().Add(time.Hour).Format(time.RFC3339)+`"}`), 0o600)
	prov := ssocreds.New(e.portal, ids["Staging"], "DeveloperAccess", e.h.URL+"/start", func(o *ssocreds.Options) { o.CachedTokenFilepath = cache })
	if cr, err := prov.Retrieve(ctx); err != nil || !cr.CanExpire || cr.AccessKeyID == "" {
		t.Errorf("ssocreds: %+v, %v", cr, err)
	}

	// Refresh by another client is refused; by the same client it works once.
	other, _ := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("other"), ClientType: aws.String("public")})
	var invalidGrant *oidctypes.InvalidGrantException
	if _, err := e.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: other.ClientId, ClientSecret: other.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken}); !errors.As(err, &invalidGrant) {
		t.Errorf("refresh with another client's token: %v, want InvalidGrantException", err)
	}
	tok2, err := e.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}

	// Logout revokes; the token is then refused.
	if _, err := e.portal.Logout(ctx, &sso.LogoutInput{AccessToken: tok2.AccessToken}); err != nil {
		t.Fatal(err)
	}
	var unauth *ssotypes.UnauthorizedException
	if _, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok2.AccessToken}); !errors.As(err, &unauth) {
		t.Errorf("ListAccounts after Logout: %v, want UnauthorizedException", err)
	}
	if _, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String("aoa-made-up")}); !errors.As(err, &unauth) {
		t.Errorf("ListAccounts with a made-up token: %v, want UnauthorizedException", err)
	}
	// Both refusals are in the Identity Center instance's account, by no
	// one it can name: Unknown there ("for unauthenticated users, the
	// userIdentity type will remain Unknown", AWS Security Blog,
	// "Modifications to AWS CloudTrail event data of IAM Identity Center").
	if la := e.ev.Find("sso.amazonaws.com", "ListAccounts"); len(la) < 2 {
		t.Errorf("ListAccounts records: %d", len(la))
	} else {
		for _, r := range la[len(la)-2:] {
			got, _ := json.Marshal(r.UserIdentity)
			if want := `{"type":"Unknown","accountId":"` + e.mgmt(t) + `"}`; string(got) != want || r.RecipientAccountID != e.mgmt(t) || r.ErrorCode != "UnauthorizedException" {
				t.Errorf("a refused ListAccounts: userIdentity %s in account %s, error %q; want %s in %s, UnauthorizedException", got, r.RecipientAccountID, r.ErrorCode, want, e.mgmt(t))
			}
		}
	}

	// A second sign-in asks for the TOTP code, not enrollment; the access
	// token expires after an hour. (The next TOTP step: the enrollment's
	// code is never accepted twice.)
	e.h.Clock.Advance(30 * time.Second)
	tok3, _ := e.signIn(t, alice)
	e.h.Clock.Advance(time.Hour)
	if _, err := e.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok3.AccessToken}); !errors.As(err, &unauth) {
		t.Errorf("ListAccounts with an expired token: %v, want UnauthorizedException", err)
	}
}

// A person who does not pass MFA never gets a token.
func TestSignInWithoutMFA(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	reg, _ := e.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public")})
	da, err := e.oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	b := servertest.NewBrowser(e.h.URL)
	bob := &servertest.Person{UserName: "bob@securecart.example", Password: e.pws["bob@securecart.example"], NewPassword: "Bob-new-passw0rd", SkipMFA: true}
	pg, err := b.Approve(aws.ToString(da.VerificationUriComplete), bob, e.h.Clock.Now, true)
	if err != nil || pg.Title != "Set up your authenticator" {
		t.Fatalf("after the password: %q, %v", pg.Title, err)
	}
	// Trying to allow without a code does not approve anything.
	pg, _ = b.Post(pg, map[string][]string{"decision": {"approve"}})
	if pg.Title != "Set up your authenticator" || pg.Alert == "" {
		t.Errorf("allow without MFA: page %q (%q)", pg.Title, pg.Alert)
	}
	// A form without the CSRF token is refused.
	if pg, _ := b.Post(servertest.Page{}, map[string][]string{"csrf": {"forged"}, "code": {"123456"}}); pg.Status != 403 {
		t.Errorf("forged CSRF token: status %d, want 403", pg.Status)
	}
	e.h.Clock.Advance(2 * time.Second)
	var pending *oidctypes.AuthorizationPendingException
	if _, err := e.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: da.DeviceCode}); !errors.As(err, &pending) {
		t.Errorf("CreateToken without MFA: %v, want AuthorizationPendingException", err)
	}
}

func (e *env) account(t *testing.T, name string) string {
	o, err := e.h.Server.State.Org(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	a, ok := o.AccountByName(name)
	if !ok {
		t.Fatalf("no account %s", name)
	}
	return a.ID
}

func (e *env) mgmt(t *testing.T) string { return mgmtOf(t, e.h) }

// mgmtOf is the management account of h's organization: the Identity
// Center instance's.
func mgmtOf(t *testing.T, h *servertest.Harness) string {
	o, err := h.Server.State.Org(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return o.Management.ID
}

// checkPortalRecords checks the records of the portal API's calls (one each
// of ListAccounts, ListAccountRoles and GetRoleCredentials, for account
// acct) as CloudTrail writes them: service events of the Identity Center
// instance's account by an IdentityCenterUser (its account, onBehalfOf and
// credentialId; CloudTrail's userIdentity element:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html),
// without requestParameters and responseElements, the account and role
// asked for in serviceEventDetails.
func checkPortalRecords(t *testing.T, e *env, userID, acct string) {
	t.Helper()
	mgmt := e.mgmt(t)
	credential := ""
	for _, tc := range []struct {
		name    string
		details string
	}{
		{"ListAccounts", "null"},
		{"ListAccountRoles", `{"account_id":"` + acct + `"}`},
		{"GetRoleCredentials", `{"account_id":"` + acct + `","role_name":"DeveloperAccess"}`},
	} {
		recs := e.ev.Find("sso.amazonaws.com", tc.name)
		if len(recs) != 1 {
			t.Errorf("%d %s records, want 1", len(recs), tc.name)
			continue
		}
		r := recs[0]
		u := r.UserIdentity
		if credential == "" {
			credential = u.CredentialID
		}
		want := `{"type":"IdentityCenterUser","accountId":"` + mgmt + `","onBehalfOf":{"userId":"` + userID +
			`","identityStoreArn":"arn:aws:identitystore::` + mgmt + `:identitystore/d-9067c3a1b2"},"credentialId":"` + credential + `"}`
		got, _ := json.Marshal(u)
		details, _ := json.Marshal(r.ServiceEventDetails)
		if string(got) != want || credential == "" {
			t.Errorf("%s userIdentity:\n got %s\nwant %s", tc.name, got, want)
		}
		if r.EventType != "AwsServiceEvent" || !r.ReadOnly || r.RequestParameters != nil || r.ResponseElements != nil ||
			len(r.Resources) != 0 || r.RecipientAccountID != mgmt || string(details) != tc.details {
			t.Errorf("%s record: eventType %s readOnly %v requestParameters %v responseElements %v resources %v recipient %s serviceEventDetails %s (want %s)",
				tc.name, r.EventType, r.ReadOnly, r.RequestParameters, r.ResponseElements, r.Resources, r.RecipientAccountID, details, tc.details)
		}
	}
}
