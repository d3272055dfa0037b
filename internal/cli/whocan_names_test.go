package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWhoCanNamedSession: B's trust names only A's session deploy; who-can
// lists alice through A and B with session_names [A=deploy], the hop into B
// made as that session, which warden explain allows, and not as another.
func TestWhoCanNamedSession(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(sessionOrgYAML,
		`Principal: {AWS: "arn:aws:iam::222222222222:role/A"}, Action: sts:AssumeRole, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}`,
		`Principal: {AWS: "arn:aws:sts::222222222222:assumed-role/A/deploy"}, Action: sts:AssumeRole}`, 1)
	if src == sessionOrgYAML {
		t.Fatal("the trust policy was not replaced")
	}
	if err := os.WriteFile(filepath.Join(dir, "org.yaml"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "", "who-can", "--org", dir, "--format", "json", "s3:GetObject", "arn:aws:s3:::prod-data/x")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l struct {
			Principal    string   `json:"principal"`
			Via          []string `json:"via"`
			SessionNames []struct {
				Role string `json:"role"`
				Name string `json:"name"`
			} `json:"session_names"`
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
		if len(l.Via) != 2 || len(l.SessionNames) != 1 || l.SessionNames[0].Role != "arn:aws:iam::222222222222:role/A" || l.SessionNames[0].Name != "deploy" {
			t.Fatalf("alice's line: %s", line)
		}
		h := l.Hops[1]
		if h.Principal != "arn:aws:sts::222222222222:assumed-role/A/deploy" {
			t.Fatalf("hop 2 is made as A's session deploy: %s", line)
		}
		if o, _, code := run(t, "", append([]string{"--org", dir}, explainArgs(h.Principal, h.Action, h.Role, h.Context)...)...); code != 0 {
			t.Fatalf("warden explain of hop 2: exit %d\n%s", code, o)
		}
		// Twin: another session of A is denied.
		if o, _, code := run(t, "", append([]string{"--org", dir}, explainArgs("arn:aws:sts::222222222222:assumed-role/A/other", h.Action, h.Role, h.Context)...)...); code != 1 {
			t.Fatalf("hop 2 as A/other: exit %d\n%s", code, o)
		}
	}
	if !found {
		t.Fatalf("alice is not listed:\n%s", out)
	}
	out, _, _ = run(t, "", "who-can", "--org", dir, "s3:GetObject", "arn:aws:s3:::prod-data/x")
	if !strings.Contains(out, "requires the role's session name deploy") {
		t.Fatalf("the text says the session name:\n%s", out)
	}
}
