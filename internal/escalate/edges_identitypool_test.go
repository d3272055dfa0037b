package escalate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
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

// TestIdentityPoolStart: a path that starts at Cognito's federated
// principal (a trust policy letting in the authenticated identities of a
// pool by its aud: the basic flow) starts at the pool's ARN, and its step
// names it, when the pool is one of workloads (identitypools.yaml's); for a
// pool the org files do not list, the federated principal
// cognito-identity.amazonaws.com stays (no account, no ARN).
func TestIdentityPoolStart(t *testing.T) {
	pool := "arn:aws:cognito-identity:us-east-1:" + dev + ":identitypool/us-east-1:11111111-2222-3333-4444-555555555555"
	got := pathsFrom(Analyze(twins(t), Options{Now: now}))
	p, ok := got[pool]
	if !ok || len(p.Steps) != 1 || p.Steps[0].Principal != pool || p.Steps[0].Action != "sts:AssumeRoleWithWebIdentity" || p.Admin == nil ||
		p.Admin.Principal != roleARN(dev, "CognitoAdminRole") {
		t.Errorf("the pool's identities: %v %+v", ok, p)
	}
	if _, ok := got["cognito-identity.amazonaws.com"]; ok {
		t.Errorf("a path from the federated principal, whose pool is listed")
	}

	o := orgFromYAML(t, `organization: {id: o-c0gn1t0001, managementAccount: Mgmt, root: r-c0gn}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
roles:
  - name: GuestAdmin
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com}, Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: {cognito-identity.amazonaws.com:aud: "us-east-1:99999999-2222-3333-4444-555555555555"}, ForAnyValue:StringLike: {cognito-identity.amazonaws.com:amr: authenticated}}}]}
    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
`)
	got = pathsFrom(Analyze(o, Options{Now: now}))
	if p, ok := got["cognito-identity.amazonaws.com"]; !ok || p.Steps[0].Principal != "cognito-identity.amazonaws.com" {
		t.Errorf("an unlisted pool's identities: %v %+v", ok, p)
	}
}

// TestIdentityPoolSameIDTwoAccounts: org files that list one pool ID in two
// accounts (as identitypools.yaml does for Dev and Locked) name, in every
// run, the pool of the account of the role its identities assume, not
// whichever account a map visits first.
func TestIdentityPoolSameIDTwoAccounts(t *testing.T) {
	const id = "us-east-1:11111111-2222-3333-4444-555555555555"
	o := orgFromYAML(t, `organization: {id: o-c0gn1t0002, managementAccount: Mgmt, root: r-c0gn}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
  - {name: Prod, id: "333333333333", email: prod@example.com}
workloads:
  - {arn: "arn:aws:cognito-identity:us-east-1:222222222222:identitypool/`+id+`"}
  - {arn: "arn:aws:cognito-identity:us-east-1:333333333333:identitypool/`+id+`"}
roles:
  - name: PoolAdmin
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com}, Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: {cognito-identity.amazonaws.com:aud: "`+id+`"}, ForAnyValue:StringLike: {cognito-identity.amazonaws.com:amr: authenticated}}}]}
    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
`)
	want := "arn:aws:cognito-identity:us-east-1:333333333333:identitypool/" + id
	for range 8 {
		got := pathsFrom(Analyze(o, Options{Now: now}))
		if p, ok := got[want]; !ok || p.Steps[0].Principal != want {
			t.Fatalf("the path from Prod's pool: %v %+v", ok, p)
		}
	}
}

// orgFromYAML loads an organization from one org file's text.
func orgFromYAML(t *testing.T, text string) *org.Org {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "org.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := org.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
