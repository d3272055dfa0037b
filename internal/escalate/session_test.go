package escalate

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
)

// chainOrg is an organization whose Dev account has the user alice, the
// role Hop (assumed by alice and by GitHub's OIDC tokens) and the role
// Admin (AdministratorAccess) that trusts Hop with TRUST; alice's and
// Hop's policies allow sts:AssumeRole and sts:SetSourceIdentity, and Hop's
// trust lets alice set the source identity SI.
func chainOrg(t *testing.T, si, trust string) *org.Org {
	t.Helper()
	return chainOrgAdmin(t, si, trust, "managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]")
}

// chainOrgAdmin is chainOrg with Admin's policies as given.
func chainOrgAdmin(t *testing.T, si, trust, admin string) *org.Org {
	t.Helper()
	users := `  - name: alice
    account: Dev
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Resource: "*"}]}
`
	roles := `  - name: Hop
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/alice"}, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Condition: {StringEquals: {sts:SourceIdentity: ` + si + `}}},
      {Effect: Allow, Principal: {Federated: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"}, Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: {"token.actions.githubusercontent.com:aud": sts.amazonaws.com}}}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Resource: "*"}]}
  - name: Admin
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [` + trust + `]}
    ` + admin + `
`
	return linkOrg(t, users, roles, "")
}

const (
	aliceARN = "arn:aws:iam::222222222222:user/alice"
	hopARN   = "arn:aws:iam::222222222222:role/Hop"
	github   = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
)

func sessionOf(p Path) string {
	var s []string
	for _, n := range p.Session {
		s = append(s, n.String())
	}
	return strings.Join(s, "; ")
}

// A source identity set when alice assumes Hop persists into Admin's
// session and cannot change
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html):
// Admin's trust wants alice; when Hop's trust lets her set only bob, each
// edge alone is allowed but her path is not.
func TestSourceIdentityPath(t *testing.T) {
	trust := `{Effect: Allow, Principal: {AWS: "` + hopARN + `"}, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Condition: {StringEquals: {aws:SourceIdentity: alice}}}`
	res := Analyze(chainOrg(t, "alice", trust), Options{Now: now})
	p, ok := pathsFrom(res)[aliceARN]
	if !ok || kindsOf(p) != "assume-role" || len(p.Steps) != 2 {
		t.Fatalf("alice reaches Admin through Hop: %+v", p)
	}
	if sessionOf(p) != "source identity = alice set at hop 1" {
		t.Fatalf("the path sets the source identity at step 1: %q", sessionOf(p))
	}
	if v := p.Steps[1].Context["aws:SourceIdentity"]; v != "alice" {
		t.Fatalf("step 2 carries the source identity: %v", p.Steps[1].Context)
	}
	// Each step, with its context, is a request warden explain allows.
	allowed(t, chainOrg(t, "alice", trust), p)
	if p, ok := pathsFrom(res)[hopARN]; !ok || sessionOf(p) != "source identity = alice set at sign-in" {
		t.Fatalf("Hop's sessions that carry alice reach Admin: %q", sessionOf(p))
	}

	// Twin: Hop's trust lets alice set only bob.
	res = Analyze(chainOrg(t, "bob", trust), Options{Now: now})
	if p, ok := pathsFrom(res)[aliceARN]; ok {
		t.Fatalf("alice's source identity can only be bob, which Admin's trust refuses: %+v", p)
	}
	edges := 0
	for _, e := range res.Edges {
		if e.From.ARN == aliceARN && e.To.ARN == hopARN || e.From.ARN == hopARN && e.To.Role != nil && e.To.Role.Name == "Admin" {
			edges++
		}
	}
	if edges != 2 {
		t.Fatalf("each edge alone is allowed (%d of 2 found): the chain, not an edge, is impossible", edges)
	}
}

// MFA comes from the chain's start
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent):
// Admin's trust wants MFA; alice's path says so once, at sign-in; the
// GitHub tokens' chain (no MFA) has no path, though its edges are allowed.
func TestMFAPath(t *testing.T) {
	// (Admin's trust allows sts:SetSourceIdentity: alice's chain carries
	// the source identity Hop's trust makes her set.)
	trust := `{Effect: Allow, Principal: {AWS: "` + hopARN + `"}, Action: [sts:AssumeRole, sts:SetSourceIdentity], Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}`
	res := Analyze(chainOrg(t, "alice", trust), Options{Now: now})
	got := pathsFrom(res)
	p, ok := got[aliceARN]
	if !ok || len(p.Steps) != 2 || !strings.Contains(sessionOf(p), "MFA at sign-in") {
		t.Fatalf("alice reaches Admin with MFA at sign-in: %+v %q", p, sessionOf(p))
	}
	for i, s := range p.Steps {
		if _, ok := s.Requires["aws:MultiFactorAuthPresent"]; ok {
			t.Errorf("step %d restates the sign-in's MFA: %v", i+1, s.Requires)
		}
	}
	if p, ok := got[github]; ok {
		t.Fatalf("a chain GitHub's tokens start has no MFA: %+v", p)
	}
	found := false
	for _, e := range res.Edges {
		found = found || e.From.ARN == github && e.To.ARN == hopARN
	}
	if !found {
		t.Fatal("GitHub's tokens assume Hop (an edge alone)")
	}
	// Twin: no MFA required: GitHub's tokens reach Admin.
	res = Analyze(chainOrg(t, "alice", strings.Replace(trust, `, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}`, "", 1)), Options{Now: now})
	if p, ok := pathsFrom(res)[github]; !ok || len(p.Session) != 0 {
		t.Fatalf("without the MFA condition GitHub's tokens reach Admin: %+v", p)
	}
}

// Admin power that needs MFA (an identity policy allowing everything with
// MFA) is the chain's last session's: alice's path needs MFA at sign-in,
// GitHub's tokens (no MFA) reach no admin power.
func TestAdminMFAPath(t *testing.T) {
	trust := `{Effect: Allow, Principal: {AWS: "` + hopARN + `"}, Action: [sts:AssumeRole, sts:SetSourceIdentity]}`
	admin := `inlinePolicies: {All: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*", Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}]}}`
	res := Analyze(chainOrgAdmin(t, "alice", trust, admin), Options{Now: now})
	got := pathsFrom(res)
	p, ok := got[aliceARN]
	if !ok || p.Admin == nil || p.Admin.Requires["aws:MultiFactorAuthPresent"] != "true" {
		t.Fatalf("alice reaches Admin, admin with MFA: %+v", p)
	}
	if !strings.Contains(sessionOf(p), "MFA at sign-in") {
		t.Fatalf("alice's chain needs MFA at sign-in for Admin's power: %q", sessionOf(p))
	}
	if p, ok := got[github]; ok {
		t.Fatalf("GitHub's tokens' chain has no MFA, which Admin's power needs: %+v", p)
	}
	// Twin: admin power without MFA: GitHub's tokens reach it.
	res = Analyze(chainOrgAdmin(t, "alice", trust, "managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]"), Options{Now: now})
	if _, ok := pathsFrom(res)[github]; !ok {
		t.Fatal("without MFA in Admin's policy, GitHub's tokens reach it")
	}
}
