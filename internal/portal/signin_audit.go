package portal

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// Sign-in events, recorded as CloudTrail records Identity Center's sign-in
// (event source signin.amazonaws.com,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-sign-in-events.html):
// CredentialChallenge when a factor is asked for, CredentialVerification
// when one is checked (a failure carries an error), UserAuthentication once
// every factor passed. The person is recorded as Unknown with onBehalfOf
// (the identity store user); a failed password names no user
// (HIDDEN_DUE_TO_SECURITY_REASONS), so the trail does not tell which user
// names exist nor keep a password typed as a user name. No secret (password,
// code, assertion) is ever recorded.
const (
	evChallenge      = "CredentialChallenge"
	evVerification   = "CredentialVerification"
	evAuthentication = "UserAuthentication"
	signInSource     = "signin.amazonaws.com"
	hiddenUser       = "HIDDEN_DUE_TO_SECURITY_REASONS"
	failedAuth       = "Failed authentication"
	// directorySource records changes to a person's MFA devices, as
	// Identity Center's directory does (sso-directory.amazonaws.com:
	// CompleteVirtualMfaDeviceRegistration,
	// CompleteWebAuthnDeviceRegistration, DeleteMfaDeviceForUser), and
	// Warden's recovery codes (GenerateRecoveryCodes, Warden's own name:
	// AWS has no recovery codes).
	directorySource = "sso-directory.amazonaws.com"
)

// recordSignIn writes one sign-in event; u.ID == "" records the hidden
// user. failure is "" on success. An error means the event is not durable:
// the caller fails the request.
func recordSignIn(ctx context.Context, a call.Auditor, dir sso.Directory, r *http.Request, now time.Time, name string, u sso.User, failure string) error {
	return recordEvent(ctx, a, dir, r, now, event{source: signInSource, service: "signin", name: name, user: u, failure: failure})
}

// recordCredential writes a sign-in event naming the credential type
// checked (additionalEventData.CredentialType: PASSWORD, TOTP, WEBAUTHN,
// RECOVERY_CODE or EXTERNAL_IDP).
func recordCredential(ctx context.Context, a call.Auditor, dir sso.Directory, r *http.Request, now time.Time, name string, u sso.User, credType, failure string) error {
	var extra any
	if credType != "" {
		extra = map[string]any{"CredentialType": credType}
	}
	return recordEvent(ctx, a, dir, r, now, event{source: signInSource, name: name, user: u, failure: failure, extra: extra})
}

// event is one record of the portal in the trail.
type event struct {
	source, service, name string // signin.amazonaws.com, signin (default: the source's first label), UserAuthentication
	user                  sso.User
	failure               string
	params, response      any
	resources             []call.Resource
	extra                 any // additionalEventData
}

// recordEvent writes one event of the person u (u.ID == "": the hidden
// user) into the trail, as Identity Center's account (the instance's)
// records it.
func recordEvent(ctx context.Context, a call.Auditor, dir sso.Directory, r *http.Request, now time.Time, e event) error {
	if a == nil {
		return nil
	}
	in, err := dir.Instance(ctx)
	if err != nil {
		return err
	}
	p := &creds.OnBehalfOf{UserID: e.user.ID, UserName: e.user.UserName, IdentityStoreARN: in.IdentityStoreARN()}
	if e.user.ID == "" {
		p.UserName = hiddenUser
	}
	if e.service == "" {
		e.service = strings.TrimSuffix(e.source, ".amazonaws.com")
	}
	c := &call.Call{Service: e.service, Action: e.name, RequestID: randomString(), Now: now, Person: p,
		RecipientAccount: in.Account, SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Secure: r.TLS != nil,
		RequestParameters: e.params, ResponseElements: e.response, Resources: e.resources, AdditionalEventData: e.extra}
	ev := &call.Event{Call: c, EventSource: e.source, RecipientAccount: in.Account}
	if e.failure != "" {
		ev.ErrorCode, ev.ErrorMessage = "Failure", e.failure
	}
	if e.source == signInSource {
		// As CloudTrail writes sign-in events (Example events for IAM
		// Identity Center sign-in scenarios): service events whose
		// serviceEventDetails say whether the step succeeded.
		outcome := "Success"
		if e.failure != "" {
			outcome = "Failure"
		}
		c.EventType, c.ServiceEventDetails = "AwsServiceEvent", map[string]any{e.name: outcome}
	}
	return a.Record(ctx, ev)
}
