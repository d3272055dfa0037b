package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// escalationLine is one line of `analyze escalation --format json`
// (shared/spec/analyze.md).
type escalationLine struct {
	From  *string `json:"from"`
	To    *string `json:"to"`
	Steps []struct {
		Action    *string `json:"action"`
		Resource  *string `json:"resource"`
		Principal *string `json:"principal"`
	} `json:"steps"`
}

const twinsOrg = "../escalate/testdata/twins"

// TestEscalationJSON: one object per path per line with the contract's
// fields, exit 1 when a path is found.
func TestEscalationJSON(t *testing.T) {
	out, stderr, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr (no progress bar when not a terminal): %q", stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	froms := map[string]string{}
	for sc.Scan() {
		var l escalationLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		if l.From == nil || l.To == nil || len(l.Steps) == 0 {
			t.Fatalf("missing fields: %s", sc.Text())
		}
		for _, s := range l.Steps {
			// Every step names its principal by an ARN (a Cognito
			// identity pool's identity by the pool's), but the paths
			// that start at Cognito's federated principal itself (a
			// trust policy that lets in the identities of a pool the org
			// files do not list, by its aud: no account, no ARN), which
			// name it as warden explain's --principal takes it.
			if s.Action == nil || s.Resource == nil || s.Principal == nil || !strings.HasPrefix(*s.Principal, "arn:aws:") &&
				(*s.Principal != "cognito-identity.amazonaws.com" || *l.From != *s.Principal) {
				t.Fatalf("step without action, resource or principal: %s", sc.Text())
			}
		}
		froms[*l.From] = *l.To
	}
	// Each step is a request warden explain allows (the steps of a few
	// paths of different kinds, through the command line).
	explained := 0
	sc = bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() && explained < 12 {
		var l struct {
			Steps []struct {
				Action, Resource, Principal string
				Context                     map[string]any
				AllowedBy                   []string
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		for _, s := range l.Steps {
			if strings.Contains(strings.Join(s.AllowedBy, " "), "written by the previous step") {
				continue
			}
			args := []string{"explain", "--org", twinsOrg, "--principal", s.Principal, "--action", s.Action, "--resource", s.Resource}
			for k, v := range s.Context {
				args = append(args, "--context", k+"="+fmt.Sprint(v))
			}
			if eout, eerr, code := run(t, "", args...); code != 0 {
				t.Errorf("explain %v: exit %d, want 0 (Allow)\n%s%s", args, code, eout, eerr)
			}
			explained++
		}
	}
	if explained < 10 {
		t.Errorf("only %d steps explained", explained)
	}
	if froms["arn:aws:iam::222222222222:role/PassLambda"] != "admin" || froms["arn:aws:iam::222222222222:user/KeyTaker"] != "admin" {
		t.Errorf("paths from %v", froms)
	}
	if _, ok := froms["arn:aws:iam::333333333333:role/PassLambda"]; ok {
		t.Errorf("a path from Locked, whose SCP denies iam:PassRole")
	}
}

func TestEscalationTargetAndPictures(t *testing.T) {
	target := "arn:aws:iam::222222222222:role/AdminRole"
	out, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--target", target, "--format", "json")
	if code != 1 || !strings.Contains(out, `"from":"arn:aws:iam::222222222222:role/Hop0","to":"`+target+`"`) {
		t.Errorf("--target: exit %d\n%s", code, out)
	}
	dot, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--target", target, "--format", "dot")
	if code != 1 || !strings.HasPrefix(dot, "digraph escalation {") || !strings.Contains(dot, `label="222222222222 role Hop0"`) ||
		!strings.Contains(dot, `label="pass-role: iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction"`) {
		t.Errorf("dot: exit %d\n%s", code, dot)
	}
	mm, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "mermaid")
	if code != 1 || !strings.HasPrefix(mm, "flowchart LR\n") || !strings.Contains(mm, `{{"ADMIN in 222222222222"}}`) ||
		!strings.Contains(mm, `-->|"assume-role: sts:AssumeRole"|`) {
		t.Errorf("mermaid: exit %d\n%s", code, mm)
	}
	text, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg)
	if code != 1 || !strings.Contains(text, "arn:aws:iam::222222222222:user/PasswordSetterMFA -> admin in 222222222222") ||
		!strings.Contains(text, "requires aws:MultiFactorAuthPresent=true") {
		t.Errorf("text: exit %d\n%s", code, text)
	}
}

func TestEscalationSecureCartAndErrors(t *testing.T) {
	out, stderr, code := run(t, "", "analyze", "escalation")
	if code != 0 || !strings.Contains(out, "0 paths to administrator-equivalent power") {
		t.Errorf("SecureCart: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := run(t, "", "analyze", "escalation", "--target", "arn:aws:iam::111111111111:role/Nope"); code != 2 || !strings.Contains(stderr, "no such role or user") {
		t.Errorf("unknown target: exit %d %s", code, stderr)
	}
	// --target takes {Account} placeholders, as warden check does.
	out, stderr, code = run(t, "", "analyze", "escalation", "--target", "arn:aws:iam::{Security}:role/BreakGlassRole")
	if code != 1 || !strings.Contains(out, "paths to arn:aws:iam::218364950271:role/BreakGlassRole\n") ||
		!strings.Contains(out, "allowed by trust: Allow trust policy written by the previous step (letting in arn:aws:iam::218364950271:role/OrganizationAccountAccessRole)") ||
		strings.Contains(out, "allowed by trust: the trust policy written") {
		t.Errorf("--target with a placeholder: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := run(t, "", "analyze", "escalation", "--target", "arn:aws:iam::{Nope}:role/BreakGlassRole"); code != 2 || !strings.Contains(stderr, `unknown account "Nope"`) {
		t.Errorf("unknown placeholder: exit %d %s", code, stderr)
	}
	if _, _, code := run(t, "", "analyze", "escalation", "--format", "yaml"); code != 2 {
		t.Errorf("unknown format: exit %d", code)
	}
	g := writeFile(t, "g.yaml", "guardrails:\n  - name: a\n    actions: [s3:GetObject]\n")
	if _, stderr, code := run(t, "", "analyze", "escalation", "--guardrails", g); code != 2 || !strings.Contains(stderr, "--guardrails goes with --format html") {
		t.Errorf("--guardrails without html: exit %d %s", code, stderr)
	}
	bad := writeFile(t, "g.yaml", "guardrails:\n  - name: a\n")
	if _, stderr, code := run(t, "", "analyze", "escalation", "--format", "html", "--guardrails", bad); code != 2 || !strings.Contains(stderr, "a guardrail needs actions") {
		t.Errorf("malformed guardrails: exit %d %s", code, stderr)
	}
}

// TestEscalationProfileConnectStreamExplained: every step of the paths of
// the edge kinds that instance profiles, instances without one, EC2
// Instance Connect and streams make (the twins' workloads3.yaml) is a
// request warden explain allows, and the text states what the network must
// allow.
func TestEscalationProfileConnectStreamExplained(t *testing.T) {
	out, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := map[string]bool{}
	for _, n := range []string{"Associator", "ProfileMaker", "KeyPusherTunnel", "StreamMapper", "StreamMapperKinesis", "StreamWriter", "NewTableMapper", "AppUpdater", "Interpreter", "Deployer",
		"Execer", "ExecerByKeys", "ExecerSidecar"} {
		want["arn:aws:iam::222222222222:role/"+n] = true
	}
	explained := explainPathSteps(t, out, want, nil)
	if len(want) > 0 || explained < 30 {
		t.Errorf("no path from %v; %d steps explained", want, explained)
	}
	text, _, _ := run(t, "", "analyze", "escalation", "--org", twinsOrg)
	if !strings.Contains(text, "needs a network path from the caller to the instance's TCP port 22") ||
		!strings.Contains(text, "needs an EC2 Instance Connect Endpoint in the instance's VPC") {
		t.Errorf("text without the network needs:\n%s", text)
	}
}
