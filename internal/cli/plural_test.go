package cli

import (
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 principals"}, {1, "1 principal"}, {2, "2 principals"}} {
		if got := count(c.n, "principal", "principals"); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// singleOrg is an organization whose one role, Escalator in Dev, may
// write its own inline policy, and whose SCP denies root users: one
// principal, one path.
const singleOrg = `organization: {id: o-5ing1e0001, managementAccount: Mgmt, root: r-5ing}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Dev]
  - name: NoRoot
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "*", Resource: "*", Condition: {StringLike: {aws:PrincipalArn: "arn:aws:iam::*:root"}}}]}
    attach: [Root]
roles:
  - name: Escalator
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Self: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:PutRolePolicy, Resource: "arn:aws:iam::222222222222:role/Escalator"}]}
`

// TestSingularCounts: the text output of who-can, can, analyze escalation,
// prove and diff says "1 principal", "1 path", not "1 principals", when
// there is one.
func TestSingularCounts(t *testing.T) {
	dir := writeFiles(t, map[string]string{"org.yaml": singleOrg})
	out, _, _ := run(t, "", "who-can", "--org", dir, "iam:PutRolePolicy", "arn:aws:iam::222222222222:role/Escalator")
	if !strings.Contains(out, "\n1 principal\n") || strings.Contains(out, "1 principals") {
		t.Errorf("who-can:\n%s", out)
	}
	out, _, _ = run(t, "", "analyze", "escalation", "--org", dir)
	if !strings.HasPrefix(out, "1 principal, 0 edges, 0 administrator-equivalent principals; 1 path to administrator-equivalent power\n") {
		t.Errorf("analyze escalation:\n%s", out)
	}
	g := writeFile(t, "g.yaml", "guardrails:\n  - name: no users\n    principals: [\"arn:aws:iam::*:role/Escalator\"]\n    actions: [iam:CreateUser]\n    expect: denied\n")
	out, _, _ = run(t, "", "prove", "--org", dir, g)
	if !strings.Contains(out, "(1 principal)") || strings.Contains(out, "1 principals") {
		t.Errorf("prove:\n%s", out)
	}
	changed := writeFiles(t, map[string]string{"org.yaml": strings.Replace(singleOrg, "Statement: [{Effect: Allow, Action: iam:PutRolePolicy", "Statement: [{Effect: Allow, Action: s3:ListAllMyBuckets, Resource: \"*\"}, {Effect: Allow, Action: iam:PutRolePolicy", 1)})
	out, _, _ = run(t, "", "diff", dir, changed)
	if !strings.Contains(out, "1 opened, 0 closed, 0 unknown (1 principal compared in 1 class of equal situations") {
		t.Errorf("diff:\n%s", out)
	}
	out, _, _ = run(t, "", "diff", "--format", "markdown", dir, changed)
	if !strings.Contains(out, "(1 principal compared, ") {
		t.Errorf("diff --format markdown:\n%s", out)
	}
}
