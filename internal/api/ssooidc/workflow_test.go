package ssooidc_test

import (
	"regexp"
	"strings"
	"testing"

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

// signInWorkflows returns the sign-in events of the trail by AuthWorkflowID,
// each as "EventName CredentialType Outcome userName [UserName=…]
// [LoginTo=path]", in the order recorded.
func signInWorkflows(t *testing.T, ev *servertest.Events, base string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, e := range ev.All() {
		if e.EventSource != "signin.amazonaws.com" {
			continue
		}
		m, _ := e.Call.AdditionalEventData.(map[string]any)
		str := func(k string) string { s, _ := m[k].(string); return s }
		w := str("AuthWorkflowID")
		if !reWorkflow.MatchString(w) {
			t.Errorf("%s event without a UUID AuthWorkflowID: %v", e.Call.Action, m)
		}
		step := e.Call.Action + " " + str("CredentialType") + " " + map[bool]string{true: "Success", false: "Failure"}[e.ErrorCode == ""] + " " + e.Call.Person.UserName
		if n := str("UserName"); n != "" {
			step += " UserName=" + n
		}
		if l := str("LoginTo"); l != "" {
			step += " LoginTo=" + strings.TrimPrefix(l, base)
		}
		out[w] = append(out[w], step)
	}
	return out
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
