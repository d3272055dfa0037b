package portal

import (
	"context"
	"net/http"
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
)

// recordSignIn writes one sign-in event; u.ID == "" records the hidden
// user. failure is "" on success. An error means the event is not durable:
// the caller fails the request.
func recordSignIn(ctx context.Context, a call.Auditor, dir sso.Directory, r *http.Request, now time.Time, name string, u sso.User, failure string) error {
	return recordEvent(ctx, a, dir, r, now, event{source: signInSource, service: "signin", name: name, user: u, failure: failure})
}

// event is one record of the portal in the trail.
type event struct {
	source, service, name string // signin.amazonaws.com, signin, UserAuthentication
	user                  sso.User
	failure               string
	params, response      any
	resources             []call.Resource
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
	c := &call.Call{Service: e.service, Action: e.name, RequestID: randomString(), Now: now, Person: p,
		RecipientAccount: in.Account, SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Secure: r.TLS != nil,
		RequestParameters: e.params, ResponseElements: e.response, Resources: e.resources}
	ev := &call.Event{Call: c, EventSource: e.source, RecipientAccount: in.Account}
	if e.failure != "" {
		ev.ErrorCode, ev.ErrorMessage = "Failure", e.failure
	}
	return a.Record(ctx, ev)
}
