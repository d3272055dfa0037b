package escalate

import (
	"strings"
	"testing"
)

// TestIdentityPoolEdges: identity-pool-roles, pathfinding.cloud
// cognitoidentity-001 through the authenticated role, on the identity pool
// of testdata/twins/identitypools.yaml: iam:PassRole (iam:PassedToService
// cognito-identity.amazonaws.com), cognito-identity:SetIdentityPoolRoles
// (Resource "*": the Service Authorization Reference names no resource for
// it), GetOpenIdTokenForDeveloperIdentity on the pool, and Cognito's
// sts:AssumeRoleWithWebIdentity, decided under the role's trust as the
// federated principal with the pool's ID as cognito-identity.amazonaws.com:aud
// and amr authenticated, the step's principal the pool's ARN.
//
// The negative twins: PassRole for Lambda only, no
// GetOpenIdTokenForDeveloperIdentity, the token allowed on another Region's
// pools only, roles trusting only the pool's unauthenticated identities
// (whose credentials Cognito scopes down) or another pool, a boundary; every
// case is repeated in Locked, whose SCP denies iam:PassRole.
func TestIdentityPoolEdges(t *testing.T) {
	got := pathsFrom(Analyze(twins(t), Options{Now: now}))
	id := "us-east-1:11111111-2222-3333-4444-555555555555"
	pool := "arn:aws:cognito-identity:us-east-1:" + dev + ":identitypool/" + id
	role := roleARN(dev, "CognitoAdminRole")
	for _, c := range []struct {
		from string
		mfa  bool
	}{{"PoolSetter", false}, {"PoolSetterMFA", true}} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		want := "iam:PassRole cognito-identity:SetIdentityPoolRoles cognito-identity:GetOpenIdTokenForDeveloperIdentity sts:AssumeRoleWithWebIdentity"
		if k := kindsOf(p); k != KindIdentityPoolRoles || p.Admin == nil || p.Admin.Principal != role || actionsOf(p) != want {
			t.Errorf("%s: path %s %s as %+v; want %s %s as %s", c.from, k, actionsOf(p), p.Admin, KindIdentityPoolRoles, want, role)
			continue
		}
		st := p.Steps
		if st[0].Resource != role || st[0].Context["iam:PassedToService"] != "cognito-identity.amazonaws.com" || st[1].Resource != "*" ||
			st[2].Resource != pool || len(st[2].Needs) != 1 || !strings.Contains(st[2].Needs[0], "DeveloperProviderName") {
			t.Errorf("%s: the caller's steps %+v", c.from, st[:3])
		}
		if mfa := st[1].Requires["aws:MultiFactorAuthPresent"]; (mfa == "true") != c.mfa {
			t.Errorf("%s: SetIdentityPoolRoles requires %v", c.from, st[1].Requires)
		}
		// Cognito's assumption is made by an identity of the pool: its
		// principal the pool's ARN, which warden explain takes as the
		// federated principal with the pool's ID as its audience.
		if a := st[3]; a.Principal != pool || a.Resource != role || a.Context["cognito-identity.amazonaws.com:aud"] != id ||
			a.Context["cognito-identity.amazonaws.com:amr"] != "authenticated" {
			t.Errorf("%s: Cognito's assumption %+v", c.from, a)
		}
	}
	wantNoPaths(t, got, []string{"PoolSetterWrongService", "PoolSetterNoToken", "PoolSetterOtherPool", "PoolSetterGuestOnly", "PoolSetterBounded"},
		[]string{"PoolSetter", "PoolSetterMFA"})
}
