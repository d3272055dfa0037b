package server_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/server/servertest"
)

// The SDK's clients read Warden's answer to an operation it does not serve
// as the service's own error (JSON for JSON services, XML for query ones),
// with a message saying so; and an unsigned call as MissingAuthenticationToken
// in the protocol's form. Each call reaches the trail.
func TestUnservedWithSDK(t *testing.T) {
	g := startRig(t)
	ctx := servertest.Ctx(t)
	cfg := g.h.Config(g.h.AdminKeyID, g.h.AdminSecret, "")
	apiErr := func(err error) smithy.APIError {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("not an API error the SDK read: %v", err)
		}
		return ae
	}
	for _, tc := range []struct {
		name, code, source, action string
		call                       func() error
	}{
		{"cloudtrail DeleteTrail", "UnknownOperationException", "cloudtrail.amazonaws.com", "DeleteTrail", func() error {
			_, err := cloudtrail.NewFromConfig(cfg).DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("organization-trail")})
			return err
		}},
		{"sso-admin CreateInstance", "UnknownOperationException", "sso.amazonaws.com", "CreateInstance", func() error {
			_, err := ssoadmin.NewFromConfig(cfg).CreateInstance(ctx, &ssoadmin.CreateInstanceInput{})
			return err
		}},
		{"iam CreateOpenIDConnectProvider", "InvalidAction", "iam.amazonaws.com", "CreateOpenIDConnectProvider", func() error {
			_, err := iam.NewFromConfig(cfg).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com")})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ae := apiErr(tc.call())
			if ae.ErrorCode() != tc.code || !strings.Contains(ae.ErrorMessage(), "Warden does not serve") {
				t.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
			}
			ev := g.rec.last(t)
			if ev.EventSource != tc.source || ev.Call.Action != tc.action || ev.ErrorCode != tc.code || ev.Call.Identity == nil {
				t.Errorf("record: source %q action %q code %q identity %v", ev.EventSource, ev.Call.Action, ev.ErrorCode, ev.Call.Identity)
			}
		})
	}
	// Unsigned.
	anon := g.h.Config("", "", "")
	anon.Credentials = aws.AnonymousCredentials{}
	_, err := cloudtrail.NewFromConfig(anon).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if ae := apiErr(err); ae.ErrorCode() != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned LookupEvents: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	if ev := g.rec.last(t); ev.EventSource != "cloudtrail.amazonaws.com" || ev.Call.Action != "LookupEvents" {
		t.Errorf("unsigned LookupEvents recorded as %q %q", ev.EventSource, ev.Call.Action)
	}
	_, err = sts.NewFromConfig(anon).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if ae := apiErr(err); ae.ErrorCode() != "MissingAuthenticationToken" {
		t.Errorf("unsigned GetCallerIdentity: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	if ev := g.rec.last(t); ev.EventSource != "sts.amazonaws.com" || ev.Call.Action != "GetCallerIdentity" || ev.Call.Identity != nil {
		t.Errorf("unsigned GetCallerIdentity recorded as %q %q %v", ev.EventSource, ev.Call.Action, ev.Call.Identity)
	}
}
