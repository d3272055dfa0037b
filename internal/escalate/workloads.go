package escalate

import (
	"sort"
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// wlAction is a request of a workload way: an action, its resource and the
// context keys the caller sets (placeholders as in workloadWay).
type wlAction struct {
	action, resource string
	ctx              map[string]string
	// asRole: the request is made by the role the code runs as, not by the
	// caller (a service acting with the role's credentials).
	asRole bool
	// needs is what must hold outside IAM for the request to be of use,
	// which the org files do not describe (see Step.Needs).
	needs []string
	// as names the resource a request with "*" chose, for the later
	// requests of the way to name it (a placeholder of its own, beside
	// CHOSEN and FIRST, starting with MADE_): the resource chosen is one
	// the later requests that name it are allowed too (see chooseNamed).
	as  string
	act *policy.Action // the action, parsed once (see init)
	bit int            // the action's bit in a mayMask
}

// usesProfile reports whether the request names the role passed
// (PASSED) or its instance profile (PROFILE): its decision depends on the
// role.
func (sa *wlAction) usesProfile() bool {
	if strings.Contains(sa.resource, "PROFILE") || strings.Contains(sa.resource, "PASSED") {
		return true
	}
	for _, v := range sa.ctx {
		if strings.Contains(v, "PROFILE") || strings.Contains(v, "PASSED") {
			return true
		}
	}
	return false
}

// sourceKind is the kind of stream a way writes to (SOURCE_TABLE: a
// DynamoDB stream's table, SOURCE_STREAM: a Kinesis stream) to invoke a
// function mapped to it, or of the AWS Batch job queue it submits a job to
// (SOURCE_QUEUE), or "".
func sourceKind(way []wlAction) string {
	for _, sa := range way {
		switch sa.resource {
		case "SOURCE_TABLE":
			return org.WorkloadDynamoDBStream
		case "SOURCE_STREAM":
			return org.WorkloadKinesisStream
		case "SOURCE_QUEUE":
			return org.WorkloadBatchJobQueue
		}
	}
	return ""
}

// mayMask remembers, for one principal, which of the workload ways'
// actions its statements can allow: each action matched once however many
// ways name it.
type mayMask struct{ known, allowed [maskWords]uint64 }

// maskWords is the size of a mayMask in words: room for 256 distinct
// actions.
const maskWords = 4

func (m *mayMask) may(n *Node, sa *wlAction) bool {
	w, b := sa.bit/64, uint64(1)<<(sa.bit%64)
	if m.known[w]&b == 0 {
		m.known[w] |= b
		if n.mayAct(sa.act) {
			m.allowed[w] |= b
		}
	}
	return m.allowed[w]&b != 0
}

// init parses the actions of the workload ways once: a principal's
// statements are matched against them for every principal of an account
// with workloads.
func init() {
	bits := map[string]int{}
	for i := range workloadWays {
		for _, way := range workloadWays[i].ways {
			for k := range way {
				act := policy.NewAction(way[k].action)
				way[k].act = &act
				b, ok := bits[act.Full]
				if !ok {
					if len(bits) == 64*maskWords {
						panic("escalate: more distinct actions in the workload ways than a mayMask holds")
					}
					b = len(bits)
					bits[act.Full] = b
				}
				way[k].bit = b
			}
		}
	}
}

// workloadWay is a way to run code as a role through an existing workload
// (the org format's workloads): the requests on the workload, all needed,
// tried in order. In a request's resource or context, WORKLOAD stands for
// the workload's ARN, APPLICATION for a deployment group's application,
// REGION and ACCOUNT for its Region and account, CALLER
// for the caller's ARN, PASSED for the role a way with pass passes, and CHOSEN for the resource an earlier request of the
// way named (a resource with "*" is tried in every class of the names the
// caller's statements tell apart, the first allowed one chosen).
//
// Without pass, the code runs as the workload's own role, which must trust
// the service principal; no role is passed. With pass, the requests give the
// workload a new role, passed with iam:PassRole (iam:PassedToService the
// service principal): the edge leads to every role of the account that trusts
// the service and that the caller may pass.
type workloadWay struct {
	workload  string // the org.Workload* kind
	kind      string // the edge kind
	principal string
	pass      bool
	ways      [][]wlAction
	runs      string // what the last step does, for its note
	// bare: the way applies to an instance without an instance profile
	// (an instance way without it, to one with a profile).
	bare bool
}

// The invocations of a Lambda function whose code or configuration the
// caller changed (pathfinding.cloud lambda-002 to -005): the caller invokes
// it; or adds a statement to its resource policy that lets it invoke it
// (lambda:AddPermission naming itself; the invocation is then allowed by a
// policy the step wrote, so it is not a step); or makes a queue of its own
// an event source of the function and sends a message to it (Lambda then
// reads the queue as the function's execution role, which must be allowed
// sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on it:
// AWS Lambda Developer Guide, "Using Lambda with Amazon SQS", execution role
// permissions); or, with none of them, the function's own triggers run it at
// their next event.
var invocations = [][]wlAction{
	{{action: "lambda:InvokeFunction", resource: "WORKLOAD"}},
	{{action: "lambda:AddPermission", resource: "WORKLOAD", ctx: map[string]string{"lambda:Principal": "CALLER"}}},
	// A record written to the table or stream of an event source mapping
	// the function has (the org format's streams and their functions):
	// Lambda polls the stream and invokes the function with the record.
	{{action: "dynamodb:PutItem", resource: "SOURCE_TABLE"}},
	{{action: "kinesis:PutRecord", resource: "SOURCE_STREAM"}},
	{
		{action: "sqs:CreateQueue", resource: "arn:aws:sqs:REGION:ACCOUNT:*"},
		{action: "sqs:ReceiveMessage", resource: "CHOSEN", asRole: true},
		{action: "sqs:DeleteMessage", resource: "CHOSEN", asRole: true},
		{action: "sqs:GetQueueAttributes", resource: "CHOSEN", asRole: true},
		{action: "lambda:CreateEventSourceMapping", resource: "*", ctx: map[string]string{"lambda:FunctionArn": "WORKLOAD"}},
		{action: "sqs:SendMessage", resource: "CHOSEN"},
	},
	nil,
}

// then appends each of tails to head: the ways of a first part and the
// alternatives that may follow it.
func then(head []wlAction, tails ...[]wlAction) [][]wlAction {
	var out [][]wlAction
	for _, t := range tails {
		out = append(out, append(append([]wlAction(nil), head...), t...))
	}
	return out
}

// ssmCommand, ssmSession and userData are the ways to run commands on an
// existing instance as its instance profile's role: a shell command through
// Systems Manager (AWS-RunShellScript) or a session
// (SSM-SessionManagerRunShell, the default session document), or new user
// data run at the next boot (pathfinding.cloud ec2-002): the instance
// stopped, its userData attribute rewritten (cloud-init runs it at every
// boot when it says so), started again.
var (
	ssmCommand = []wlAction{{action: "ssm:SendCommand", resource: "WORKLOAD"}, {action: "ssm:SendCommand", resource: "arn:aws:ssm:REGION::document/AWS-RunShellScript"}}
	ssmSession = []wlAction{{action: "ssm:StartSession", resource: "WORKLOAD"}, {action: "ssm:StartSession", resource: "arn:aws:ssm:REGION:ACCOUNT:document/SSM-SessionManagerRunShell"}}
	userData   = []wlAction{{action: "ec2:StopInstances", resource: "WORKLOAD"}, {action: "ec2:ModifyInstanceAttribute", resource: "WORKLOAD"}, {action: "ec2:StartInstances", resource: "WORKLOAD"}}
)

// instanceConnect are the ways to log in to an instance with EC2 Instance
// Connect (pathfinding.cloud ec2-003): the caller's SSH public key pushed
// for an OS user (ec2-instance-connect:SendSSHPublicKey, ec2:osuser), then
// an SSH session, through an EC2 Instance Connect Endpoint
// (ec2-instance-connect:OpenTunnel with remotePort 22) or straight to the
// instance. Networks are not in the org files: what the session needs of
// them is the steps' Needs, stated, not checked.
var instanceConnect = [][]wlAction{
	{
		{action: "ec2-instance-connect:SendSSHPublicKey", resource: "WORKLOAD", needs: []string{needSSHD}},
		{action: "ec2-instance-connect:OpenTunnel", resource: "arn:aws:ec2:REGION:ACCOUNT:instance-connect-endpoint/*",
			ctx: map[string]string{"ec2-instance-connect:remotePort": "22"}, needs: []string{needEndpoint}},
	},
	{{action: "ec2-instance-connect:SendSSHPublicKey", resource: "WORKLOAD", needs: []string{needSSHD, needNetwork}}},
}

const (
	needSSHD    = "the instance runs sshd with EC2 Instance Connect for the OS user (Amazon Linux and Ubuntu images do)"
	needNetwork = "a network path from the caller to the instance's TCP port 22 (the org files describe no networks)"
	needECSExec = "ECS Exec enabled on the task (enableExecuteCommand when it was started) and the SSM agent's connection to the ssmmessages endpoint"
	// needBatchQueue and needBatchEnv are what an AWS Batch job needs of
	// its queue and compute environment, which the org files do not say.
	needBatchQueue = "the job queue enabled, with a valid compute environment that runs the job definition's platform (EC2 or Fargate) and whose network reaches the image registry"
	needBatchEnv   = "a VPC subnet and security group for the Fargate compute environment (the org files describe no networks), and the AWSServiceRoleForBatch service-linked role, which Batch makes with the caller's iam:CreateServiceLinkedRole when the account has none"
	needEndpoint   = "an EC2 Instance Connect Endpoint in the instance's VPC whose security group reaches the instance's TCP port 22 (the org files describe no networks)"
	needIAMAuth    = "the runtime's inbound authorization is IAM (SigV4), not a JSON Web Token authorizer, which rejects InvokeAgentRuntimeCommand"
)

// streamReads are the requests Lambda makes, as the function's execution
// role, to read a stream it is mapped to (AWS Lambda Developer Guide, "Using
// Lambda with DynamoDB" and "Using Lambda with Kinesis Data Streams",
// execution role permissions).
var (
	dynamoReads = []wlAction{
		{action: "dynamodb:DescribeStream", resource: "WORKLOAD", asRole: true},
		{action: "dynamodb:GetRecords", resource: "WORKLOAD", asRole: true},
		{action: "dynamodb:GetShardIterator", resource: "WORKLOAD", asRole: true},
		{action: "dynamodb:ListStreams", resource: "*", asRole: true},
	}
	kinesisReads = []wlAction{
		{action: "kinesis:DescribeStream", resource: "WORKLOAD", asRole: true},
		{action: "kinesis:DescribeStreamSummary", resource: "WORKLOAD", asRole: true},
		{action: "kinesis:GetRecords", resource: "WORKLOAD", asRole: true},
		{action: "kinesis:GetShardIterator", resource: "WORKLOAD", asRole: true},
		{action: "kinesis:ListShards", resource: "WORKLOAD", asRole: true},
	}
)

// newFunction is a function of the caller's, made with the role passed
// (lambda:CreateFunction), mapped to the stream (lambda:CreateEventSourceMapping
// with lambda:FunctionArn the function), after the role's reads of it.
func newFunction(reads []wlAction, write wlAction) []wlAction {
	way := []wlAction{{action: "lambda:CreateFunction", resource: "arn:aws:lambda:REGION:ACCOUNT:function:*"}}
	way = append(way, reads...)
	return append(way,
		wlAction{action: "lambda:CreateEventSourceMapping", resource: "*", ctx: map[string]string{"lambda:FunctionArn": "CHOSEN"}},
		write)
}

// layer is a Lambda layer of the caller's own making, published in its
// account and read by it (adding a layer to a function needs
// lambda:GetLayerVersion on the layer version: AWS Lambda Developer Guide,
// "Layer permissions"), that a function's configuration then names
// (lambda:Layer, the condition key of UpdateFunctionConfiguration).
var layer = []wlAction{
	{action: "lambda:PublishLayerVersion", resource: "arn:aws:lambda:REGION:ACCOUNT:layer:*"},
	{action: "lambda:GetLayerVersion", resource: "CHOSEN:1"},
	{action: "lambda:UpdateFunctionConfiguration", resource: "WORKLOAD", ctx: map[string]string{"lambda:Layer": "CHOSEN:1"}},
}

// AWS Batch's requests: SubmitJob is authorized on the job queue and on
// the job definition's revision, job-definition/NAME:REVISION (AWS Batch
// User Guide, "Resource: Restrict to job definition prefix on job
// submission": a policy must name both, and one naming the definition
// without a revision or a wildcard does not match). The job the request
// makes, which the Service Authorization Reference also lists, is not one
// the guide's policies name: it is not a request of the way. A job
// definition of the caller's is registered under a name its policy allows
// (RegisterJobDefinition names it without a revision) and has revision 1.
var registerJobDefinition = wlAction{action: "batch:RegisterJobDefinition", resource: "arn:aws:batch:REGION:ACCOUNT:job-definition/*", as: "MADE_DEF"}

// submitJob is SubmitJob of a job of the job definition def to a job
// queue (queue, or an existing one of the definition's account and Region:
// SOURCE_QUEUE).
func submitJob(def string, queue ...string) []wlAction {
	q := "SOURCE_QUEUE"
	if len(queue) > 0 {
		q = queue[0]
	}
	return []wlAction{
		{action: "batch:SubmitJob", resource: q},
		{action: "batch:SubmitJob", resource: def, needs: []string{needBatchQueue}},
	}
}

var workloadWays = []workloadWay{
	// pathfinding.cloud lambda-003, -004, -005 (UpdateFunctionCode, with
	// InvokeFunction or AddPermission); Rhino 17; PMapper's lambda edge
	// checker: the new code runs as the execution role when the function is
	// invoked.
	{org.WorkloadFunction, KindUpdateFunctionCode, "lambda.amazonaws.com", false,
		then([]wlAction{{action: "lambda:UpdateFunctionCode", resource: "WORKLOAD"}}, invocations...),
		"the function's new code runs as ", false},
	// A layer added to an existing function (lambda:UpdateFunctionConfiguration
	// with Layers): the layer's code runs in the function's runtime (a
	// library the function imports, or a runtime wrapper the layer brings),
	// as its execution role. A new handler or environment alone runs only
	// code already in the function or its layers, so it is not an edge.
	{org.WorkloadFunction, KindFunctionConfiguration, "lambda.amazonaws.com", false,
		then(layer, invocations...),
		"the function's new layer runs the caller's code as ", false},
	// A new execution role for an existing function, and new code: the
	// function's role changed with UpdateFunctionConfiguration (passing the
	// role), its code replaced, the function invoked.
	{org.WorkloadFunction, KindFunctionNewRole, "lambda.amazonaws.com", true,
		then([]wlAction{{action: "lambda:UpdateFunctionConfiguration", resource: "WORKLOAD"}, {action: "lambda:UpdateFunctionCode", resource: "WORKLOAD"}}, invocations...),
		"the function's new code runs as its new execution role ", false},
	// PMapper's ssm edge checker; pathfinding.cloud ssm-001, ssm-002.
	// (Every instance way but the association applies to an instance with
	// an instance profile: see workloadWay.bare.)
	{org.WorkloadInstance, KindSSM, "ec2.amazonaws.com", false,
		[][]wlAction{ssmCommand, ssmSession},
		"commands on the instance run with the credentials of its instance profile's role ", false},
	// pathfinding.cloud ec2-002.
	{org.WorkloadInstance, KindUserData, "ec2.amazonaws.com", false,
		[][]wlAction{userData},
		"the new user data runs at boot with the credentials of the instance profile's role ", false},
	// pathfinding.cloud ec2-003: EC2 Instance Connect.
	{org.WorkloadInstance, KindInstanceConnect, "ec2.amazonaws.com", false, instanceConnect,
		"the SSH session on the instance reads the credentials of its instance profile's role ", false},
	// Another role for an instance the caller runs code on
	// (ec2:ReplaceIamInstanceProfileAssociation with ec2:NewInstanceProfile
	// an instance profile holding the role passed): the caller's commands
	// then read the new role's credentials.
	{org.WorkloadInstance, KindInstanceProfile, "ec2.amazonaws.com", true,
		then([]wlAction{{action: "ec2:ReplaceIamInstanceProfileAssociation", resource: "WORKLOAD", ctx: map[string]string{"ec2:NewInstanceProfile": "PROFILE"}}},
			append([][]wlAction{ssmCommand, ssmSession, userData}, instanceConnect...)...),
		"the instance's new instance profile gives the caller's code the credentials of ", false},
	// PMapper's ec2 edge checker: an instance without an instance profile
	// given one (ec2:AssociateIamInstanceProfile with ec2:NewInstanceProfile
	// a profile holding the role passed), then code run on it.
	{org.WorkloadInstance, KindAssociateProfile, "ec2.amazonaws.com", true,
		then([]wlAction{{action: "ec2:AssociateIamInstanceProfile", resource: "WORKLOAD", ctx: map[string]string{"ec2:NewInstanceProfile": "PROFILE"}}},
			append([][]wlAction{ssmCommand, ssmSession, userData}, instanceConnect...)...),
		"the instance's instance profile gives the caller's code the credentials of ", true},
	// pathfinding.cloud ec2-004, ec2-005: a new version of a launch template,
	// keeping its instance profile, with the caller's user data, made the
	// default; the instances the template's Auto Scaling groups or fleets
	// launch from then on run it. No role is passed: the template has one.
	{org.WorkloadLaunchTemplate, KindLaunchTemplate, "ec2.amazonaws.com", false,
		[][]wlAction{{{action: "ec2:CreateLaunchTemplateVersion", resource: "WORKLOAD"}, {action: "ec2:ModifyLaunchTemplate", resource: "WORKLOAD"}}},
		"the instances launched from the template's new default version run the caller's user data as ", false},
	// pathfinding.cloud cloudformation-002, -005: a stack's service role
	// serves every later operation on the stack, by whoever may operate on
	// it, without the right to pass the role (AWS CloudFormation User Guide,
	// "CloudFormation service role").
	{org.WorkloadStack, KindUpdateStack, "cloudformation.amazonaws.com", false,
		[][]wlAction{
			{{action: "cloudformation:UpdateStack", resource: "WORKLOAD"}},
			{{action: "cloudformation:CreateChangeSet", resource: "WORKLOAD"}, {action: "cloudformation:ExecuteChangeSet", resource: "WORKLOAD"}},
		},
		"the new template's resources are made by CloudFormation as ", false},
	// PMapper's codebuild edge checker; pathfinding.cloud codebuild-002,
	// -003: StartBuild (or StartBuildBatch) with buildspecOverride.
	{org.WorkloadProject, KindStartBuild, "codebuild.amazonaws.com", false,
		[][]wlAction{{{action: "codebuild:StartBuild", resource: "WORKLOAD"}}, {{action: "codebuild:StartBuildBatch", resource: "WORKLOAD"}}},
		"with buildspecOverride the build runs the caller's commands as ", false},
	// PMapper's codebuild edge checker: an existing project given another
	// service role (codebuild:UpdateProject with serviceRole, passing it:
	// AWS CodeBuild User Guide, "Permissions required to create or update
	// a build project"), then a build of it with the caller's buildspec.
	{org.WorkloadProject, KindUpdateProject, "codebuild.amazonaws.com", true,
		[][]wlAction{
			{{action: "codebuild:UpdateProject", resource: "WORKLOAD"}, {action: "codebuild:StartBuild", resource: "WORKLOAD"}},
			{{action: "codebuild:UpdateProject", resource: "WORKLOAD"}, {action: "codebuild:StartBuildBatch", resource: "WORKLOAD"}},
		},
		"with its new service role and buildspecOverride the build runs the caller's commands as ", false},
	// PMapper's cloudformation edge checker: an update of an existing stack
	// (or a change set) naming another service role (RoleARN, passed: AWS
	// CloudFormation User Guide, "CloudFormation service role"), which
	// CloudFormation uses for the update and every later operation.
	// UpdateStack and CreateChangeSet carry the role in
	// cloudformation:RoleArn (Service Authorization Reference, AWS
	// CloudFormation).
	{org.WorkloadStack, KindUpdateStackRole, "cloudformation.amazonaws.com", true,
		[][]wlAction{
			{{action: "cloudformation:UpdateStack", resource: "WORKLOAD", ctx: map[string]string{"cloudformation:RoleArn": "PASSED"}}},
			{{action: "cloudformation:CreateChangeSet", resource: "WORKLOAD", ctx: map[string]string{"cloudformation:RoleArn": "PASSED"}}, {action: "cloudformation:ExecuteChangeSet", resource: "WORKLOAD"}},
		},
		"the new template's resources are made by CloudFormation as the stack's new service role ", false},
	// pathfinding.cloud sagemaker-004; PMapper's sagemaker edge checker: the
	// presigned URL opens the notebook's Jupyter server, whose terminal runs
	// as the notebook's execution role.
	{org.WorkloadNotebook, KindNotebookURL, "sagemaker.amazonaws.com", false,
		[][]wlAction{{{action: "sagemaker:CreatePresignedNotebookInstanceUrl", resource: "WORKLOAD"}}},
		"the presigned URL opens a Jupyter terminal that runs as ", false},
	// pathfinding.cloud sagemaker-005: a lifecycle configuration of the
	// caller's, run at the notebook's start as its execution role.
	{org.WorkloadNotebook, KindNotebookLifecycle, "sagemaker.amazonaws.com", false,
		[][]wlAction{{
			{action: "sagemaker:CreateNotebookInstanceLifecycleConfig", resource: "arn:aws:sagemaker:REGION:ACCOUNT:notebook-instance-lifecycle-config/*"},
			{action: "sagemaker:StopNotebookInstance", resource: "WORKLOAD"},
			{action: "sagemaker:UpdateNotebookInstance", resource: "WORKLOAD", ctx: map[string]string{"sagemaker:NotebookInstanceLifecycleConfigArns": "CHOSEN"}},
			{action: "sagemaker:StartNotebookInstance", resource: "WORKLOAD"},
		}},
		"the lifecycle configuration runs at the notebook's start as ", false},
	// pathfinding.cloud glue-002; Rhino 19 (glue:UpdateDevEndpoint): the caller's SSH public key added to the
	// endpoint, whose shell runs as its role.
	{org.WorkloadDevEndpoint, KindDevEndpoint, "glue.amazonaws.com", false,
		[][]wlAction{{{action: "glue:UpdateDevEndpoint", resource: "WORKLOAD"}}},
		"the caller's SSH key opens a shell on the endpoint that runs as ", false},
	// pathfinding.cloud glue-005, glue-006: UpdateJob overwrites the whole job
	// definition, its role included (passed again even when unchanged:
	// AWS Glue API, UpdateJob), with the caller's script, then a run or a
	// trigger of the caller's.
	{org.WorkloadGlueJob, KindUpdateGlueJob, "glue.amazonaws.com", true,
		[][]wlAction{
			{{action: "glue:UpdateJob", resource: "WORKLOAD"}, {action: "glue:StartJobRun", resource: "WORKLOAD"}},
			{{action: "glue:UpdateJob", resource: "WORKLOAD"}, {action: "glue:CreateTrigger", resource: "arn:aws:glue:REGION:ACCOUNT:trigger/*"}},
		},
		"the job's run runs the caller's script as ", false},
	// pathfinding.cloud apprunner-002: a new image or source of the
	// caller's for an existing service, run as its instance role.
	{org.WorkloadAppRunner, KindAppRunnerUpdate, "tasks.apprunner.amazonaws.com", false,
		[][]wlAction{{{action: "apprunner:UpdateService", resource: "WORKLOAD"}}},
		"the service's new image runs the caller's code with the credentials of its instance role ", false},
	// pathfinding.cloud bedrock-002: a session on an existing code
	// interpreter, whose sandbox runs the caller's code as its execution
	// role.
	{org.WorkloadCodeInterpreter, KindCodeInterpreter, "bedrock-agentcore.amazonaws.com", false,
		[][]wlAction{{{action: "bedrock-agentcore:StartCodeInterpreterSession", resource: "WORKLOAD"}, {action: "bedrock-agentcore:InvokeCodeInterpreter", resource: "WORKLOAD"}}},
		"the interpreter runs the caller's code with the credentials of its execution role ", false},
	// pathfinding.cloud codedeploy-001: a revision of the caller's
	// registered to the group's application and deployed to the group; the
	// CodeDeploy agent on its instances runs the revision's hook scripts
	// with the instance profile's credentials. The requests are those the
	// CodeDeploy User Guide lists for a deployment (CreateDeployment on the
	// group, GetDeploymentConfig on the configuration, the default one
	// when the caller names none, RegisterApplicationRevision on the
	// application).
	{org.WorkloadDeploymentGroup, KindCreateDeployment, "ec2.amazonaws.com", false,
		[][]wlAction{{{action: "codedeploy:RegisterApplicationRevision", resource: "APPLICATION"},
			{action: "codedeploy:GetDeploymentConfig", resource: "arn:aws:codedeploy:REGION:ACCOUNT:deploymentconfig:CodeDeployDefault.OneAtATime"},
			{action: "codedeploy:CreateDeployment", resource: "WORKLOAD"}}},
		"the group's instances run the revision's scripts with the credentials of their instance profile's role ", false},
	// pathfinding.cloud ecs-006: ECS Exec on a running task. ExecuteCommand
	// names the cluster and the task (Service Authorization Reference; the
	// ecs:cluster and ecs:task keys are theirs, ecs:container-name the
	// container's: each container the task's workload names is tried, in
	// order, and the key is absent when it names none). The SSM agent in
	// the container opens the session's channels with the task role's
	// credentials (Amazon ECS Developer Guide, "Monitor Amazon ECS
	// containers with ECS Exec", IAM permissions required for ECS Exec).
	{org.WorkloadECSTask, KindECSExec, "ecs-tasks.amazonaws.com", false,
		[][]wlAction{{
			{action: "ssmmessages:CreateControlChannel", resource: "*", asRole: true},
			{action: "ssmmessages:CreateDataChannel", resource: "*", asRole: true},
			{action: "ssmmessages:OpenControlChannel", resource: "*", asRole: true},
			{action: "ssmmessages:OpenDataChannel", resource: "*", asRole: true},
			{action: "ecs:ExecuteCommand", resource: "CLUSTER", ctx: map[string]string{"ecs:cluster": "CLUSTER", "ecs:task": "WORKLOAD", "ecs:container-name": "CONTAINER"}},
			{action: "ecs:ExecuteCommand", resource: "WORKLOAD", ctx: map[string]string{"ecs:cluster": "CLUSTER", "ecs:task": "WORKLOAD", "ecs:container-name": "CONTAINER"}, needs: []string{needECSExec}},
		}},
		"the shell in the task's container has the credentials of its task role ", false},
	// pathfinding.cloud batch-002: a job of an existing job definition
	// submitted to a job queue of its account and Region, its command
	// replaced (containerOverrides): the job's container runs as the
	// definition's job role, an IAM role for tasks (it trusts
	// ecs-tasks.amazonaws.com: AWS Batch User Guide, "Job definition
	// parameters", jobRoleArn). No role is passed: the definition has one.
	{org.WorkloadBatchJobDefinition, KindBatchSubmitJob, "ecs-tasks.amazonaws.com", false,
		[][]wlAction{submitJob("WORKLOAD")},
		"the job's container runs the caller's command (containerOverrides) with the credentials of the job definition's job role ", false},
	// pathfinding.cloud batch-001: a job definition of the caller's whose
	// job role (and, for Fargate, execution role) is the role passed, a
	// job of it submitted to an existing job queue.
	{org.WorkloadBatchJobQueue, KindBatchJobDefinition, "ecs-tasks.amazonaws.com", true,
		[][]wlAction{append([]wlAction{registerJobDefinition}, submitJob("MADE_DEF:1")...)},
		"the job's container runs the caller's command with the credentials of its job role ", false},
	// pathfinding.cloud batch-003: the same with a Fargate compute
	// environment and a job queue of the caller's own. It needs no
	// workload: it is tried on the caller's account.
	{accountWays, KindBatchJobDefinition, "ecs-tasks.amazonaws.com", true,
		[][]wlAction{append([]wlAction{
			{action: "batch:CreateComputeEnvironment", resource: "arn:aws:batch:REGION:ACCOUNT:compute-environment/*", as: "MADE_ENV", needs: []string{needBatchEnv}},
			{action: "batch:CreateJobQueue", resource: "arn:aws:batch:REGION:ACCOUNT:job-queue/*", as: "MADE_QUEUE"},
			{action: "batch:CreateJobQueue", resource: "MADE_ENV"},
			registerJobDefinition,
		}, submitJob("MADE_DEF:1", "MADE_QUEUE")...)},
		"the job's container, on the new compute environment, runs the caller's command with the credentials of its job role ", false},
	// pathfinding.cloud bedrock-004: a shell command run as root in an
	// existing runtime's microVM (a harness runs on a runtime, listed as
	// one), which reads the execution role's credentials from the microVM
	// metadata service. InvokeAgentRuntimeCommand names the runtime and the
	// endpoint invoked, DEFAULT when the caller names none (Service
	// Authorization Reference, Amazon Bedrock AgentCore: both resource
	// types required).
	{org.WorkloadAgentRuntime, KindRuntimeCommand, "bedrock-agentcore.amazonaws.com", false,
		[][]wlAction{{{action: "bedrock-agentcore:InvokeAgentRuntimeCommand", resource: "WORKLOAD"},
			{action: "bedrock-agentcore:InvokeAgentRuntimeCommand", resource: "WORKLOAD/runtime-endpoint/DEFAULT", needs: []string{needIAMAuth}}}},
		"the command run in the runtime's microVM reads from its metadata service the credentials of its execution role ", false},
	// pathfinding.cloud bedrock-007: a session on an existing custom
	// browser, driven over its automation stream (Chrome DevTools
	// Protocol) to the microVM metadata service. StartBrowserSession names
	// the browser; ConnectBrowserAutomationStream has no resource type in
	// the Service Authorization Reference: "*".
	{org.WorkloadBrowser, KindBrowserSession, "bedrock-agentcore.amazonaws.com", false,
		[][]wlAction{{{action: "bedrock-agentcore:StartBrowserSession", resource: "WORKLOAD"},
			{action: "bedrock-agentcore:ConnectBrowserAutomationStream", resource: "*"}}},
		"the browser, driven to its microVM's metadata service, reads the credentials of its execution role ", false},
	// Rhino Security Labs' method 16 on an existing table, pathfinding.cloud
	// lambda-002: a new function with the role passed, mapped to an
	// existing stream, invoked by a record the caller writes (the role
	// must be allowed to read the stream: its requests are steps).
	{org.WorkloadDynamoDBStream, KindStreamFunction, "lambda.amazonaws.com", true,
		[][]wlAction{newFunction(dynamoReads, wlAction{action: "dynamodb:PutItem", resource: "TABLE"})},
		"the new function, invoked with the record through its event source mapping, runs the caller's code as ", false},
	// Rhino's method 16 with a table of the caller's own
	// (PassExistingRoleToNewLambdaThenTriggerWithNewDynamo): a table made
	// with a stream (dynamodb:CreateTable), mapped to a new function, an item
	// put in it. It needs no workload: it is tried on the caller's account.
	{accountWays, KindStreamFunction, "lambda.amazonaws.com", true,
		[][]wlAction{{
			{action: "lambda:CreateFunction", resource: "arn:aws:lambda:REGION:ACCOUNT:function:*"},
			{action: "dynamodb:CreateTable", resource: "arn:aws:dynamodb:REGION:ACCOUNT:table/*"},
			{action: "dynamodb:DescribeStream", resource: "CHOSEN/stream/warden-escalation", asRole: true},
			{action: "dynamodb:GetRecords", resource: "CHOSEN/stream/warden-escalation", asRole: true},
			{action: "dynamodb:GetShardIterator", resource: "CHOSEN/stream/warden-escalation", asRole: true},
			{action: "dynamodb:ListStreams", resource: "*", asRole: true},
			{action: "lambda:CreateEventSourceMapping", resource: "*", ctx: map[string]string{"lambda:FunctionArn": "FIRST"}},
			{action: "dynamodb:PutItem", resource: "CHOSEN"},
		}},
		"the new function, invoked with the item through its event source mapping on the new table's stream, runs the caller's code as ", false},
	{org.WorkloadKinesisStream, KindStreamFunction, "lambda.amazonaws.com", true,
		[][]wlAction{newFunction(kinesisReads, wlAction{action: "kinesis:PutRecord", resource: "WORKLOAD"})},
		"the new function, invoked with the record through its event source mapping, runs the caller's code as ", false},
}

// accountWays is the workload kind of the ways that need no workload: they
// are tried once on the caller's account (see accountAnchor).
const accountWays = "account"

// accountAnchor stands for an account in the ways that need no workload:
// its ARN gives them the account and a Region.
func accountAnchor(acct *org.Account) *org.Workload {
	return &org.Workload{ARN: "arn:aws:iam:us-east-1:" + acct.ID + ":root", Kind: accountWays, Account: acct}
}

// workloadIndex lists the organization's workloads by account, once; the
// instance profiles by account and role, and the streams by function.
func (a *analyzer) workloadIndex() {
	a.workloads = map[*org.Account][]*org.Workload{}
	a.profiles = map[*org.Account]map[*org.Role]*org.Workload{}
	a.sources = map[*org.Workload][]*org.Workload{}
	for _, w := range a.o.Workloads {
		a.workloads[w.Account] = append(a.workloads[w.Account], w)
		switch w.Kind {
		case org.WorkloadInstanceProfile:
			byRole := a.profiles[w.Account]
			if byRole == nil {
				byRole = map[*org.Role]*org.Workload{}
				a.profiles[w.Account] = byRole
			}
			if byRole[w.Role] == nil {
				byRole[w.Role] = w
			}
		case org.WorkloadDynamoDBStream, org.WorkloadKinesisStream:
			for _, f := range w.Functions {
				a.sources[f] = append(a.sources[f], w)
			}
		}
	}
}

// applies reports whether a way applies to a workload: one of its kind,
// and for an instance, with an instance profile or (bare) without one.
func (ww *workloadWay) applies(w *org.Workload) bool {
	return w.Kind == ww.workload && (w.Kind != org.WorkloadInstance || (w.Role == nil) == ww.bare)
}

// workloadEdges adds an edge from a principal to the role of every
// workload of its account through which it can run code as the role, and,
// through the ways that pass a role, to every role of its account it can
// pass to a workload. One edge per role (the first way found).
func (a *analyzer) workloadEdges(from *Node) {
	if from.external() {
		return
	}
	ws := a.workloads[from.Account]
	done := map[*Node]bool{}
	var m mayMask
	// The requests of the ways that pass a role and depend on it (its
	// instance profile, its own reads, iam:PassRole itself) are decided per
	// role; each request once for all ways (memo).
	memo := map[string]*Step{}
	for i := range workloadWays {
		ww := &workloadWays[i]
		if ww.workload != accountWays && len(ws) == 0 || !m.mayAny(from, ww) || ww.pass && !from.may("iam:PassRole") {
			continue
		}
		if ww.workload == accountWays {
			a.passToWorkload(from, ww, []*org.Workload{accountAnchor(from.Account)}, done, &m, memo)
			continue
		}
		if ww.pass {
			a.passToWorkload(from, ww, ws, done, &m, memo)
			continue
		}
		for _, w := range ws {
			if !ww.applies(w) || w.Role == nil {
				continue
			}
			to := a.byARN[w.Role.ARN]
			if to == nil || to == from || done[to] || !a.trusts(to, ww.principal) {
				continue
			}
			if steps, _ := a.workloadSteps(from, to, w, ww, &m, "", nil); steps != nil {
				done[to] = true
				noteRun(steps, w, ww, to)
				a.edge(from, to, ww.kind, steps...).service = &serviceSession{service: ww.principal, name: serviceSessionName(ww.principal, w.ARN)}
			}
		}
	}
}

// passToWorkload adds the edges of a way that gives a workload of the
// caller's account a new role: to every role of the account that trusts the
// way's service and that the caller may pass to it, through the first
// workload on which the engine allows the way's requests. An instance is
// given the role in an instance profile (see profileFor).
func (a *analyzer) passToWorkload(from *Node, ww *workloadWay, ws []*org.Workload, done map[*Node]bool, m *mayMask, memo map[string]*Step) {
	var onWorkload map[*org.Workload][]Step
	for _, to := range a.nodesIn(from.Account) {
		if to == from || to.Role == nil || done[to] || !a.trusts(to, ww.principal) {
			continue
		}
		var pass *Step
		var profile profileUse
		for _, w := range ws {
			if !ww.applies(w) {
				continue
			}
			if pass == nil {
				for _, svc := range passedTo(ww) {
					if pass = a.decideMemo(memo, from, "iam:PassRole", to.ARN, map[string][]string{"iam:PassedToService": {svc}}); pass != nil {
						break
					}
				}
				if pass == nil {
					break
				}
				if ww.workload == org.WorkloadInstance {
					var ok bool
					if profile, ok = a.profileFor(from, to); !ok {
						break
					}
				}
			}
			// The requests on the workload do not depend on the role
			// passed, unless the role makes some of them or they name its
			// instance profile: decided once per workload when they do not.
			steps, tried := onWorkload[w]
			if !tried {
				var byRole bool
				steps, byRole = a.workloadSteps(from, to, w, ww, m, profile.arn, memo)
				if !byRole {
					if onWorkload == nil {
						onWorkload = map[*org.Workload][]Step{}
					}
					onWorkload[w] = steps
				}
			}
			if steps != nil {
				done[to] = true
				steps = append(append([]Step{*pass}, profile.steps...), steps...)
				profile.note(steps[1+len(profile.steps):])
				noteRun(steps, w, ww, to)
				a.edge(from, to, ww.kind, steps...).service = &serviceSession{service: ww.principal, name: serviceSessionName(ww.principal, w.ARN)}
				break
			}
		}
	}
}

// passedTo is the iam:PassedToService a way's iam:PassRole is decided
// with: its service principal, but for AWS Batch, whose documentation does
// not say which service principal it names when a job definition's job
// role is passed (its own, batch.amazonaws.com, or that of the ECS tasks
// the job runs as, ecs-tasks.amazonaws.com): a policy that allows either
// is taken to let the role be passed, and the step says which it allowed.
func passedTo(ww *workloadWay) []string {
	if ww.kind == KindBatchJobDefinition {
		return []string{"batch.amazonaws.com", "ecs-tasks.amazonaws.com"}
	}
	return []string{ww.principal}
}

// queuesOf lists the AWS Batch job queues of workloads in a job
// definition's account and Region: where a job of it may be submitted.
func (a *analyzer) queuesOf(def *org.Workload, region string) []*org.Workload {
	var out []*org.Workload
	for _, q := range a.workloads[def.Account] {
		if q.Kind != org.WorkloadBatchJobQueue {
			continue
		}
		if qa, err := arn.Parse(q.ARN); err == nil && qa.Region == region {
			out = append(out, q)
		}
	}
	return out
}

// profileUse is the instance profile an EC2 way gives an instance (or
// launches one with) to pass a role: one the account lists holding it, or
// one the caller makes (iam:CreateInstanceProfile and
// iam:AddRoleToInstanceProfile, as PMapper's ec2 edge checker has it), or,
// when the account lists no instance profile at all, the one of the role's
// name the console makes, assumed.
type profileUse struct {
	arn     string
	steps   []Step
	assumed bool
}

// note states an assumed profile on the first step that names it (or, when
// none does, as a spot request or a launch template names it in its
// parameters, on the first step).
func (p profileUse) note(steps []Step) {
	if !p.assumed || len(steps) == 0 {
		return
	}
	at := 0
	for i := range steps {
		if strings.Contains(steps[i].Resource, p.arn) || ctxNames(steps[i].Context, p.arn) {
			at = i
			break
		}
	}
	steps[at].Needs = append(steps[at].Needs, "the instance profile "+p.arn+": the account lists no instance profiles (workloads), and the console makes one of the role's name")
}

func ctxNames(ctx map[string]any, v string) bool {
	for _, x := range ctx {
		if x == v {
			return true
		}
	}
	return false
}

// profileFor finds the instance profile through which from gives an
// instance to's role (false: none it can use).
func (a *analyzer) profileFor(from, to *Node) (profileUse, bool) {
	acct := to.Account.ID
	byRole := a.profiles[to.Account]
	if byRole == nil {
		return profileUse{arn: "arn:aws:iam::" + acct + ":instance-profile/" + to.Role.Name, assumed: true}, true
	}
	if p := byRole[to.Role]; p != nil {
		return profileUse{arn: p.ARN}, true
	}
	create := a.decideAnyResource(from, "iam:CreateInstanceProfile", "arn:aws:iam::"+acct+":instance-profile/*", nil)
	if create == nil {
		return profileUse{}, false
	}
	add := a.decide(from, request{action: "iam:AddRoleToInstanceProfile", resource: create.Resource})
	if add == nil {
		return profileUse{}, false
	}
	add.Note = "the new instance profile holds " + to.ARN
	return profileUse{arn: create.Resource, steps: []Step{*create, *add}}, true
}

// mayAny reports whether the node's statements can allow every action of
// some way of ww.
func (m *mayMask) mayAny(from *Node, ww *workloadWay) bool {
	for _, way := range ww.ways {
		if m.mayAll(from, way) {
			return true
		}
	}
	return false
}

func (m *mayMask) mayAll(from *Node, way []wlAction) bool {
	for i := range way {
		if sa := &way[i]; !sa.asRole && !m.may(from, sa) {
			return false
		}
	}
	return true
}

// trusts reports whether a role's trust policy lets a compute service's
// principal assume it, as the engine decides (see trustedServices).
func (a *analyzer) trusts(to *Node, principal string) bool {
	for _, cs := range a.servicesOf(to) {
		if cs.principal == principal {
			return true
		}
	}
	return false
}

// workloadSteps finds the requests by which from runs code through w as
// to: the first way of ww whose requests the engine all allows (nil for
// none), and whether the answer depends on to (a request of the way found,
// or, when none is found, of a way tried, is the role's or names its
// instance profile). profile is the instance profile holding to's role, for
// the ways that pass it. The steps are a fresh slice.
func (a *analyzer) workloadSteps(from, to *Node, w *org.Workload, ww *workloadWay, m *mayMask, profile string, memo map[string]*Step) ([]Step, bool) {
	where, _ := arn.Parse(w.ARN)
	touched := false
	for _, way := range ww.ways {
		if !m.mayAll(from, way) {
			continue
		}
		sources := []*org.Workload{nil}
		if k := sourceKind(way); k == org.WorkloadBatchJobQueue {
			sources = a.queuesOf(w, where.Region)
		} else if k != "" {
			sources = sources[:0]
			for _, src := range a.sources[w] {
				if src.Kind == k {
					sources = append(sources, src)
				}
			}
		}
		// An ECS task's containers, each in turn (none: the key is absent).
		containers := w.Containers
		if len(containers) == 0 {
			containers = []string{""}
		}
		for _, src := range sources {
			for _, container := range containers {
				steps, byRole := a.wayOn(from, to, w, where, way, profile, src, container, memo)
				touched = touched || byRole
				if steps != nil {
					return steps, byRole
				}
			}
		}
	}
	return nil, touched
}

// wayOn decides the requests of one way on w (src: the stream it writes
// to, for the ways that invoke a function through one; container: the ECS
// task's container it names, "" leaving its context key out): the steps, or nil,
// and whether they depend on to. memo, when not nil, keeps the decisions of
// requests already made by the same principal.
func (a *analyzer) wayOn(from, to *Node, w *org.Workload, where arn.ARN, way []wlAction, profile string, src *org.Workload, container string, memo map[string]*Step) ([]Step, bool) {
	source := ""
	if src != nil {
		source = src.ARN
		if src.Kind == org.WorkloadDynamoDBStream {
			source = src.Table()
		}
	}
	var steps []Step
	first, chosen, byRole := "", "", false
	var named []string // the resources chosen under a name (wlAction.as): name, resource, ...
	for i := range way {
		sa := &way[i]
		r := strings.NewReplacer(append(named, "WORKLOAD", w.ARN, "REGION", where.Region, "ACCOUNT", where.Account, "CALLER", from.ARN, "CHOSEN", chosen, "FIRST", first,
			"PROFILE", profile, "PASSED", to.ARN, "SOURCE_TABLE", source, "SOURCE_STREAM", source, "SOURCE_QUEUE", source, "TABLE", w.Table(), "APPLICATION", w.Application(), "CLUSTER", w.Cluster(), "CONTAINER", container)...)
		res := r.Replace(sa.resource)
		var fixed map[string][]string
		for k, v := range sa.ctx {
			if v == "CONTAINER" && container == "" {
				continue
			}
			if fixed == nil {
				fixed = map[string][]string{}
			}
			fixed[k] = []string{r.Replace(v)}
		}
		by := from
		if sa.usesProfile() {
			byRole = true
		}
		if sa.asRole {
			by, byRole = to, true
			if !to.mayAct(sa.act) {
				return nil, true
			}
		}
		var st *Step
		if sa.as != "" && strings.Contains(res, "*") && res != "*" {
			st = a.chooseNamed(memo, by, way[i+1:], sa, res, fixed, r)
		} else {
			st = a.decideMemo(memo, by, sa.action, res, fixed)
		}
		if st == nil {
			return nil, byRole
		}
		if strings.Contains(res, "*") && res != "*" {
			chosen = st.Resource
			if first == "" {
				first = chosen
			}
			if sa.as != "" {
				named = append(named, sa.as, chosen)
			}
		}
		if sa.asRole {
			st.Note = "made by the service with the credentials of " + to.ARN
		}
		st.Needs = append(st.Needs, sa.needs...)
		steps = append(steps, *st)
	}
	return steps, byRole
}

// chooseNamed decides a request that names a resource of the caller's
// choosing under a name (wlAction.as) that later requests of the way name
// too: the first resource, among those whose classes the statements of all
// of them tell apart, that the request and every later request naming only
// it (made by the same principal; r the replacer of the other
// placeholders) are allowed on. Choosing by the first request alone could
// pick a name a later one is not allowed.
func (a *analyzer) chooseNamed(memo map[string]*Step, by *Node, rest []wlAction, sa *wlAction, glob string, fixed map[string][]string, r *strings.Replacer) *Step {
	var later []*wlAction
	var also []string
	for i := range rest {
		if l := &rest[i]; !l.asRole && strings.Contains(l.resource, sa.as) {
			later = append(later, l)
			also = append(also, l.action)
		}
	}
	for _, cand := range a.resourceTries(by, sa.action, glob, also...) {
		st := a.decideMemo(memo, by, sa.action, cand, fixed)
		if st == nil {
			continue
		}
		ok := true
		for _, l := range later {
			res := r.Replace(strings.ReplaceAll(l.resource, sa.as, cand))
			if strings.Contains(res, "MADE_") {
				continue // it names another choice too, made later: decided then
			}
			if a.decideMemo(memo, by, l.action, res, nil) == nil {
				ok = false
				break
			}
		}
		if ok {
			return st
		}
	}
	return nil
}

// decideMemo decides a request of a way (a resource with "*" in every class
// of the names the caller's statements tell apart), once per principal,
// request and context in memo (nil: no memo); the step is a fresh copy.
func (a *analyzer) decideMemo(memo map[string]*Step, by *Node, action, res string, fixed map[string][]string) *Step {
	var key string
	if memo != nil {
		var b strings.Builder
		b.WriteString(by.ARN + "\x00" + action + "\x00" + res)
		for _, k := range sortedKeys(fixed) {
			b.WriteString("\x00" + k + "=" + strings.Join(fixed[k], ","))
		}
		key = b.String()
		if st, ok := memo[key]; ok {
			if st == nil {
				return nil
			}
			c := *st
			return &c
		}
	}
	var st *Step
	if strings.Contains(res, "*") && res != "*" {
		st = a.decideAnyResource(by, action, res, fixed)
	} else {
		st = a.decide(by, request{action: action, resource: res, fixed: fixed})
	}
	if memo != nil {
		memo[key] = st
		if st != nil {
			c := *st
			st = &c
		}
	}
	return st
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// noteRun says on the last step what runs as to, and how a function that
// the caller does not invoke itself comes to run.
func noteRun(steps []Step, w *org.Workload, ww *workloadWay, to *Node) {
	last := &steps[len(steps)-1]
	last.Note = ww.runs + to.ARN
	switch {
	case last.Action == "lambda:AddPermission":
		last.Note = "the function's resource policy then lets the caller invoke it; " + last.Note
	case last.Action == "sqs:SendMessage":
		last.Note = "the message invokes the function through the new event source mapping; " + last.Note
	case (last.Action == "dynamodb:PutItem" || last.Action == "kinesis:PutRecord") && w.Kind == org.WorkloadFunction:
		last.Note = "the record invokes the function through its event source mapping on the stream; " + last.Note
	case w.Kind == org.WorkloadFunction && !strings.HasPrefix(last.Action, "lambda:Invoke"):
		last.Note += " at the function's next invocation by its triggers"
	}
}

// mayAct is Node.may of an action parsed already.
func (n *Node) mayAct(act *policy.Action) bool {
	return anyMatch(n.allows, act) && (n.bound == nil || anyMatch(n.bound, act))
}
