package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
// every factor passed. A successful step of a user the identity store
// knows is recorded as an IdentityCenterUser (onBehalfOf: the identity
// store user), a failed one as Unknown, whose userIdentity has no
// principalId nor userName: the user name is in additionalEventData.UserName
// (AWS Security Blog, "Modifications to AWS CloudTrail event data of IAM
// Identity Center"); a failed password names no user
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

// signInStep is one sign-in event, as Identity Center's sign-in writes it
// (Understanding IAM Identity Center sign-in events,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/understanding-sign-in-events.html,
// and Username in sign-in CloudTrail events,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/username-sign-in-cloudtrail-events.html).
// Its additionalEventData holds:
//   - AuthWorkflowID: one ID (a UUID) shared by every event of one
//     sign-in, from the first challenge to UserAuthentication, so that a
//     sign-in can be followed through the trail;
//   - CredentialType: the factor challenged or verified (PASSWORD, TOTP,
//     WEBAUTHN, EXTERNAL_IDP, and Warden's RECOVERY_CODE); on
//     UserAuthentication, the factors the sign-in verified, comma-separated
//     (PASSWORD,TOTP);
//   - LoginTo (UserAuthentication): where the person goes once signed in;
//   - DeviceEnrollmentRequired (UserAuthentication): "true" when the
//     person had to register an MFA device to sign in;
//   - UserName: on the PASSWORD CredentialChallenge of a person the
//     directory knows, and on UserAuthentication after an external
//     identity provider (the user name it vouched for).
type signInStep struct {
	name     string   // CredentialChallenge, CredentialVerification, UserAuthentication
	user     sso.User // ID "": the hidden user
	cred     string   // CredentialType ("": none)
	failure  string   // "" on success
	workflow string   // AuthWorkflowID
	loginTo  string
	userName string // additionalEventData.UserName
	enrolled bool   // DeviceEnrollmentRequired (UserAuthentication)
}

// recordSignIn writes one sign-in event. An error means the event is not
// durable: the caller fails the request.
func recordSignIn(ctx context.Context, a call.Auditor, dir sso.Directory, r *http.Request, now time.Time, s signInStep) error {
	extra := map[string]any{}
	for k, v := range map[string]string{"AuthWorkflowID": s.workflow, "CredentialType": s.cred, "LoginTo": s.loginTo, "UserName": s.userName} {
		if v != "" {
			extra[k] = v
		}
	}
	if s.enrolled {
		extra["DeviceEnrollmentRequired"] = "true"
	}
	var x any
	if len(extra) > 0 {
		x = extra
	}
	e := event{source: signInSource, service: "signin", name: s.name, user: s.user, failure: s.failure, extra: x}
	if s.failure == "" && s.user.ID != "" && s.workflow != "" {
		// Every successful step of a known user's sign-in names the
		// credential the sign-in establishes (IAM Identity Center User
		// Guide, "Example events for IAM Identity Center sign-in
		// scenarios": one credentialId from the first CredentialChallenge
		// to UserAuthentication).
		e.credential = signInCredential(s.workflow)
	}
	return recordEvent(ctx, a, dir, r, now, e)
}

// signInCredential is the credentialId of the sign-in whose AuthWorkflowID
// is workflow: the ID of the portal session it starts (the credentialId of
// the session's portal calls, and the sign-in an administrator revokes),
// known from the sign-in's first event on, and at the identity provider's
// answer (/saml/acs, /oidc/callback), which knows the workflow alone.
func signInCredential(workflow string) string {
	h := sha256.Sum256([]byte("warden sign-in credential\x00" + workflow))
	return sso.PortalSignInID(hex.EncodeToString(h[:]))
}

// newWorkflowID returns a random UUID (version 4), a sign-in's
// AuthWorkflowID.
func newWorkflowID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// validWorkflowID reports whether s has a UUID's form (an AuthWorkflowID
// read back from an identity provider's RelayState).
func validWorkflowID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f'):
			return false
		}
	}
	return true
}

// event is one record of the portal in the trail.
type event struct {
	source, service, name string // signin.amazonaws.com, signin (default: the source's first label), UserAuthentication
	user                  sso.User
	failure               string
	params, response      any
	resources             []call.Resource
	extra                 any // additionalEventData
	// credential is the sign-in of a call of the portal API the pages
	// make (sso.amazonaws.com), or of a successful sign-in step: recorded
	// as CloudTrail records the access portal's calls, by an
	// IdentityCenterUser with this credentialId, a service event with
	// details (serviceEventDetails).
	credential string
	details    any
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
	// An authenticated person's event is an IdentityCenterUser's; a failed
	// sign-in step, or one naming no known user, stays Unknown (AWS
	// Security Blog, "Modifications to AWS CloudTrail event data of IAM
	// Identity Center": sign-in events are IdentityCenterUser "limited to
	// successful authentications", MFA management in the portal always).
	c.SignedIn = e.user.ID != "" && (e.failure == "" || e.source == directorySource)
	if e.credential != "" {
		c.CredentialID, c.EventType, c.ServiceEventDetails = e.credential, "AwsServiceEvent", e.details
	}
	if !c.SignedIn && c.CredentialID == "" {
		// An Unknown event names its person only in additionalEventData:
		// since July 14, 2025 Identity Center writes no principalId and no
		// userName in userIdentity, and the user name (or
		// HIDDEN_DUE_TO_SECURITY_REASONS) in additionalEventData.UserName
		// (AWS Security Blog, "Modifications to AWS CloudTrail event data
		// of IAM Identity Center"). A step that already names the user
		// keeps its UserName.
		x, isMap := e.extra.(map[string]any)
		if e.extra == nil {
			x, isMap = map[string]any{}, true
		}
		if _, named := x["UserName"]; isMap && !named {
			x["UserName"] = p.UserName
			c.AdditionalEventData = x
		}
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
