package ssooidc_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	smithy "github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sso"
)

// The OIDC service's calls before anyone signed in (RegisterClient,
// StartDeviceAuthorization) and the CreateToken calls it refuses (a wrong
// client secret, an unknown device code, one not yet approved, one
// expired) are an unauthenticated user's: Identity Center writes them as
// Unknown in the instance's account, the account that records them (AWS
// Security Blog, "Modifications to AWS CloudTrail event data of IAM
// Identity Center": "for unauthenticated users, the userIdentity type will
// remain Unknown"; IAM Identity Center User Guide, "Example events for IAM
// Identity Center sign-in scenarios": the Unknown userIdentity of a failed
// sign-in names the instance's account), not as the anonymous principal.
func TestUnauthenticatedOIDCCallsRecordedAsUnknown(t *testing.T) {
	ev := &servertest.Events{}
	h := servertest.Start(t, servertest.Options{Audit: ev})
	ctx := servertest.Ctx(t)
	c := startOIDCClient(h)
	in, err := sso.OrgDirectory{Orgs: h.Server.State}.Instance(ctx)
	if err != nil || in.Account == "" {
		t.Fatalf("instance: %+v %v", in, err)
	}
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: aws.String("not-the-secret"), StartUrl: aws.String(h.URL + "/start")}); err == nil {
		t.Fatal("StartDeviceAuthorization with a wrong client secret succeeded")
	}
	da, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(h.URL + "/start")})
	if err != nil {
		t.Fatal(err)
	}
	grant := aws.String("urn:ietf:params:oauth:grant-type:device_code")
	token := func(code *string) string {
		t.Helper()
		_, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: grant, DeviceCode: code})
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("CreateToken: %v, want a refusal", err)
		}
		return ae.ErrorCode()
	}
	codes := []string{token(aws.String("no-such-device-code")), token(da.DeviceCode)}
	h.Clock.Advance(sso.DeviceCodeLifetime + time.Minute)
	codes = append(codes, token(da.DeviceCode))
	want := []string{"InvalidGrantException", "AuthorizationPendingException", "ExpiredTokenException"}
	if len(codes) != 3 || codes[0] != want[0] || codes[1] != want[1] || codes[2] != want[2] {
		t.Errorf("CreateToken refusals %v, want %v", codes, want)
	}

	wantIdentity := `{"type":"Unknown","accountId":"` + in.Account + `"}`
	check := func(name string, n int, errorCodes ...string) {
		t.Helper()
		rs := ev.Find("sso-oauth.amazonaws.com", name)
		if len(rs) != n {
			t.Fatalf("%d %s records, want %d", len(rs), name, n)
		}
		for i, r := range rs {
			got, _ := json.Marshal(r.UserIdentity)
			if string(got) != wantIdentity || r.RecipientAccountID != in.Account || r.ErrorCode != errorCodes[i] {
				t.Errorf("%s record %d: userIdentity %s in account %s, error %q\nwant %s in account %s, error %q",
					name, i, got, r.RecipientAccountID, r.ErrorCode, wantIdentity, in.Account, errorCodes[i])
			}
		}
	}
	check("RegisterClient", 1, "")
	check("StartDeviceAuthorization", 2, "InvalidClientException", "")
	check("CreateToken", 3, want...)
}
