package escalate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
)

// TestNamedSessionStep: Admin's trust names one session of Hop,
// arn:aws:sts::222222222222:assumed-role/Hop/deploy (a Principal element
// naming a role session: "AWS JSON policy elements: Principal", Role
// session principals). The step into Admin is made as that session, not
// a made-up one: its principal is the session's ARN and its SessionName
// deploy, alice's assumption of Hop says it passes RoleSessionName deploy,
// warden explain allows the step and not the same step as another
// session, and the pictures say the session on the move. Twin: a trust
// naming Hop itself makes the step as Hop's ordinary session, with no
// session name.
func TestNamedSessionStep(t *testing.T) {
	users := `  - name: alice
    account: Dev
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
`
	roles := func(principal string) string {
		return `  - name: Hop
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/alice"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
  - name: Admin
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + principal + `"}, Action: sts:AssumeRole}]}
    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
`
	}
	session := "arn:aws:sts::222222222222:assumed-role/Hop/deploy"
	o := linkOrg(t, users, roles(session), "")
	res := Analyze(o, Options{Now: now})
	got := pathsFrom(res)
	p, ok := got[aliceARN]
	if !ok || len(p.Steps) != 2 || p.Admin == nil || p.Admin.Principal != devRole("Admin") {
		t.Fatalf("alice's path: %+v", p)
	}
	into, hop := p.Steps[0], p.Steps[1]
	if into.Principal != aliceARN || into.Resource != hopARN || into.SessionName != "" || !strings.Contains(into.Note, "RoleSessionName deploy") {
		t.Errorf("alice's assumption of Hop: %+v", into)
	}
	if hop.Principal != session || hop.SessionName != "deploy" || hop.Resource != devRole("Admin") || strings.Contains(hop.Principal, "warden-") {
		t.Errorf("the step into Admin: %+v", hop)
	}
	allowed(t, o, p)
	other := authz.Query{Principal: "arn:aws:sts::222222222222:assumed-role/Hop/other", Action: hop.Action, Resource: hop.Resource}
	if _, e, err := authz.Decide(o, other, now); err != nil || e.Decision == eval.Allow {
		t.Errorf("another session of Hop into Admin: %v %v", e.Decision, err)
	}
	// Hop's own path starts in the session the trust names.
	if hp, ok := got[hopARN]; !ok || len(hp.Steps) != 1 || hp.Steps[0].Principal != session {
		t.Errorf("Hop's path: %+v", hp)
	}
	line, err := json.Marshal(p)
	if err != nil || !strings.Contains(string(line), `"principal":"`+session+`","sessionName":"deploy"`) {
		t.Errorf("JSON %s (%v)", line, err)
	}
	var dot strings.Builder
	if err := WriteDOT(&dot, res.Paths); err != nil {
		t.Fatal(err)
	}
	for what, pic := range map[string]string{"mermaid": Mermaid(res.Paths), "dot": dot.String()} {
		if !strings.Contains(pic, "sts:AssumeRole as session deploy") {
			t.Errorf("%s does not name the session:\n%s", what, pic)
		}
	}
	if pic := Draw(res.Paths); !pictureSays(pic, "as session deploy") {
		t.Errorf("the HTML picture's edges do not name the session: %+v", pic.Edges)
	}

	// The twin: the trust names the role, any session of it.
	o = linkOrg(t, users, roles(hopARN), "")
	res = Analyze(o, Options{Now: now})
	p, ok = pathsFrom(res)[aliceARN]
	if !ok || len(p.Steps) != 2 {
		t.Fatalf("alice's path in the twin: %+v", p)
	}
	if hop := p.Steps[1]; hop.SessionName != "" || hop.Principal != "arn:aws:sts::222222222222:assumed-role/Hop/"+roleSession || strings.Contains(p.Steps[0].Note, "RoleSessionName") {
		t.Errorf("the twin's steps: %+v", p.Steps)
	}
	allowed(t, o, p)
	if strings.Contains(Mermaid(res.Paths), "as session") {
		t.Errorf("the twin's picture names a session:\n%s", Mermaid(res.Paths))
	}
}

func pictureSays(pic *Picture, s string) bool {
	for _, e := range pic.Edges {
		if strings.Contains(e.Title, s) {
			return true
		}
	}
	return false
}
