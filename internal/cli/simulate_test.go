package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
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

// TestSimulateExitCodesAndFormats: the command's formats and exit codes.
// The engine's answers to the corpus are tested beside the engine
// (internal/simulate's TestCorpus).
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
	// A malformed case in JSON: its line has the error and, as the case has
	// an expectation, "expect" and "pass": false (shared/spec/simulate.md:
	// expect and pass whenever the case has expect).
	out, _, code = run(t, allow+"\n"+strings.Replace(malformed, `"name":"bad"`, `"name":"bad","expect":"Allow"`, 1)+"\n", "simulate", "--format", "json", "-")
	rs = results(t, out)
	if code != 2 || len(rs) != 2 || rs[1].Name != "bad" || rs[1].Error == "" || rs[1].Expect != "Allow" || rs[1].Pass == nil || *rs[1].Pass || rs[1].Decision != "" {
		t.Errorf("malformed case in JSON: exit %d, results %+v\n%s", code, rs, out)
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

// TestSimulateMalformedNamesWhere: every malformed part of a case is reported
// with the file, the case, its JSON path and the line:column where it is
// written (shared/spec/simulate.md, exit status 2).
func TestSimulateMalformedNamesWhere(t *testing.T) {
	req := `"request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject"}`
	idn := `"identity": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`
	tests := []struct{ name, src, want string }{
		{"principal", `{"name": "c",
 "request": {"action": "s3:GetObject",
   "principal": "bob"}}`, `-:3:17: /request/principal: unrecognized principal "bob"`},
		{"action", `{"name": "c", "request": {"principal": "*",
  "action": "GetObject"}}`, `-:2:13: /request/action: malformed action "GetObject"`},
		{"resource account", `{"name": "c", "request": {"principal": "*", "action": "s3:GetObject",
  "resourceAccount": "1234"}}`, `-:2:22: /request/resourceAccount: resourceAccount "1234" is not a 12-digit account ID`},
		{"request field", `{"name": "c", "request": {"principal": "*", "action": "s3:GetObject",
  "contxt": {}}}`, `-:2:13: /request/contxt: unknown request field "contxt"`},
		{"context value", `{"name": "c", "request": {"principal": "*", "action": "s3:GetObject", "context": {
  "aws:SourceIp": 5}}}`, `-:2:19: /request/context/aws:SourceIp: a context value must be a string or an array of strings`},
		{"context key twice", `{"name": "c", "request": {"principal": "*", "action": "s3:GetObject", "context": {
  "aws:SourceIp": "203.0.113.7",
  "AWS:SOURCEIP": "198.51.100.1"}}}`, `-:3:19: /request/context/AWS:SOURCEIP: context key "AWS:SOURCEIP" is given twice (as "aws:SourceIp")`},
		{"no request", `{"name": "c"}`, `-:1:1: the case has no request`},
		{"no request in an array", `[{"name": "d", ` + req + `},
 {"name": "c"}]`, `-:2:2: /1: the case has no request`},
		{"case field", `{"name": "c", ` + req + `,
  "expected": "Allow"}`, `-:2:15: /expected: unknown case field "expected"`},
		{"level target", `{"name": "c", ` + req + `, "policies": {` + idn + `, "scp": [
  {"policies": []}]}}`, `-:2:3: /policies/scp/0: the level has no target`},
		{"RCP version", `{"name": "c", ` + req + `, "policies": {` + idn + `, "rcp": [{"target": "r-root", "policies": [
  {"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}}]}]}}`,
			`-:2:3: /policies/rcp/0/policies/0: RCP policies must have "Version": "2012-10-17"`},
	}
	for _, tt := range tests {
		_, stderr, code := run(t, tt.src, "simulate", "-")
		if code != 2 || !strings.Contains(stderr, `("c")`) || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.name, code, stderr, tt.want)
		}
	}
	// A case without any of them runs.
	if _, stderr, code := run(t, `{"name": "c", `+req+`, "note": "free text", "policies": {`+idn+`}, "expect": "Allow"}`, "simulate", "-"); code != 0 {
		t.Errorf("well-formed case: exit %d, stderr %s", code, stderr)
	}
}
