package cli

import (
	"strings"
	"testing"
)

// explainPathsFrom runs warden analyze escalation --format json on the
// twins and warden explain on every step of the paths from the roles of
// Dev named (explainPathSteps): each must be a request it allows. It
// returns the paths' actions, by role.
func explainPathsFrom(t *testing.T, roles ...string) map[string][]string {
	t.Helper()
	out, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := map[string]bool{}
	for _, n := range roles {
		want["arn:aws:iam::222222222222:role/"+n] = true
	}
	got := map[string][]string{}
	explainPathSteps(t, out, want, func(from, action string) {
		n := strings.TrimPrefix(from, "arn:aws:iam::222222222222:role/")
		got[n] = append(got[n], action)
	})
	if len(want) > 0 {
		t.Errorf("no path from %v", want)
	}
	return got
}

// TestEscalationAgentCoreExplained: every step of the Bedrock AgentCore
// paths (pathfinding.cloud bedrock-003 to -007; the twins'
// agentcore.yaml) is a request warden explain allows: the runtime and its
// DEFAULT endpoint, the browser session and its automation stream, the
// role passed and the new runtime's (its workload identity named after it),
// code interpreter's or browser's requests.
func TestEscalationAgentCoreExplained(t *testing.T) {
	got := explainPathsFrom(t, "RuntimeCommander", "RuntimeCommanderMFA", "BrowserDriver", "BrowserDriverMFA", "PassRuntime", "PassBrowser", "PassHarness",
		"PassRuntimeIdentityNamed", "PassInterpreterOverlap")
	for n, want := range map[string]int{"RuntimeCommander": 2, "BrowserDriver": 2, "PassRuntime": 7, "PassBrowser": 4, "PassHarness": 7, "PassRuntimeIdentityNamed": 7, "PassInterpreterOverlap": 4} {
		if len(got[n]) != want {
			t.Errorf("%s: %d steps %v, want %d", n, len(got[n]), got[n], want)
		}
	}
}

// TestEscalationPassThroughExplained: every step of the paths that pass a
// role through an EMR cluster (two roles: the instances' and the service
// role), an Image Builder build, a GameLift fleet (pathfinding.cloud
// emr-001, imagebuilder-001, gamelift-001; the twins' passthrough.yaml) or
// an ECS task started on a container instance the caller registered
// (ecs-007, ecs_register.yaml: StartTask's ecs:cluster the cluster
// registered in; ecs-009's StartTask alone, the task role and the
// execution role overridden with the role passed) or a HealthOmics run whose role writes its credentials to
// an object the caller reads (omics-001, omics.yaml: the role's
// s3:PutObject made as the role) is a request warden explain allows.
func TestEscalationPassThroughExplained(t *testing.T) {
	got := explainPathsFrom(t, "ClusterRunner", "ClusterRunnerMFA", "ImageBuilder", "FleetMaker", "InstanceRegistrar", "InstanceRegistrarNotInstance", "OmicsRunner")
	for n, want := range map[string]int{"ClusterRunner": 3, "ImageBuilder": 5, "FleetMaker": 4, "InstanceRegistrar": 3, "InstanceRegistrarNotInstance": 2, "OmicsRunner": 6} {
		if len(got[n]) != want {
			t.Errorf("%s: %d steps %v, want %d", n, len(got[n]), got[n], want)
		}
	}
	// The ECS task's execution role: the role passed is its override too,
	// what it must allow as such a stated need.
	text, _, _ := run(t, "", "analyze", "escalation", "--org", twinsOrg)
	if !strings.Contains(text, "needs the role, passed as the task's executionRoleArn override too, allows what the task definition's execution needs") {
		t.Errorf("text without the execution role's need:\n%s", text)
	}
}

// TestEscalationPassUpdateExplained: every step of the paths that give an
// existing CodeBuild project or CloudFormation stack another service role
// (PMapper's codebuild and cloudformation edge checkers; the twins'
// passupdate.yaml: iam:PassRole, codebuild:UpdateProject and StartBuild;
// iam:PassRole and cloudformation:UpdateStack with cloudformation:RoleArn
// the role passed) is a request warden explain allows.
func TestEscalationPassUpdateExplained(t *testing.T) {
	got := explainPathsFrom(t, "ProjectUpdater", "ProjectUpdaterMFA", "StackRoleUpdater", "StackRoleUpdaterMFA")
	for n, want := range map[string]string{
		"ProjectUpdater": "iam:PassRole codebuild:UpdateProject codebuild:StartBuild", "ProjectUpdaterMFA": "iam:PassRole codebuild:UpdateProject codebuild:StartBuild",
		"StackRoleUpdater": "iam:PassRole cloudformation:UpdateStack", "StackRoleUpdaterMFA": "iam:PassRole cloudformation:UpdateStack",
	} {
		if s := strings.Join(got[n], " "); s != want {
			t.Errorf("%s: steps %s, want %s", n, s, want)
		}
	}
}

// TestEscalationAlternativesExplained: every step of the paths through
// PMapper's alternatives (a batch build where StartBuild is denied, a change
// set where UpdateStack is denied; the twins' pmapper_alts.yaml), of a new
// function created and invoked under different statements (one function
// both name) and of a new stack with cloudformation:RoleArn the role
// passed, is a request warden explain allows.
func TestEscalationAlternativesExplained(t *testing.T) {
	got := explainPathsFrom(t, "BuildBatcher", "ChangeSetUpdater", "ProjectBatchUpdater", "StackChangeSetRoleUpdater", "FunctionPair", "StackCreator")
	for n, want := range map[string]string{
		"BuildBatcher": "codebuild:StartBuildBatch", "ChangeSetUpdater": "cloudformation:CreateChangeSet cloudformation:ExecuteChangeSet",
		"ProjectBatchUpdater":       "iam:PassRole codebuild:UpdateProject codebuild:StartBuildBatch",
		"StackChangeSetRoleUpdater": "iam:PassRole cloudformation:CreateChangeSet cloudformation:ExecuteChangeSet",
		"FunctionPair":              "iam:PassRole lambda:CreateFunction lambda:InvokeFunction", "StackCreator": "iam:PassRole cloudformation:CreateStack",
	} {
		if s := strings.Join(got[n], " "); s != want {
			t.Errorf("%s: steps %s, want %s", n, s, want)
		}
	}
}
