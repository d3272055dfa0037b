package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A CloudTrail log file as AWS delivers it: the root user of Dev lists
// users (Policy:IAMUser/RootCredentialUsage,
// https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#policy-iam-rootcredentialusage);
// its twin, the same call by an IAM user, finds nothing.
func TestAuditDetectLogs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, typ, arn string) string {
		rec := map[string]any{"eventVersion": "1.11", "eventTime": "2026-03-01T12:00:00Z", "eventSource": "iam.amazonaws.com",
			"eventName": "ListUsers", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "eventID": "e1", "eventType": "AwsApiCall",
			"recipientAccountId": "222222222222", "userIdentity": map[string]any{"type": typ, "arn": arn, "accountId": "222222222222", "accessKeyId": "AKIAEXAMPLEROOT00001"}}
		b, _ := json.Marshal(map[string]any{"Records": []any{rec}})
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rootLog := write("root.json", "Root", "arn:aws:iam::222222222222:root")
	out, errOut, code := run(t, "", "audit", "detect", "--logs", rootLog, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (an active finding); stderr %s", code, errOut)
	}
	var f struct {
		Type, AccountID, Severity string
		Count                     int
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &f); err != nil || f.Type != "Policy:IAMUser/RootCredentialUsage" || f.AccountID != "222222222222" || f.Severity != "LOW" {
		t.Fatalf("json: %s (%v)", out, err)
	}
	out, _, code = run(t, "", "audit", "detect", "--logs", rootLog, "--format", "asff")
	if code != 1 || !strings.Contains(out, `"ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty"`) || !strings.Contains(out, "TTPs/Policy:IAMUser-RootCredentialUsage") {
		t.Errorf("asff (exit %d): %s", code, out)
	}
	userLog := write("user.json", "IAMUser", "arn:aws:iam::222222222222:user/ops")
	out, _, code = run(t, "", "audit", "detect", "--logs", userLog)
	if code != 0 || !strings.Contains(out, "No findings.") {
		t.Errorf("an IAM user's call: exit %d, %s; want 0 and no findings", code, out)
	}
	if _, errOut, code := run(t, "", "audit", "detect", "--logs", userLog, "--denied-count", "1"); code != 2 || !strings.Contains(errOut, "--denied-count") {
		t.Errorf("--denied-count 1: exit %d, %s; want 2 naming the flag", code, errOut)
	}
}
