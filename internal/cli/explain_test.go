package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// explainLayer is a layer of `explain`'s text output: its title, verdict and
// statement lines.
type explainLayer struct {
	title, verdict string
	statements     []string
}

// parseExplain splits explain's text output into its header lines (up to the
// blank line) and its layers.
func parseExplain(t *testing.T, out string) (map[string]string, []explainLayer) {
	t.Helper()
	head, body, ok := strings.Cut(out, "\n\n")
	if !ok {
		t.Fatalf("no blank line between the header and the layers:\n%s", out)
	}
	header := map[string]string{}
	for _, l := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(l, " ")
		if k != "" {
			header[k] = strings.TrimSpace(v)
		}
	}
	var layers []explainLayer
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if s, ok := strings.CutPrefix(l, "    "); ok {
			if len(layers) == 0 {
				t.Fatalf("a statement before any layer: %q", l)
			}
			layers[len(layers)-1].statements = append(layers[len(layers)-1].statements, s)
			continue
		}
		if len(l) < 29 {
			t.Fatalf("malformed layer line %q", l)
		}
		layers = append(layers, explainLayer{title: strings.TrimSpace(l[:28]), verdict: l[29:]})
	}
	return header, layers
}

func titles(layers []explainLayer) []string {
	var out []string
	for _, l := range layers {
		out = append(out, l.title)
	}
	return out
}

func layer(t *testing.T, layers []explainLayer, title string) explainLayer {
	t.Helper()
	for _, l := range layers {
		if l.title == title {
			return l
		}
	}
	t.Fatalf("no layer %q in %v", title, titles(layers))
	return explainLayer{}
}

var developerCreatesUser = []string{"explain",
	"--principal", "arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice",
	"--action", "iam:CreateUser", "--resource", "arn:aws:iam::{Dev}:user/bob",
	"--context", "aws:RequestedRegion=us-east-1"}

func TestExplainText(t *testing.T) {
	out, stderr, code := run(t, "", developerCreatesUser...)
	if code != 1 {
		t.Fatalf("exit status %d, want 1 (denied); stderr:\n%s", code, stderr)
	}
	header, layers := parseExplain(t, out)
	for k, want := range map[string]string{
		"request":   "arn:aws:sts::436205817493:assumed-role/DeveloperRole/alice iam:CreateUser on arn:aws:iam::436205817493:user/bob",
		"principal": "role DeveloperRole in Dev (436205817493)",
		"resource":  "account 436205817493",
		"decision":  "ExplicitDeny by scp",
	} {
		if header[k] != want {
			t.Errorf("%s: %q, want %q", k, header[k], want)
		}
	}
	// Every layer in AWS's order: RCPs (none for IAM, which RCPs do not
	// cover), SCP levels from the root down, the resource's policy, identity,
	// boundary, session.
	want := []string{"RCPs", "SCP Root", "SCP WorkloadsOU", "SCP Dev",
		"resource policy", "identity policies", "permissions boundary", "session policy"}
	if got := titles(layers); !slices.Equal(got, want) {
		t.Fatalf("layers %q, want %q", got, want)
	}
	scp := layer(t, layers, "SCP Root")
	if scp.verdict != "explicit deny" {
		t.Errorf("SCP Root: %q, want explicit deny", scp.verdict)
	}
	for _, want := range []string{
		"Allow scp FullAWSAccess, statement 0 at securecart/scps.yaml:",
		"Deny  scp BaselineGuardrails, statement DenyIAMUsersAndAccessKeys at " + statementPos(t, "scps.yaml", "", "DenyIAMUsersAndAccessKeys"),
	} {
		if !slices.ContainsFunc(scp.statements, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("SCP Root statements %q lack %q", scp.statements, want)
		}
	}
	b := layer(t, layers, "permissions boundary")
	wantB := "Deny  arn:aws:iam::436205817493:policy/DeveloperBoundary, statement DenyIAMUsersAndCredentials at " +
		statementPos(t, "iam-policies.yaml", "", "DenyIAMUsersAndCredentials")
	if b.verdict != "explicit deny" || !slices.Contains(b.statements, wantB) {
		t.Errorf("permissions boundary: %q %q, want explicit deny with %q", b.verdict, b.statements, wantB)
	}
	if l := layer(t, layers, "RCPs"); !strings.Contains(l.verdict, "a service RCPs do not cover") {
		t.Errorf("RCPs for iam:CreateUser: %q, want none (RCPs do not cover IAM)", l.verdict)
	}
	if l := layer(t, layers, "SCP WorkloadsOU"); l.verdict != "allows" {
		t.Errorf("SCP WorkloadsOU: %q, want allows", l.verdict)
	}
	if l := layer(t, layers, "identity policies"); l.verdict != "no statement applies (implicit deny here)" {
		t.Errorf("identity policies: %q", l.verdict)
	}
	for _, title := range []string{"resource policy", "session policy"} {
		if l := layer(t, layers, title); l.verdict != "none" {
			t.Errorf("%s: %q, want none", title, l.verdict)
		}
	}
}

// RCPs cover S3: an S3 request shows each RCP level of the bucket's account.
func TestExplainRCPLevels(t *testing.T) {
	out, stderr, code := run(t, "", "explain",
		"--principal", "arn:aws:sts::{Prod}:assumed-role/OrdersServiceRole/task",
		"--action", "s3:GetObject", "--resource", "arn:aws:s3:::securecart-prod-orders/o/1.json",
		"--context", "aws:RequestedRegion=us-east-1", "--context", "aws:SecureTransport=true")
	if code != 0 {
		t.Fatalf("exit status %d, want 0 (allowed); stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	_, layers := parseExplain(t, out)
	for _, title := range []string{"RCP Root", "RCP WorkloadsOU", "RCP Prod"} {
		if l := layer(t, layers, title); l.verdict != "no deny (RCPFullAWSAccess allows)" || len(l.statements) != 0 {
			t.Errorf("%s: %q %q", title, l.verdict, l.statements)
		}
	}
}

func TestExplainAllowed(t *testing.T) {
	out, stderr, code := run(t, "", "explain",
		"--principal", "arn:aws:sts::{Prod}:assumed-role/OrdersServiceRole/worker",
		"--action", "s3:GetObject", "--resource", "arn:aws:s3:::securecart-prod-orders/order-1.json",
		"--context", "aws:SecureTransport=true", "--context", "aws:RequestedRegion=us-east-1")
	if code != 0 {
		t.Fatalf("exit status %d, want 0 (allowed); stderr:\n%s\n%s", code, stderr, out)
	}
	header, layers := parseExplain(t, out)
	if header["decision"] != "Allow" {
		t.Errorf("decision %q, want Allow", header["decision"])
	}
	r := layer(t, layers, "resource policy")
	want := "Allow resource arn:aws:s3:::securecart-prod-orders, statement AllowOrdersService at " +
		statementPos(t, "resources.yaml", "arn: arn:aws:s3:::securecart-prod-orders", "AllowOrdersService")
	if r.verdict != "allows (names the session's role)" || !slices.Contains(r.statements, want) {
		t.Errorf("resource policy: %q %q, want %q", r.verdict, r.statements, want)
	}
	id := layer(t, layers, "identity policies")
	if id.verdict != "allows" || len(id.statements) == 0 {
		t.Errorf("identity policies: %q %q", id.verdict, id.statements)
	}
	for _, s := range id.statements {
		if !strings.Contains(s, " at securecart/roles.yaml:") {
			t.Errorf("identity statement %q is not at roles.yaml:LINE:COL", s)
		}
	}
}

func TestExplainOutsidePrincipal(t *testing.T) {
	args := []string{"explain", "--principal", "arn:aws:iam::111122223333:root",
		"--action", "sts:AssumeRole", "--resource", "arn:aws:iam::{Prod}:role/VendorAccessRole"}
	out, stderr, code := run(t, "", append(args, "--context", "sts:ExternalId=securecart-vendor-7f3c")...)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s\n%s", code, stderr, out)
	}
	header, layers := parseExplain(t, out)
	if !strings.HasPrefix(header["principal"], "principal outside the organization") || header["decision"] != "Allow" {
		t.Errorf("header %q", header)
	}
	if l := layer(t, layers, "identity policies"); !strings.HasPrefix(l.verdict, "taken as allowing") {
		t.Errorf("identity policies of a principal outside the org: %q, want taken as allowing", l.verdict)
	}
	if l := layer(t, layers, "SCPs"); !strings.HasPrefix(l.verdict, "not under SCPs") {
		t.Errorf("SCPs: %q", l.verdict)
	}
	trust := layer(t, layers, "trust policy")
	want := "Allow role VendorAccessRole trust, statement VendorWithExternalId at " + statementPos(t, "roles.yaml", "", "VendorWithExternalId")
	if trust.verdict != "allows (names the principal)" || !slices.Contains(trust.statements, want) {
		t.Errorf("trust policy: %q %q, want %q", trust.verdict, trust.statements, want)
	}

	out, _, code = run(t, "", args...)
	if header, _ := parseExplain(t, out); code != 1 || header["decision"] != "ImplicitDeny by trust" {
		t.Errorf("without the external ID: exit %d, decision %q", code, header["decision"])
	}
}

type explainOutput struct {
	Principal, Action, Resource, Decision, DeniedBy string
	Layers                                          []struct {
		Layer, Target, Verdict string
		Present, Applies       bool
		Statements             []struct{ Policy, Statement, Effect, Position string }
	}
}

func TestExplainJSON(t *testing.T) {
	out, stderr, code := run(t, "", append(developerCreatesUser, "--format", "json")...)
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", code, stderr)
	}
	var e explainOutput
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if e.Principal != "arn:aws:sts::436205817493:assumed-role/DeveloperRole/alice" || e.Action != "iam:CreateUser" ||
		e.Resource != "arn:aws:iam::436205817493:user/bob" || e.Decision != "ExplicitDeny" || e.DeniedBy != "scp" {
		t.Errorf("got %s %s %s: %s by %s", e.Principal, e.Action, e.Resource, e.Decision, e.DeniedBy)
	}
	var got []string
	for _, l := range e.Layers {
		got = append(got, strings.TrimSpace(l.Layer+" "+l.Target))
	}
	want := []string{"rcp", "scp Root", "scp WorkloadsOU", "scp Dev", "resource", "identity", "boundary", "session"}
	if !slices.Equal(got, want) {
		t.Fatalf("layers %q, want %q", got, want)
	}
	if e.Layers[0].Present {
		t.Errorf("RCPs apply to iam:CreateUser, which RCPs do not cover: %+v", e.Layers[0])
	}
	scp := e.Layers[1]
	if scp.Verdict != "explicit deny" || !scp.Present || !scp.Applies {
		t.Errorf("scp Root: %+v", scp)
	}
	wantPos := statementPos(t, "scps.yaml", "", "DenyIAMUsersAndAccessKeys")
	if !slices.ContainsFunc(scp.Statements, func(s struct{ Policy, Statement, Effect, Position string }) bool {
		return s.Policy == "scp BaselineGuardrails" && s.Statement == "DenyIAMUsersAndAccessKeys" && s.Effect == "Deny" && s.Position == wantPos
	}) {
		t.Errorf("scp Root statements %+v lack DenyIAMUsersAndAccessKeys at %s", scp.Statements, wantPos)
	}
	for _, l := range e.Layers {
		for _, s := range l.Statements {
			if !positionRE.MatchString(s.Position) {
				t.Errorf("%s: statement %s of %s at %q, want securecart/FILE.yaml:LINE:COL", l.Layer, s.Statement, s.Policy, s.Position)
			}
		}
	}
	if s := e.Layers[len(e.Layers)-1]; s.Present || s.Verdict != "" || s.Statements == nil {
		t.Errorf("session layer: %+v, want absent with an empty list of statements", s)
	}
}

// TestExplainSmallOrg explains against an org given with --org, with a
// multivalued context key.
func TestExplainSmallOrg(t *testing.T) {
	dir := writeFiles(t, smallOrgFiles)
	args := []string{"explain", "--org", dir, "--principal", "arn:aws:sts::{Dev}:assumed-role/AppRole/s", "--action", "ec2:CreateTags"}
	out, stderr, code := run(t, "", append(args, "--context", "aws:TagKeys=env,owner")...)
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s\n%s", code, stderr, out)
	}
	_, layers := parseExplain(t, out)
	want := "Allow role AppRole inline App, statement TaggedWithOwner at " + posIn(t, dir, "iam.yaml", "Sid: TaggedWithOwner")
	if l := layer(t, layers, "identity policies"); !slices.Contains(l.statements, want) {
		t.Errorf("identity policies: %q, want %q", l.statements, want)
	}
	if l := layer(t, layers, "SCP Root"); !slices.Contains(l.statements, "Allow scp FullAWSAccess, statement 0 at "+posIn(t, dir, "org.yaml", `{Effect: Allow, Action: "*"`)) {
		t.Errorf("SCP Root: %q", l.statements)
	}
	if _, _, code := run(t, "", append(args, "--context", "aws:TagKeys=env,cost")...); code != 1 {
		t.Errorf("without the owner tag key: exit %d, want 1", code)
	}
}

func TestExplainBadInput(t *testing.T) {
	bad := writeFiles(t, map[string]string{"org.yaml": "organization: {id: o-a1b2c3d4e5}\n"})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no principal", []string{"--action", "s3:GetObject"}, "--principal and --action are required"},
		{"no action", []string{"--principal", "arn:aws:iam::{Dev}:root"}, "--principal and --action are required"},
		{"unknown account", []string{"--principal", "arn:aws:iam::{Nope}:root", "--action", "s3:GetObject"}, `unknown account "Nope" in {Nope}`},
		{"unknown permission set", []string{"--principal", "arn:aws:sts::{Dev}:assumed-role/{PermissionSet:Nope}/x", "--action", "s3:GetObject"}, `unknown permission set "Nope"`},
		{"unknown account in context", []string{"--principal", "arn:aws:iam::{Dev}:root", "--action", "s3:GetObject", "--context", "aws:SourceAccount={Nope}"}, `unknown account "Nope"`},
		{"malformed context", []string{"--principal", "arn:aws:iam::{Dev}:root", "--action", "s3:GetObject", "--context", "aws:SourceAccount"}, `--context "aws:SourceAccount": want KEY=VALUE`},
		{"malformed action", []string{"--principal", "arn:aws:iam::{Dev}:root", "--action", "GetObject"}, `malformed action "GetObject": want service:Action`},
		{"unknown format", []string{"--principal", "arn:aws:iam::{Dev}:root", "--action", "s3:GetObject", "--format", "yaml"}, `unknown --format "yaml"`},
		{"malformed org", []string{"--org", bad, "--principal", "arn:aws:iam::{Dev}:root", "--action", "s3:GetObject"}, bad + "/org.yaml:1:"},
		{"argument", []string{"--principal", "arn:aws:iam::{Dev}:root", "--action", "s3:GetObject", "extra"}, `unknown command "extra"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := run(t, "", append([]string{"explain"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit status %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
			if out != "" {
				t.Errorf("output for bad input: %q", out)
			}
		})
	}
}

// posIn returns DIR/FILE:LINE:COL of the first occurrence of text in the
// small org's file; text may end with a newline to match the end of a line.
func posIn(t *testing.T, dir, file, text string) string {
	t.Helper()
	for i, line := range strings.Split(smallOrgFiles[file], "\n") {
		line += "\n"
		if c := strings.Index(line, text); c >= 0 {
			return fmt.Sprintf("%s:%d:%d", filepath.Join(dir, file), i+1, c+1)
		}
	}
	t.Fatalf("%s has no %q", file, text)
	return ""
}

// An action that takes no resource is explained against "*", whatever
// resource was asked about
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html).
func TestExplainActionWithoutResource(t *testing.T) {
	out, stderr, code := run(t, "", "explain", "--principal", "arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice",
		"--action", "s3:ListAllMyBuckets", "--resource", "arn:aws:s3:::some-bucket", "--context", "aws:RequestedRegion=us-east-1")
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "s3:ListAllMyBuckets on *\n") || !strings.Contains(out, "takes no resource") {
		t.Errorf("explain does not evaluate s3:ListAllMyBuckets against *:\n%s", out)
	}
}

// A request AWS refuses whatever the policies say is a decision, explained by
// its rule (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html).
func TestExplainRefusal(t *testing.T) {
	out, stderr, code := run(t, "", "explain", "--principal", "arn:aws:iam::{Management}:root",
		"--action", "sts:AssumeRole", "--resource", "arn:aws:iam::{Prod}:role/OrganizationAccountAccessRole")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a denial); stderr: %s", code, stderr)
	}
	header, _ := parseExplain(t, out)
	if header["decision"] != "ImplicitDeny" || !strings.Contains(out, "AWS refuses this whatever the policies say: the root user cannot assume a role") {
		t.Errorf("explain does not name the rule:\n%s", out)
	}
}

// A principal the org does not have is a question explain answers: nobody
// can act as it, a denial (exit 1), not malformed input.
func TestExplainMissingPrincipal(t *testing.T) {
	out, stderr, code := run(t, "", "explain", "--principal", "arn:aws:sts::{Prod}:assumed-role/DeveloperRole/alice",
		"--action", "s3:GetObject", "--resource", "arn:aws:s3:::securecart-prod-orders/x")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	if !strings.Contains(out, "\ndecision  ImplicitDeny\n          nobody can act as it: no such role in Prod\n") || strings.Contains(out, "SCP ") {
		t.Errorf("explain of a role Prod does not have:\n%s", out)
	}
	out, _, code = run(t, "", "explain", "--format", "json", "--principal", "arn:aws:iam::{Dev}:user/nobody", "--action", "s3:GetObject")
	var got struct{ Decision, DeniedBy, Note string }
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 || got.Decision != "ImplicitDeny" || got.DeniedBy != "none" || got.Note != "nobody can act as it: no such IAM user in Dev" {
		t.Errorf("explain --format json of a missing user: exit %d, %+v (%v)", code, got, err)
	}
}

// TestExplainIdentityPool: an Amazon Cognito identity pool's ARN as
// --principal is an identity of the pool: the federated principal
// cognito-identity.amazonaws.com with cognito-identity.amazonaws.com:aud the
// pool's ID, which the twins' CognitoAdminRole trusts for its authenticated
// identities; a --context giving another audience is malformed (exit 2).
func TestExplainIdentityPool(t *testing.T) {
	pool := "arn:aws:cognito-identity:us-east-1:222222222222:identitypool/us-east-1:11111111-2222-3333-4444-555555555555"
	args := []string{"explain", "--org", twinsOrg, "--principal", pool, "--action", "sts:AssumeRoleWithWebIdentity",
		"--resource", "arn:aws:iam::222222222222:role/CognitoAdminRole", "--context", "cognito-identity.amazonaws.com:amr=authenticated"}
	if out, stderr, code := run(t, "", args...); code != 0 || !strings.Contains(out, "decision  Allow") {
		t.Errorf("the pool's identity: exit %d\n%s%s", code, out, stderr)
	}
	if out, _, code := run(t, "", append(args[:len(args)-1:len(args)-1], "cognito-identity.amazonaws.com:amr=unauthenticated")...); code != 1 || !strings.Contains(out, "decision  ImplicitDeny") {
		t.Errorf("a guest of the pool: exit %d\n%s", code, out)
	}
	_, stderr, code := run(t, "", append(args, "--context", "cognito-identity.amazonaws.com:aud=us-east-1:99999999-2222-3333-4444-555555555555")...)
	if code != 2 || !strings.Contains(stderr, "is an identity of the pool us-east-1:11111111-2222-3333-4444-555555555555") {
		t.Errorf("another audience: exit %d %s", code, stderr)
	}
}
