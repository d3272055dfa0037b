package cli

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const complianceOrg = "../compliance/testdata/org.yaml"

func TestComplianceFormatsAndExitCodes(t *testing.T) {
	t.Parallel()
	// text: grouped by account and rule, with the fix; exit 1 (the test org breaks rules).
	out, errOut, code := run(t, "", "compliance", "--org", complianceOrg)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut)
	}
	for _, want := range []string{"App (222222222222)", "iam-policy-no-statements-with-admin-access [HIGH]", "fix: ", "NON_COMPLIANT AWS::IAM::Policy Admin: statement Everything", "org.yaml:"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	// json: one evaluation per line, with AWS Config's field names.
	out, _, code = run(t, "", "compliance", "--org", complianceOrg, "--format", "json")
	if code != 1 {
		t.Fatalf("json exit %d", code)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		var e struct {
			Rule       string `json:"configRuleName"`
			Compliance string `json:"complianceType"`
			Resource   struct {
				Type string `json:"resourceType"`
				ID   string `json:"resourceId"`
			} `json:"resource"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Rule == "" || e.Compliance == "" || e.Resource.Type == "" || e.Resource.ID == "" {
			t.Errorf("incomplete evaluation: %s", sc.Text())
		}
		if e.Resource.Type == "AWS::IAM::Policy" && !strings.HasPrefix(e.Resource.ID, "ANPA") {
			t.Errorf("a policy is named by its PolicyId, got %s", e.Resource.ID)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no evaluations")
	}
	// asff: Security Hub findings; IAM.1 for the admin policy.
	out, _, _ = run(t, "", "compliance", "--org", complianceOrg, "--format", "asff")
	var fs []struct {
		SchemaVersion, GeneratorId, AwsAccountId string
		Compliance                               struct{ Status, SecurityControlId string }
		Resources                                []struct{ Type, Id string }
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fs {
		if f.SchemaVersion != "2018-10-08" {
			t.Fatalf("SchemaVersion %q", f.SchemaVersion)
		}
		if f.Compliance.SecurityControlId == "IAM.1" && f.Compliance.Status == "FAILED" && f.Resources[0].Id == "arn:aws:iam::222222222222:policy/Admin" {
			found = true
		}
	}
	if !found {
		t.Error("no failed IAM.1 finding for the Admin policy")
	}
	// junit: a suite per rule, failures counted.
	out, _, _ = run(t, "", "compliance", "--org", complianceOrg, "--format", "junit")
	var suites junitSuites
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatal(err)
	}
	failures := 0
	for _, s := range suites.Suites {
		failures += s.Failures
	}
	if len(suites.Suites) == 0 || failures == 0 {
		t.Errorf("junit: %d suites, %d failures", len(suites.Suites), failures)
	}
	// sarif
	out, _, _ = run(t, "", "compliance", "--org", complianceOrg, "--format", "sarif")
	if !strings.Contains(out, `"version": "2.1.0"`) || !strings.Contains(out, `"ruleId": "iam-policy-no-statements-with-admin-access"`) {
		t.Errorf("sarif output:\n%.400s", out)
	}
}

func TestComplianceFailOnAndRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("customRules:\n  - {name: everything-fine, resourceType: AWS::::Account, compliant: \"true\", severity: LOW}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Only CRITICAL counts: the public bucket (S3.2) is CRITICAL, so still 1.
	if _, _, code := run(t, "", "compliance", "--org", complianceOrg, "--rules", rules, "--fail-on", "CRITICAL"); code != 1 {
		t.Errorf("--fail-on CRITICAL: exit %d, want 1", code)
	}
	out, _, code := run(t, "", "compliance", "--org", complianceOrg, "--rules", rules, "--format", "json")
	if code != 1 || !strings.Contains(out, `"configRuleName":"everything-fine"`) {
		t.Errorf("custom rules file not run: exit %d", code)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("customRules:\n  - {name: x, resourceType: AWS::IAM::Role, compliant: \"resource.name ==\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, "", "compliance", "--org", complianceOrg, "--rules", bad); code != 2 || !strings.Contains(errOut, "bad.yaml:2:5") {
		t.Errorf("malformed rules: exit %d, stderr %s", code, errOut)
	}
	if _, _, code := run(t, "", "compliance", "--fail-on", "SEVERE"); code != 2 {
		t.Errorf("bad --fail-on: exit %d, want 2", code)
	}
	if _, _, code := run(t, "", "compliance", "--format", "yaml"); code != 2 {
		t.Errorf("bad --format: exit %d, want 2", code)
	}
}
