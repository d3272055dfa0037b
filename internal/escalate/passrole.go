package escalate

import (
	"regexp"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// computeService is a service that runs code as a role passed to it: the
// service principal the role must trust, and the ways to make it run the
// caller's code (each a list of actions, all needed, on resources the
// caller names: "ACCOUNT" in a pattern stands for the caller's account).
type computeService struct {
	principal string
	ways      [][]serviceAction
	// needs is what the ways need that the org files do not describe (an
	// existing resource of the service), stated on the last step.
	needs string
	// alsoPass is the service principal of a second role the ways pass
	// (a service role, beside the role the code runs as): a role of the
	// caller's account that trusts it, passed with iam:PassedToService
	// set to it.
	alsoPass string
	// callerTrusts, when set, limits the ways to callers that are roles
	// trusting that service principal (an EC2 instance's role: the
	// caller's code runs on the instance).
	callerTrusts string
	// sameAs sets, for an action of the ways, context keys to the resource
	// an earlier request of the way named (by its index in the way).
	sameAs map[string]map[string]int
	// exfil: the code has no network but Amazon S3, so the role's
	// credentials reach the caller through an object: the role writes it
	// (s3:PutObject) and the caller reads it (s3:GetObject).
	exfil bool
	// overrides: the ways run an existing ECS task definition with its
	// task role overridden (ecs:RunTask, ecs:StartTask). ECS checks
	// iam:PassRole of every role the task is given: the overridden task
	// role, and the execution role (the definition's own, or the
	// executionRoleArn override). The path overrides both with the role
	// passed, so that the one iam:PassRole (to ecs-tasks.amazonaws.com,
	// which an execution role trusts too) covers both; what the role then
	// needs as the execution role is the step's need.
	overrides bool
	// roleKeys are, for an action of the ways, the context key that
	// carries the role passed (CloudFormation's cloudformation:RoleArn):
	// set to it, so that a policy allowing the action only with another
	// role does not count.
	roleKeys map[string]string
}

// needExecutionRole is what an ECS task run with its roles overridden
// needs of the role as its execution role (Amazon ECS Developer Guide,
// "Amazon ECS task execution IAM role": the execution role pulls a private
// Amazon ECR image, writes to the awslogs log group and reads the secrets
// the definition names), which the org files do not describe.
const needExecutionRole = "the role, passed as the task's executionRoleArn override too, allows what the task definition's execution needs " +
	"(pulling a private Amazon ECR image, its awslogs log group, its secrets); keeping the definition's own execution role instead " +
	"needs iam:PassRole of that role as well (ECS checks it on every run)"

// serviceAction is a request of a way. A resource may name one the caller
// creates by a placeholder of its own (MADE_RUNTIME, ...): every request of
// the way naming it names the same resource, the first of those the caller
// may name in all of them (see passTo).
type serviceAction struct{ action, resource string }

// madeName matches a way's placeholder for a resource the caller creates.
var madeName = regexp.MustCompile(`MADE_[A-Z]+`)

// computeServices are the services of Rhino Security Labs' list (EC2,
// Lambda, Glue, CloudFormation, Data Pipeline), PMapper's edge checkers
// (CodeBuild, SageMaker, EC2 Auto Scaling) and pathfinding.cloud (ECS, App
// Runner, spot instances, launch templates, Glue sessions and triggers, change sets,
// batch builds, a function's resource policy, Systems Manager Automation,
// Bedrock AgentCore code interpreters, EMR Serverless, Braket, Managed
// Apache Flink).
//
// A new function mapped to an event source (Rhino's method 16) runs only
// when the source is written to: that way is searched over the streams of
// the org format's workloads, with the caller's write (stream-event-source,
// see workloads.go), not here.
var computeServices = []computeService{
	{principal: "lambda.amazonaws.com", ways: [][]serviceAction{
		{{"lambda:CreateFunction", "arn:aws:lambda:us-east-1:ACCOUNT:function:*"}, {"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:ACCOUNT:function:*"}},
		{{"lambda:CreateFunction", "arn:aws:lambda:us-east-1:ACCOUNT:function:*"}, {"lambda:AddPermission", "arn:aws:lambda:us-east-1:ACCOUNT:function:*"}},
	}},
	{principal: "ec2.amazonaws.com", ways: [][]serviceAction{
		{{"ec2:RunInstances", "arn:aws:ec2:us-east-1:ACCOUNT:instance/*"}},
		{{"ec2:RequestSpotInstances", "arn:aws:ec2:us-east-1:ACCOUNT:spot-instances-request/*"}},
		{{"ec2:CreateLaunchTemplate", "arn:aws:ec2:us-east-1:ACCOUNT:launch-template/*"}, {"autoscaling:CreateAutoScalingGroup", "arn:aws:autoscaling:us-east-1:ACCOUNT:autoScalingGroup:*:autoScalingGroupName/*"}},
		{{"autoscaling:CreateLaunchConfiguration", "arn:aws:autoscaling:us-east-1:ACCOUNT:launchConfiguration:*:launchConfigurationName/*"}, {"autoscaling:CreateAutoScalingGroup", "arn:aws:autoscaling:us-east-1:ACCOUNT:autoScalingGroup:*:autoScalingGroupName/*"}},
	}},
	{principal: "ecs-tasks.amazonaws.com", ways: [][]serviceAction{
		{{"ecs:RegisterTaskDefinition", "*"}, {"ecs:RunTask", "arn:aws:ecs:us-east-1:ACCOUNT:task-definition/*:*"}},
		{{"ecs:RegisterTaskDefinition", "*"}, {"ecs:StartTask", "arn:aws:ecs:us-east-1:ACCOUNT:task-definition/*:*"}},
		{{"ecs:RegisterTaskDefinition", "*"}, {"ecs:CreateService", "arn:aws:ecs:us-east-1:ACCOUNT:service/*/*"}},
		{{"ecs:RegisterTaskDefinition", "*"}, {"ecs:UpdateService", "arn:aws:ecs:us-east-1:ACCOUNT:service/*/*"}},
	}},
	{principal: "glue.amazonaws.com", ways: [][]serviceAction{
		{{"glue:CreateDevEndpoint", "arn:aws:glue:us-east-1:ACCOUNT:devEndpoint/*"}},
		{{"glue:CreateJob", "arn:aws:glue:us-east-1:ACCOUNT:job/*"}, {"glue:StartJobRun", "arn:aws:glue:us-east-1:ACCOUNT:job/*"}},
		{{"glue:CreateJob", "arn:aws:glue:us-east-1:ACCOUNT:job/*"}, {"glue:CreateTrigger", "arn:aws:glue:us-east-1:ACCOUNT:trigger/*"}},
		{{"glue:CreateSession", "arn:aws:glue:us-east-1:ACCOUNT:session/*"}, {"glue:RunStatement", "arn:aws:glue:us-east-1:ACCOUNT:session/*"}},
	}},
	// A new stack (CreateStack, or a change set of type CREATE) with the
	// role as its service role (RoleARN, cloudformation:RoleArn in the
	// request's context); a name an existing stack of workloads has is not
	// new (a change set on it updates that stack: update-stack-role).
	{principal: "cloudformation.amazonaws.com", ways: [][]serviceAction{
		{{"cloudformation:CreateStack", "arn:aws:cloudformation:us-east-1:ACCOUNT:stack/*/*"}},
		{{"cloudformation:CreateChangeSet", "arn:aws:cloudformation:us-east-1:ACCOUNT:stack/*/*"}, {"cloudformation:ExecuteChangeSet", "arn:aws:cloudformation:us-east-1:ACCOUNT:stack/*/*"}},
	}, roleKeys: map[string]string{"cloudformation:CreateStack": "cloudformation:RoleArn", "cloudformation:CreateChangeSet": "cloudformation:RoleArn"}},
	{principal: "sagemaker.amazonaws.com", ways: [][]serviceAction{
		{{"sagemaker:CreateNotebookInstance", "arn:aws:sagemaker:us-east-1:ACCOUNT:notebook-instance/*"}, {"sagemaker:CreatePresignedNotebookInstanceUrl", "arn:aws:sagemaker:us-east-1:ACCOUNT:notebook-instance/*"}},
		{{"sagemaker:CreateTrainingJob", "arn:aws:sagemaker:us-east-1:ACCOUNT:training-job/*"}},
		{{"sagemaker:CreateProcessingJob", "arn:aws:sagemaker:us-east-1:ACCOUNT:processing-job/*"}},
	}},
	{principal: "codebuild.amazonaws.com", ways: [][]serviceAction{
		{{"codebuild:CreateProject", "arn:aws:codebuild:us-east-1:ACCOUNT:project/*"}, {"codebuild:StartBuild", "arn:aws:codebuild:us-east-1:ACCOUNT:project/*"}},
		{{"codebuild:CreateProject", "arn:aws:codebuild:us-east-1:ACCOUNT:project/*"}, {"codebuild:StartBuildBatch", "arn:aws:codebuild:us-east-1:ACCOUNT:project/*"}},
	}},
	{principal: "tasks.apprunner.amazonaws.com", ways: [][]serviceAction{
		{{"apprunner:CreateService", "arn:aws:apprunner:us-east-1:ACCOUNT:service/*/*"}},
	}},
	{principal: "datapipeline.amazonaws.com", ways: [][]serviceAction{
		{{"datapipeline:CreatePipeline", "*"}, {"datapipeline:PutPipelineDefinition", "*"}, {"datapipeline:ActivatePipeline", "*"}},
	}},
	// pathfinding.cloud ecs-007: code on an EC2 instance whose role is the
	// caller registers the instance in a cluster (RegisterContainerInstance
	// with its instance identity document) and starts an existing task
	// definition there, its task role overridden (passed) with the role;
	// StartTask's ecs:cluster is the cluster registered in. For other
	// callers, and when the cluster differs, ecs-009's StartTask alone
	// (the next entry) names existing container instances.
	{principal: "ecs-tasks.amazonaws.com", callerTrusts: "ec2.amazonaws.com", overrides: true, ways: [][]serviceAction{
		{{"ecs:RegisterContainerInstance", "arn:aws:ecs:us-east-1:ACCOUNT:cluster/*"}, {"ecs:StartTask", "arn:aws:ecs:us-east-1:ACCOUNT:task-definition/*:*"}},
	}, sameAs: map[string]map[string]int{"ecs:StartTask": {"ecs:cluster": 0}},
		needs: "code running on an EC2 instance whose instance profile holds the caller's role (its identity document registers it), and an existing task definition whose task role and command the request overrides: the org files do not list them"},
	// pathfinding.cloud ecs-008, ecs-009: an existing task definition run
	// with overrides of its task role (taskRoleArn, passed) and command.
	{principal: "ecs-tasks.amazonaws.com", overrides: true, ways: [][]serviceAction{
		{{"ecs:RunTask", "arn:aws:ecs:us-east-1:ACCOUNT:task-definition/*:*"}},
		{{"ecs:StartTask", "arn:aws:ecs:us-east-1:ACCOUNT:task-definition/*:*"}},
	}, needs: "an existing task definition and cluster (container instances for ecs:StartTask), whose task role and command the request overrides: the org files do not list them"},
	// pathfinding.cloud ssm-003: an Automation runbook of the caller's
	// (aws:executeScript) run with the role as its AutomationAssumeRole.
	{principal: "ssm.amazonaws.com", ways: [][]serviceAction{
		{{"ssm:CreateDocument", "arn:aws:ssm:us-east-1:ACCOUNT:document/*"}, {"ssm:StartAutomationExecution", "arn:aws:ssm:us-east-1:ACCOUNT:automation-definition/*:*"}},
	}},
	// pathfinding.cloud bedrock-001: an AgentCore code interpreter with the
	// role as its execution role, whose sandbox runs the caller's code.
	// bedrock-003: an AgentCore runtime with the role as its execution role
	// (CreateAgentRuntime makes its DEFAULT endpoint and its workload
	// identity, in the account's default directory, as the caller: the
	// identity is named after the runtime's ID, so the same name), and a
	// shell command run in it (InvokeAgentRuntimeCommand names the runtime
	// and the endpoint) that reads the role's credentials from the microVM
	// metadata service. bedrock-005 (a harness) makes the same requests and
	// CreateHarness, GetHarness and GetAgentRuntime besides: whoever can
	// make it can make bedrock-003's. bedrock-006: a custom browser with the
	// role as its execution role, a session on it and its automation
	// stream (no resource type: "*"), driven to the metadata service. The
	// resource types are the Service Authorization Reference's.
	{principal: "bedrock-agentcore.amazonaws.com", ways: [][]serviceAction{
		{{"bedrock-agentcore:CreateCodeInterpreter", "*"}, {"bedrock-agentcore:StartCodeInterpreterSession", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:code-interpreter-custom/MADE_INTERPRETER"},
			{"bedrock-agentcore:InvokeCodeInterpreter", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:code-interpreter-custom/MADE_INTERPRETER"}},
		{{"bedrock-agentcore:CreateAgentRuntime", "*"},
			{"bedrock-agentcore:CreateAgentRuntimeEndpoint", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:runtime/MADE_RUNTIME"},
			{"bedrock-agentcore:CreateWorkloadIdentity", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:workload-identity-directory/default"},
			{"bedrock-agentcore:CreateWorkloadIdentity", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:workload-identity-directory/default/workload-identity/MADE_RUNTIME"},
			{"bedrock-agentcore:InvokeAgentRuntimeCommand", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:runtime/MADE_RUNTIME"},
			{"bedrock-agentcore:InvokeAgentRuntimeCommand", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:runtime/MADE_RUNTIME/runtime-endpoint/DEFAULT"}},
		{{"bedrock-agentcore:CreateBrowser", "*"}, {"bedrock-agentcore:StartBrowserSession", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:browser-custom/*"},
			{"bedrock-agentcore:ConnectBrowserAutomationStream", "*"}},
	}},
	// pathfinding.cloud emrserverless-001: a Spark job run with the role as
	// its execution role.
	{principal: "emr-serverless.amazonaws.com", ways: [][]serviceAction{
		{{"emr-serverless:CreateApplication", "*"}, {"emr-serverless:StartJobRun", "arn:aws:emr-serverless:us-east-1:ACCOUNT:/applications/*"}},
	}},
	// pathfinding.cloud braket-001: a hybrid job's script run with the role.
	{principal: "braket.amazonaws.com", ways: [][]serviceAction{
		{{"braket:CreateJob", "arn:aws:braket:us-east-1:ACCOUNT:job/*"}},
	}},
	// pathfinding.cloud emr-001: an EMR cluster (RunJobFlow has no resource
	// type) whose EC2 instances run with an instance profile holding the
	// role, and a step of the caller's (command-runner.jar) run on them;
	// RunJobFlow passes two roles, the instances' (to EC2, as AWS's
	// AmazonEMRFullAccessPolicy_v2 conditions it) and the cluster's service
	// role (to EMR). imagebuilder-001: a component of the caller's in a
	// recipe, an infrastructure configuration naming an instance profile
	// holding the role (passed to EC2, as AWSImageBuilderFullAccess
	// conditions it) and an image built from them: the build instance runs
	// the component. The resource types are the Service Authorization
	// Reference's.
	{principal: "ec2.amazonaws.com", alsoPass: "elasticmapreduce.amazonaws.com", ways: [][]serviceAction{
		{{"elasticmapreduce:RunJobFlow", "*"}},
	}, needs: "the EMR service-linked role AWSServiceRoleForEMRCleanup in the account (a prerequisite pathfinding.cloud emr-001 states)"},
	{principal: "ec2.amazonaws.com", ways: [][]serviceAction{
		{{"imagebuilder:CreateComponent", "arn:aws:imagebuilder:us-east-1:ACCOUNT:component/*/*/*"},
			{"imagebuilder:CreateImageRecipe", "arn:aws:imagebuilder:us-east-1:ACCOUNT:image-recipe/*/*"},
			{"imagebuilder:CreateInfrastructureConfiguration", "arn:aws:imagebuilder:us-east-1:ACCOUNT:infrastructure-configuration/*"},
			{"imagebuilder:CreateImage", "arn:aws:imagebuilder:us-east-1:ACCOUNT:image/*/*/*"}},
	}, needs: "the Image Builder service-linked role AWSServiceRoleForImageBuilder in the account (a prerequisite pathfinding.cloud imagebuilder-001 states)"},
	// pathfinding.cloud gamelift-001: a build of the caller's (uploaded with
	// the credentials RequestUploadCredentials returns) run by a fleet whose
	// instance role is the role: GameLift assumes it (its trust policy
	// trusts gamelift.amazonaws.com: Amazon GameLift Servers Developer
	// Guide, "Set up an IAM service role") and hands its credentials to the
	// game server processes.
	{principal: "gamelift.amazonaws.com", ways: [][]serviceAction{
		{{"gamelift:CreateBuild", "*"}, {"gamelift:RequestUploadCredentials", "arn:aws:gamelift:us-east-1:ACCOUNT:build/*"}, {"gamelift:CreateFleet", "*"}},
	}},
	// pathfinding.cloud omics-001: a HealthOmics workflow of the caller's
	// run with the role (StartRun names the run and the workflow); the
	// run's tasks reach no network but S3, so the task writes the role's
	// credentials to an object the caller then reads.
	{principal: "omics.amazonaws.com", exfil: true, ways: [][]serviceAction{
		{{"omics:CreateWorkflow", "*"}, {"omics:StartRun", "arn:aws:omics:us-east-1:ACCOUNT:run/*"}, {"omics:StartRun", "arn:aws:omics:us-east-1:ACCOUNT:workflow/*"}},
	}},
	// pathfinding.cloud kinesisanalytics-001: a Managed Apache Flink
	// application with the role as its service execution role.
	{principal: "kinesisanalytics.amazonaws.com", ways: [][]serviceAction{
		{{"kinesisanalytics:CreateApplication", "*"}, {"kinesisanalytics:StartApplication", "arn:aws:kinesisanalytics:us-east-1:ACCOUNT:application/*"}},
	}},
}

// trustedServices lists the compute services whose principal a role's
// trust policy lets assume it, as the engine decides.
func (a *analyzer) trustedServices(to *Node) []*computeService {
	if to.Role == nil || to.Role.Trust == nil {
		return nil
	}
	var out []*computeService
	for i := range computeServices {
		if cs := &computeServices[i]; a.trustsService(to, cs.principal) {
			out = append(out, cs)
		}
	}
	return out
}

// trustsService reports whether a role's trust policy lets a service
// principal assume it, as the engine decides.
func (a *analyzer) trustsService(to *Node, principal string) bool {
	if to.Role == nil || to.Role.Trust == nil || !namesService(to.Role.Trust, principal) {
		return false
	}
	// The service assumes the role for a resource of the role's own
	// account (a role is passed within its account).
	svc := &Node{Caller: principal}
	ctx := map[string][]string{"aws:SourceAccount": {to.Account.ID}}
	return a.decide(svc, request{action: "sts:AssumeRole", resource: to.ARN, fixed: ctx}) != nil
}

// passSecond finds the iam:PassRole of a second role the caller passes
// with the one the code runs as: a role of its account that trusts
// principal, passed to it (nil for none).
func (a *analyzer) passSecond(from *Node, principal string) *Step {
	for _, r := range a.nodesIn(from.Account) {
		if r.Role == nil || !a.trustsService(r, principal) {
			continue
		}
		if st := a.decide(from, request{action: "iam:PassRole", resource: r.ARN, fixed: map[string][]string{"iam:PassedToService": {principal}}}); st != nil {
			st.Note = "the " + principal + " service role"
			return st
		}
	}
	return nil
}

func namesService(trust *policy.Policy, svc string) bool {
	return trustNames(trust, func(p *policy.Principal) []policy.Str { return p.Service }, svc)
}

// trustNames reports whether an Allow statement of a trust policy names
// the principal (among those of one type, which pick gives) or any
// principal: a cheap test before the engine decides.
func trustNames(trust *policy.Policy, pick func(*policy.Principal) []policy.Str, name string) bool {
	for _, s := range trust.Statements {
		if p := s.Src.Principal; p != nil && s.Effect == policy.Allow {
			if p.Wildcard {
				return true
			}
			for _, v := range pick(p) {
				if strings.EqualFold(v.Value, name) {
					return true
				}
			}
		}
	}
	return false
}

// passRoleEdges adds an edge from a principal to every role of its account
// that it can pass to a compute service that trusts the role, when it can
// also make the service run its code: iam:PassRole with iam:PassedToService
// set to the service, then the service's actions.
func (a *analyzer) passRoleEdges(from *Node) {
	if from.external() || !from.may("iam:PassRole") {
		return
	}
	for _, to := range a.nodesIn(from.Account) {
		if to == from || to.Role == nil {
			continue
		}
		for _, cs := range a.servicesOf(to) {
			if steps := a.passTo(from, to, cs); steps != nil {
				a.edge(from, to, KindPassRole, steps...).service = &serviceSession{service: cs.principal, name: serviceSessionName(cs.principal, "")}
				break
			}
		}
	}
}

func (a *analyzer) servicesOf(to *Node) []*computeService {
	if to.services == nil {
		to.services = a.trustedServices(to)
		if to.services == nil {
			to.services = []*computeService{}
		}
	}
	return to.services
}

// passTo finds the steps by which from runs code as to through cs.
func (a *analyzer) passTo(from, to *Node, cs *computeService) []Step {
	if cs.callerTrusts != "" && (from.Role == nil || !a.trustsService(from, cs.callerTrusts)) {
		return nil
	}
	for _, way := range cs.ways {
		ok := true
		for _, sa := range way {
			ok = ok && from.may(sa.action)
		}
		if !ok {
			continue
		}
		pass := a.decide(from, request{action: "iam:PassRole", resource: to.ARN, fixed: map[string][]string{"iam:PassedToService": {cs.principal}}})
		if pass == nil {
			return nil
		}
		// EC2 runs an instance with an instance profile holding the role
		// (ec2:InstanceProfile on ec2:RunInstances).
		var profile profileUse
		if cs.principal == "ec2.amazonaws.com" {
			var ok bool
			if profile, ok = a.profileFor(from, to); !ok {
				return nil
			}
		}
		if cs.overrides {
			pass.Note = "passed as the task's taskRoleArn and executionRoleArn overrides"
			pass.Needs = append(pass.Needs, needExecutionRole)
		}
		steps := []Step{*pass}
		if cs.alsoPass != "" {
			second := a.passSecond(from, cs.alsoPass)
			if second == nil {
				return nil
			}
			steps = append(steps, *second)
		}
		first := len(steps) + len(profile.steps)
		steps = append(steps, profile.steps...)
		var made []string // placeholder, resource chosen, ...
		var same string   // the resource the request before named, when the next names it too
		// fixedAt is the context request k of the way is decided under:
		// the instance profile RunInstances names, the resources earlier
		// requests named (sameAs; the request at index cur named curRes,
		// not yet a step), the role passed (roleKeys). Choosing a name
		// for a request and the later ones naming the same resource
		// decides each of them under its own, as the path does: deciding
		// a later one without its pinned keys could choose a name only
		// another value of those keys allows, and miss a path another
		// name gives.
		fixedAt := func(k, cur int, curRes string) map[string][]string {
			var fixed map[string][]string
			set := func(key, v string) {
				if fixed == nil {
					fixed = map[string][]string{}
				}
				fixed[key] = []string{v}
			}
			if way[k].action == "ec2:RunInstances" {
				set("ec2:InstanceProfile", profile.arn)
			}
			for key, j := range cs.sameAs[way[k].action] {
				if j == cur {
					set(key, curRes)
				} else if first+j < len(steps) {
					set(key, steps[first+j].Resource)
				}
			}
			if key := cs.roleKeys[way[k].action]; key != "" {
				set(key, to.ARN)
			}
			return fixed
		}
		for i, sa := range way {
			fixed := fixedAt(i, -1, "")
			res := strings.NewReplacer(append(made, "ACCOUNT", from.Account.ID)...).Replace(sa.resource)
			var st *Step
			if name := madeName.FindString(res); name != "" {
				var chosen string
				laterFixed := func(k int, r string) map[string][]string { return fixedAt(i+1+k, i, r) }
				if st, chosen = a.chooseMade(from, sa.action, name, res, fixed, way[i+1:], laterFixed); st != nil {
					made = append(made, name, chosen)
				}
			} else if same != "" {
				st = a.decide(from, request{action: sa.action, resource: same, fixed: fixed})
				same = ""
			} else if i+1 < len(way) && way[i+1].resource == sa.resource && res != "*" && strings.Contains(res, "*") {
				// The next request names the resource this one makes (a
				// function created, then invoked; a change set created,
				// then executed): one resource, among the classes the
				// statements of both tell apart, that both are allowed on.
				nextFixed := func(r string) map[string][]string { return fixedAt(i+1, i, r) }
				st, same = a.decidePair(from, sa.action, way[i+1].action, res, fixed, nextFixed, a.notTaken(from, cs))
			} else {
				st = a.decideAnyResourceWhere(from, sa.action, res, fixed, a.notTaken(from, cs))
			}
			if st == nil {
				steps = nil
				break
			}
			steps = append(steps, *st)
		}
		if steps != nil {
			profile.note(steps[first:])
			last := &steps[len(steps)-1]
			if cs.needs != "" {
				last.Needs = append(last.Needs, cs.needs)
			}
			last.Note = "the service runs the caller's code as " + to.ARN
			if profile.arn != "" && way[0].action != "ec2:RunInstances" {
				// The request names the profile in a parameter that no
				// condition key reflects.
				last.Note += ", on instances with the instance profile " + profile.arn
			}
			if cs.exfil {
				steps = a.throughObject(from, to, steps)
			}
		}
		if steps != nil {
			return steps
		}
	}
	return nil
}

// decidePair decides a request on a resource the caller names (glob) and
// the next request of its way on the same resource: the first resource,
// among the classes the statements of both actions tell apart, on which
// both are allowed (and that ok accepts), the next request under its own
// pinned context keys (nextFixed of the resource). It returns the first
// request's step and the resource ("" when none is).
func (a *analyzer) decidePair(from *Node, action, next, glob string, fixed map[string][]string, nextFixed func(string) map[string][]string, ok func(*Step) bool) (*Step, string) {
	for _, r := range a.resourceTries(from, action, glob, next) {
		st := a.decide(from, request{action: action, resource: r, fixed: fixed})
		if st == nil || ok != nil && !ok(st) {
			continue
		}
		if a.decide(from, request{action: next, resource: r, fixed: nextFixed(r)}) != nil {
			return st, r
		}
	}
	return nil, ""
}

// notTaken, for a way that names a new CloudFormation stack, rejects a
// stack of the name of an existing stack of the account's workloads
// (CloudFormation's stack names are unique in an account and Region): nil
// for the other services.
func (a *analyzer) notTaken(from *Node, cs *computeService) func(*Step) bool {
	if cs.principal != "cloudformation.amazonaws.com" {
		return nil
	}
	return func(st *Step) bool {
		name, ok := stackName(st.Resource)
		if !ok {
			return true
		}
		for _, w := range a.workloads[from.Account] {
			if n, ok := stackName(w.ARN); ok && w.Kind == org.WorkloadStack && n == name {
				return false
			}
		}
		return true
	}
}

// stackName is the name of a stack's ARN (arn:aws:cloudformation:REGION:
// ACCOUNT:stack/NAME/ID).
func stackName(stack string) (string, bool) {
	_, rest, ok := strings.Cut(stack, ":stack/")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, true
}

// chooseMade decides the first request of a way naming a resource the
// caller creates (name, a placeholder of res): the first name, among those
// whose classes the statements of every request of the way naming it tell
// apart (each request's statements over its own resource: a runtime's
// workload identity is named after the runtime, under another prefix),
// that the request and the later ones (rest) naming it are all allowed.
// Deciding each request by itself could find a path that creates one
// resource and uses another. Each later request is decided under its own
// pinned context keys (laterFixed of its index in rest and the resource
// this request names).
func (a *analyzer) chooseMade(from *Node, action, name, res string, fixed map[string][]string, rest []serviceAction, laterFixed func(int, string) map[string][]string) (*Step, string) {
	var later []string
	var laterAt []int // index in rest of each later request
	// names lists the candidate names: those of the classes of each
	// request naming the placeholder, the first request's first.
	var names []string
	seen := map[string]bool{}
	addNames := func(act, r string, also ...string) {
		at := strings.Index(r, name)
		prefix, suffix := r[:at], r[at+len(name):]
		for _, cand := range a.resourceTries(from, act, prefix+"*"+suffix, also...) {
			if !strings.HasPrefix(cand, prefix) || !strings.HasSuffix(cand, suffix) || len(cand) < len(prefix)+len(suffix) {
				continue
			}
			chosen := cand[len(prefix) : len(cand)-len(suffix)]
			if chosen == "" || strings.Contains(chosen, "*") || seen[chosen] {
				continue
			}
			seen[chosen] = true
			names = append(names, chosen)
		}
	}
	var also []string
	var elsewhere [][2]string // later requests naming it under another prefix or suffix
	at := strings.Index(res, name)
	prefix, suffix := res[:at], res[at+len(name):]
	for k, l := range rest {
		if strings.Contains(l.resource, name) {
			r := strings.ReplaceAll(l.resource, "ACCOUNT", from.Account.ID)
			later = append(later, l.action, r)
			laterAt = append(laterAt, k)
			if j := strings.Index(r, name); r[:j] == prefix && r[j+len(name):] == suffix {
				also = append(also, l.action)
			} else {
				elsewhere = append(elsewhere, [2]string{l.action, r})
			}
		}
	}
	addNames(action, res, also...)
	for _, e := range elsewhere {
		addNames(e[0], e[1])
	}
	for _, chosen := range names {
		st := a.decide(from, request{action: action, resource: prefix + chosen + suffix, fixed: fixed})
		if st == nil {
			continue
		}
		ok := true
		for k := 0; ok && k < len(later); k += 2 {
			ok = a.decide(from, request{action: later[k], resource: strings.ReplaceAll(later[k+1], name, chosen),
				fixed: laterFixed(laterAt[k/2], prefix+chosen+suffix)}) != nil
		}
		if ok {
			return st, chosen
		}
	}
	return nil, ""
}

// throughObject adds to steps the requests by which the role's
// credentials reach the caller through an S3 object (nil when none is
// found): the role's s3:PutObject and the caller's s3:GetObject of the
// same object, the first class of the objects the caller's statements tell
// apart that both are allowed. Bucket policies apply as the engine decides.
func (a *analyzer) throughObject(from, to *Node, steps []Step) []Step {
	var put *Step
	get := a.decideAnyResourceWhere(from, "s3:GetObject", "arn:aws:s3:::*/*", nil, func(st *Step) bool {
		put = a.decide(to, request{action: "s3:PutObject", resource: st.Resource})
		return put != nil
	})
	if get == nil {
		return nil
	}
	put.Note = "made by the caller's code with the credentials of " + to.ARN + ", which it writes to the object"
	get.Note = "the caller reads the credentials of " + to.ARN
	return append(steps, *put, *get)
}

// decideAnyResource decides an action on a resource the caller names: one
// representative of every class of the resources the glob matches that
// the statements tell apart, under the context keys fixed.
func (a *analyzer) decideAnyResource(from *Node, action, glob string, fixed map[string][]string) *Step {
	return a.decideAnyResourceWhere(from, action, glob, fixed, nil)
}

// decideAnyResourceWhere is decideAnyResource keeping only the allowed
// requests ok accepts (ok nil: all).
func (a *analyzer) decideAnyResourceWhere(from *Node, action, glob string, fixed map[string][]string, ok func(*Step) bool) *Step {
	if glob == "*" {
		if st := a.decide(from, request{action: action, resource: "*", fixed: fixed}); st != nil && (ok == nil || ok(st)) {
			return st
		}
		return nil
	}
	for _, r := range a.resourceTries(from, action, glob) {
		if st := a.decide(from, request{action: action, resource: r, fixed: fixed}); st != nil && (ok == nil || ok(st)) {
			return st
		}
	}
	return nil
}

// resourceTries lists the resources to try for a glob the caller names:
// a readable name first (each wildcard of the glob as "warden-escalation"),
// then one of every class of the names that the statements of the action,
// and of the other actions also given (later requests that name the same
// resource), tell apart.
func (a *analyzer) resourceTries(from *Node, action, glob string, also ...string) []string {
	acts := []policy.Action{policy.NewAction(action)}
	for _, x := range also {
		acts = append(acts, policy.NewAction(x))
	}
	var ps []*policy.Policy
	if from.Role != nil {
		ps = append(ps, from.Role.Policies...)
		if from.Role.Boundary != nil {
			ps = append(ps, from.Role.Boundary)
		}
	} else if from.User != nil {
		ps = append(ps, a.o.UserPolicies(from.User)...)
		if from.User.Boundary != nil {
			ps = append(ps, from.User.Boundary)
		}
	}
	for _, l := range a.o.SCPLevels(from.Account.ID) {
		ps = append(ps, l.Policies...)
	}
	var stmts []analyze.Stmt
	for _, st := range analyze.StatementsOf(ps...) {
		for i := range acts {
			if st.S.MatchesAction(&acts[i]) {
				stmts = append(stmts, st)
				break
			}
		}
	}
	reps, _ := analyze.ResourceClasses([]string{glob}, nil, stmts, a.callerVars(from))
	// A readable name first (each wildcard of the glob as
	// "warden-escalation"), then each class's representative, whose name
	// may be empty, after the same name completing it: the engine decides
	// whichever is tried.
	tries := []string{readable(glob)}
	for _, r := range reps {
		if f := filled(r); f != r {
			tries = append(tries, f)
		}
		tries = append(tries, r)
	}
	return tries
}

// readable is the readable name of a glob the caller names: each wildcard
// "warden-escalation", but the parts of the resource types below that AWS
// gives another form (the Service Authorization Reference's ARN formats):
// an ECS task definition's revision, a number; an Image Builder
// component's, recipe's or image's version (major.minor.patch) and build
// number; the ID AWS gives a CloudFormation stack (a UUID, the stand-in a
// stack set's ID has) or an App Runner service (32 hexadecimal digits).
func readable(glob string) string {
	for _, f := range readableForms {
		if strings.HasPrefix(glob, "arn:aws:"+f.service+":") && strings.HasSuffix(glob, f.suffix) && strings.Count(glob, "*") == len(f.parts) {
			out := glob
			for _, p := range f.parts {
				out = strings.Replace(out, "*", p, 1)
			}
			return out
		}
	}
	return strings.ReplaceAll(glob, "*", "warden-escalation")
}

// readableForms are the resource types whose wildcards readable fills with
// parts of AWS's own forms, in order.
var readableForms = []struct {
	service, suffix string
	parts           []string
}{
	{"ecs", ":task-definition/*:*", []string{"warden-escalation", "1"}},
	{"imagebuilder", ":component/*/*/*", []string{"warden-escalation", "1.0.0", "1"}},
	{"imagebuilder", ":image-recipe/*/*", []string{"warden-escalation", "1.0.0"}},
	{"imagebuilder", ":image/*/*/*", []string{"warden-escalation", "1.0.0", "1"}},
	{"cloudformation", ":stack/*/*", []string{"warden-escalation", "01234567-89ab-cdef-0123-456789abcdef"}},
	{"apprunner", ":service/*/*", []string{"warden-escalation", "0123456789abcdef0123456789abcdef"}},
}

// callerVars resolves the policy variables of the keys AWS sets from a
// node's requests (${aws:PrincipalAccount}, ${aws:PrincipalTag/team}, ...).
func (a *analyzer) callerVars(n *Node) analyze.Vars {
	s, err := authz.Assemble(a.o, authz.Query{Principal: n.Caller, Action: "sts:GetCallerIdentity"}, a.now)
	if err != nil {
		return nil
	}
	return analyze.CallerVars(s.Request.Context)
}

// filled completes the empty or dangling names of a representative ARN's
// resource part ("service/securecart-/" becomes
// "service/securecart-warden-escalation/warden-escalation").
func filled(rep string) string {
	parts := strings.SplitN(rep, ":", 6)
	if len(parts) < 6 {
		return rep
	}
	var b strings.Builder
	seg := 0
	flush := func(end int, rest string) {
		name := rest[seg:end]
		b.WriteString(name)
		if name == "" || strings.HasSuffix(name, "-") || strings.HasSuffix(name, "_") {
			b.WriteString("warden-escalation")
		}
	}
	rest := parts[5]
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' || rest[i] == ':' {
			flush(i, rest)
			b.WriteByte(rest[i])
			seg = i + 1
		}
	}
	flush(len(rest), rest)
	return strings.Join(parts[:5], ":") + ":" + b.String()
}
