package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "scp.json")
	os.WriteFile(good, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Deny\",\n    \"Principal\": \"*\",\n    \"Action\": \"s3:*\",\n    \"Resource\": \"*\",\n    \"Condition\": {\"StringEqualz\": {\"aws:SourceVpc\": \"vpc-1a2b3c4d\"}}\n  }]\n}\n"), 0o600)
	typo := filepath.Join(dir, "typo.json")
	os.WriteFile(typo, []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObjekt\",\n    \"Resource\": \"*\"\n  }\n}\n"), 0o600)

	out, _, code := run(t, "", "validate", "--type", "scp", good)
	if code != 0 || !strings.Contains(out, "scp.json: no findings (scp policy)") {
		t.Errorf("valid SCP: exit %d, output %q", code, out)
	}
	out, _, code = run(t, "", "validate", "--type", "scp", bad)
	if code != 1 {
		t.Errorf("invalid SCP: exit %d, want 1", code)
	}
	for _, want := range []string{
		bad + ":5:5: ERROR SCP_SYNTAX_ERROR_PRINCIPAL: SCPs do not support specifying principals.",
		bad + ":8:19: ERROR INVALID_CONDITION_OPERATOR: The condition operator StringEqualz is not valid. Did you mean StringEquals?",
		"        \"Condition\": {\"StringEqualz\": {\"aws:SourceVpc\": \"vpc-1a2b3c4d\"}}\n                      ^~~~~~~~~~~~~~\n",
		"#access-analyzer-reference-policy-checks-error-scp-syntax-error-principal",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The issue's case: a misspelled action is an error, exit 1.
	out, _, code = run(t, "", "validate", typo)
	if code != 1 || !strings.Contains(out, typo+":5:15: ERROR INVALID_ACTION: The action s3:GetObjekt does not exist. Did you mean s3:GetObject?") {
		t.Errorf("s3:GetObjekt: exit %d, output:\n%s", code, out)
	}

	// json: one finding per line, AWS's field names plus the file.
	out, _, code = run(t, "", "validate", "--format", "json", typo, good)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 1 {
		t.Fatalf("json: exit %d, %d lines:\n%s", code, len(lines), out)
	}
	var f struct {
		File           string `json:"file"`
		FindingType    string `json:"findingType"`
		IssueCode      string `json:"issueCode"`
		FindingDetails string `json:"findingDetails"`
		LearnMoreLink  string `json:"learnMoreLink"`
		Locations      []struct {
			Path []map[string]any `json:"path"`
			Span struct {
				Start struct{ Line, Column, Offset int } `json:"start"`
				End   struct{ Line, Column, Offset int } `json:"end"`
			} `json:"span"`
		} `json:"locations"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil {
		t.Fatal(err)
	}
	if f.File != typo || f.FindingType != "ERROR" || f.IssueCode != "INVALID_ACTION" || !strings.HasSuffix(f.LearnMoreLink, "#access-analyzer-reference-policy-checks-error-invalid-action") ||
		len(f.Locations) != 1 || len(f.Locations[0].Path) != 2 || f.Locations[0].Path[1]["value"] != "Action" ||
		f.Locations[0].Span.Start.Line != 5 || f.Locations[0].Span.Start.Column != 14 || f.Locations[0].Span.End.Column != 28 {
		t.Errorf("json finding: %s", lines[0])
	}

	// --fail-on: warnings and suggestions fail only when asked.
	redundant := filepath.Join(dir, "redundant.json")
	os.WriteFile(redundant, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:GetObject"],"Resource":"*"}]}`), 0o600)
	if _, _, code := run(t, "", "validate", redundant); code != 0 {
		t.Errorf("suggestion only: exit %d, want 0", code)
	}
	if _, _, code := run(t, "", "validate", "--fail-on", "suggestion", redundant); code != 1 {
		t.Errorf("--fail-on suggestion: exit %d, want 1", code)
	}
	if _, _, code := run(t, "", "validate", "--fail-on", "warning", redundant); code != 0 {
		t.Errorf("--fail-on warning with a suggestion: exit %d, want 0", code)
	}

	// SARIF 2.1.0.
	out, _, code = run(t, "", "validate", "--format", "sarif", typo, redundant)
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID      string `json:"id"`
						HelpURI string `json:"helpUri"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }                 `json:"artifactLocation"`
						Region           struct{ StartLine, StartColumn int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("sarif: %v\n%s", err, out)
	}
	if code != 1 || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 2 || len(log.Runs[0].Tool.Driver.Rules) != 2 {
		t.Fatalf("sarif: exit %d\n%s", code, out)
	}
	r := log.Runs[0].Results[0]
	if r.RuleID != "INVALID_ACTION" || r.Level != "error" || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != typo ||
		r.Locations[0].PhysicalLocation.Region.StartLine != 5 || r.Locations[0].PhysicalLocation.Region.StartColumn != 15 {
		t.Errorf("sarif result %+v", r)
	}
	if log.Runs[0].Results[1].Level != "note" {
		t.Errorf("a suggestion is level %q, want note", log.Runs[0].Results[1].Level)
	}

	// AWS only warns about duplicate Sids in an identity policy; Warden's
	// engine rejects the document, so validation fails.
	dupSid := filepath.Join(dir, "dupsid.json")
	os.WriteFile(dupSid, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`), 0o600)
	out, stderr, code := run(t, "", "validate", dupSid)
	if code != 1 || !strings.Contains(out, "WARNING UNIQUE_SIDS_RECOMMENDED") || !strings.Contains(stderr, "Warden's engine rejects the document") || !strings.Contains(stderr, `duplicate Sid "A"`) {
		t.Errorf("duplicate Sids: exit %d\n%s\n%s", code, out, stderr)
	}

	// Not JSON: an ERROR finding (exit 1); unreadable: exit 2.
	out, _, code = run(t, "", "validate", "-")
	if code != 1 || !strings.Contains(out, "JSON_SYNTAX_ERROR") {
		t.Errorf("empty input: exit %d, output %q", code, out)
	}
	if _, _, code := run(t, "", "validate", filepath.Join(dir, "missing.json")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
	for _, args := range [][]string{
		{"validate", "--type", "nope", good},
		{"validate", "--format", "xml", good},
		{"validate", "--fail-on", "panic", good},
		{"validate", "--type", "identity", "--resource-type", "AWS::S3::Bucket", good},
		{"validate", "--type", "resource", "--resource-type", "AWS::SQS::Queue", good},
	} {
		if _, _, code := run(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if out, _, code := run(t, "", "validate", "--help"); code != 0 || !strings.Contains(out, "--resource-type") || !strings.Contains(out, "--fail-on") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
}
