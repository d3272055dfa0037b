package escalate

// The kinds of edges and grants, named after the catalogues they come from:
// Rhino Security Labs' "AWS IAM Privilege Escalation – Methods and
// Mitigation" (methods 1-21), PMapper's edge checkers (sts, iam, lambda,
// ec2, cloudformation, codebuild, sagemaker, autoscaling, ssm) and
// pathfinding.cloud's paths.
const (
	KindAssumeRole            = "assume-role"                   // sts:AssumeRole and its federated siblings
	KindPassRole              = "pass-role"                     // iam:PassRole to a compute service that runs code as the role
	KindUpdateAssumeRole      = "update-assume-role"            // iam:UpdateAssumeRolePolicy, then sts:AssumeRole (Rhino 14)
	KindUpdateFunctionCode    = "update-function-code"          // lambda:UpdateFunctionCode on an existing function (Rhino 17; pathfinding.cloud lambda-003, -004)
	KindSSM                   = "ssm-command"                   // ssm:SendCommand / ssm:StartSession on an instance (PMapper ssm)
	KindUpdateStack           = "update-stack"                  // cloudformation:UpdateStack / change set on a stack with a service role
	KindStartBuild            = "start-build"                   // codebuild:StartBuild with buildspecOverride on an existing project
	KindUpdateProject         = "update-project"                // iam:PassRole and codebuild:UpdateProject giving an existing project another service role, then StartBuild (PMapper codebuild)
	KindUpdateStackRole       = "update-stack-role"             // iam:PassRole and cloudformation:UpdateStack (or a change set) giving an existing stack another service role (PMapper cloudformation)
	KindUserData              = "modify-user-data"              // ec2:ModifyInstanceAttribute (userData) with StopInstances and StartInstances (pathfinding.cloud ec2-002)
	KindInstanceProfile       = "replace-instance-profile"      // ec2:ReplaceIamInstanceProfileAssociation and iam:PassRole on an instance the caller runs code on
	KindLaunchTemplate        = "launch-template-version"       // ec2:CreateLaunchTemplateVersion + ModifyLaunchTemplate (pathfinding.cloud ec2-004, ec2-005)
	KindFunctionConfiguration = "update-function-configuration" // lambda:UpdateFunctionConfiguration adding a layer of the caller's
	KindFunctionNewRole       = "function-new-role"             // lambda:UpdateFunctionConfiguration with a passed role, then UpdateFunctionCode
	KindNotebookURL           = "notebook-presigned-url"        // sagemaker:CreatePresignedNotebookInstanceUrl (pathfinding.cloud sagemaker-004)
	KindNotebookLifecycle     = "notebook-lifecycle-config"     // a lifecycle configuration set on a stopped notebook (pathfinding.cloud sagemaker-005)
	KindDevEndpoint           = "update-dev-endpoint"           // glue:UpdateDevEndpoint adding an SSH key (pathfinding.cloud glue-002)
	KindUpdateGlueJob         = "update-glue-job"               // glue:UpdateJob with a passed role, then StartJobRun or CreateTrigger (pathfinding.cloud glue-005, -006)
	KindAssociateProfile      = "associate-instance-profile"    // ec2:AssociateIamInstanceProfile and iam:PassRole on an instance without a profile (PMapper ec2)
	KindInstanceConnect       = "instance-connect"              // ec2-instance-connect:SendSSHPublicKey (with OpenTunnel through an endpoint) on an instance (pathfinding.cloud ec2-003)
	KindAppRunnerUpdate       = "apprunner-update"              // apprunner:UpdateService on an existing service (pathfinding.cloud apprunner-002)
	KindCodeInterpreter       = "code-interpreter"              // bedrock-agentcore:StartCodeInterpreterSession + InvokeCodeInterpreter on an existing one (pathfinding.cloud bedrock-002)
	KindCreateDeployment      = "codedeploy-deployment"         // codedeploy:CreateDeployment on an existing EC2 deployment group (pathfinding.cloud codedeploy-001)
	KindECSExec               = "ecs-execute-command"           // ecs:ExecuteCommand on a running ECS task (pathfinding.cloud ecs-006)
	KindBatchSubmitJob        = "batch-submit-job"              // batch:SubmitJob of an existing job definition with a job role (pathfinding.cloud batch-002)
	KindBatchJobDefinition    = "batch-job-definition"          // iam:PassRole, batch:RegisterJobDefinition and SubmitJob, to an existing job queue or one of the caller's (pathfinding.cloud batch-001, batch-003)
	KindStackSet              = "stack-set"                     // iam:PassRole of an administration role, cloudformation:CreateStackSet and CreateStackInstances: the execution role it assumes makes the template (pathfinding.cloud cloudformation-003)
	KindIdentityPoolRoles     = "identity-pool-roles"           // iam:PassRole, cognito-identity:SetIdentityPoolRoles and GetOpenIdTokenForDeveloperIdentity on an identity pool: its authenticated role's credentials (pathfinding.cloud cognitoidentity-001)
	KindUpdateStackSet        = "update-stack-set"              // iam:PassRole of an administration role and cloudformation:UpdateStackSet on an existing stack set: the execution role in its instances' accounts makes the template (pathfinding.cloud cloudformation-004)
	KindRuntimeCommand        = "agent-runtime-command"         // bedrock-agentcore:InvokeAgentRuntimeCommand on an existing AgentCore runtime (pathfinding.cloud bedrock-004)
	KindBrowserSession        = "browser-session"               // bedrock-agentcore:StartBrowserSession + ConnectBrowserAutomationStream on an existing custom browser (pathfinding.cloud bedrock-007)
	KindStreamFunction        = "stream-event-source"           // iam:PassRole, lambda:CreateFunction and CreateEventSourceMapping on an existing stream, then a write to it (Rhino 16; pathfinding.cloud lambda-002)
	KindAccessKey             = "create-access-key"             // iam:CreateAccessKey on another user (Rhino 4)
	KindLoginProfile          = "login-profile"                 // iam:CreateLoginProfile / UpdateLoginProfile (Rhino 5, 6)
	KindPutPolicy             = "put-policy"                    // iam:Put{Role,User,Group}Policy (Rhino 10-12)
	KindAttachPolicy          = "attach-policy"                 // iam:Attach{Role,User,Group}Policy (Rhino 7-9)
	KindPolicyVersion         = "create-policy-version"         // iam:CreatePolicyVersion (Rhino 1)
	KindSetDefaultVersion     = "set-default-policy-version"    // iam:SetDefaultPolicyVersion (Rhino 2)
	KindAddToGroup            = "add-user-to-group"             // iam:AddUserToGroup (Rhino 13)
	KindDeleteBoundary        = "delete-boundary"               // iam:Delete{Role,User}PermissionsBoundary
	KindPutBoundary           = "put-boundary"                  // iam:Put{Role,User}PermissionsBoundary
	KindPermissionSetEdit     = "permission-set-edit"           // sso:PutInlinePolicyToPermissionSet / AttachManagedPolicyToPermissionSet + ProvisionPermissionSet
	KindAccountAssignment     = "account-assignment"            // sso:CreateAccountAssignment
	KindGroupMembership       = "group-membership"              // identitystore:CreateGroupMembership
)

// Kind describes an edge kind for the documentation and the HTML report.
type Kind struct {
	Name    string
	Summary string
}

// Kinds lists every kind of edge and grant the analysis finds.
var Kinds = []Kind{
	{KindAssumeRole, "assume a role its trust policy lets it assume (sts:AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity)"},
	{KindPassRole, "pass a role to a compute service that trusts it and run code as the role (Lambda, EC2, ECS, Glue, CloudFormation, SageMaker, CodeBuild, Data Pipeline, EC2 Auto Scaling)"},
	{KindUpdateAssumeRole, "rewrite a role's trust policy to trust itself, then assume the role"},
	{KindUpdateFunctionCode, "replace an existing Lambda function's code (and invoke it), which runs as the function's execution role"},
	{KindSSM, "run a command on an EC2 instance, or open a session to it, through Systems Manager, and use its instance profile's role"},
	{KindUpdateStack, "update an existing CloudFormation stack (or execute a change set), which CloudFormation carries out as the stack's service role"},
	{KindStartBuild, "start a build of an existing CodeBuild project with its own buildspec, which runs as the project's service role"},
	{KindUpdateProject, "give an existing CodeBuild project another service role (passing it) and start a build with its own buildspec, which runs as that role"},
	{KindUpdateStackRole, "update an existing CloudFormation stack (or execute a change set) with another service role it passes, as which CloudFormation makes the new template's resources"},
	{KindUserData, "stop an existing EC2 instance, rewrite its user data and start it: the script runs at boot with its instance profile's role"},
	{KindInstanceProfile, "give an EC2 instance it runs code on another role's instance profile (passing the role) and use that role's credentials"},
	{KindLaunchTemplate, "make a new version of an EC2 launch template, with its own user data and the template's instance profile, the default: the instances launched from it run the script as the profile's role"},
	{KindFunctionConfiguration, "add a layer of its own to an existing Lambda function (and invoke it): the layer's code runs as the function's execution role"},
	{KindFunctionNewRole, "give an existing Lambda function another execution role (passing it) and new code (and invoke it)"},
	{KindNotebookURL, "open an existing SageMaker notebook instance through a presigned URL: its Jupyter terminal runs as the notebook's execution role"},
	{KindNotebookLifecycle, "stop an existing SageMaker notebook instance, give it a lifecycle configuration of its own and start it: the script runs as the notebook's execution role"},
	{KindDevEndpoint, "add its SSH key to an existing Glue development endpoint, whose shell runs as the endpoint's role"},
	{KindUpdateGlueJob, "rewrite an existing Glue job with its own script and a role it passes, and run it (or trigger it)"},
	{KindAssociateProfile, "give an EC2 instance without an instance profile one holding another role (passing the role), then run code on the instance with that role's credentials"},
	{KindInstanceConnect, "push its SSH key to an EC2 instance with EC2 Instance Connect and log in (a network path to the instance assumed, and said), then use its instance profile's role"},
	{KindAppRunnerUpdate, "update an existing App Runner service with its own image or code, which runs as the service's instance role"},
	{KindCodeInterpreter, "start a session on an existing Bedrock AgentCore code interpreter and run its code there, as the interpreter's execution role"},
	{KindCreateDeployment, "deploy its own application revision to an existing CodeDeploy deployment group, whose instances run its scripts as their instance profile's role"},
	{KindECSExec, "open a shell in a container of a running ECS task with ECS Exec and use the credentials of the task's role"},
	{KindBatchSubmitJob, "submit an AWS Batch job of an existing job definition with its own command, which the job's container runs as the definition's job role"},
	{KindBatchJobDefinition, "register an AWS Batch job definition with a role it passes as the job role and submit a job of it, to an existing job queue or to a compute environment and queue of its own: the job's container runs as the role"},
	{KindStackSet, "create a CloudFormation stack set with an administration role it passes and deploy it: CloudFormation, as that role, assumes an execution role it names in a target account and makes the template's resources as it"},
	{KindIdentityPoolRoles, "make a role it passes the authenticated role of an existing Cognito identity pool, sign an identity in as a developer-authenticated user and exchange its token for the role's credentials"},
	{KindUpdateStackSet, "update an existing CloudFormation stack set with its own template, passing an administration role: CloudFormation, as that role, assumes an execution role it names in the accounts of the stack set's instances and makes the template's resources as it"},
	{KindRuntimeCommand, "run a shell command in an existing Bedrock AgentCore runtime's microVM, which reads its execution role's credentials from the metadata service"},
	{KindBrowserSession, "start a session on an existing Bedrock AgentCore custom browser and drive it to its metadata service, which serves its execution role's credentials"},
	{KindStreamFunction, "create a Lambda function with a role it passes, map an existing DynamoDB or Kinesis stream to it, and write to the table or stream: the function runs as the role"},
	{KindAccessKey, "create an access key for another IAM user"},
	{KindLoginProfile, "create or change another IAM user's console password"},
	{KindPutPolicy, "put an inline policy granting everything on a role, user or group"},
	{KindAttachPolicy, "attach AdministratorAccess to a role, user or group"},
	{KindPolicyVersion, "create a new default version of a customer managed policy attached to a principal"},
	{KindSetDefaultVersion, "make another version of a customer managed policy attached to a principal its default version"},
	{KindAddToGroup, "add a user to a group whose policies grant everything"},
	{KindDeleteBoundary, "delete the permissions boundary that held a principal back"},
	{KindPutBoundary, "replace a principal's permissions boundary with one that allows everything"},
	{KindPermissionSetEdit, "add a policy granting everything to an Identity Center permission set and provision it"},
	{KindAccountAssignment, "assign itself (its Identity Center user) a permission set in an account"},
	{KindGroupMembership, "add its Identity Center user to a group that is assigned a permission set"},
}
