package authz

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// Prod's Deployer role trusts GitHub's OIDC provider and Prod's SAML
// provider Okta (for assertions to AWS's sign-in audience); Prod's SCP
// denies every STS action, its RCPs deny AssumeRoleWithWebIdentity for any
// repository but the shop's and AssumeRoleWithSAML for assertions of any
// issuer but Okta's; the CI role is allowed every STS action.
const federatedOrg = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Prod, id: "333333333333", email: prod@example.com}
identityProviders:
  - {type: oidc, name: token.actions.githubusercontent.com, accounts: [Prod], clientIds: [sts.amazonaws.com]}
  - {type: saml, name: Okta, accounts: [Prod]}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root]
  - name: NoSTS
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "sts:*", Resource: "*"}]}
    attach: [Prod]
  - name: TrustedRepos
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "sts:AssumeRoleWithWebIdentity", Resource: "*", Condition: {StringNotLikeIfExists: {"token.actions.githubusercontent.com:sub": "repo:securecart/*"}}}]}
    attach: [Prod]
  - name: TrustedIssuer
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "sts:AssumeRoleWithSAML", Resource: "*", Condition: {"Null": {"saml:iss": "false"}, StringNotEquals: {"saml:iss": "http://www.okta.com/exk1a2b3c4"}}}]}
    attach: [Prod]
roles:
  - name: Deployer
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [
      {Effect: Allow, Principal: {Federated: "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"}, Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: {"token.actions.githubusercontent.com:aud": sts.amazonaws.com}}},
      {Effect: Allow, Principal: {Federated: "arn:aws:iam::333333333333:saml-provider/Okta"}, Action: sts:AssumeRoleWithSAML, Condition: {StringEquals: {"SAML:aud": "https://signin.aws.amazon.com/saml"}}},
      {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]}]}
  - name: CI
    accounts: [Mgmt]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}]}
    inlinePolicies:
      STS: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:*", Resource: "*"}]}
`

// Which layers decide sts:AssumeRoleWithWebIdentity and
// sts:AssumeRoleWithSAML. "Calling AssumeRoleWithWebIdentity does not
// require the use of AWS security credentials ... the identity of the
// caller is validated by using a token from the web identity provider"
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html;
// likewise API_AssumeRoleWithSAML.html): the caller is the provider's user,
// not a principal of an account, so no SCP restricts it ("SCPs affect only
// IAM users and roles that are managed by accounts that are part of the
// organization",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#scp-effects-on-permissions),
// while the role's account's RCPs apply to the role, an STS resource
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
// An IAM principal never makes these calls as itself, whatever its
// policies and the trust policy say.
func TestFederatedAssumeLayers(t *testing.T) {
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(federatedOrg)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const provider = "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"
	const deployer = "arn:aws:iam::333333333333:role/Deployer"
	const okta = "arn:aws:iam::333333333333:saml-provider/Okta"
	saml := func(aud, iss string) map[string][]string {
		return map[string][]string{"SAML:aud": {aud}, "saml:iss": {iss}}
	}
	oidc := func(sub string) map[string][]string {
		return map[string][]string{"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}, "token.actions.githubusercontent.com:sub": {sub}}
	}
	for _, tc := range []struct {
		name, principal, action string
		ctx                     map[string][]string
		want                    eval.Decision
		deniedBy                eval.Layer
		refused                 bool
	}{
		// Prod's SCP denies sts:*, yet the provider's user assumes the role.
		{"provider's user, SCP of the role's account", provider, "sts:AssumeRoleWithWebIdentity", oidc("repo:securecart/shop:ref:refs/heads/main"), eval.Allow, eval.LayerNone, false},
		// The RCP applies to the role.
		{"provider's user, RCP twin", provider, "sts:AssumeRoleWithWebIdentity", oidc("repo:attacker/fork:ref:refs/heads/main"), eval.ExplicitDeny, eval.LayerRCP, false},
		// The SAML provider's user: the trust policy allows it, Prod's SCP
		// does not apply, the RCP does (STS API Reference,
		// API_AssumeRoleWithSAML.html; IAM User Guide, "SAML 2.0
		// federation", id_roles_providers_saml.html, and the SAML keys,
		// reference_policies_iam-condition-keys.html#condition-keys-saml).
		{"SAML provider's user, SCP of the role's account", okta, "sts:AssumeRoleWithSAML", saml("https://signin.aws.amazon.com/saml", "http://www.okta.com/exk1a2b3c4"), eval.Allow, eval.LayerNone, false},
		{"SAML provider's user, RCP twin", okta, "sts:AssumeRoleWithSAML", saml("https://signin.aws.amazon.com/saml", "http://idp.attacker.example/"), eval.ExplicitDeny, eval.LayerRCP, false},
		{"SAML provider's user, trust policy twin", okta, "sts:AssumeRoleWithSAML", saml("https://other.example/saml", "http://www.okta.com/exk1a2b3c4"), eval.ImplicitDeny, eval.LayerTrust, false},
		// An IAM role whose policies allow sts:* and whose account the trust
		// policy trusts: refused, not decided by its policies.
		{"IAM role, web identity", "arn:aws:sts::111111111111:assumed-role/CI/build", "sts:AssumeRoleWithWebIdentity", oidc("repo:securecart/shop:ref:refs/heads/main"), eval.ImplicitDeny, eval.LayerNone, true},
		{"IAM role, SAML", "arn:aws:sts::111111111111:assumed-role/CI/build", "sts:AssumeRoleWithSAML", nil, eval.ImplicitDeny, eval.LayerNone, true},
		{"root user, SAML", "arn:aws:iam::111111111111:root", "sts:AssumeRoleWithSAML", nil, eval.ImplicitDeny, eval.LayerNone, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := assemble(t, o, Query{Principal: tc.principal, Action: tc.action, Resource: deployer, Context: tc.ctx})
			e := eval.Evaluate(s.Request, &s.Inputs)
			if e.Decision != tc.want || e.DeniedBy != tc.deniedBy {
				t.Fatalf("%s by %s (%s), want %s by %s", e.Decision, e.DeniedBy, e.Note, tc.want, tc.deniedBy)
			}
			if (tc.principal == okta || tc.principal == provider) && (s.Inputs.SCP != nil || s.Inputs.RCP == nil) {
				t.Errorf("layers of the provider's user: SCP %v, RCP %v; want no SCP, Prod's RCPs", levelTargets(s.Inputs.SCP), levelTargets(s.Inputs.RCP))
			}
			if got := e.Refusal != ""; got != tc.refused {
				t.Fatalf("refusal %q, want refused %v", e.Refusal, tc.refused)
			}
			if tc.refused && !strings.Contains(e.Refusal, "API_AssumeRoleWithSAML.html") {
				t.Errorf("refusal %q does not name its page", e.Refusal)
			}
		})
	}
	// The session it returns is an assumed role of Prod: Prod's SCP applies
	// to its calls.
	s := assemble(t, o, Query{Principal: "arn:aws:sts::333333333333:assumed-role/Deployer/gh", Action: "sts:GetSessionToken", Resource: ""})
	if e := eval.Evaluate(s.Request, &s.Inputs); e.Decision != eval.ExplicitDeny || e.DeniedBy != eval.LayerSCP {
		t.Errorf("the session's own call: %s by %s, want ExplicitDeny by scp", e.Decision, e.DeniedBy)
	}
}
