package ssooidc_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/server/servertest"
)

var reWorkflow = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// externalSignIn is the trail of one sign-in of alice through an external
// identity provider, Warden's TOTP enrolled after it: one AuthWorkflowID
// from the provider's answer (recorded where it arrives) to
// UserAuthentication, which names the user the provider vouched for
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/username-sign-in-cloudtrail-events.html).
var externalSignIn = []string{
	"CredentialVerification EXTERNAL_IDP Success alice@securecart.example",
	"CredentialChallenge TOTP Success alice@securecart.example",
	"CredentialVerification TOTP Success alice@securecart.example",
	"UserAuthentication EXTERNAL_IDP Success alice@securecart.example UserName=alice@securecart.example LoginTo=/device",
}

// signInWorkflows returns the trail's sign-in events by AuthWorkflowID
// (servertest.Events.SignInWorkflows), each ID a UUID.
func signInWorkflows(t *testing.T, ev *servertest.Events, base string) map[string][]string {
	t.Helper()
	wf, _ := ev.SignInWorkflows(base)
	for w := range wf {
		if !reWorkflow.MatchString(w) {
			t.Errorf("sign-in events under AuthWorkflowID %q, not a UUID: %q", w, wf[w])
		}
	}
	return wf
}

// hasWorkflow reports whether one sign-in's events are exactly want.
func hasWorkflow(got map[string][]string, want ...string) bool {
	for _, steps := range got {
		if strings.Join(steps, "\n") == strings.Join(want, "\n") {
			return true
		}
	}
	return false
}

// additionalUserName is a record's additionalEventData.UserName, where
// Identity Center names the user of an Unknown event since July 14, 2025
// (AWS Security Blog, "Modifications to AWS CloudTrail event data of IAM
// Identity Center").
func additionalUserName(r *audit.Record) string {
	m, _ := r.AdditionalEventData.(map[string]any)
	s, _ := m["UserName"].(string)
	return s
}
