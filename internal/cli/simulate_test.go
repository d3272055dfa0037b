package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// run runs the command line in-process and returns its stdout, stderr and
// exit status.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Now: fixedNow})
	return out.String(), errb.String(), code
}

type jsonResult struct {
	Name     string `json:"name"`
	Decision string `json:"decision"`
	Expect   string `json:"expect"`
	Pass     *bool  `json:"pass"`
	Error    string `json:"error"`
}

func results(t *testing.T, out string) []jsonResult {
	t.Helper()
	var rs []jsonResult
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r jsonResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("output line is not JSON: %q: %v", sc.Text(), err)
		}
		rs = append(rs, r)
	}
	return rs
}

// TestCorpus runs the project's own cases, written from AWS's documentation
// (each names its page), through `warden simulate`. Every one must pass.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/simulate/*.json")
	if len(files) < 15 {
		t.Fatalf("found %d corpus files; want the whole corpus", len(files))
	}
	out, stderr, code := run(t, "", append([]string{"simulate", "--format", "json"}, files...)...)
	rs := results(t, out)
	if len(rs) < 300 {
		t.Errorf("the corpus has %d cases; want at least 300", len(rs))
	}
	for _, r := range rs {
		if r.Pass == nil || !*r.Pass {
			t.Errorf("case %q: got %s, want %s %s", r.Name, r.Decision, r.Expect, r.Error)
		}
	}
	if code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, stderr)
	}
}

// knownDisagreements are shared conformance cases whose expected answer
// contradicts AWS's documentation; the documentation wins.
var knownDisagreements = map[string]string{
	// A resource policy that names the role session's own ARN grants to the
	// session directly; a session policy limits only the identity-based
	// permissions and grants through the role's ARN. "If that policy
	// specifically references the ... session in the Principal element ...
	// These permissions are granted in addition to the permissions that are
	// granted by the session policies."
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html and
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
	"Implicit deny in session policy denies even if session ARN in resource policy": "Allow",
}

// TestConformance runs the shared conformance cases through `warden
// simulate` when ../shared/conformance exists (it is not part of the
// repository).
func TestConformance(t *testing.T) {
	dir := "../../../shared/conformance/iam-simulate"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no shared conformance cases at %s", dir)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	out, stderr, code := run(t, "", append([]string{"simulate", "--format", "json"}, files...)...)
	rs := results(t, out)
	if len(rs) == 0 {
		t.Fatalf("no results; stderr:\n%s", stderr)
	}
	failed := 0
	for _, r := range rs {
		if r.Error != "" {
			t.Errorf("case %q: %s", r.Name, r.Error)
			continue
		}
		if r.Pass != nil && *r.Pass {
			continue
		}
		failed++
		if want, ok := knownDisagreements[r.Name]; ok && r.Decision == want {
			t.Logf("case %q: %s, as AWS documents (the case expects %s)", r.Name, r.Decision, r.Expect)
			continue
		}
		t.Errorf("case %q: got %s, want %s", r.Name, r.Decision, r.Expect)
	}
	if want := 0; failed > len(knownDisagreements) {
		t.Errorf("%d cases failed; want at most %d", failed, len(knownDisagreements)+want)
	}
	if failed > 0 && code != 1 {
		t.Errorf("exit status %d with failing cases, want 1", code)
	}
}

func TestSimulateExitCodesAndFormats(t *testing.T) {
	allow := `{"name":"a","request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},
"policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}]},"expect":"Allow"}`
	wrong := strings.Replace(allow, `"expect":"Allow"`, `"expect":"ImplicitDeny"`, 1)
	malformed := `{"name":"bad","request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject"},
"policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Acton":"s3:Get*","Resource":"*"}}]}}`

	out, _, code := run(t, allow, "simulate", "-")
	if code != 0 || !strings.Contains(out, "PASS a: Allow") || !strings.Contains(out, "1 passed, 0 failed") {
		t.Errorf("passing case: exit %d, output:\n%s", code, out)
	}
	out, _, code = run(t, wrong, "simulate", "-")
	if code != 1 || !strings.Contains(out, "FAIL a: Allow (expected ImplicitDeny)") || !strings.Contains(out, "0 passed, 1 failed") {
		t.Errorf("failing case: exit %d, output:\n%s", code, out)
	}
	_, stderr, code := run(t, malformed, "simulate", "-")
	if code != 2 {
		t.Errorf("malformed case: exit %d, want 2", code)
	}
	for _, want := range []string{`case 0 ("bad")`, "2:79", "/policies/identity/0/Statement/Acton", `unknown statement element "Acton"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("malformed case: stderr lacks %q:\n%s", want, stderr)
		}
	}
	// JSON Lines, JSON format.
	out, _, code = run(t, allow+"\n"+wrong+"\n", "simulate", "--format", "json", "-")
	rs := results(t, out)
	if code != 1 || len(rs) != 2 || !*rs[0].Pass || *rs[1].Pass || rs[1].Decision != "Allow" {
		t.Errorf("JSON Lines: exit %d, results %+v", code, rs)
	}
	if !strings.Contains(out, `"reasons":[{"policyType":"identity","policy":"0","statement":"0","effect":"Allow"`) {
		t.Errorf("JSON output lacks the deciding statement: %s", out)
	}
	// An array of cases.
	out, _, code = run(t, "["+allow+","+allow+"]", "simulate", "-")
	if code != 0 || !strings.Contains(out, "2 passed, 0 failed") {
		t.Errorf("array: exit %d, output:\n%s", code, out)
	}
	if _, _, code := run(t, "", "simulate", "--format", "xml", "-"); code != 2 {
		t.Errorf("unknown format: exit %d, want 2", code)
	}
	if _, _, code := run(t, "", "simulate", "/nonexistent.json"); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}
