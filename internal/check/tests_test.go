package check

import (
	"strings"
	"testing"
)

// A key given twice in one mapping of a test file is malformed: YAML
// requires a mapping's keys to be unique (https://yaml.org/spec/1.2.2/#mapping),
// and otherwise the later value would silently win.
func TestParseRejectsDuplicateKeys(t *testing.T) {
	o := secureCart(t)
	for _, tt := range []struct{ src, want string }{
		{"tests:\n  - name: a\n    principal: arn:aws:iam::{Dev}:root\n    action: s3:GetObject\n    expect: allow\n    expect: deny\n",
			`t.yaml:6:5: duplicate key "expect" (first at line 5)`},
		{"tests:\n  - name: a\n    principal: arn:aws:iam::{Dev}:root\n    action: s3:GetObject\n    context: {aws:SourceIp: 10.0.0.1, aws:SourceIp: 10.0.0.2}\n    expect: deny\n",
			`t.yaml:5:39: duplicate key "aws:SourceIp" (first at line 5)`},
		{"tests: []\ntests: []\n", `t.yaml:2:1: duplicate key "tests" (first at line 1)`},
	} {
		_, err := Parse([]byte(tt.src), "t.yaml", o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %s", tt.src, err, tt.want)
		}
	}
	tests, err := Parse([]byte("tests:\n  - {name: a, principal: \"arn:aws:iam::{Dev}:root\", action: s3:GetObject, expect: deny}\n  - {name: b, principal: \"arn:aws:iam::{Dev}:root\", action: s3:GetObject, expect: deny}\n"), "t.yaml", o)
	if err != nil || len(tests) != 2 {
		t.Errorf("the same keys in two mappings: %d tests, error %v", len(tests), err)
	}
}

// deniedBy names the layer that decided a denial (shared/spec/check.md): a
// test that expects allow and names a denying layer contradicts itself.
func TestParseRejectsDeniedByWithAllow(t *testing.T) {
	o := secureCart(t)
	src := "tests:\n  - {name: a, principal: \"arn:aws:iam::{Management}:root\", action: organizations:ListAccounts, expect: allow, deniedBy: scp}\n"
	_, err := Parse([]byte(src), "t.yaml", o)
	if err == nil || !strings.Contains(err.Error(), `t.yaml:2:5: tests[0] ("a"): deniedBy "scp" names the layer that decides a denial, but the test expects allow`) {
		t.Errorf("error %v", err)
	}
	for _, ok := range []string{"expect: allow, deniedBy: none", "expect: deny, deniedBy: scp"} {
		src := "tests:\n  - {name: a, principal: \"arn:aws:iam::{Management}:root\", action: organizations:ListAccounts, " + ok + "}\n"
		if _, err := Parse([]byte(src), "t.yaml", o); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// A test file written as JSON is reported where its JSON breaks; the YAML
// parser alone names the start of the enclosing collection (1:1). A file in
// YAML's flow style keeps the YAML parser's message.
func TestParseMalformedJSONPosition(t *testing.T) {
	o := secureCart(t)
	for _, tt := range []struct{ src, want string }{
		{"{\"tests\": [\n  {\"name\": \"a\", \"principal\": \"*\" \"action\": \"s3:GetObject\"}]}\n",
			`t.json:2:34: malformed JSON: invalid character '"' after object key:value pair`},
		{"{\"tests\": [\n  {\"name\": \"é\",\n   \"action\" \"s3:GetObject\"}]}\n",
			`t.json:3:13: malformed JSON: invalid character '"' after object key`},
		{"{tests: [{name: a\n", `t.json:1:1: malformed YAML: `},
	} {
		_, err := Parse([]byte(tt.src), "t.json", o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %s", tt.src, err, tt.want)
		}
	}
}

// A malformed principal, action or resourceAccount is reported where it is
// written (file:line:column), not at the start of the test.
func TestParseRequestFieldsWhereWritten(t *testing.T) {
	o := secureCart(t)
	for _, tt := range []struct{ field, want string }{
		{"principal: bob\n    action: s3:GetObject", `t.yaml:3:16: tests[0].principal: unrecognized principal "bob"`},
		{"principal: \"arn:aws:iam::{Dev}:root\"\n    action: s3GetObject", `t.yaml:4:13: tests[0].action: malformed action "s3GetObject"`},
		{"principal: \"arn:aws:iam::{Dev}:root\"\n    action: s3:GetObject\n    resourceAccount: \"12\"", `t.yaml:5:22: tests[0].resourceAccount: "12" is not a 12-digit account ID`},
	} {
		src := "tests:\n  - name: a\n    " + tt.field + "\n    expect: deny\n"
		_, err := Parse([]byte(src), "t.yaml", o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %s", src, err, tt.want)
		}
	}
}
