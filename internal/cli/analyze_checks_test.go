package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeDoc(t *testing.T, name, doc string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type checkJSON struct {
	Result  string `json:"result"`
	Message string `json:"message"`
	Reasons []struct {
		Description    string `json:"description"`
		StatementIndex *int   `json:"statementIndex"`
		StatementID    string `json:"statementId"`
	} `json:"reasons"`
}

func TestAnalyzeChecks(t *testing.T) {
	public := writeDoc(t, "public.json", `{"Version": "2012-10-17", "Statement": [{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`)
	out, stderr, code := run(t, "", "analyze", "check-no-public-access", "--policy-document", "file://"+public, "--resource-type", "AWS::S3::Bucket", "--format", "json")
	var r checkJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 || r.Result != "FAIL" || len(r.Reasons) != 1 || r.Reasons[0].StatementID != "Public" || *r.Reasons[0].StatementIndex != 0 {
		t.Fatalf("exit %d, %v: %s %s", code, err, out, stderr)
	}

	orgOnly := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}`
	out, _, code = run(t, orgOnly, "analyze", "check-no-public-access", "--policy-document", "-", "--resource-type", "AWS::S3::Bucket")
	if code != 0 || !strings.HasPrefix(out, "PASS: ") {
		t.Fatalf("exit %d: %s", code, out)
	}

	identity := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}`
	out, _, code = run(t, "", "analyze", "check-access-not-granted", "--policy-document", identity, "--action", "iam:PassRole")
	if code != 0 || !strings.HasPrefix(out, "PASS: ") {
		t.Fatalf("PassRole denied: exit %d: %s", code, out)
	}
	out, _, code = run(t, "", "analyze", "check-access-not-granted", "--policy-document", identity, "--access", `[{"actions": ["iam:CreateUser"]}]`)
	if code != 1 || !strings.HasPrefix(out, "FAIL: ") || !strings.Contains(out, "iam:CreateUser") {
		t.Fatalf("CreateUser granted: exit %d: %s", code, out)
	}

	old := writeDoc(t, "old.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}`)
	wider := writeDoc(t, "new.json", `{"Version": "2012-10-17", "Statement": [{"Sid": "Wider", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	out, _, code = run(t, "", "analyze", "check-no-new-access", "--new-policy-document", wider, "--existing-policy-document", old, "--format", "json")
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 || r.Result != "FAIL" || r.Reasons[0].StatementID != "Wider" {
		t.Fatalf("wider: exit %d: %s", code, out)
	}
	out, _, code = run(t, "", "analyze", "check-no-new-access", "--new-policy-document", old, "--existing-policy-document", wider)
	if code != 0 || !strings.HasPrefix(out, "PASS: ") {
		t.Fatalf("narrower: exit %d: %s", code, out)
	}

	// Malformed input: exit 2 with what and where.
	if _, stderr, code := run(t, "", "analyze", "check-no-public-access", "--policy-document", `{"Statement": [{"Effect": "Allow"`, "--resource-type", "AWS::S3::Bucket"); code != 2 || stderr == "" {
		t.Fatalf("malformed: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, "", "analyze", "check-no-public-access", "--policy-document", public, "--resource-type", "AWS::EC2::Instance"); code != 2 || !strings.Contains(stderr, "resourceType") {
		t.Fatalf("bad type: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, "", "analyze", "check-no-new-access", "--new-policy-document", old); code != 2 || !strings.Contains(stderr, "--existing-policy-document") {
		t.Fatalf("missing: exit %d: %s", code, stderr)
	}
}
