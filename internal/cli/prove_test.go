package cli

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

// proveLine is one line of `prove --format json` (shared/spec/analyze.md).
type proveLine struct {
	Name           string `json:"name"`
	Result         string `json:"result"`
	Pass           *bool  `json:"pass"`
	Counterexample *struct {
		Principal string         `json:"principal"`
		Action    string         `json:"action"`
		Resource  string         `json:"resource"`
		Context   map[string]any `json:"context"`
	} `json:"counterexample"`
}

func proveLines(t *testing.T, out string) map[string]proveLine {
	t.Helper()
	got := map[string]proveLine{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<22), 1<<22)
	for sc.Scan() {
		var l proveLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		if l.Pass == nil {
			t.Fatalf("no pass field: %q", sc.Text())
		}
		got[l.Name] = l
	}
	return got
}

const smallGuardrails = `guardrails:
  - name: no IAM users in Dev
    accounts: [Dev]
    actions: [iam:CreateUser]
    expect: denied
  - name: AppRole describes instances only in eu-west-1
    principals: ["arn:aws:iam::*:role/AppRole"]
    actions: [ec2:DescribeInstances]
    context: {aws:RequestedRegion: us-east-1}
  - name: AppRole describes no instances
    principals: ["arn:aws:iam::*:role/AppRole"]
    actions: [ec2:DescribeInstances]
  - name: no one reads team buckets
    actions: [s3:GetObject]
    resources: ["arn:aws:s3:::team-*"]
  - name: no one assumes AppRole
    actions: [sts:AssumeRole]
    resources: ["arn:aws:iam::{Dev}:role/AppRole"]
`

// TestProveSmallOrg: proved and refuted guardrails, the JSON of the
// contract, and each counterexample is a request warden explain allows.
func TestProveSmallOrg(t *testing.T) {
	dir := writeFiles(t, smallOrgFiles)
	g := writeFile(t, "g.yaml", smallGuardrails)
	out, stderr, code := run(t, "", "prove", "--org", dir, "--format", "json", g)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some refuted); stderr %s\n%s", code, stderr, out)
	}
	got := proveLines(t, out)
	want := map[string]string{
		"no IAM users in Dev":                           "proved",
		"AppRole describes instances only in eu-west-1": "proved",
		"AppRole describes no instances":                "refuted",
		"no one reads team buckets":                     "refuted",
		"no one assumes AppRole":                        "refuted",
	}
	for name, res := range want {
		l, ok := got[name]
		if !ok {
			t.Fatalf("no line for %q in\n%s", name, out)
		}
		if l.Result != res || *l.Pass != (res == "proved") {
			t.Errorf("%s: %s pass %v, want %s", name, l.Result, *l.Pass, res)
		}
		if (l.Counterexample != nil) != (res == "refuted") {
			t.Errorf("%s: counterexample %+v", name, l.Counterexample)
		}
		explainAllows(t, dir, name, l)
	}
	if c := got["AppRole describes no instances"].Counterexample; c != nil && c.Context["aws:requestedregion"] != "eu-west-1" {
		t.Errorf("counterexample context %v, want the one region the policy allows", c.Context)
	}
	if c := got["no one assumes AppRole"].Counterexample; c != nil && !strings.HasSuffix(c.Principal, ":user/admin") && !strings.HasSuffix(c.Principal, ":root") {
		t.Errorf("AppRole assumed by %s, want the management account's admin or root", c.Principal)
	}
	text, _, code := run(t, "", "prove", "--org", dir, g)
	if code != 1 || !strings.Contains(text, "PROVED no IAM users in Dev") || !strings.Contains(text, "REFUTED no one reads team buckets") ||
		!strings.Contains(text, "2 proved, 3 not") || !strings.Contains(text, "scp Workloads: Deny scp DenyIAMUsers, statement DenyUsers at ") {
		t.Errorf("text output (exit %d):\n%s", code, text)
	}
}

// explainAllows checks that warden explain allows a refuted guardrail's
// counterexample.
func explainAllows(t *testing.T, dir, name string, l proveLine) {
	t.Helper()
	c := l.Counterexample
	if c == nil {
		return
	}
	args := []string{"explain", "--org", dir, "--principal", c.Principal, "--action", c.Action, "--resource", c.Resource}
	for k, v := range c.Context {
		s, ok := v.(string)
		if !ok {
			var parts []string
			for _, x := range v.([]any) {
				parts = append(parts, x.(string))
			}
			s = strings.Join(parts, ",")
		}
		args = append(args, "--context", k+"="+s)
	}
	eout, eerr, ecode := run(t, "", args...)
	if ecode != 0 {
		t.Errorf("%s: explain of the counterexample exits %d, want 0 (Allow): %v\n%s%s", name, ecode, args, eout, eerr)
	}
}

// outsideOrg has a trail bucket whose policy lets an outside account delete
// it and one session of a role (by its name) change its policy, and an SCP
// that lets only sessions named approved-* stop the trail.
const outsideOrg = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: m@example.com}
  - {name: Dev, id: "222222222222", email: d@example.com}
  - {name: Prod, id: "333333333333", email: p@example.com}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Mgmt, Dev, Prod]
  - name: DenyStop
    type: scp
    document:
      Version: "2012-10-17"
      Statement:
        - {Sid: NoStop, Effect: Deny, Action: cloudtrail:StopLogging, Resource: "*", Condition: {StringNotLike: {aws:userid: "*:approved-*"}}}
    attach: [Root]
roles:
  - name: Admin
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
  - name: Reader
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      P: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*"], Resource: "*"}]}
resources:
  - arn: arn:aws:s3:::trail-bucket
    account: Prod
    policy:
      Version: "2012-10-17"
      Statement:
        - {Sid: Vendor, Effect: Allow, Principal: {AWS: "arn:aws:iam::999999999999:root"}, Action: s3:DeleteBucket, Resource: arn:aws:s3:::trail-bucket}
        - {Sid: Alice, Effect: Allow, Principal: {AWS: "arn:aws:sts::222222222222:assumed-role/Reader/alice"}, Action: s3:PutBucketPolicy, Resource: arn:aws:s3:::trail-bucket}
`

// TestProveOutsideAndSessions: the principals a guardrail covers are every
// principal, not only the org's roles' sessions of one name: an outside
// account a bucket policy lets in, a role's session a Principal element
// names, a session whose name (in aws:userid) an SCP lets through. Each is
// refuted with a request explain allows; what no one can do still proves.
func TestProveOutsideAndSessions(t *testing.T) {
	dir := writeFiles(t, map[string]string{"org.yaml": outsideOrg})
	g := writeFile(t, "g.yaml", `guardrails:
  - name: no one deletes the trail bucket but Prod
    except: ["arn:aws:iam::333333333333:*"]
    actions: [s3:DeleteBucket]
    resources: ["arn:aws:s3:::trail-bucket"]
  - name: no outside role deletes it
    principals: ["arn:aws:iam::*:role/Dev*"]
    actions: [s3:DeleteBucket]
  - name: only Prod and the vendor delete it
    except: ["arn:aws:iam::333333333333:*", "arn:aws:iam::999999999999:*"]
    actions: [s3:DeleteBucket]
    resources: ["arn:aws:s3:::trail-bucket"]
  - name: no one in Dev deletes it
    accounts: [Dev]
    actions: [s3:DeleteBucket]
    resources: ["arn:aws:s3:::trail-bucket"]
  - name: Reader does not change the bucket's policy
    principals: ["arn:aws:iam::*:role/Reader"]
    actions: [s3:PutBucketPolicy]
    resources: ["arn:aws:s3:::trail-bucket"]
  - name: no role stops the trail
    principals: ["arn:aws:iam::*:role/*"]
    accounts: [Dev]
    actions: [cloudtrail:StopLogging]
`)
	out, stderr, code := run(t, "", "prove", "--org", dir, "--format", "json", g)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s\n%s", code, stderr, out)
	}
	got := proveLines(t, out)
	for name, want := range map[string]string{
		"no one deletes the trail bucket but Prod":   "arn:aws:iam::999999999999:root",
		"no outside role deletes it":                 ":assumed-role/Dev",
		"only Prod and the vendor delete it":         "",
		"no one in Dev deletes it":                   "",
		"Reader does not change the bucket's policy": "arn:aws:sts::222222222222:assumed-role/Reader/alice",
		"no role stops the trail":                    "arn:aws:sts::222222222222:assumed-role/",
	} {
		l := got[name]
		switch {
		case want == "" && l.Result != "proved":
			t.Errorf("%s: %s %+v, want proved", name, l.Result, l.Counterexample)
		case want != "" && (l.Result != "refuted" || l.Counterexample == nil || !strings.Contains(l.Counterexample.Principal, want)):
			t.Errorf("%s: %s %+v, want refuted by %s", name, l.Result, l.Counterexample, want)
		}
		explainAllows(t, dir, name, l)
	}
	// The counterexample is concrete: a resource of the action's own type,
	// not the class's shortest member ("arn:::::").
	if c := got["no role stops the trail"].Counterexample; c == nil || !strings.HasPrefix(c.Resource, "arn:aws:cloudtrail:us-east-1:222222222222:trail/") {
		t.Errorf("counterexample %+v, want a trail of Dev", c)
	}
}

func TestProveExitStatus(t *testing.T) {
	dir := writeFiles(t, smallOrgFiles)
	g := writeFile(t, "g.yaml", "guardrails:\n  - name: no IAM users in Dev\n    accounts: [Dev]\n    actions: [iam:CreateUser]\n")
	if out, stderr, code := run(t, "", "prove", "--org", dir, g); code != 0 {
		t.Errorf("exit %d, want 0: %s%s", code, out, stderr)
	}
	for _, c := range []struct{ name, src, want string }{
		{"unknown field", "guardrails:\n  - name: a\n    actions: [s3:GetObject]\n    effect: deny\n", `g.yaml:4:5: guardrails[0]: unknown field "effect"`},
		{"unknown account", "guardrails:\n  - name: a\n    actions: [s3:GetObject]\n    accounts: [Nope]\n", `the org has no account "Nope"`},
		{"no actions", "guardrails:\n  - name: a\n", `g.yaml:2:5: guardrails[0]: a guardrail needs actions`},
		{"bad expect", "guardrails:\n  - name: a\n    actions: [s3:GetObject]\n    expect: allowed\n", `g.yaml:4:13: guardrails[0].expect: "allowed" is not denied`},
		{"bad placeholder", "guardrails:\n  - name: a\n    actions: [s3:GetObject]\n    principals: [\"arn:aws:iam::{Nope}:root\"]\n", `unknown account "Nope"`},
		{"accounts a string", "guardrails:\n  - name: a\n    actions: [s3:GetObject]\n    accounts: Nope\n", `g.yaml:4:15: guardrails[0].accounts: the org has no account "Nope"`},
		{"malformed YAML", "guardrails:\n  - name: a\n    actions: [s3:GetObject\n", `g.yaml:2:3: malformed YAML: did not find expected ',' or ']'`},
		{"misspelt guardrails", "guardrail:\n  - name: a\n    actions: [s3:GetObject]\n", `g.yaml:1:1: unknown field "guardrail"`},
		{"no guardrails", "tests: []\n", `no guardrails to prove`},
		{"nested context", "guardrails:\n  - name: a\n    actions: [s3:GetObject]\n    context: {aws:SourceIp: {a: b}}\n", `g.yaml:4:29: guardrails[0].context.aws:SourceIp must be a string or a list of strings`},
	} {
		g := writeFile(t, "g.yaml", c.src)
		_, stderr, code := run(t, "", "prove", "--org", dir, g)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", c.name, code, stderr, c.want)
		}
	}
}

// TestCheckRunsGuardrails: warden check proves the guardrails: list of a
// test file, in each format, and fails when one is refuted.
func TestCheckRunsGuardrails(t *testing.T) {
	dir := writeFiles(t, smallOrgFiles)
	f := writeFile(t, "t.yaml", `tests:
  - name: AppRole cannot create users
    principal: arn:aws:sts::{Dev}:assumed-role/AppRole/s
    action: iam:CreateUser
    resource: arn:aws:iam::{Dev}:user/x
    expect: deny
guardrails:
  - name: no IAM users in Dev
    accounts: [Dev]
    actions: [iam:CreateUser]
  - name: no one reads team buckets
    actions: [s3:GetObject]
    resources: ["arn:aws:s3:::team-*"]
`)
	out, _, code := run(t, "", "check", "--org", dir, "--format", "json", f)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	var test, proofs int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["decision"]; ok {
			test++
			continue
		}
		proofs++
		if m["name"] == "no IAM users in Dev" && (m["result"] != "proved" || m["pass"] != true) {
			t.Errorf("%v", m)
		}
		if m["name"] == "no one reads team buckets" && (m["result"] != "refuted" || m["pass"] != false || m["counterexample"] == nil) {
			t.Errorf("%v", m)
		}
	}
	if test != 1 || proofs != 2 {
		t.Errorf("%d tests, %d guardrails in\n%s", test, proofs, out)
	}
	text, _, code := run(t, "", "check", "--org", dir, f)
	if code != 1 || !strings.Contains(text, "PASS AppRole cannot create users") || !strings.Contains(text, "PROVED no IAM users in Dev") ||
		!strings.Contains(text, "REFUTED no one reads team buckets") || !strings.Contains(text, "2 passed, 1 failed") {
		t.Errorf("text (exit %d):\n%s", code, text)
	}
	x, _, code := run(t, "", "check", "--org", dir, "--format", "junit", f)
	var suites junitSuites
	if err := xml.Unmarshal([]byte(x), &suites); err != nil || code != 1 {
		t.Fatalf("junit (exit %d): %v\n%s", code, err, x)
	}
	s := suites.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || s.Cases[2].Classname != "warden.prove" || s.Cases[2].Failure == nil {
		t.Errorf("junit suite %+v", s)
	}
}
