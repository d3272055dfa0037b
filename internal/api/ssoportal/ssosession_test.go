package ssoportal_test

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/server/servertest"
)

// ssoSession is a shared config with a native sso_session profile, as
// `aws configure sso` writes it, for Warden's endpoints.
func ssoSession(t *testing.T, e *env, home, account, role string) {
	t.Helper()
	cfg := "[profile warden]\nsso_session = warden\nsso_account_id = " + account + "\nsso_role_name = " + role + "\nregion = us-east-1\n\n" +
		"[sso-session warden]\nsso_start_url = " + e.h.URL + "/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
	path := filepath.Join(home, ".aws", "config")
	if err := os.MkdirAll(filepath.Join(home, ".aws", "sso", "cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"HOME": home, "AWS_CONFIG_FILE": path, "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, ".aws", "credentials"),
		"AWS_PROFILE": "warden", "AWS_ENDPOINT_URL_SSO": e.h.URL, "AWS_ENDPOINT_URL_SSO_OIDC": e.h.URL, "AWS_ENDPOINT_URL_STS": e.h.URL,
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""} {
		t.Setenv(k, v)
	}
}

// cachedToken is the SDK's SSO token cache file
// (~/.aws/sso/cache/<SHA-1 of the session name>.json), as `aws sso login`
// writes it.
type cachedToken struct {
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	RefreshToken          string `json:"refreshToken,omitempty"`
	ClientID              string `json:"clientId,omitempty"`
	ClientSecret          string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt string `json:"registrationExpiresAt,omitempty"`
	Region                string `json:"region,omitempty"`
	StartURL              string `json:"startUrl,omitempty"`
}

func tokenCache(home string) string {
	sum := sha1.Sum([]byte("warden"))
	return filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
}

func writeToken(t *testing.T, home string, tok cachedToken) {
	t.Helper()
	data, _ := json.Marshal(tok)
	if err := os.WriteFile(tokenCache(home), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// The native sso_session profile with aws-sdk-go-v2's config loader: the
// profile names an sso-session, AWS_ENDPOINT_URL_SSO and
// AWS_ENDPOINT_URL_SSO_OIDC point the portal and OIDC clients at Warden,
// and the token cache is the SDK's own. The loader's credentials are a
// session of the provisioned role; an expired access token is refreshed with
// the cached refresh token through sso-oidc (and the cache rewritten); an
// account the person has no assignment in, or a revoked token, gives no
// credentials.
func TestSSOSessionProfile(t *testing.T) {
	e := start(t)
	ctx := servertest.Ctx(t)
	alice := &servertest.Person{UserName: "alice@securecart.example", Password: e.pws["alice@securecart.example"], NewPassword: "Alice-new-passw0rd"}
	tok, reg := e.signIn(t, alice)
	dev := e.account(t, "Dev")
	home := t.TempDir()
	ssoSession(t, e, home, dev, "DeveloperAccess")
	now := time.Now().UTC()
	cached := cachedToken{AccessToken: aws.ToString(tok.AccessToken), ExpiresAt: now.Add(time.Hour).Format(time.RFC3339),
		RefreshToken: aws.ToString(tok.RefreshToken), ClientID: aws.ToString(reg.ClientId), ClientSecret: aws.ToString(reg.ClientSecret),
		RegistrationExpiresAt: time.Unix(reg.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339), Region: "us-east-1", StartURL: e.h.URL + "/start"}
	writeToken(t, home, cached)

	whoami := func() (string, error) {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryMaxAttempts(1))
		if err != nil {
			return "", err
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Arn), nil
	}
	arn, err := whoami()
	if err != nil {
		t.Fatalf("GetCallerIdentity with the sso_session profile: %v", err)
	}
	if !strings.HasPrefix(arn, "arn:aws:sts::"+dev+":assumed-role/AWSReservedSSO_DeveloperAccess_") || !strings.HasSuffix(arn, "/alice@securecart.example") {
		t.Errorf("caller = %s, want Dev's DeveloperAccess session of alice", arn)
	}

	// boto3 reads the same profile and cache: a current botocore (1.31 and
	// later) takes the endpoint variables; Debian's 1.29 does not, and
	// would send the token to AWS's own portal.
	if arn, ok := boto3Caller(t, "python3"); ok && !strings.HasSuffix(arn, "/alice@securecart.example") {
		t.Errorf("boto3 with the sso_session profile: caller %q, want alice's session", arn)
	}
	if ep, ok := boto3PortalEndpoint(t, "/usr/bin/python3"); ok && ep == e.h.URL {
		t.Errorf("Debian's botocore resolved the portal to %s: it predates AWS_ENDPOINT_URL_SSO, update the docs", ep)
	}

	// An expired access token: the SDK refreshes it through sso-oidc.
	cached.ExpiresAt = now.Add(-time.Minute).Format(time.RFC3339)
	writeToken(t, home, cached)
	if arn, err := whoami(); err != nil || !strings.HasSuffix(arn, "/alice@securecart.example") {
		t.Fatalf("with an expired access token and a refresh token: %s, %v", arn, err)
	}
	var after cachedToken
	data, _ := os.ReadFile(tokenCache(home))
	if json.Unmarshal(data, &after) != nil || after.AccessToken == "" || after.AccessToken == cached.AccessToken {
		t.Errorf("the token cache after a refresh holds %q, want a new access token", after.AccessToken)
	}

	// Negative twins: Prod is not Alice's; a revoked token gives nothing.
	ssoSession(t, e, home, e.account(t, "Prod"), "DeveloperAccess")
	var forbidden smithy.APIError
	if _, err := whoami(); !errors.As(err, &forbidden) || forbidden.ErrorCode() != "ForbiddenException" {
		t.Errorf("a profile for Prod: %v, want ForbiddenException", err)
	}
	ssoSession(t, e, home, dev, "DeveloperAccess")
	if _, err := e.portal.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(after.AccessToken)}); err != nil {
		t.Fatal(err)
	}
	var unauth *ssotypes.UnauthorizedException
	if _, err := whoami(); !errors.As(err, &unauth) {
		t.Errorf("after Logout: %v, want UnauthorizedException", err)
	}
}

// boto3Caller runs GetCallerIdentity with the profile through a python's
// boto3, when that python has a botocore of 1.31 or later (service-specific
// endpoints); ok is false when it has none.
func boto3Caller(t *testing.T, python string) (string, bool) {
	t.Helper()
	out, err := exec.Command(python, "-c", `
import botocore, boto3
v = tuple(int(x) for x in botocore.__version__.split(".")[:2])
if v < (1, 31):
    print("old " + botocore.__version__)
else:
    print(boto3.Session(profile_name="warden").client("sts").get_caller_identity()["Arn"])
`).CombinedOutput()
	if err != nil {
		if _, lookErr := exec.LookPath(python); lookErr != nil || strings.Contains(string(out), "No module named") {
			t.Logf("%s has no boto3: %s", python, out)
			return "", false
		}
		t.Fatalf("boto3 (%s): %v\n%s", python, err, out)
	}
	if v, old := strings.CutPrefix(strings.TrimSpace(string(out)), "old "); old {
		t.Logf("%s's botocore %s predates service-specific endpoints", python, v)
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}

// boto3PortalEndpoint is the endpoint a python's boto3 resolves for the
// portal with the profile and the endpoint variables.
func boto3PortalEndpoint(t *testing.T, python string) (string, bool) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		return "", false
	}
	out, err := exec.Command(python, "-c", `import boto3; print(boto3.Session(profile_name="warden").client("sso").meta.endpoint_url)`).CombinedOutput()
	if err != nil {
		t.Logf("%s: %v\n%s", python, err, out)
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}
