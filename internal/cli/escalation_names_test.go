package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEscalationNamedSession: B's trust names only A's session deploy (as
// in TestWhoCanNamedSession) and B holds AdministratorAccess: alice's path
// to admin goes through A and its step into B is made as
// assumed-role/A/deploy in the text and the HTML report (whose picture
// says the session on the move), never as a session of Warden's own name.
func TestEscalationNamedSession(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(sessionOrgYAML,
		`Principal: {AWS: "arn:aws:iam::222222222222:role/A"}, Action: sts:AssumeRole, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}`,
		`Principal: {AWS: "arn:aws:sts::222222222222:assumed-role/A/deploy"}, Action: sts:AssumeRole}`, 1)
	src = strings.Replace(src, `Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::prod-data/*"}]}`,
		`Admin: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}`, 1)
	if !strings.Contains(src, "assumed-role/A/deploy") || !strings.Contains(src, "Admin:") {
		t.Fatal("the org was not rewritten")
	}
	if err := os.WriteFile(filepath.Join(dir, "org.yaml"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "", "analyze", "escalation", "--org", dir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "arn:aws:sts::222222222222:assumed-role/A/deploy calls sts:AssumeRole on arn:aws:iam::333333333333:role/B") ||
		!strings.Contains(out, "with RoleSessionName deploy") || strings.Contains(out, "warden-reach") {
		t.Errorf("text:\n%s", out)
	}
	html, stderr, code := run(t, "", "analyze", "escalation", "--org", dir, "--format", "html")
	if code != 1 {
		t.Fatalf("html: exit %d: %s", code, stderr)
	}
	if !strings.Contains(html, "<code>arn:aws:sts::222222222222:assumed-role/A/deploy</code> calls") || !strings.Contains(html, "as session deploy") || strings.Contains(html, "warden-reach") {
		t.Errorf("the HTML report does not make the step as A/deploy")
	}
}
