package org

import (
	"slices"
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// Workload kinds: the resources that run code as a role of their account.
const (
	WorkloadFunction = "lambda-function"      // a Lambda function and its execution role
	WorkloadInstance = "ec2-instance"         // an EC2 instance and its instance profile's role
	WorkloadStack    = "cloudformation-stack" // a CloudFormation stack and its service role
	WorkloadProject  = "codebuild-project"    // a CodeBuild project and its service role
	// WorkloadLaunchTemplate is an EC2 launch template whose instance
	// profile's role the instances launched from it (by the Auto Scaling
	// groups or fleets that use it) run as.
	WorkloadLaunchTemplate = "ec2-launch-template"
	WorkloadNotebook       = "sagemaker-notebook" // a SageMaker notebook instance and its execution role
	WorkloadDevEndpoint    = "glue-dev-endpoint"  // a Glue development endpoint and its role
	WorkloadGlueJob        = "glue-job"           // a Glue job and its role
	// WorkloadInstanceProfile is an IAM instance profile and the role it
	// holds: what EC2 launches an instance with, or associates with one.
	WorkloadInstanceProfile = "instance-profile"
	// WorkloadDynamoDBStream and WorkloadKinesisStream are a DynamoDB
	// table's stream and a Kinesis data stream, with the Lambda functions
	// mapped to them (event source mappings): writing to the table or the
	// stream invokes the functions. They run as no role.
	WorkloadDynamoDBStream = "dynamodb-stream"
	WorkloadKinesisStream  = "kinesis-stream"
	// WorkloadAppRunner is an App Runner service and its instance role;
	// WorkloadCodeInterpreter a Bedrock AgentCore code interpreter and its
	// execution role.
	WorkloadAppRunner       = "apprunner-service"
	WorkloadCodeInterpreter = "agentcore-code-interpreter"
	// WorkloadDeploymentGroup is a CodeDeploy deployment group (EC2/on-
	// premises) and the role of its instances' instance profile: what the
	// code it deploys runs as.
	WorkloadDeploymentGroup = "codedeploy-deployment-group"
	// WorkloadECSTask is a running ECS task (its ARN names its cluster)
	// and its task role.
	WorkloadECSTask = "ecs-task"
	// WorkloadBatchJobDefinition is an AWS Batch job definition (a
	// revision: its ARN ends in :REVISION) and its job role, the role its
	// jobs' containers run as.
	WorkloadBatchJobDefinition = "batch-job-definition"
	// WorkloadBatchJobQueue is an AWS Batch job queue: what a job is
	// submitted to. It runs as no role.
	WorkloadBatchJobQueue = "batch-job-queue"
	// WorkloadIdentityPool is an Amazon Cognito identity pool: whoever
	// sets its roles (and signs its users in) gets their credentials. It
	// runs as no role of its own.
	WorkloadIdentityPool = "cognito-identity-pool"
	// WorkloadStackSet is a CloudFormation stack set (self-managed
	// permissions) and the accounts of its stack instances, which an
	// update of it reaches. It runs as no role of its own: an update
	// passes its administration role again and names its execution role.
	WorkloadStackSet = "cloudformation-stack-set"
	// WorkloadAgentRuntime is a Bedrock AgentCore runtime (or the runtime
	// a harness runs on) and its execution role; WorkloadBrowser a Bedrock
	// AgentCore custom browser and its execution role.
	WorkloadAgentRuntime = "agentcore-runtime"
	WorkloadBrowser      = "agentcore-browser"
)

// Workload is an existing resource that runs code as a role: whoever can
// change its code (or run commands on it) acts as that role.
type Workload struct {
	ARN     string
	Kind    string // one of the Workload* kinds, from the ARN
	Account *Account
	// Role is the role it runs as; nil for an instance without an
	// instance profile, and for a stream.
	Role *Role
	// Functions are a stream's functions (workloads of kind
	// WorkloadFunction in its account and Region), in the order given.
	Functions []*Workload
	// Containers are an ECS task's containers (the names its task
	// definition gives them), in the order given: what ecs:ExecuteCommand
	// names as ecs:container-name. Empty when the task names none.
	Containers []string
	// Accounts are the accounts of a stack set's stack instances, in the
	// order given (nil for other kinds).
	Accounts []*Account
	Pos      Pos
}

// Application is the ARN of a CodeDeploy deployment group's application
// ("" for other kinds): what codedeploy:RegisterApplicationRevision names.
func (w *Workload) Application() string {
	if w.Kind != WorkloadDeploymentGroup {
		return ""
	}
	head, rest, _ := strings.Cut(w.ARN, ":deploymentgroup:")
	app, _, _ := strings.Cut(rest, "/")
	return head + ":application:" + app
}

// Cluster is the ARN of an ECS task's cluster ("" for other kinds): the
// other resource ecs:ExecuteCommand names.
func (w *Workload) Cluster() string {
	if w.Kind != WorkloadECSTask {
		return ""
	}
	i := strings.Index(w.ARN, ":task/")
	name, _, _ := strings.Cut(w.ARN[i+len(":task/"):], "/")
	return w.ARN[:i] + ":cluster/" + name
}

// Table is the ARN of a DynamoDB stream's table ("" for other kinds): what
// dynamodb:PutItem names to write to it.
func (w *Workload) Table() string {
	if w.Kind != WorkloadDynamoDBStream {
		return ""
	}
	i := strings.Index(w.ARN, "/stream/")
	return w.ARN[:i]
}

type rawWorkload struct {
	arn, role  sval
	hasRole    bool
	functions  []sval
	containers []sval
	accounts   []sval
	hasAccts   bool
	pos        Pos
	path       string
}

// workloadKind is the kind of workload an ARN names ("" for none): a
// function without a qualifier, an instance, a stack (name and ID), a
// project, a launch template (by ID), a notebook instance, a dev endpoint, a
// Glue job: the resource types of AWS's Service Authorization Reference.
func workloadKind(a arn.ARN) string {
	if a.Service == "iam" {
		// arn:aws:iam::ACCOUNT:instance-profile/[PATH/]NAME
		if p, ok := strings.CutPrefix(a.Resource, "instance-profile/"); ok && a.Region == "" && p != "" && !strings.HasSuffix(p, "/") && !strings.Contains(p, "//") {
			return WorkloadInstanceProfile
		}
		return ""
	}
	if a.Region == "" {
		return ""
	}
	typ, name, _ := strings.Cut(a.Resource, ":")
	if a.Service == "codedeploy" {
		// arn:aws:codedeploy:REGION:ACCOUNT:deploymentgroup:APPLICATION/GROUP
		if typ == "deploymentgroup" && strings.Count(name, "/") == 1 && !strings.HasPrefix(name, "/") && !strings.HasSuffix(name, "/") && !strings.Contains(name, ":") {
			return WorkloadDeploymentGroup
		}
		return ""
	}
	if a.Service == "lambda" {
		if typ == "function" && name != "" && !strings.Contains(name, ":") {
			return WorkloadFunction
		}
		return ""
	}
	typ, name, _ = strings.Cut(a.Resource, "/")
	switch {
	case a.Service == "ec2" && typ == "instance" && strings.HasPrefix(name, "i-") && !strings.Contains(name, "/"):
		return WorkloadInstance
	case a.Service == "cloudformation" && typ == "stack" && strings.Count(name, "/") == 1 && !strings.HasPrefix(name, "/") && !strings.HasSuffix(name, "/"):
		return WorkloadStack
	case a.Service == "cloudformation" && typ == "stackset":
		// NAME:ID, the ID CloudFormation gives it.
		if set, id, ok := strings.Cut(name, ":"); ok && set != "" && id != "" && !strings.ContainsAny(set, "/") && !strings.ContainsAny(id, "/:") {
			return WorkloadStackSet
		}
	case a.Service == "codebuild" && typ == "project" && name != "" && !strings.Contains(name, "/"):
		return WorkloadProject
	case a.Service == "ec2" && typ == "launch-template" && strings.HasPrefix(name, "lt-") && !strings.Contains(name, "/"):
		return WorkloadLaunchTemplate
	case a.Service == "sagemaker" && typ == "notebook-instance" && name != "" && !strings.Contains(name, "/"):
		return WorkloadNotebook
	case a.Service == "glue" && typ == "devEndpoint" && name != "" && !strings.Contains(name, "/"):
		return WorkloadDevEndpoint
	case a.Service == "glue" && typ == "job" && name != "" && !strings.Contains(name, "/"):
		return WorkloadGlueJob
	case a.Service == "kinesis" && typ == "stream" && name != "" && !strings.Contains(name, "/"):
		return WorkloadKinesisStream
	case a.Service == "apprunner" && typ == "service" && strings.Count(name, "/") == 1 && !strings.HasPrefix(name, "/") && !strings.HasSuffix(name, "/"):
		return WorkloadAppRunner
	case a.Service == "bedrock-agentcore" && typ == "code-interpreter-custom" && name != "" && !strings.Contains(name, "/"):
		return WorkloadCodeInterpreter
	case a.Service == "bedrock-agentcore" && typ == "runtime" && name != "" && !strings.Contains(name, "/"):
		return WorkloadAgentRuntime
	case a.Service == "bedrock-agentcore" && typ == "browser-custom" && name != "" && !strings.Contains(name, "/"):
		return WorkloadBrowser
	case a.Service == "ecs" && typ == "task" && strings.Count(name, "/") == 1 && !strings.HasPrefix(name, "/") && !strings.HasSuffix(name, "/"):
		return WorkloadECSTask
	case a.Service == "batch" && typ == "job-definition":
		// NAME:REVISION, the revision a positive number (the ARN AWS Batch
		// gives a job definition names its revision).
		def, rev, ok := strings.Cut(name, ":")
		if n, err := strconv.Atoi(rev); ok && err == nil && n > 0 && rev[0] != '0' && def != "" && !strings.ContainsAny(def, "/:") {
			return WorkloadBatchJobDefinition
		}
	case a.Service == "batch" && typ == "job-queue" && name != "" && !strings.ContainsAny(name, "/:"):
		return WorkloadBatchJobQueue
	case a.Service == "cognito-identity" && typ == "identitypool":
		// The pool's ID is REGION:GUID, its Region the ARN's.
		if region, id, ok := strings.Cut(name, ":"); ok && region == a.Region && id != "" && !strings.ContainsAny(id, "/:") {
			return WorkloadIdentityPool
		}
	case a.Service == "dynamodb" && typ == "table":
		table, label, ok := strings.Cut(name, "/stream/")
		if ok && table != "" && label != "" && !strings.Contains(table, "/") && !strings.Contains(label, "/") {
			return WorkloadDynamoDBStream
		}
	}
	return ""
}

// workloadARNs are the forms of a workload's ARN, for errors.
const workloadARNs = "a Lambda function (arn:aws:lambda:REGION:ACCOUNT:function:NAME), an EC2 instance (arn:aws:ec2:REGION:ACCOUNT:instance/i-ID), " +
	"a CloudFormation stack (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID), a CodeBuild project (arn:aws:codebuild:REGION:ACCOUNT:project/NAME), " +
	"an EC2 launch template (arn:aws:ec2:REGION:ACCOUNT:launch-template/lt-ID), a SageMaker notebook instance (arn:aws:sagemaker:REGION:ACCOUNT:notebook-instance/NAME), " +
	"a Glue dev endpoint (arn:aws:glue:REGION:ACCOUNT:devEndpoint/NAME), a Glue job (arn:aws:glue:REGION:ACCOUNT:job/NAME), " +
	"an instance profile (arn:aws:iam::ACCOUNT:instance-profile/NAME), a DynamoDB stream (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL), " +
	"a Kinesis data stream (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), an App Runner service (arn:aws:apprunner:REGION:ACCOUNT:service/NAME/ID), " +
	"a Bedrock AgentCore code interpreter (arn:aws:bedrock-agentcore:REGION:ACCOUNT:code-interpreter-custom/ID), " +
	"a CodeDeploy deployment group (arn:aws:codedeploy:REGION:ACCOUNT:deploymentgroup:APPLICATION/GROUP), " +
	"an ECS task (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID), " +
	"an AWS Batch job definition (arn:aws:batch:REGION:ACCOUNT:job-definition/NAME:REVISION), " +
	"an AWS Batch job queue (arn:aws:batch:REGION:ACCOUNT:job-queue/NAME), " +
	"a Cognito identity pool (arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/REGION:ID), " +
	"a CloudFormation stack set (arn:aws:cloudformation:REGION:ACCOUNT:stackset/NAME:ID), " +
	"a Bedrock AgentCore runtime (arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/ID) " +
	"or a Bedrock AgentCore browser (arn:aws:bedrock-agentcore:REGION:ACCOUNT:browser-custom/ID)"

func (d *decoder) workload(n *ynode, path string, r *raw) {
	m, ok := d.fields(n, path, fieldsOf["workload"]...)
	if !ok || !d.require(m, n, path, requiredOf["workload"]...) {
		return
	}
	w := &rawWorkload{pos: d.src.pos(n), path: path}
	okARN, okRole := false, true
	w.arn, okARN = d.str(m["arn"], path+".arn")
	if rn, has := m["role"]; has {
		w.role, okRole = d.str(rn, path+".role")
		w.hasRole = true
	}
	if fn, has := m["functions"]; has {
		if w.functions = d.list(fn, path+".functions"); w.functions == nil {
			return
		}
	}
	if an, has := m["accounts"]; has {
		if w.accounts = d.list(an, path+".accounts"); w.accounts == nil {
			return
		}
		w.hasAccts = true
	}
	if cn, has := m["containers"]; has {
		if w.containers = d.list(cn, path+".containers"); w.containers == nil {
			return
		}
	}
	if okARN && okRole {
		r.workloads = append(r.workloads, w)
	}
}

func (l *loader) buildWorkloads(list []*rawWorkload) {
	o := l.o
	seen := map[string]*Workload{}
	var streams []pendingStream
	defer func() {
		// A stream's functions may be listed after it.
		for _, p := range streams {
			l.streamFunctions(p.w, p.a, p.r, seen)
		}
	}()
	for _, r := range list {
		a, err := arn.Parse(r.arn.V)
		kind := ""
		if err == nil && !strings.ContainsAny(r.arn.V, "*?") {
			kind = workloadKind(a)
		}
		if kind == "" {
			l.errs.add(r.arn.P, r.path+".arn", "%q is not the ARN of a workload: want %s, without wildcards", r.arn.V, workloadARNs)
			continue
		}
		if prev := seen[r.arn.V]; prev != nil {
			l.errs.add(r.arn.P, r.path+".arn", "duplicate workload %s (first at %s)", r.arn.V, prev.Pos)
			continue
		}
		acct := l.acctByID[a.Account]
		if acct == nil {
			l.errs.add(r.arn.P, r.path+".arn", "account %s of the ARN is not in the organization", a.Account)
			continue
		}
		stream := kind == WorkloadDynamoDBStream || kind == WorkloadKinesisStream
		queue := kind == WorkloadBatchJobQueue
		pool := kind == WorkloadIdentityPool
		stackSet := kind == WorkloadStackSet
		switch {
		case stream && r.hasRole:
			l.errs.add(r.role.P, r.path+".role", "a stream runs as no role: name the functions mapped to it in functions")
			continue
		case queue && r.hasRole:
			l.errs.add(r.role.P, r.path+".role", "a job queue runs as no role: its jobs run as their job definition's job role")
			continue
		case pool && r.hasRole:
			l.errs.add(r.role.P, r.path+".role", "an identity pool runs as no role: its roles are what cognito-identity:SetIdentityPoolRoles sets")
			continue
		case stackSet && r.hasRole:
			l.errs.add(r.role.P, r.path+".role", "a stack set runs as no role of its own: an update passes its administration role again and names its execution role")
			continue
		case !stackSet && r.hasAccts:
			at := r.pos
			if len(r.accounts) > 0 {
				at = r.accounts[0].P
			}
			l.errs.add(at, r.path+".accounts", "only a stack set has accounts (its stack instances')")
			continue
		case !stream && len(r.functions) > 0:
			l.errs.add(r.functions[0].P, r.path+".functions", "only a DynamoDB or Kinesis stream has functions")
			continue
		case !stream && !queue && !pool && !stackSet && !r.hasRole && kind != WorkloadInstance:
			l.errs.add(r.pos, r.path, "missing role")
			continue
		}
		containers, ok := l.workloadContainers(r, kind)
		if !ok {
			continue
		}
		var accts []*Account
		if r.hasAccts {
			if accts = l.accountList(r.accounts, r.path+".accounts", r.pos, "the stack set's stack instance"); accts == nil {
				continue
			}
		}
		if !r.hasRole {
			w := &Workload{ARN: r.arn.V, Kind: kind, Account: acct, Accounts: accts, Pos: r.pos}
			if stream {
				streams = append(streams, pendingStream{w, a, r})
			}
			seen[w.ARN] = w
			o.Workloads = append(o.Workloads, w)
			continue
		}
		role := l.workloadRole(acct, r.role.V)
		if role != nil && role.ServiceLinked {
			l.errs.add(r.role.P, r.path+".role", "role %s is service-linked: only its service assumes it, no workload runs as it", role.Name)
			continue
		}
		if role == nil {
			var known []string
			for _, x := range acct.Roles {
				if !x.ServiceLinked {
					known = append(known, x.Name)
				}
			}
			l.errs.add(r.role.P, r.path+".role", "role %s is not a role of account %s (%s)%s", r.role.V, acct.Name, acct.ID, didYouMean(r.role.V, known))
			continue
		}
		w := &Workload{ARN: r.arn.V, Kind: kind, Account: acct, Role: role, Containers: containers, Pos: r.pos}
		seen[w.ARN] = w
		o.Workloads = append(o.Workloads, w)
	}
}

// workloadContainers checks an ECS task's container names: names an ECS
// task definition accepts (Amazon ECS API Reference, ContainerDefinition:
// up to 255 letters, numbers, underscores and hyphens), each once; other
// kinds have none.
func (l *loader) workloadContainers(r *rawWorkload, kind string) ([]string, bool) {
	if len(r.containers) == 0 {
		return nil, true
	}
	if kind != WorkloadECSTask {
		l.errs.add(r.containers[0].P, r.path+".containers", "only an ECS task has containers")
		return nil, false
	}
	out := make([]string, 0, len(r.containers))
	ok := true
	for i, c := range r.containers {
		where := r.path + ".containers[" + strconv.Itoa(i) + "]"
		switch {
		case !isContainerName(c.V):
			l.errs.add(c.P, where, "%q is not an ECS container name: up to 255 letters, numbers, underscores and hyphens", c.V)
			ok = false
		case slices.Contains(out, c.V):
			l.errs.add(c.P, where, "duplicate container %s", c.V)
			ok = false
		default:
			out = append(out, c.V)
		}
	}
	return out, ok
}

func isContainerName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

type pendingStream struct {
	w *Workload
	a arn.ARN
	r *rawWorkload
}

// streamFunctions resolves a stream's functions: functions of workloads in
// the stream's account and Region, by name or ARN (Lambda maps a stream to
// functions of its own Region).
func (l *loader) streamFunctions(w *Workload, a arn.ARN, r *rawWorkload, seen map[string]*Workload) {
	for i, f := range r.functions {
		ref := f.V
		if !strings.HasPrefix(ref, "arn:") {
			ref = "arn:" + a.Partition + ":lambda:" + a.Region + ":" + a.Account + ":function:" + ref
		}
		fn := seen[ref]
		if fn == nil || fn.Kind != WorkloadFunction {
			l.errs.add(f.P, r.path+".functions["+strconv.Itoa(i)+"]", "function %s is not a Lambda function of workloads in account %s, Region %s", f.V, a.Account, a.Region)
			continue
		}
		w.Functions = append(w.Functions, fn)
	}
}

// workloadRole finds the role a workload names: by name (ignoring case, as
// IAM does) or by ARN, in the workload's own account.
func (l *loader) workloadRole(acct *Account, ref string) *Role {
	for _, r := range acct.Roles {
		if strings.EqualFold(r.Name, ref) || r.ARN == ref {
			return r
		}
	}
	return nil
}
