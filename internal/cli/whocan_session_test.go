package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sessionOrgYAML: Dev's user alice assumes Dev's role A, which assumes
// Prod's role B, whose trust wants MFA and which reads the bucket.
const sessionOrgYAML = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
  - {name: Prod, id: "333333333333", email: prod@example.com}
policies:
  - name: Full
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Dev, Prod]
users:
  - name: alice
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/alice"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:role/A"}, Action: sts:AssumeRole, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::prod-data/*"}]}
`

// TestWhoCanSession: who-can's JSON says once, in "session", that alice's
// chain needs MFA at sign-in; the text says "session: MFA at sign-in"; and
// each hop, with the context given, is allowed by warden explain.
func TestWhoCanSession(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "org.yaml"), []byte(sessionOrgYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "", "who-can", "--org", dir, "--format", "json", "s3:GetObject", "arn:aws:s3:::prod-data/x")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l struct {
			Principal string `json:"principal"`
			Session   []struct {
				Hop  int    `json:"hop"`
				What string `json:"what"`
			} `json:"session"`
			Hops []struct {
				Principal string              `json:"principal"`
				Action    string              `json:"action"`
				Role      string              `json:"role"`
				Context   map[string][]string `json:"context"`
			} `json:"hops"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if l.Principal != "arn:aws:iam::222222222222:user/alice" {
			continue
		}
		found = true
		if len(l.Session) != 1 || l.Session[0].What != "mfa" || l.Session[0].Hop != 0 || len(l.Hops) != 2 {
			t.Fatalf("alice's line: %s", line)
		}
		for _, h := range l.Hops {
			o, _, code := run(t, "", append([]string{"--org", dir}, explainArgs(h.Principal, h.Action, h.Role, h.Context)...)...)
			if code != 0 {
				t.Fatalf("warden explain of %s %s: exit %d\n%s", h.Action, h.Role, code, o)
			}
		}
		// Twin: hop 2 without the chain's MFA is denied.
		h := l.Hops[1]
		h.Context["aws:multifactorauthpresent"] = []string{"false"}
		if o, _, code := run(t, "", append([]string{"--org", dir}, explainArgs(h.Principal, h.Action, h.Role, h.Context)...)...); code != 1 {
			t.Fatalf("hop 2 without MFA: exit %d\n%s", code, o)
		}
	}
	if !found {
		t.Fatalf("alice is not listed:\n%s", out)
	}
	out, _, _ = run(t, "", "who-can", "--org", dir, "s3:GetObject", "arn:aws:s3:::prod-data/x")
	if !strings.Contains(out, "session: MFA at sign-in") {
		t.Fatalf("the text says the session's need:\n%s", out)
	}
}
