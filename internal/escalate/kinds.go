package escalate

// The kinds of edges and grants, named after the catalogues they come from:
// Rhino Security Labs' "AWS IAM Privilege Escalation – Methods and
// Mitigation" (methods 1-21), PMapper's edge checkers (sts, iam, lambda,
// ec2, cloudformation, codebuild, sagemaker, autoscaling, ssm) and
// pathfinding.cloud's paths.
const (
	KindAssumeRole         = "assume-role"                // sts:AssumeRole and its federated siblings
	KindPassRole           = "pass-role"                  // iam:PassRole to a compute service that runs code as the role
	KindUpdateAssumeRole   = "update-assume-role"         // iam:UpdateAssumeRolePolicy, then sts:AssumeRole (Rhino 14)
	KindUpdateFunctionCode = "update-function-code"       // lambda:UpdateFunctionCode on an existing function (Rhino 17; pathfinding.cloud lambda-003, -004)
	KindSSM                = "ssm-command"                // ssm:SendCommand / ssm:StartSession on an instance (PMapper ssm)
	KindUpdateStack        = "update-stack"               // cloudformation:UpdateStack / change set on a stack with a service role
	KindStartBuild         = "start-build"                // codebuild:StartBuild with buildspecOverride on an existing project
	KindAccessKey          = "create-access-key"          // iam:CreateAccessKey on another user (Rhino 4)
	KindLoginProfile       = "login-profile"              // iam:CreateLoginProfile / UpdateLoginProfile (Rhino 5, 6)
	KindPutPolicy          = "put-policy"                 // iam:Put{Role,User,Group}Policy (Rhino 10-12)
	KindAttachPolicy       = "attach-policy"              // iam:Attach{Role,User,Group}Policy (Rhino 7-9)
	KindPolicyVersion      = "create-policy-version"      // iam:CreatePolicyVersion (Rhino 1)
	KindSetDefaultVersion  = "set-default-policy-version" // iam:SetDefaultPolicyVersion (Rhino 2)
	KindAddToGroup         = "add-user-to-group"          // iam:AddUserToGroup (Rhino 13)
	KindDeleteBoundary     = "delete-boundary"            // iam:Delete{Role,User}PermissionsBoundary
	KindPutBoundary        = "put-boundary"               // iam:Put{Role,User}PermissionsBoundary
	KindPermissionSetEdit  = "permission-set-edit"        // sso:PutInlinePolicyToPermissionSet / AttachManagedPolicyToPermissionSet + ProvisionPermissionSet
	KindAccountAssignment  = "account-assignment"         // sso:CreateAccountAssignment
	KindGroupMembership    = "group-membership"           // identitystore:CreateGroupMembership
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
