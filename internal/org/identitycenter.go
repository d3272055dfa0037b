package org

import (
	"slices"
	"time"

	"github.com/securecart/warden/internal/policy"
)

// SSORolePath is the path of the roles Identity Center provisions.
const SSORolePath = "/aws-reserved/sso.amazonaws.com/"

// IdentityCenter is the organization's IAM Identity Center instance: its
// users and groups, permission sets and account assignments.
type IdentityCenter struct {
	InstanceARN     string // arn:aws:sso:::instance/ssoins-<16 hex>
	IdentityStoreID string
	// SAMLProvider is the name of the SAML provider Identity Center creates
	// in each account it provisions roles into:
	// AWSSSO_<16 hex of the instance>_DO_NOT_DELETE.
	SAMLProvider string
	ExternalIdP  *ExternalIdP // nil: the Identity Center directory
	// MFA is the MFA policy (identityCenter.mfa); nil: the defaults
	// (Warden asks its own MFA after any identity provider's sign-in).
	MFA *MFAPolicy
	// SessionDuration is how long a sign-in lasts (the access portal's
	// session and the refresh tokens of warden login and the SDKs'
	// sso-session): identityCenter.sessionDuration, PT15M to PT2160H (90
	// days, AWS's range); 0 when the file gives none (8 hours).
	SessionDuration time.Duration
	Users           []*SSOUser
	Groups          []*SSOGroup
	PermissionSets  []*PermissionSet
	Assignments     []*Assignment
	// TemporaryAccess are the policies of time-boxed access.
	TemporaryAccess []*TemporaryAccess
	Pos             Pos
}

// TemporaryAccess is a policy of time-boxed access (docs/access.md): the
// members of RequesterGroups may request PermissionSet in one of Accounts
// for at most MaxDuration; a member of ApproverGroups other than the
// requester approves it, with a current MFA code when ApprovalRequiresMFA.
type TemporaryAccess struct {
	Name                string
	Description         string
	PermissionSet       *PermissionSet
	Accounts            []*Account
	RequesterGroups     []*SSOGroup
	ApproverGroups      []*SSOGroup
	MaxDuration         time.Duration
	ApprovalRequiresMFA bool
	Pos                 Pos
}

// Covers reports whether the policy covers an account.
func (p *TemporaryAccess) Covers(accountID string) bool {
	return slices.ContainsFunc(p.Accounts, func(a *Account) bool { return a.ID == accountID })
}

// InAny reports whether a user is a member of one of groups.
func (u *SSOUser) InAny(groups []*SSOGroup) bool {
	return slices.ContainsFunc(u.Groups, func(g *SSOGroup) bool { return slices.Contains(groups, g) })
}

// ExternalIdP is the identity provider Identity Center federates with.
type ExternalIdP struct {
	Type        string // "saml" or "oidc"
	Name        string
	MetadataURL string // SAML
	Metadata    string // SAML, inline XML
	Issuer      string // OIDC
	// ClientID is Warden's client ID at an OpenID provider; ClientSecretEnv
	// names the environment variable of `warden serve` that holds its
	// client secret ("" for a public client, which PKCE alone protects).
	ClientID, ClientSecretEnv string
	// Scopes are requested at an OpenID provider (openid, email and
	// profile by default); UserClaim is the ID token claim matched to the
	// identity store (email by default).
	Scopes    []string
	UserClaim string
	// AllowIdPInitiated accepts SAML responses that answer no sign-in
	// request of Warden's (IdP-initiated sign-in).
	AllowIdPInitiated bool
	// SAML is the inline metadata, read (nil for a metadata URL, which is
	// fetched when used).
	SAML *SAMLMetadata
}

// MFAPolicy is Identity Center's MFA policy beside the identity source.
type MFAPolicy struct {
	// TrustIdentityProvider lets an external identity provider's own MFA
	// stand for Warden's, when its assertion names one of
	// AcceptedAuthnContexts (a SAML AuthnContextClassRef, or an OIDC acr or
	// amr value).
	TrustIdentityProvider bool     `json:"trustIdentityProvider,omitempty"`
	AcceptedAuthnContexts []string `json:"acceptedAuthnContexts,omitempty"`
	// WebAuthnUserVerification is what security keys and passkeys are asked
	// for: "required", "preferred" ("" is preferred) or "discouraged".
	WebAuthnUserVerification string `json:"webauthnUserVerification,omitempty"`
}

// SSOUser is a user of the Identity Center directory.
type SSOUser struct {
	ID          string // the identity store user ID (stored, or derived from the first name)
	UserName    string
	DisplayName string
	Attributes  UserAttributes
	Groups      []*SSOGroup
	MFADevices  []MFADevice
	Pos         Pos
}

// MFADevice is a registered MFA device.
type MFADevice struct {
	Type string `json:"type"` // "totp" or "webauthn"
	Name string `json:"name"`
}

// SSOGroup is a group of the Identity Center directory.
type SSOGroup struct {
	ID          string // the identity store group ID, as SSOUser's
	Name        string
	Description string
	ExternalIDs []ExternalIDDef
	Pos         Pos
}

// PermissionSet is a permission set and where it is provisioned.
type PermissionSet struct {
	Name            string
	Description     string
	SessionDuration int    // seconds
	RelayState      string // the URL the console opens; "" for none
	Tags            map[string]string
	RoleName        string // AWSReservedSSO_<Name>_<16 hex>
	// ManagedPolicies are its AWS managed policies and Inline its inline
	// policy (nil when none); customer managed policies and a customer
	// managed boundary differ per account: see the provisioned roles.
	ManagedPolicies []*policy.Policy
	Inline          *policy.Policy
	CustomerManaged []string
	Boundary        string     // as written: a customer managed name or an AWS managed ARN
	Accounts        []*Account // where it is provisioned, in the order of Org.Accounts
	// Stale are the accounts of Accounts where an older version is
	// provisioned (the set changed since, and ProvisionPermissionSet has
	// not run for them): their roles are the older version's.
	Stale []*Account
	Pos   Pos
}

// Assignment gives a user or group a permission set in accounts.
type Assignment struct {
	PermissionSet *PermissionSet
	User          *SSOUser  // nil for a group assignment
	Group         *SSOGroup // nil for a user assignment
	Accounts      []*Account
	Pos           Pos
}

// UserByEmail finds the directory user with an email address (any of the
// user's Emails), ignoring case; addresses are unique in the directory.
func (ic *IdentityCenter) UserByEmail(email string) (*SSOUser, bool) {
	for _, u := range ic.Users {
		if u.Attributes.HasEmail(email) {
			return u, true
		}
	}
	return nil, false
}
