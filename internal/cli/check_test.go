package cli

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const secureCartTests = "../../landing-zones/securecart-tests/tests.yaml"

// smallOrgFiles is an organization in the format of docs/org-format.md,
// split over two files: a management account and Dev under the Workloads OU,
// SCPs (FullAWSAccess and a deny of iam:CreateUser on Workloads), an RCP
// that lets only the organization's principals delete S3 objects, a role
// whose inline policies depend on the context keys Warden fills, an IAM user,
// a bucket that grants a vendor account, CloudTrail and everyone, and an
// Identity Center permission set.
var smallOrgFiles = map[string]string{
	"org.yaml": `organization:
  id: o-a1b2c3d4e5
  managementAccount: Mgmt
  root: r-a1b2
ous:
  - name: Workloads
    id: ou-a1b2-workload01
accounts:
  - name: Mgmt
    id: "111111111111"
    email: mgmt@example.com
  - name: Dev
    id: "222222222222"
    email: dev@example.com
    ou: Workloads
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Workloads, Dev]
  - name: DenyIAMUsers
    type: scp
    document:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyUsers
          Effect: Deny
          Action: iam:CreateUser
          Resource: "*"
    attach: [Workloads]
  - name: OrgOnlyDeletes
    type: rcp
    document:
      Version: "2012-10-17"
      Statement:
        - Sid: OnlyOrgDeletes
          Effect: Deny
          Principal: "*"
          Action: s3:DeleteObject
          Resource: "*"
          Condition: {StringNotEqualsIfExists: {aws:PrincipalOrgID: o-a1b2c3d4e5}}
    attach: [Root]
  - name: Boundary
    type: managed
    accounts: [Dev]
    document:
      Version: "2012-10-17"
      Statement:
        - Sid: MostThings
          Effect: Allow
          NotAction: kms:*
          Resource: "*"
`,
	"iam.yaml": `roles:
  - name: AppRole
    accounts: [Dev]
    trust:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "arn:aws:iam::${account:Mgmt}:root"}
          Action: sts:AssumeRole
    permissionsBoundary: Boundary
    tags: {team: blue}
    inlinePolicies:
      App:
        Version: "2012-10-17"
        Statement:
          - Sid: TeamBuckets
            Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::team-${aws:PrincipalTag/team}/*
          - Sid: OrgOnly
            Effect: Allow
            Action: dynamodb:GetItem
            Resource: "*"
            Condition: {StringEquals: {aws:PrincipalOrgID: o-a1b2c3d4e5}}
          - Sid: WorkloadsOnly
            Effect: Allow
            Action: sqs:SendMessage
            Resource: "*"
            Condition: {ForAnyValue:StringLike: {aws:PrincipalOrgPaths: "o-a1b2c3d4e5/r-a1b2/ou-a1b2-workload01/*"}}
          - Sid: ThisRoleOnly
            Effect: Allow
            Action: sns:Publish
            Resource: "*"
            Condition: {ArnEquals: {aws:PrincipalArn: "arn:aws:iam::${account:Dev}:role/AppRole"}}
          - Sid: TaggedWithOwner
            Effect: Allow
            Action: ec2:CreateTags
            Resource: "*"
            Condition: {ForAnyValue:StringEquals: {aws:TagKeys: owner}}
          - Sid: OneRegion
            Effect: Allow
            Action: ec2:DescribeInstances
            Resource: "*"
            Condition: {StringEquals: {aws:RequestedRegion: eu-west-1}}
          - Sid: KMS
            Effect: Allow
            Action: [kms:Decrypt, iam:CreateUser]
            Resource: "*"
users:
  - name: legacy
    account: Dev
    inlinePolicies:
      List: {Version: "2012-10-17", Statement: [{Sid: ListOnly, Effect: Allow, Action: s3:ListBucket, Resource: "*"}]}
  - name: admin
    account: Mgmt
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Sid: AssumeAny, Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
resources:
  - arn: arn:aws:s3:::dev-shared
    account: Dev
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: Vendor
          Effect: Allow
          Principal: {AWS: "arn:aws:iam::111122223333:root"}
          Action: [s3:GetObject, s3:DeleteObject]
          Resource: arn:aws:s3:::dev-shared/*
        - Sid: TrailWrites
          Effect: Allow
          Principal: {Service: cloudtrail.amazonaws.com}
          Action: s3:PutObject
          Resource: arn:aws:s3:::dev-shared/trail/*
        - Sid: PublicReads
          Effect: Allow
          Principal: "*"
          Action: s3:GetObject
          Resource: arn:aws:s3:::dev-shared/public/*
identityCenter:
  instanceArn: arn:aws:sso:::instance/ssoins-1234567890abcdef
  groups: [{name: Readers}]
  permissionSets:
    - name: ReadOnly
      inlinePolicy: {Version: "2012-10-17", Statement: [{Sid: Describe, Effect: Allow, Action: "ec2:Describe*", Resource: "*"}]}
  assignments:
    - {permissionSet: ReadOnly, group: Readers, accounts: [Dev]}
`,
}

// writeFiles writes files into a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	return filepath.Join(writeFiles(t, map[string]string{name: data}), name)
}

// checkResult is one line of `check --format json`, every field of the
// contract.
type checkResult struct {
	Name     string        `json:"name"`
	Decision string        `json:"decision"`
	Expect   string        `json:"expect"`
	Pass     bool          `json:"pass"`
	DeniedBy string        `json:"deniedBy"`
	Reasons  []checkReason `json:"reasons"`
}

type checkReason struct {
	PolicyType string `json:"policyType"`
	Policy     string `json:"policy"`
	Statement  string `json:"statement"`
	Effect     string `json:"effect"`
	Position   string `json:"position"`
}

var contractFields = []string{"decision", "deniedBy", "expect", "name", "pass", "reasons"}

// checkResults parses `check --format json` output: one object per line,
// each with exactly the fields of the contract.
func checkResults(t *testing.T, out string) []checkResult {
	t.Helper()
	var rs []checkResult
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &fields); err != nil {
			t.Fatalf("output line is not a JSON object: %q: %v", sc.Text(), err)
		}
		var keys []string
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, contractFields) {
			t.Errorf("line %s: fields %v, want exactly %v", sc.Text(), keys, contractFields)
		}
		var r checkResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		if string(fields["reasons"]) == "null" {
			t.Errorf("test %q: reasons is null, want a list", r.Name)
		}
		rs = append(rs, r)
	}
	return rs
}

// testNames reads the names of a test file's tests, in order.
func testNames(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests []struct {
			Name string `yaml:"name"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tc := range doc.Tests {
		names = append(names, tc.Name)
	}
	return names
}

var positionRE = regexp.MustCompile(`^securecart/[a-z-]+\.yaml:[1-9][0-9]*:[1-9][0-9]*$`)

func TestCheckSecureCart(t *testing.T) {
	names := testNames(t, secureCartTests)
	if len(names) < 150 {
		t.Fatalf("%s has %d tests; want the whole suite", secureCartTests, len(names))
	}
	out, stderr, code := run(t, "", "check", secureCartTests)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s\nstdout:\n%s", code, stderr, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if got, want := len(lines), len(names)+1; got != want {
		t.Fatalf("%d lines of output, want %d (a line per test and the summary)", got, want)
	}
	for i, name := range names {
		if !strings.HasPrefix(lines[i], "PASS "+name+": ") {
			t.Errorf("line %d = %q, want PASS %s: DECISION", i+1, lines[i], name)
		}
	}
	if got, want := lines[len(lines)-1], fmt.Sprintf("%d passed, 0 failed", len(names)); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if !strings.Contains(out, "PASS the root user of Dev is denied everything: ExplicitDeny by scp\n") {
		t.Errorf("no line gives a denial's decision and layer:\n%.1000s", out)
	}
}

func TestCheckSecureCartJSON(t *testing.T) {
	out, stderr, code := run(t, "", "check", "--format", "json", secureCartTests)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", code, stderr)
	}
	rs := checkResults(t, out)
	names := testNames(t, secureCartTests)
	if len(rs) != len(names) {
		t.Fatalf("%d results, want %d", len(rs), len(names))
	}
	decisions := map[string]int{}
	for i, r := range rs {
		decisions[r.Decision]++
		if r.Name != names[i] {
			t.Errorf("result %d is %q, want %q", i, r.Name, names[i])
		}
		if !r.Pass {
			t.Errorf("test %q: pass false", r.Name)
		}
		if !slices.Contains([]string{"allow", "deny", "explicit-deny", "implicit-deny"}, r.Expect) {
			t.Errorf("test %q: expect %q", r.Name, r.Expect)
		}
		switch r.Decision {
		case "Allow":
			if r.DeniedBy != "none" {
				t.Errorf("test %q: allowed, deniedBy %q, want none", r.Name, r.DeniedBy)
			}
		case "ExplicitDeny", "ImplicitDeny":
			if !slices.Contains([]string{"scp", "rcp", "boundary", "session", "identity", "resource", "trust"}, r.DeniedBy) {
				t.Errorf("test %q: deniedBy %q", r.Name, r.DeniedBy)
			}
		default:
			t.Errorf("test %q: decision %q", r.Name, r.Decision)
		}
		if r.Decision == "ExplicitDeny" {
			found := false
			for _, rs := range r.Reasons {
				if rs.Effect == "Deny" && rs.PolicyType == r.DeniedBy {
					found = true
				}
			}
			if !found {
				t.Errorf("test %q: explicit deny by %s, but no Deny statement of that layer among the reasons %+v", r.Name, r.DeniedBy, r.Reasons)
			}
		}
		for _, rs := range r.Reasons {
			if rs.Policy == "" || rs.Statement == "" || (rs.Effect != "Allow" && rs.Effect != "Deny") {
				t.Errorf("test %q: incomplete reason %+v", r.Name, rs)
			}
			// Statements written in the landing zone name their file;
			// AWS managed policies are not written there.
			if strings.HasPrefix(rs.Policy, "arn:aws:iam::aws:policy/") {
				if rs.Position != "" {
					t.Errorf("test %q: AWS managed policy %s has position %q", r.Name, rs.Policy, rs.Position)
				}
			} else if !positionRE.MatchString(rs.Position) {
				t.Errorf("test %q: statement %s of %s at %q, want securecart/FILE.yaml:LINE:COL", r.Name, rs.Statement, rs.Policy, rs.Position)
			}
		}
	}
	for _, d := range []string{"Allow", "ExplicitDeny", "ImplicitDeny"} {
		if decisions[d] == 0 {
			t.Errorf("no test is decided %s: %v", d, decisions)
		}
	}
}

// TestCheckReasonPosition checks that a deciding statement is named by its
// file, line and column in the landing zone.
func TestCheckReasonPosition(t *testing.T) {
	tests := writeFile(t, "tests.yaml", `tests:
  - name: no IAM users for developers
    principal: arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice
    action: iam:CreateUser
    resource: arn:aws:iam::{Dev}:user/bob
    context: {aws:RequestedRegion: us-east-1}
    expect: deny
    deniedBy: scp
`)
	out, _, code := run(t, "", "check", "--format", "json", tests)
	rs := checkResults(t, out)
	if code != 0 || len(rs) != 1 {
		t.Fatalf("exit status %d, results %+v", code, rs)
	}
	want := checkReason{PolicyType: "scp", Policy: "scp BaselineGuardrails", Statement: "DenyIAMUsersAndAccessKeys", Effect: "Deny",
		Position: statementPos(t, "scps.yaml", "", "DenyIAMUsersAndAccessKeys")}
	if !slices.Contains(rs[0].Reasons, want) {
		t.Errorf("reasons %+v\nlack %+v", rs[0].Reasons, want)
	}
}

// statementPos finds where the statement with the given Sid starts in a
// landing zone file, as securecart/FILE:LINE:COL: the position of its
// first key, "Sid". The search starts at the first line that contains after.
func statementPos(t *testing.T, file, after, sid string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../landing-zones/securecart", file))
	if err != nil {
		t.Fatal(err)
	}
	started := after == ""
	for i, line := range strings.Split(string(data), "\n") {
		started = started || strings.Contains(line, after)
		if started && strings.HasSuffix(line, "Sid: "+sid) {
			return fmt.Sprintf("securecart/%s:%d:%d", file, i+1, strings.Index(line, "Sid:")+1)
		}
	}
	t.Fatalf("no statement %s in %s after %q", sid, file, after)
	return ""
}

const passFail = `tests:
  - name: developers read in Dev
    principal: arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice
    action: s3:ListAllMyBuckets
    context: {aws:RequestedRegion: us-east-1}
    expect: allow
  - name: developers create IAM users (wrong)
    principal: arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice
    action: iam:CreateUser
    resource: arn:aws:iam::{Dev}:user/bob
    context: {aws:RequestedRegion: us-east-1}
    expect: allow
`

func TestCheckFailingTest(t *testing.T) {
	file := writeFile(t, "tests.yaml", passFail)
	out, stderr, code := run(t, "", "check", file)
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"PASS developers read in Dev: Allow\n",
		"FAIL developers create IAM users (wrong): ExplicitDeny by scp (expected allow)\n",
		"     SCP Root: Deny BaselineGuardrails, statement DenyIAMUsersAndAccessKeys at " + statementPos(t, "scps.yaml", "", "DenyIAMUsersAndAccessKeys") + "\n",
		"1 passed, 1 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, code = run(t, "", "check", "--format", "json", file)
	rs := checkResults(t, out)
	if code != 1 || len(rs) != 2 || !rs[0].Pass || rs[1].Pass || rs[1].Decision != "ExplicitDeny" || rs[1].DeniedBy != "scp" || rs[1].Expect != "allow" {
		t.Errorf("JSON: exit %d, results %+v", code, rs)
	}
}

type junitReport struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestCheckJUnit(t *testing.T) {
	failing := writeFile(t, "failing.yaml", passFail)
	out, stderr, code := run(t, "", "check", "--format", "junit", secureCartTests, failing)
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.100s", out)
	}
	var rep junitReport
	if err := xml.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not XML: %v\n%.2000s", err, out)
	}
	if len(rep.Suites) != 2 {
		t.Fatalf("%d test suites, want one per file", len(rep.Suites))
	}
	lz, f := rep.Suites[0], rep.Suites[1]
	names := testNames(t, secureCartTests)
	if lz.Name != secureCartTests || lz.Tests != len(names) || lz.Failures != 0 || len(lz.Cases) != len(names) {
		t.Errorf("landing zone suite: name %q, tests %d, failures %d, %d cases; want %q, %d, 0", lz.Name, lz.Tests, lz.Failures, len(lz.Cases), secureCartTests, len(names))
	}
	for i, c := range lz.Cases {
		if c.Name != names[i] || c.Failure != nil || c.Classname == "" {
			t.Errorf("case %d: %+v, want %q passing", i, c, names[i])
		}
	}
	if f.Name != failing || f.Tests != 2 || f.Failures != 1 || len(f.Cases) != 2 {
		t.Fatalf("failing suite: %+v", f)
	}
	if f.Cases[0].Failure != nil {
		t.Errorf("passing case %q has a failure", f.Cases[0].Name)
	}
	fl := f.Cases[1].Failure
	if fl == nil {
		t.Fatalf("failing case %q has no failure element", f.Cases[1].Name)
	}
	if want := "got ExplicitDeny (denied by scp), want allow"; fl.Message != want {
		t.Errorf("failure message %q, want %q", fl.Message, want)
	}
	if !strings.Contains(fl.Text, "DenyIAMUsersAndAccessKeys") {
		t.Errorf("failure text does not name the deciding statement: %q", fl.Text)
	}
	for _, s := range rep.Suites {
		if !regexp.MustCompile(`^[0-9]+\.[0-9]{3}$`).MatchString(s.Time) {
			t.Errorf("suite %s: time %q", s.Name, s.Time)
		}
	}
}

// TestCheckMalformed: a malformed test file, or a test that names something
// the org does not have, is exit status 2 with file:line:column.
func TestCheckMalformed(t *testing.T) {
	const test = `tests:
  - name: a test
    principal: %s
    action: s3:GetObject
    resource: arn:aws:s3:::securecart-prod-orders/k
    expect: %s
`
	for _, tc := range []struct {
		name, src string
		want      []string // in stderr: the first after the file's name
	}{
		{"malformed YAML", "tests:\n  - name: [a\n", []string{":1:1: malformed YAML: did not find expected"}},
		{"not a mapping", "- a\n- b\n", []string{":1:1: a test file is a mapping with a tests: list"}},
		{"tests not a list", "tests: {a: b}\n", []string{":1:8: tests: must be a list of tests"}},
		{"unknown top-level field", "tests: []\nsuite: x\n", []string{`:2:1: unknown field "suite"`}},
		{"unknown field", "tests:\n  - name: a\n    principal: arn:aws:iam::{Dev}:root\n    action: s3:ListAllMyBuckets\n    expect: allow\n    expected: deny\n",
			[]string{`:6:5: tests[0]: unknown field "expected"`}},
		{"unknown account", fmt.Sprintf(test, "arn:aws:iam::{Nope}:root", "allow"), []string{`:3:16: unknown account "Nope" in {Nope}`}},
		{"unknown account in context", "tests:\n  - name: a\n    principal: arn:aws:iam::{Dev}:root\n    action: s3:ListAllMyBuckets\n    context: {aws:SourceAccount: [\"{Dev}\", \"{Nope}\"]}\n    expect: allow\n",
			[]string{`:5:44: unknown account "Nope" in {Nope}`}},
		{"unknown permission set", fmt.Sprintf(test, "arn:aws:sts::{Dev}:assumed-role/{PermissionSet:Nope}/sam", "allow"),
			[]string{`:3:16: unknown permission set "Nope" in {PermissionSet:Nope}`}},
		{"role to assume the org does not have", "tests:\n  - name: a\n    principal: arn:aws:iam::{Dev}:root\n    action: sts:AssumeRole\n    resource: arn:aws:iam::{Prod}:role/Nope\n    expect: deny\n",
			[]string{`:2:5: test "a": resource arn:aws:iam::654827139045:role/Nope: the org has no such role`}},
		{"bad expect", fmt.Sprintf(test, "arn:aws:iam::{Dev}:root", "denied"), []string{`:6:13: tests[0].expect: "denied" is not allow, deny, explicit-deny or implicit-deny`}},
		{"bad deniedBy", "tests:\n  - name: a\n    principal: arn:aws:iam::{Dev}:root\n    action: s3:ListAllMyBuckets\n    expect: deny\n    deniedBy: firewall\n",
			[]string{`:6:15: tests[0].deniedBy: "firewall" is not scp`}},
		{"missing fields", "tests:\n  - name: a\n    principal: arn:aws:iam::{Dev}:root\n", []string{`:2:5: tests[0] ("a") needs principal, action and expect`}},
		{"duplicate names", "tests:\n  - {name: a, principal: \"arn:aws:iam::{Dev}:root\", action: s3:ListAllMyBuckets, expect: allow}\n  - {name: a, principal: \"arn:aws:iam::{Dev}:root\", action: s3:ListAllMyBuckets, expect: allow}\n",
			[]string{`:3:5: tests[1]: duplicate test name "a"`}},
		{"context not a mapping", "tests:\n  - {name: a, principal: \"arn:aws:iam::{Dev}:root\", action: s3:ListAllMyBuckets, expect: allow, context: [x]}\n",
			[]string{`:2:106: tests[0].context must be a mapping`}},
		{"malformed principal", fmt.Sprintf(test, "arn:aws:iam::12:root", "allow"), []string{`:3:16: tests[0].principal: unrecognized principal ARN "arn:aws:iam::12:root"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeFile(t, "tests.yaml", tc.src)
			out, stderr, code := run(t, "", "check", file)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stdout:\n%s\nstderr:\n%s", code, out, stderr)
			}
			if out != "" {
				t.Errorf("output for a malformed file: %q", out)
			}
			// The first part follows the file's name; the rest is the
			// message.
			for i, want := range tc.want {
				if i == 0 {
					want = file + want
				}
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
	if _, stderr, code := run(t, "", "check", "/nonexistent/tests.yaml"); code != 2 || !strings.Contains(stderr, "/nonexistent/tests.yaml") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
	if _, _, code := run(t, "", "check", "--format", "tap", secureCartTests); code != 2 {
		t.Errorf("unknown format: exit %d, want 2", code)
	}
	if _, _, code := run(t, "", "check"); code != 2 {
		t.Errorf("no test file: exit %d, want 2", code)
	}
}

func TestCheckMalformedOrg(t *testing.T) {
	dir := writeFiles(t, map[string]string{"org.yaml": strings.Replace(smallOrgFiles["org.yaml"], `id: "222222222222"`, `id: "2222"`, 1)})
	tests := writeFile(t, "tests.yaml", "tests: []\n")
	_, stderr, code := run(t, "", "check", "--org", dir, tests)
	if want := filepath.Join(dir, "org.yaml") + `:13:9: accounts[1].id: malformed account ID "2222"`; code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit status %d, stderr:\n%s\nwant 2 and %q", code, stderr, want)
	}
}

// smallOrgTest is a test against the small org, with the decision the
// engine must reach.
type smallOrgTest struct {
	name, principal, action, resource, context string
	decision, deniedBy                         string
}

// TestCheckSmallOrg runs tests against an organization given with --org:
// every kind of principal the contract names, the context keys Warden
// fills (and a test's own value winning), context values given as a string
// and as a list.
func TestCheckSmallOrg(t *testing.T) {
	const session = "arn:aws:sts::{Dev}:assumed-role/AppRole/s"
	cases := []smallOrgTest{
		// aws:PrincipalTag/*, from the role's tags; a test's value wins.
		{"principal tag fills a policy variable", session, "s3:GetObject", "arn:aws:s3:::team-blue/k", "", "Allow", "none"},
		{"a given principal tag wins", session, "s3:GetObject", "arn:aws:s3:::team-blue/k", "{aws:PrincipalTag/team: red}", "ImplicitDeny", "identity"},
		{"the given tag is the one used", session, "s3:GetObject", "arn:aws:s3:::team-red/k", "{aws:PrincipalTag/team: red}", "Allow", "none"},
		// aws:PrincipalOrgID.
		{"org ID is filled", session, "dynamodb:GetItem", "", "", "Allow", "none"},
		{"a given org ID wins", session, "dynamodb:GetItem", "", "{aws:PrincipalOrgID: o-zzzzzzzzzz}", "ImplicitDeny", "identity"},
		// aws:PrincipalOrgPaths, as a list.
		{"org paths are filled", session, "sqs:SendMessage", "", "", "Allow", "none"},
		{"given org paths win", session, "sqs:SendMessage", "", "{aws:PrincipalOrgPaths: [o-a1b2c3d4e5/r-a1b2/]}", "ImplicitDeny", "identity"},
		// aws:PrincipalArn: the role's ARN, for a session and for the role.
		{"principal ARN of a session is its role's", session, "sns:Publish", "", "", "Allow", "none"},
		{"principal ARN of a role", "arn:aws:iam::{Dev}:role/AppRole", "sns:Publish", "", "", "Allow", "none"},
		{"a given principal ARN wins", session, "sns:Publish", "", `{aws:PrincipalArn: "arn:aws:iam::{Dev}:role/Other"}`, "ImplicitDeny", "identity"},
		// Context values as a list and as a string.
		{"a list value", session, "ec2:CreateTags", "", "{aws:TagKeys: [env, owner]}", "Allow", "none"},
		{"a list value without the key", session, "ec2:CreateTags", "", "{aws:TagKeys: [env, cost]}", "ImplicitDeny", "identity"},
		{"a string value", session, "ec2:DescribeInstances", "", "{aws:RequestedRegion: eu-west-1}", "Allow", "none"},
		{"another string value", session, "ec2:DescribeInstances", "", "{aws:RequestedRegion: us-east-1}", "ImplicitDeny", "identity"},
		// The principal's whole situation: boundary, SCPs.
		{"the boundary limits the role", session, "kms:Decrypt", "", "", "ImplicitDeny", "boundary"},
		{"the SCP of its OU denies", session, "iam:CreateUser", "", "", "ExplicitDeny", "scp"},
		// An IAM user.
		{"a user's own policy", "arn:aws:iam::{Dev}:user/legacy", "s3:ListBucket", "arn:aws:s3:::x", "", "Allow", "none"},
		{"a user without a grant", "arn:aws:iam::{Dev}:user/legacy", "s3:GetObject", "arn:aws:s3:::x/y", "", "ImplicitDeny", "identity"},
		// An account root.
		{"root has every permission", "arn:aws:iam::{Dev}:root", "s3:ListAllMyBuckets", "", "", "Allow", "none"},
		{"root is under SCPs", "arn:aws:iam::{Dev}:root", "iam:CreateUser", "", "", "ExplicitDeny", "scp"},
		{"the management account is not under SCPs", "arn:aws:iam::{Mgmt}:root", "iam:CreateUser", "", "", "Allow", "none"},
		// Another account's principal: only the org's side.
		{"a vendor granted by the bucket", "arn:aws:iam::111122223333:root", "s3:GetObject", "arn:aws:s3:::dev-shared/k", "", "Allow", "none"},
		{"a vendor's user, through its account's grant", "arn:aws:iam::111122223333:user/x", "s3:GetObject", "arn:aws:s3:::dev-shared/k", "", "Allow", "none"},
		{"the org's RCP still applies to a vendor", "arn:aws:iam::111122223333:root", "s3:DeleteObject", "arn:aws:s3:::dev-shared/k", "", "ExplicitDeny", "rcp"},
		{"a vendor the bucket does not grant", "arn:aws:iam::111122223333:root", "s3:PutObject", "arn:aws:s3:::dev-shared/k", "", "ImplicitDeny", "resource"},
		{"another vendor", "arn:aws:iam::444455556666:root", "s3:GetObject", "arn:aws:s3:::dev-shared/k", "", "ImplicitDeny", "resource"},
		// A service principal.
		{"a service the bucket grants", "cloudtrail.amazonaws.com", "s3:PutObject", "arn:aws:s3:::dev-shared/trail/x", "", "Allow", "none"},
		{"a service the bucket does not grant", "config.amazonaws.com", "s3:PutObject", "arn:aws:s3:::dev-shared/trail/x", "", "ImplicitDeny", "resource"},
		// Anonymous.
		{"anonymous reads public objects", "*", "s3:GetObject", "arn:aws:s3:::dev-shared/public/x", "", "Allow", "none"},
		{"anonymous does not read the rest", "*", "s3:GetObject", "arn:aws:s3:::dev-shared/private/x", "", "ImplicitDeny", "resource"},
		{"the RCP applies to anonymous callers", "*", "s3:DeleteObject", "arn:aws:s3:::dev-shared/public/x", "", "ExplicitDeny", "rcp"},
		// Identity Center sessions and trust policies.
		{"a permission set's session", "arn:aws:sts::{Dev}:assumed-role/{PermissionSet:ReadOnly}/alice", "ec2:DescribeVpcs", "", "", "Allow", "none"},
		{"the trusted account user assumes the role", "arn:aws:iam::{Mgmt}:user/admin", "sts:AssumeRole", "arn:aws:iam::{Dev}:role/AppRole", "", "Allow", "none"},
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html
		{"the trusted account root user cannot, AWS refuses it", "arn:aws:iam::{Mgmt}:root", "sts:AssumeRole", "arn:aws:iam::{Dev}:role/AppRole", "", "ImplicitDeny", "none"},
		{"an untrusted user does not", "arn:aws:iam::{Dev}:user/legacy", "sts:AssumeRole", "arn:aws:iam::{Dev}:role/AppRole", "", "ImplicitDeny", "trust"},
	}
	var b strings.Builder
	b.WriteString("tests:\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "  - name: %s\n    principal: %q\n    action: %s\n", c.name, c.principal, c.action)
		if c.resource != "" {
			fmt.Fprintf(&b, "    resource: %s\n", c.resource)
		}
		if c.context != "" {
			fmt.Fprintf(&b, "    context: %s\n", c.context)
		}
		expect := "allow"
		switch c.decision {
		case "ExplicitDeny":
			expect = "explicit-deny"
		case "ImplicitDeny":
			expect = "implicit-deny"
		}
		fmt.Fprintf(&b, "    expect: %s\n", expect)
		if c.deniedBy != "none" {
			fmt.Fprintf(&b, "    deniedBy: %s\n", c.deniedBy)
		}
	}
	dir := writeFiles(t, smallOrgFiles)
	file := writeFile(t, "tests.yaml", b.String())
	out, stderr, code := run(t, "", "check", "--org", dir, "--format", "json", file)
	if code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, stderr)
	}
	rs := checkResults(t, out)
	if len(rs) != len(cases) {
		t.Fatalf("%d results, want %d; stderr:\n%s", len(rs), len(cases), stderr)
	}
	for i, c := range cases {
		r := rs[i]
		if r.Name != c.name || r.Decision != c.decision || r.DeniedBy != c.deniedBy || !r.Pass {
			t.Errorf("%s: got %s by %s (pass %v), want %s by %s", c.name, r.Decision, r.DeniedBy, r.Pass, c.decision, c.deniedBy)
		}
	}

	// The same org as one file.
	one := writeFile(t, "org.yaml", smallOrgFiles["org.yaml"]+smallOrgFiles["iam.yaml"])
	if out, stderr, code := run(t, "", "check", "--org", one, file); code != 0 || !strings.Contains(out, fmt.Sprintf("%d passed, 0 failed", len(cases))) {
		t.Errorf("org file: exit %d, output:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

// TestCheckExpectAndDeniedBy: what each expect and deniedBy value accepts.
func TestCheckExpectAndDeniedBy(t *testing.T) {
	type tc struct {
		expect, deniedBy string
		pass             bool
	}
	for _, req := range []struct {
		name, principal, action, resource string
		cases                             []tc
	}{
		{
			// Denied explicitly by BaselineGuardrails and by DeveloperBoundary.
			"explicit deny by scp and boundary", "arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice", "iam:CreateUser", "arn:aws:iam::{Dev}:user/bob",
			[]tc{
				{"allow", "", false}, {"deny", "", true}, {"explicit-deny", "", true}, {"implicit-deny", "", false},
				{"deny", "scp", true}, {"explicit-deny", "scp", true}, {"deny", "boundary", true},
				{"deny", "rcp", false}, {"deny", "identity", false}, {"explicit-deny", "session", false}, {"implicit-deny", "scp", false},
			},
		},
		{
			// No identity policy of the developers allows it.
			"implicit deny by identity", "arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice", "ec2:RunInstances", "",
			[]tc{
				{"allow", "", false}, {"deny", "", true}, {"implicit-deny", "", true}, {"explicit-deny", "", false},
				{"deny", "identity", true}, {"implicit-deny", "identity", true}, {"implicit-deny", "scp", false}, {"deny", "boundary", false},
			},
		},
		{
			"allowed", "arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice", "s3:ListAllMyBuckets", "",
			[]tc{{"allow", "", true}, {"deny", "", false}, {"explicit-deny", "", false}, {"implicit-deny", "", false}},
		},
	} {
		t.Run(req.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("tests:\n")
			for i, c := range req.cases {
				fmt.Fprintf(&b, "  - name: c%d\n    principal: %s\n    action: %s\n    context: {aws:RequestedRegion: us-east-1}\n    expect: %s\n", i, req.principal, req.action, c.expect)
				if req.resource != "" {
					fmt.Fprintf(&b, "    resource: %s\n", req.resource)
				}
				if c.deniedBy != "" {
					fmt.Fprintf(&b, "    deniedBy: %s\n", c.deniedBy)
				}
			}
			out, stderr, code := run(t, "", "check", "--format", "json", writeFile(t, "tests.yaml", b.String()))
			rs := checkResults(t, out)
			if len(rs) != len(req.cases) {
				t.Fatalf("%d results, want %d; stderr:\n%s", len(rs), len(req.cases), stderr)
			}
			anyFail := false
			for i, c := range req.cases {
				if rs[i].Pass != c.pass {
					t.Errorf("expect %s deniedBy %q: pass %v, want %v (decision %s by %s)", c.expect, c.deniedBy, rs[i].Pass, c.pass, rs[i].Decision, rs[i].DeniedBy)
				}
				anyFail = anyFail || !c.pass
			}
			if want := map[bool]int{false: 0, true: 1}[anyFail]; code != want {
				t.Errorf("exit status %d, want %d", code, want)
			}
		})
	}
}

// TestCheckJSONTestFile: a test file may be JSON.
func TestCheckJSONTestFile(t *testing.T) {
	file := writeFile(t, "tests.json", `{"tests": [
  {"name": "vendor reads exports", "principal": "arn:aws:iam::111122223333:root", "action": "sts:AssumeRole",
   "resource": "arn:aws:iam::{Prod}:role/VendorAccessRole", "context": {"sts:ExternalId": "securecart-vendor-7f3c"}, "expect": "allow"},
  {"name": "vendor without the external ID", "principal": "arn:aws:iam::111122223333:root", "action": "sts:AssumeRole",
   "resource": "arn:aws:iam::{Prod}:role/VendorAccessRole", "expect": "implicit-deny", "deniedBy": "trust"}
]}`)
	out, stderr, code := run(t, "", "check", file)
	if code != 0 || !strings.Contains(out, "2 passed, 0 failed") {
		t.Errorf("exit %d, output:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

// TestCheckResourceAccount: resourceAccount names the owner of a resource
// whose ARN does not say (S3), and so the RCPs that apply.
func TestCheckResourceAccount(t *testing.T) {
	dir := writeFiles(t, smallOrgFiles)
	file := writeFile(t, "tests.yaml", `tests:
  - name: an undeclared bucket of Dev is under Dev's RCPs
    principal: arn:aws:iam::111122223333:root
    action: s3:DeleteObject
    resource: arn:aws:s3:::undeclared/k
    resourceAccount: "{Dev}"
    expect: explicit-deny
    deniedBy: rcp
  - name: without resourceAccount the bucket is the caller's, outside the org
    principal: arn:aws:iam::111122223333:root
    action: s3:DeleteObject
    resource: arn:aws:s3:::undeclared/k
    expect: allow
  - name: a declared bucket's owner is the org's
    principal: arn:aws:iam::111122223333:root
    action: s3:DeleteObject
    resource: arn:aws:s3:::dev-shared/k
    expect: explicit-deny
    deniedBy: rcp
`)
	out, stderr, code := run(t, "", "check", "--org", dir, file)
	if code != 0 || !strings.Contains(out, "3 passed, 0 failed") {
		t.Errorf("exit %d, output:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

// A test that names a principal the org does not have is malformed input,
// exit 2 at the principal's line:column (shared/spec/check.md), so that a
// typo in a role name cannot pass a deny test; a test that means it says
// principalAbsent: true. Failure lines name the SCP's level.
func TestCheckMissingPrincipal(t *testing.T) {
	typo := writeFile(t, "typo.yaml", `tests:
  - name: a typo denies nothing
    principal: arn:aws:sts::{Prod}:assumed-role/DeveloperRol/alice
    action: s3:DeleteBucket
    resource: arn:aws:s3:::securecart-prod-orders
    expect: deny
`)
	out, stderr, code := run(t, "", "check", typo)
	want := "typo.yaml:3:16: test \"a typo denies nothing\": no such principal in the org: no such role in Prod (if the test means it, say principalAbsent: true)"
	if code != 2 || !strings.Contains(stderr, want) || out != "" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and %q", code, out, stderr, want)
	}
	user := writeFile(t, "user.yaml", "tests:\n  - {name: u, principal: \"arn:aws:iam::{Dev}:user/ghost\", action: s3:ListAllMyBuckets, expect: deny}\n")
	if _, stderr, code := run(t, "", "check", "--format", "json", user); code != 2 || !strings.Contains(stderr, "user.yaml:2:26: test \"u\": no such principal in the org") {
		t.Errorf("unknown IAM user: exit %d, stderr:\n%s", code, stderr)
	}
	file := writeFile(t, "tests.yaml", `tests:
  - name: developers have no role in Prod
    principal: arn:aws:sts::{Prod}:assumed-role/DeveloperRole/alice
    action: s3:GetObject
    resource: arn:aws:s3:::securecart-prod-orders/x
    principalAbsent: true
    expect: deny
    deniedBy: none
  - name: the deployment role is not absent from Prod
    principal: arn:aws:sts::{Prod}:assumed-role/DeploymentRole/ci
    action: s3:GetObject
    resource: arn:aws:s3:::securecart-prod-orders/x
    principalAbsent: true
    expect: deny
  - name: developers read in Dev (wrong)
    principal: arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice
    action: s3:GetObject
    resource: arn:aws:s3:::securecart-dev-artifacts/x
    context: {aws:RequestedRegion: us-east-1}
    expect: deny
`)
	out, stderr, code = run(t, "", "check", file)
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"PASS developers have no role in Prod: ImplicitDeny by none\n",
		"FAIL the deployment role is not absent from Prod: ",
		"     the test says the principal is absent (principalAbsent: true), but it is not a missing role or IAM user of an org account\n",
		"FAIL developers read in Dev (wrong): Allow (expected deny)\n",
		"     SCP WorkloadsOU: Allow FullAWSAccess, statement 0 at ",
		"1 passed, 2 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	bad := writeFile(t, "bad.yaml", "tests:\n  - {name: a, principal: \"arn:aws:iam::{Dev}:root\", action: s3:ListAllMyBuckets, expect: deny, principalAbsent: maybe}\n")
	if _, stderr, code := run(t, "", "check", bad); code != 2 || !strings.Contains(stderr, "tests[0].principalAbsent must be true or false") {
		t.Errorf("principalAbsent: maybe: exit %d, %s", code, stderr)
	}
}
