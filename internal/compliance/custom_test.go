package compliance

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

func customVerdicts(t *testing.T, o *org.Org, rules string) map[string]Evaluation {
	t.Helper()
	set, err := ParseRules([]byte(rules), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Evaluation{}
	for _, r := range set.Rules() {
		for _, e := range r.Evaluate(&Input{Org: o, Now: now}) {
			out[e.Rule+" "+e.Resource.Name] = e
		}
	}
	return out
}

func TestCustomRules(t *testing.T) {
	t.Parallel()
	o := loadTestOrg(t)
	got := customVerdicts(t, o, `
customRules:
  - name: roles-have-boundary
    resourceType: AWS::IAM::Role
    applies: resource.account.ou == "Workloads"
    compliant: resource.boundary != ""
    annotation: no boundary
  - name: trust-only-org
    resourceType: AWS::IAM::Role
    compliant: resource.trust.all(s, s.principals.aws.all(p, accountOf(p) in org.accountIds))
  - name: no-users
    resourceType: AWS::IAM::User
    applies: resource.groups.size() == 0
    compliant: "false"
  - name: cannot-send
    resourceType: AWS::IAM::Role
    compliant: '!allowed(resource.arn, "sqs:SendMessage", "arn:aws:sqs:us-east-1:222222222222:orders")'
    annotation: can send
  - name: context-decides
    resourceType: AWS::IAM::Role
    applies: resource.name == "ManagedRole"
    compliant: 'allowed(resource.arn, "s3:GetObject", "arn:aws:s3:::org-only/x", {"aws:SecureTransport": "true"})'
`)
	for key, want := range map[string]string{
		"roles-have-boundary ManagedRole": Compliant,
		"roles-have-boundary InlineRole":  NonCompliant,
		"trust-only-org InlineRole":       Compliant,
		"no-users direct":                 NonCompliant,
		"no-users grouped":                NotApplicable,
		"cannot-send InlineRole":          Compliant,    // it may only decrypt with KMS
		"cannot-send ManagedRole":         NonCompliant, // AdministratorAccess within an allow-all boundary
		"context-decides ManagedRole":     Compliant,
		"context-decides InlineRole":      NotApplicable,
	} {
		if got[key].Compliance != want {
			t.Errorf("%s = %s (%s), want %s", key, got[key].Compliance, got[key].Annotation, want)
		}
	}
	if a := got["roles-have-boundary InlineRole"].Annotation; a != "no boundary" {
		t.Errorf("annotation = %q", a)
	}
}

func TestCustomRuleErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ rules, want string }{
		{"customRules:\n  - name: x\n    resourceType: AWS::IAM::Role\n    compliant: resource.name ==\n", "rules.yaml:2:5: rule x: compliant: ERROR"},
		{"customRules:\n  - name: x\n    resourceType: AWS::IAM::Role\n    compliant: resource.name\n", "compliant must be a boolean expression"},
		{"customRules:\n  - name: x\n    resourceType: AWS::IAM::Rol\n    compliant: \"true\"\n", "rules.yaml:3:19: rule x: resourceType must be one of"},
		{"customRules:\n  - name: x\n    resourceType: AWS::IAM::Role\n    compliant: \"true\"\n    colour: red\n", `rules.yaml:5:5: unknown key "colour"`},
		{"customRules:\n  - name: x\n    resourceType: AWS::IAM::Role\n", "rule x needs a compliant expression"},
		{"customRules:\n  - {name: x, resourceType: AWS::IAM::Role, compliant: \"true\"}\n  - {name: x, resourceType: AWS::IAM::User, compliant: \"true\"}\n", "rule x is defined twice"},
		{"managedRules:\n  - identifier: IAM_NOPE\n", `unknown managed rule "IAM_NOPE"`},
		{"managedRules:\n  - identifier: IAM_ROLE_MANAGED_POLICY_CHECK\n", "managedPolicyArns is required"},
		{"rules: []\n", `unknown key "rules"`},
	} {
		_, err := ParseRules([]byte(c.rules), "rules.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rules %q: err = %v, want %q", c.rules, err, c.want)
		}
	}
	// A rule that reads a field the resource does not have is an error,
	// reported as INSUFFICIENT_DATA, never as compliant.
	got := customVerdicts(t, loadTestOrg(t), "customRules:\n  - {name: typo, resourceType: AWS::IAM::Role, compliant: 'resource.boundry == \"\"'}\n")
	if e := got["typo ManagedRole"]; e.Compliance != InsufficientData || !strings.Contains(e.Annotation, "boundry") {
		t.Errorf("typo: %s %q", e.Compliance, e.Annotation)
	}
}

// The SecureCart landing zone as shipped complies with its own rules.
func TestSecureCartCompliesWithItsRules(t *testing.T) {
	t.Parallel()
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	src, err := landingzones.FS.ReadFile(landingzones.SecureCartCompliance)
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseRules(src, landingzones.SecureCartCompliance)
	if err != nil {
		t.Fatal(err)
	}
	rep := Evaluate(&Input{Org: o, Now: now}, set.Rules(), nil)
	applicable := 0
	for _, e := range rep.Evaluations {
		if e.Compliance == Compliant {
			applicable++
		}
	}
	if applicable == 0 {
		t.Fatal("no resource is evaluated by SecureCart's rules")
	}
	for _, e := range rep.NonCompliant("") {
		t.Errorf("%s: %s %s in %s: %s %s", e.Rule, e.Resource.Type, e.Resource.Name, e.Resource.Account, e.Compliance, e.Annotation)
	}
}

// PolicyText (PutConfigRule's CUSTOM_POLICY rules): errors name the line
// and column in the text, for a bare expression, a quoted scalar and a
// block scalar.
func TestParsePolicyTextPositions(t *testing.T) {
	cases := []struct{ text, want string }{
		{"resource.name.size() > \"x\"", "PolicyText:1:22:"},
		{"compliant: \"resource.name.size( == 1\"\n", "PolicyText:1:"},
		{"applies: true\ncompliant: |\n  resource.name != \"\" &&\n    resource.tags.size() > \"1\"\n", "PolicyText:4:26:"},
		{"compliant: resource.name\n", "PolicyText:1:12: compliant must be a boolean expression"},
		{"compliant: true\nseverity: SEVERE\n", "PolicyText:2:11: severity must be one of"},
		{"applies: true\n", "a rule needs a compliant expression"},
		{"compliant: true\nwhen: x\n", `PolicyText:2:1: unknown key "when"`},
	}
	for _, c := range cases {
		_, err := ParsePolicyText("r", "", TypeRole, c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v; want %q", c.text, err, c.want)
		}
	}
	r, err := ParsePolicyText("r", "", TypeRole, "applies: resource.name.startsWith(\"app-\")\ncompliant: '\"owner\" in resource.tags'\n")
	if err != nil || r.Applies == "" || r.Compliant != `"owner" in resource.tags` {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := ParsePolicyText("r", "", "AWS::EC2::Instance", "true"); err == nil {
		t.Error("an unknown resource type was accepted")
	}
}
