// Package escalate finds privilege escalation paths in an organization
// (`warden analyze escalation`, the contract of shared/spec/analyze.md): a
// graph of who can become whom, or grant themselves more, with every layer
// applied, each edge decided by the engine (package eval, through authz).
//
// # Nodes
//
// Every role of the organization (acting as a session; service-linked roles
// are left out: only their service assumes them), every IAM user, every
// IAM SAML or OIDC provider, and every principal outside the organization
// (another account, anyone) that a trust policy lets in; providers and
// outside principals only start paths. Identity Center's own SAML provider
// is left out: who signs in through it is decided by its assignments, which
// the account-assignment edges cover. Root users are left out: they hold
// their account's whole power already.
//
// # Edges (From can act as To)
//
//   - assume-role: sts:AssumeRole (AssumeRoleWithSAML, AssumeRoleWithWebIdentity
//     from a provider), the edges of package reach's role-assumption graph:
//     the engine decides each candidate a trust policy admits with the
//     caller's identity policies, boundary and SCPs, the trust policy and
//     the RCPs, over every class of contexts.
//   - pass-role: iam:PassRole on a role of the caller's account with
//     iam:PassedToService set to a compute service the role trusts (the
//     engine decides sts:AssumeRole by the service principal), and the
//     service's actions that run the caller's code: Lambda (CreateFunction
//     with InvokeFunction or AddPermission), EC2 (RunInstances;
//     EC2 Auto Scaling's launch configuration and group), ECS
//     (RegisterTaskDefinition with RunTask, StartTask or CreateService), Glue
//     (CreateDevEndpoint; CreateJob with StartJobRun or CreateTrigger), CloudFormation
//     (CreateStack), SageMaker (notebook instance with its presigned URL,
//     training or processing job), CodeBuild (CreateProject with
//     StartBuild), Data Pipeline (CreatePipeline, PutPipelineDefinition,
//     ActivatePipeline), and the services of passrole.go's computeServices
//     besides (Bedrock AgentCore code interpreters, runtimes and browsers,
//     EMR clusters, Image Builder, GameLift, ...). A way may pass a second
//     role (an EMR cluster's service role, which must trust EMR and is
//     passed to it) and may be a way only for callers that are an EC2
//     instance's role (ECS's RegisterContainerInstance). An existing ECS
//     task definition run with its task role overridden (RunTask,
//     StartTask) gets the role as its executionRoleArn override too: ECS
//     checks iam:PassRole of the execution role on every run, and the one
//     PassRole covers both (what the role needs as the execution role is
//     the step's need). Resources the
//     caller names are tried in every class its statements tell apart.
//   - update-assume-role: iam:UpdateAssumeRolePolicy on a role of its
//     account, then sts:AssumeRole decided under the trust policy it wrote.
//   - update-function-code, update-function-configuration, ssm-command,
//     modify-user-data, launch-template-version, update-stack, start-build,
//     notebook-presigned-url, notebook-lifecycle-config, update-dev-endpoint,
//     apprunner-update, code-interpreter, codedeploy-deployment,
//     ecs-execute-command:
//     code run as the role of an existing workload of its account (the org
//     format's workloads, each naming the role it runs as), when the role
//     trusts the workload's service: lambda:UpdateFunctionCode, or a layer of
//     its own (lambda:PublishLayerVersion, lambda:GetLayerVersion,
//     lambda:UpdateFunctionConfiguration with lambda:Layer), on a function,
//     then lambda:InvokeFunction, or lambda:AddPermission naming itself, or
//     a queue of its own made the function's event source (which the
//     function's role must be allowed to read: those requests are the
//     role's steps), or the function's triggers; ssm:SendCommand (on the instance and the
//     AWS-RunShellScript document), ssm:StartSession (on the instance and
//     SSM-SessionManagerRunShell) or new user data (ec2:StopInstances,
//     ec2:ModifyInstanceAttribute, ec2:StartInstances) on an instance;
//     ec2:CreateLaunchTemplateVersion with ec2:ModifyLaunchTemplate on a
//     launch template; cloudformation:UpdateStack (or CreateChangeSet with
//     ExecuteChangeSet) on a stack; codebuild:StartBuild (or
//     StartBuildBatch) on a project;
//     sagemaker:CreatePresignedNotebookInstanceUrl, or a lifecycle
//     configuration of its own set on the stopped notebook and started, on a
//     notebook instance; glue:UpdateDevEndpoint on a dev endpoint;
//     apprunner:UpdateService on an App Runner service;
//     bedrock-agentcore:StartCodeInterpreterSession and InvokeCodeInterpreter
//     on a code interpreter; codedeploy:RegisterApplicationRevision (on the
//     application), GetDeploymentConfig (the default configuration) and
//     CreateDeployment on a deployment group, whose instances' role trusts
//     EC2; ecs:ExecuteCommand on a running ECS task (its cluster and the
//     task, with ecs:container-name each container it names in turn; the
//     task role's ssmmessages requests are steps made as the role);
//     bedrock-agentcore:InvokeAgentRuntimeCommand on an AgentCore runtime
//     and its DEFAULT endpoint; bedrock-agentcore:StartBrowserSession on a
//     custom browser and ConnectBrowserAutomationStream. No role is
//     passed: the workload has one. A resource the caller names (a layer, a
//     lifecycle configuration) is tried in every class its statements tell
//     apart, and the later requests name the one chosen.
//   - replace-instance-profile, associate-instance-profile, function-new-role,
//     update-glue-job, update-project, update-stack-role: a new role for an existing workload, passed with
//     iam:PassRole (iam:PassedToService the service), to every role of its
//     account that trusts the service: ec2:ReplaceIamInstanceProfileAssociation
//     on an instance with an instance profile, or
//     ec2:AssociateIamInstanceProfile on one without (ec2:NewInstanceProfile
//     an instance profile holding the role), then a command, session, user
//     data or EC2 Instance Connect login on it;
//     lambda:UpdateFunctionConfiguration and lambda:UpdateFunctionCode on a
//     function, then its invocation; glue:UpdateJob on a job (which rewrites
//     the whole definition, its role included), then glue:StartJobRun or
//     glue:CreateTrigger; codebuild:UpdateProject on a project (its service
//     role), then codebuild:StartBuild (or StartBuildBatch);
//     cloudformation:UpdateStack (or CreateChangeSet with ExecuteChangeSet)
//     on a stack with cloudformation:RoleArn the role passed.
//   - instance-connect: ec2-instance-connect:SendSSHPublicKey on an instance
//     with an instance profile, and ec2-instance-connect:OpenTunnel through an
//     EC2 Instance Connect Endpoint when allowed; the network path and the
//     instance's sshd the login needs are the steps' Needs (the org files
//     describe no networks).
//   - stream-event-source: iam:PassRole to Lambda, lambda:CreateFunction and
//     lambda:CreateEventSourceMapping (lambda:FunctionArn the new function)
//     on a DynamoDB or Kinesis stream of the workloads (or of a table the
//     caller makes, dynamodb:CreateTable), the role's reads of
//     the stream (its steps), and the caller's dynamodb:PutItem on the table
//     or kinesis:PutRecord on the stream (resource policies applied). A
//     function of the workloads mapped to a stream is invoked likewise by a
//     write after its code is changed.
//   - batch-submit-job: batch:SubmitJob of an AWS Batch job definition of
//     the workloads (its command overridden), on a job queue of the
//     workloads in its account and Region, the definition's revision and the
//     job: the job's container runs as the definition's job role, which
//     trusts ecs-tasks.amazonaws.com.
//   - batch-job-definition: iam:PassRole (iam:PassedToService
//     batch.amazonaws.com or ecs-tasks.amazonaws.com, which AWS does not
//     document), batch:RegisterJobDefinition of a job definition of its own
//     with the role as job role, and batch:SubmitJob of its job to a job
//     queue of the workloads, or to a queue and Fargate compute environment
//     of its own (batch:CreateComputeEnvironment, batch:CreateJobQueue). The
//     names the caller chooses are ones the later requests that name them
//     are allowed on too.
//   - identity-pool-roles: iam:PassRole (to cognito-identity.amazonaws.com)
//     of a role that trusts a Cognito identity pool's authenticated
//     identities, cognito-identity:SetIdentityPoolRoles making it the
//     pool's authenticated role, GetOpenIdTokenForDeveloperIdentity on the
//     pool, then Cognito's sts:AssumeRoleWithWebIdentity of the role (the
//     federated principal, aud the pool's ID, amr authenticated).
//   - stack-set, update-stack-set: iam:PassRole of an administration role
//     that trusts CloudFormation, and cloudformation:CreateStackSet
//     (cloudformation:RoleArn the role) with CreateStackInstances, or
//     UpdateStackSet on a stack set of the workloads: to every role the
//     administration role's CloudFormation session may assume (the stack
//     set's execution role, which makes the template's resources), in any
//     account of the organization or in those of the stack set's
//     instances.
//
// The EC2 edges that give an instance a role name an instance profile: one
// of the workloads holding the role, or one the caller makes
// (iam:CreateInstanceProfile, iam:AddRoleToInstanceProfile) when its account
// lists others but none holding it; an account that lists none is taken to
// have one of the role's name (the console's), stated in the step's Needs.
//   - create-access-key, login-profile: iam:CreateAccessKey,
//     iam:CreateLoginProfile or iam:UpdateLoginProfile on another user.
//   - account-assignment: sso:CreateAccountAssignment (on the permission
//     set and the account) from an Identity Center session, which assigns
//     its own user a permission set and signs in to the role it provisions.
//   - group-membership: identitystore:CreateGroupMembership (on the
//     identity store and the group) from an Identity Center session, which
//     adds its own user to a group and signs in to the roles of the
//     permission sets assigned to the group (not for a group every
//     assignment of the session's own permission set goes through: its
//     people are in it already).
//
// # Grants (a principal makes itself, or one it becomes by edges, admin)
//
// iam:Put{Role,User,Group}Policy, iam:Attach{Role,User,Group}Policy with
// iam:PolicyARN AdministratorAccess, iam:CreatePolicyVersion on a customer
// managed policy attached to it (or its groups), iam:SetDefaultPolicyVersion
// on one whose older version (the org format's versions, each tried) makes
// it admin (a policy that is its permissions boundary included), iam:AddUserToGroup into a
// group whose policies make it admin, iam:Delete{Role,User}PermissionsBoundary,
// iam:Put{Role,User}PermissionsBoundary with AdministratorAccess, and for an
// Identity Center role sso:PutInlinePolicyToPermissionSet or
// sso:AttachManagedPolicyToPermissionSet with sso:ProvisionPermissionSet on
// its permission set. A grant counts only when the grantee, with its
// policies so changed, is admin by the definition below: a boundary or an
// SCP that still holds it back makes the grant no escalation. The grantee is
// the principal itself or, breadth first (the nearest first), one it can
// become by a chain of edges; the path is the grant's requests, then the
// chain's steps. Only a principal that may make some grant's request walks
// its chains.
//
// # Administrator-equivalent ("admin")
//
// A principal is admin in its account when, for every class of actions
// (AWS's Service Authorization Reference split by the statements of its
// identity policies, boundary and SCPs, plus one action no statement names),
// on every resource ("*"), whenever the same principal with AdministratorAccess
// and no boundary would be allowed under some context, it is allowed under
// some context as it is: its own policies take nothing away that the
// organization's guardrails leave. SCPs bind every administrator alike; a
// principal an SCP singles out is not admin. A quick test first requires an
// identity statement (and boundary statement) that matches every action.
//
// # Contexts and requirements
//
// Each request is decided under the context its step fixes
// (iam:PassedToService, iam:PolicyARN, iam:PermissionsBoundary), then under
// one context of every class of the keys the policies test (package
// analyze's classes, as package prove uses them): the first allowed class is
// the step's context. Keys in it the caller cannot choose (MFA, source IP or
// VPC, the principal's organization, a provider's claims) are reported as the
// step's requirements; an edge that needs MFA is an edge with a requirement,
// not a missing edge. A request whose classes cannot be made exact is not
// counted as allowed, and Result.Unsure counts them.
//
// # Paths
//
// For every principal that is not admin, the shortest path (breadth first
// over the edges) to a principal that is admin or grants itself admin: the
// edges' steps, then the grant. With a target, the shortest path of every
// principal that can become it. Every step is a request `warden explain`
// allows (but an assumption under a trust policy the previous step wrote,
// whose evidence says so), with the statements that allow it.
//
// # Sessions
//
// A path's chains of role assumptions are decided with one session each
// (package reach's Graph.LinkWith: a source identity set once and carried,
// session tags, MFA from the chain's start), a grant's own chain to the
// grantee continuing the session the path reaches the granter with. What
// the sessions must allow besides (the power the path ends in, a grant's
// requests, the next step that is not an assumption) is decided in them
// when the principal's layers test a key of the sessions. A passed role's
// or a workload's code acts in the session its service makes (see
// serviceSession): no MFA, no source identity, no session tags, named by
// the service; a chain from it starts anew with those.
//
// # Not covered
//
// A function's new handler or environment alone runs only code already
// there, so it is not an edge. A new function mapped to an existing event
// source that the org files do not list (or that the caller cannot write
// to) is not an edge. docs/analysis.md lists every path of the public
// catalogues and whether it is searched.
package escalate
