package audit_test

import (
	"testing"

	"github.com/securecart/warden/internal/audit"
)

// LookupEvents' Username is "a user name or role name of the requester"
// (CloudTrail API Reference, Event). Identity Center writes no userName in
// the userIdentity of its users' events since July 14, 2025, and names the
// user of a sign-in event in additionalEventData.UserName, or
// HIDDEN_DUE_TO_SECURITY_REASONS (AWS Security Blog, "Modifications to AWS
// CloudTrail event data of IAM Identity Center"; IAM Identity Center User
// Guide, Username in sign-in CloudTrail events): the lookup shows and
// matches that name. A role session made for an Identity Center user
// (onBehalfOf beside an ARN) keeps its session name.
func TestUsernameOfIdentityCenterEvents(t *testing.T) {
	ob := &audit.OnBehalfOf{UserID: "544894e8-80c1-707f-60e3-3ba6510dfac1", IdentityStoreARN: "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}
	tests := []struct {
		name string
		r    audit.Record
		want string
	}{
		{"failed step of a known user", audit.Record{UserIdentity: audit.UserIdentity{Type: "Unknown", OnBehalfOf: ob},
			AdditionalEventData: map[string]any{"CredentialType": "TOTP", "UserName": "alice@securecart.example"}}, "alice@securecart.example"},
		{"failed password", audit.Record{UserIdentity: audit.UserIdentity{Type: "Unknown", OnBehalfOf: &audit.OnBehalfOf{IdentityStoreARN: ob.IdentityStoreARN}},
			AdditionalEventData: map[string]any{"UserName": "HIDDEN_DUE_TO_SECURITY_REASONS"}}, "HIDDEN_DUE_TO_SECURITY_REASONS"},
		{"successful password challenge", audit.Record{UserIdentity: audit.UserIdentity{Type: "IdentityCenterUser", AccountID: "123456789012", OnBehalfOf: ob},
			AdditionalEventData: map[string]any{"CredentialType": "PASSWORD", "UserName": "alice@securecart.example"}}, "alice@securecart.example"},
		{"portal call", audit.Record{UserIdentity: audit.UserIdentity{Type: "IdentityCenterUser", AccountID: "123456789012", OnBehalfOf: ob, CredentialID: "ps-1"}}, ""},
		{"role session for an Identity Center user", audit.Record{UserIdentity: audit.UserIdentity{Type: "AssumedRole", OnBehalfOf: ob,
			ARN: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@securecart.example"},
			AdditionalEventData: map[string]any{"UserName": "someone-else"}}, "alice@securecart.example"},
		{"Identity Center user at Warden's access service", audit.Record{UserIdentity: audit.UserIdentity{Type: "Unknown", OnBehalfOf: ob,
			PrincipalID: ob.UserID, UserName: "dave@securecart.example"}}, "dave@securecart.example"},
		{"unsigned call naming a user name", audit.Record{UserIdentity: audit.UserIdentity{Type: "Unknown"},
			AdditionalEventData: map[string]any{"UserName": "alice@securecart.example"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := audit.Username(&tt.r); got != tt.want {
				t.Errorf("Username = %q, want %q", got, tt.want)
			}
			if f := (audit.Filter{Attribute: "Username", Value: tt.want}); tt.want != "" && !f.Match(&tt.r, "") {
				t.Errorf("Username filter %q does not match", tt.want)
			}
		})
	}
}

// An IdentityCenterUser event names its person by onBehalfOf.userId alone
// (the portal's calls, CreateToken, a sign-in's steps after the password's
// challenge): its Username is the identity store's name of that user, and
// the Username lookup finds it by that name (IAM Identity Center User
// Guide, "Username in sign-in CloudTrail events"). A failed password's
// event names no one but HIDDEN_DUE_TO_SECURITY_REASONS (IAM Identity
// Center User Guide, "Example events for IAM Identity Center sign-in
// scenarios": no onBehalfOf).
func TestUsernameOfIdentityCenterUsers(t *testing.T) {
	const alice, aliceID = "alice@securecart.example", "544894e8-80c1-707f-60e3-3ba6510dfac1"
	people := map[string]string{aliceID: alice, "94d00cd8-e9e6-4810-b177-b08e84725435": "bob@securecart.example"}
	ob := &audit.OnBehalfOf{UserID: aliceID, IdentityStoreARN: "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}
	tests := []struct {
		name string
		r    audit.Record
		want string
	}{
		{"portal call", audit.Record{EventSource: "sso.amazonaws.com", UserIdentity: audit.UserIdentity{Type: "IdentityCenterUser", AccountID: "123456789012", OnBehalfOf: ob, CredentialID: "ps-1"}}, alice},
		{"sign-in step", audit.Record{EventSource: "signin.amazonaws.com", UserIdentity: audit.UserIdentity{Type: "IdentityCenterUser", AccountID: "123456789012", OnBehalfOf: ob, CredentialID: "ps-1"},
			AdditionalEventData: map[string]any{"CredentialType": "TOTP"}}, alice},
		{"failed MFA of a known user", audit.Record{EventSource: "signin.amazonaws.com", UserIdentity: audit.UserIdentity{Type: "Unknown", AccountID: "123456789012", OnBehalfOf: ob},
			AdditionalEventData: map[string]any{"CredentialType": "TOTP", "UserName": alice}}, alice},
		// The name the event gave when it was recorded, not the store's
		// name of its user today (a user renamed since).
		{"failed MFA of a user renamed since", audit.Record{EventSource: "signin.amazonaws.com", UserIdentity: audit.UserIdentity{Type: "Unknown", AccountID: "123456789012", OnBehalfOf: ob},
			AdditionalEventData: map[string]any{"CredentialType": "TOTP", "UserName": "alice.old@securecart.example"}}, "alice.old@securecart.example"},
		{"failed password", audit.Record{EventSource: "signin.amazonaws.com", UserIdentity: audit.UserIdentity{Type: "Unknown", AccountID: "123456789012"},
			AdditionalEventData: map[string]any{"CredentialType": "PASSWORD", "UserName": "HIDDEN_DUE_TO_SECURITY_REASONS"}}, "HIDDEN_DUE_TO_SECURITY_REASONS"},
		{"a user the store no longer has", audit.Record{EventSource: "sso.amazonaws.com", UserIdentity: audit.UserIdentity{Type: "IdentityCenterUser", AccountID: "123456789012",
			OnBehalfOf: &audit.OnBehalfOf{UserID: "gone", IdentityStoreARN: ob.IdentityStoreARN}}}, ""},
		{"unsigned call elsewhere naming a user", audit.Record{EventSource: "sts.amazonaws.com", UserIdentity: audit.UserIdentity{Type: "Unknown"},
			AdditionalEventData: map[string]any{"UserName": alice}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := audit.UsernameOf(&tt.r, people); got != tt.want {
				t.Errorf("UsernameOf = %q, want %q", got, tt.want)
			}
			f := audit.Filter{Attribute: "Username", Value: alice, People: people}
			if f.Match(&tt.r, "") != (tt.want == alice) {
				t.Errorf("Username filter %q matches: %v, want %v", alice, !(tt.want == alice), tt.want == alice)
			}
		})
	}
}
