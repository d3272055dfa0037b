package escalate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
)

// passServices are the services pass-role reaches beyond Rhino Security
// Labs' and PMapper's (pathfinding.cloud ssm-003, bedrock-001, bedrock-003,
// bedrock-006, emrserverless-001, gamelift-001, braket-001, kinesisanalytics-001, ecs-008), and EC2
// without instance profiles listed: the service principal and the actions
// that run the caller's code.
var passServices = []struct {
	name, principal string
	actions         []string
	needs           string // what the last step needs outside IAM
}{
	{"Ssm", "ssm.amazonaws.com", []string{"ssm:CreateDocument", "ssm:StartAutomationExecution"}, ""},
	{"AgentCore", "bedrock-agentcore.amazonaws.com", []string{"bedrock-agentcore:CreateCodeInterpreter", "bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:InvokeCodeInterpreter"}, ""},
	{"AgentCoreRuntime", "bedrock-agentcore.amazonaws.com", []string{"bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore:CreateAgentRuntimeEndpoint",
		"bedrock-agentcore:CreateWorkloadIdentity", "bedrock-agentcore:CreateWorkloadIdentity", "bedrock-agentcore:InvokeAgentRuntimeCommand", "bedrock-agentcore:InvokeAgentRuntimeCommand"}, ""},
	{"AgentCoreBrowser", "bedrock-agentcore.amazonaws.com", []string{"bedrock-agentcore:CreateBrowser", "bedrock-agentcore:StartBrowserSession", "bedrock-agentcore:ConnectBrowserAutomationStream"}, ""},
	{"EmrServerless", "emr-serverless.amazonaws.com", []string{"emr-serverless:CreateApplication", "emr-serverless:StartJobRun"}, ""},
	{"Braket", "braket.amazonaws.com", []string{"braket:CreateJob"}, ""},
	{"GameLift", "gamelift.amazonaws.com", []string{"gamelift:CreateBuild", "gamelift:RequestUploadCredentials", "gamelift:CreateFleet"}, ""},
	{"Flink", "kinesisanalytics.amazonaws.com", []string{"kinesisanalytics:CreateApplication", "kinesisanalytics:StartApplication"}, ""},
	{"EcsOverride", "ecs-tasks.amazonaws.com", []string{"ecs:RunTask"}, "existing task definition"},
	// EC2 in an account that lists no instance profile: the console's
	// profile of the role's name, assumed and said.
	{"Ec2", "ec2.amazonaws.com", []string{"ec2:RunInstances"}, "the instance profile arn:aws:iam::222222222222:instance-profile/Ec2Admin: the account lists no instance profiles"},
}

// passServicesOrg writes an organization with, for each of passServices, an
// administrator role that trusts only that service, one that trusts only
// Lambda, and the callers: Pass<name> (iam:PassRole of the first to the
// service, and the service's actions), its twins WrongService (PassRole
// to Lambda), Untrusted (PassRole of the Lambda one), Bounded (a boundary
// without the actions) and MFA (the actions need MFA); in Dev, and again in
// Locked, whose SCP denies iam:PassRole.
func passServicesOrg(t *testing.T) *org.Org {
	t.Helper()
	var b strings.Builder
	b.WriteString(`organization: {id: o-e5ca1a7e02, managementAccount: Mgmt, root: r-e5cb}
ous: [{name: LockedOU, id: ou-e5cb-locked0001}]
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
  - {name: Locked, id: "333333333333", email: locked@example.com, ou: LockedOU}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, LockedOU, Dev, Locked]
  - name: NoPassRole
    type: scp
    document: {Version: "2012-10-17", Statement: [{Sid: NoPass, Effect: Deny, Action: iam:PassRole, Resource: "*"}]}
    attach: [LockedOU]
  - name: S3Only
    type: managed
    accounts: [Dev, Locked]
    document: {Version: "2012-10-17", Statement: [{Sid: S3, Effect: Allow, Action: ["s3:*", iam:PassRole], Resource: "*"}]}
roles:
`)
	trustBy := func(p string) string {
		return `{Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ` + p + `}, Action: sts:AssumeRole}]}`
	}
	caller := func(name, passed, service, extra string, actions []string, cond string) {
		fmt.Fprintf(&b, `  - name: %s
    accounts: [Dev, Locked]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
%s    inlinePolicies:
      Attack: {Version: "2012-10-17", Statement: [{Sid: Pass, Effect: Allow, Action: iam:PassRole, Resource: "arn:aws:iam::*:role/%s", Condition: {StringEquals: {iam:PassedToService: %s}}}, {Sid: Run, Effect: Allow, Action: [%s], Resource: "*"%s}]}
`, name, extra, passed, service, strings.Join(actions, ", "), cond)
	}
	for _, s := range passServices {
		fmt.Fprintf(&b, "  - {name: %sAdmin, accounts: [Dev, Locked], trust: %s, managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]}\n", s.name, trustBy(s.principal))
		fmt.Fprintf(&b, "  - {name: %sLambdaAdmin, accounts: [Dev, Locked], trust: %s, managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]}\n", s.name, trustBy("lambda.amazonaws.com"))
		caller("Pass"+s.name, s.name+"Admin", s.principal, "", s.actions, "")
		caller("Pass"+s.name+"WrongService", s.name+"Admin", "lambda.amazonaws.com", "", s.actions, "")
		caller("Pass"+s.name+"Untrusted", s.name+"LambdaAdmin", s.principal, "", s.actions, "")
		caller("Pass"+s.name+"Bounded", s.name+"Admin", s.principal, "    permissionsBoundary: S3Only\n", s.actions, "")
		caller("Pass"+s.name+"MFA", s.name+"Admin", s.principal, "", s.actions, `, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}`)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "org.yaml"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := org.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestPassServices: pass-role to the services pathfinding.cloud added
// (Systems Manager Automation, AgentCore code interpreters, EMR Serverless,
// Braket, Managed Apache Flink, an existing ECS task definition run with
// overrides): each positive case reaches its service's
// administrator role with iam:PassRole (iam:PassedToService the service)
// and the service's actions, MFA reported as a requirement; its twins
// (another service, a role that does not trust the service, a boundary, the
// SCP of Locked) reach nothing.
func TestPassServices(t *testing.T) {
	got := pathsFrom(Analyze(passServicesOrg(t), Options{Now: now}))
	var none, lockedToo []string
	for _, s := range passServices {
		for _, mfa := range []bool{false, true} {
			from := "Pass" + s.name
			if mfa {
				from += "MFA"
			}
			p, ok := got[roleARN(dev, from)]
			if !ok {
				t.Errorf("%s: no path to admin", from)
				continue
			}
			want := "iam:PassRole " + strings.Join(s.actions, " ")
			if kindsOf(p) != KindPassRole || actionsOf(p) != want || p.Admin == nil || p.Admin.Principal != roleARN(dev, s.name+"Admin") ||
				p.Steps[0].Context["iam:PassedToService"] != s.principal || !strings.HasSuffix(p.Steps[len(p.Steps)-1].Note, roleARN(dev, s.name+"Admin")) {
				t.Errorf("%s: path %s %s as %+v, steps %+v; want pass-role %s as %sAdmin", from, kindsOf(p), actionsOf(p), p.Admin, p.Steps, want, s.name)
			}
			// What the org files cannot show (an existing task definition,
			// an instance profile) is the last step's need.
			if last := p.Steps[len(p.Steps)-1]; (s.needs != "") != (len(last.Needs) == 1 && strings.Contains(last.Needs[0], s.needs)) {
				t.Errorf("%s: the last step needs %v, want %q", from, last.Needs, s.needs)
			}
			// An existing ECS task definition run with its task role
			// overridden: ECS checks iam:PassRole of the execution role
			// too, so the role passed is the executionRoleArn override as
			// well, and what it then needs is the PassRole step's need.
			if pass := p.Steps[0]; (s.name == "EcsOverride") != (len(pass.Needs) == 1 && strings.Contains(pass.Needs[0], "executionRoleArn override") &&
				strings.Contains(pass.Note, "taskRoleArn and executionRoleArn overrides")) {
				t.Errorf("%s: the PassRole step %+v", from, pass)
			}
			if s.name == "Ec2" && p.Steps[1].Context["ec2:InstanceProfile"] != "arn:aws:iam::222222222222:instance-profile/Ec2Admin" {
				t.Errorf("%s: RunInstances without the instance profile: %+v", from, p.Steps[1])
			}
			for _, st := range p.Steps[1:] {
				if (st.Requires["aws:MultiFactorAuthPresent"] == "true") != mfa {
					t.Errorf("%s: step %s requires %v", from, st.Action, st.Requires)
				}
			}
			lockedToo = append(lockedToo, from)
		}
		none = append(none, "Pass"+s.name+"WrongService", "Pass"+s.name+"Untrusted", "Pass"+s.name+"Bounded")
	}
	wantNoPaths(t, got, none, lockedToo)
}

// TestReadable: the readable name of a resource the caller makes has the
// form AWS gives its type (Service Authorization Reference's ARN formats):
// a task definition's numeric revision, an Image Builder version and build,
// a stack's and an App Runner service's ID; an ECS service (CLUSTER/NAME)
// and other types keep the readable name in every part.
func TestReadable(t *testing.T) {
	for glob, want := range map[string]string{
		"arn:aws:ecs:us-east-1:1:task-definition/*:*":       "arn:aws:ecs:us-east-1:1:task-definition/warden-escalation:1",
		"arn:aws:imagebuilder:us-east-1:1:component/*/*/*":  "arn:aws:imagebuilder:us-east-1:1:component/warden-escalation/1.0.0/1",
		"arn:aws:imagebuilder:us-east-1:1:image-recipe/*/*": "arn:aws:imagebuilder:us-east-1:1:image-recipe/warden-escalation/1.0.0",
		"arn:aws:cloudformation:us-east-1:1:stack/*/*":      "arn:aws:cloudformation:us-east-1:1:stack/warden-escalation/01234567-89ab-cdef-0123-456789abcdef",
		"arn:aws:apprunner:us-east-1:1:service/*/*":         "arn:aws:apprunner:us-east-1:1:service/warden-escalation/0123456789abcdef0123456789abcdef",
		"arn:aws:ecs:us-east-1:1:service/*/*":               "arn:aws:ecs:us-east-1:1:service/warden-escalation/warden-escalation",
		"arn:aws:lambda:us-east-1:1:function:*":             "arn:aws:lambda:us-east-1:1:function:warden-escalation",
	} {
		if got := readable(glob); got != want {
			t.Errorf("readable(%s) = %s, want %s", glob, got, want)
		}
	}
}
