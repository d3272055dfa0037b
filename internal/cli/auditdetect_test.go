package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/storetest"
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

// Over a stored trail (--data): the test trail's assumed-role calls find
// nothing; a call with the root user's credentials appended to it is
// Policy:IAMUser/RootCredentialUsage.
func TestAuditDetectStore(t *testing.T) {
	t.Parallel()
	dir, _ := auditData(t, 6)
	out, errOut, code := run(t, "", "audit", "detect", "--data", dir)
	if code != 0 || !strings.Contains(out, "No findings.") {
		t.Fatalf("exit %d, %s %s; want 0 and no findings", code, out, errOut)
	}
	ctx := context.Background()
	st, sealer := openDataDir(t, dir)
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: securityAcct, DigestEvery: 4, Clock: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	c := &api.Call{Service: "iam", Action: "ListUsers", Region: "us-east-1", RequestID: "root-1", Now: fixedNow(), SourceIP: "192.0.2.99",
		Identity: &api.Identity{ARN: "arn:aws:iam::" + devAcct + ":root", Account: devAcct, Kind: policy.CallerRoot, AccessKeyID: "AKIAROOTEXAMPLE00001"}}
	if err := tr.Append(ctx, audit.Records(&api.Event{Call: c, EventSource: "iam.amazonaws.com"})); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	st.Close()
	out, errOut, code = run(t, "", "audit", "detect", "--data", dir, "--format", "json")
	if code != 1 || !strings.Contains(out, `"type":"Policy:IAMUser/RootCredentialUsage"`) || !strings.Contains(out, `"accountId":"`+devAcct+`"`) {
		t.Fatalf("exit %d, %s %s; want 1 and the root finding", code, out, errOut)
	}
}

// A stored record that cannot be read (a damaged store) is skipped with a
// warning: the root call after it is still found.
func TestAuditDetectStoreSkipsUnreadable(t *testing.T) {
	t.Parallel()
	dir, _ := auditData(t, 6)
	ctx := context.Background()
	st, sealer := openDataDir(t, dir)
	err := st.AppendAudit(ctx, func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return fixedNow() }, []byte(`{"eventTime":5}`)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: securityAcct, DigestEvery: 4, Clock: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	c := &api.Call{Service: "iam", Action: "ListUsers", Region: "us-east-1", RequestID: "root-1", Now: fixedNow(), SourceIP: "192.0.2.99",
		Identity: &api.Identity{ARN: "arn:aws:iam::" + devAcct + ":root", Account: devAcct, Kind: policy.CallerRoot, AccessKeyID: "AKIAROOTEXAMPLE00001"}}
	if err := tr.Append(ctx, audit.Records(&api.Event{Call: c, EventSource: "iam.amazonaws.com"})); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	st.Close()
	out, errOut, code := run(t, "", "audit", "detect", "--data", dir, "--format", "json")
	if code != 1 || !strings.Contains(out, `"type":"Policy:IAMUser/RootCredentialUsage"`) {
		t.Fatalf("exit %d, %s %s; want 1 and the root finding", code, out, errOut)
	}
	if !strings.Contains(errOut, "warning: trail record") || !strings.Contains(errOut, "unreadable") {
		t.Errorf("stderr %q: want a warning of the unreadable record", errOut)
	}
}
