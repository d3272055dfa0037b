package escalate

import (
	"strings"
	"testing"
)

// TestProfileConnectStreamEdges: the edges the org format's instance
// profiles, instances without one and streams make expressible
// (testdata/twins/workloads3.yaml):
//
//   - associate-instance-profile: PMapper's ec2 edge checker
//     (ec2:AssociateIamInstanceProfile on an instance without a profile,
//     with ec2:NewInstanceProfile a profile holding the role passed, or one
//     the caller makes with iam:CreateInstanceProfile and
//     iam:AddRoleToInstanceProfile when the account lists none holding it);
//   - instance-connect: pathfinding.cloud ec2-003
//     (ec2-instance-connect:SendSSHPublicKey, through an EC2 Instance Connect
//     Endpoint with ec2-instance-connect:OpenTunnel when allowed), the
//     network it needs stated on the step;
//   - stream-event-source: Rhino Security Labs' method 16 on an existing
//     DynamoDB table (pathfinding.cloud lambda-002) and a Kinesis stream,
//     the role's reads of the stream as its steps, the caller's write
//     decided by the engine with the table's resource policy;
//   - the same with a table of the caller's own (dynamodb:CreateTable; Rhino's
//     PassExistingRoleToNewLambdaThenTriggerWithNewDynamo);
//   - update-function-code invoked by a write to the function's stream;
//   - apprunner-update and code-interpreter: pathfinding.cloud apprunner-002
//     and bedrock-002 on an App Runner service and an AgentCore code
//     interpreter of the workloads;
//   - codedeploy-deployment: pathfinding.cloud codedeploy-001, a revision
//     deployed to a CodeDeploy deployment group, run by its instances as
//     their instance profile's role (twins: a deployment group the caller
//     may not deploy to, a role that does not trust EC2, a boundary, no
//     codedeploy:RegisterApplicationRevision, the SCP).
//
// The negative twins: iam:PassedToService naming another service, a
// condition pinning the profile to another one, a boundary, an instance that
// has a profile (association needs one without), a role that does not trust
// the service, no right to make the missing profile, a write the caller may
// not make, and every case again in Locked, whose SCP denies the actions.
// MFA is reported as a requirement.
func TestProfileConnectStreamEdges(t *testing.T) {
	got := twinPaths(t)
	role := roleARN
	arnOf := func(svc, res string) string { return "arn:aws:" + svc + ":us-east-1:" + dev + ":" + res }
	bare, adminInstance := arnOf("ec2", "instance/i-0bbbbbbbbbbbbbbb1"), arnOf("ec2", "instance/i-0123456789abcdef0")
	adminProfile := "arn:aws:iam::" + dev + ":instance-profile/AdminProfile"
	stream := arnOf("dynamodb", "table/Orders/stream/2026-01-01T00:00:00.000")
	dynamoSteps := []string{"iam:PassRole", "lambda:CreateFunction", "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
		"dynamodb:ListStreams", "lambda:CreateEventSourceMapping", "dynamodb:PutItem"}
	positive := []struct {
		from, kinds, admin string
		actions            []string
		mfa                string // the action that requires MFA (*: every one)
	}{
		{"Associator", "associate-instance-profile", "AdminRole", []string{"iam:PassRole", "ec2:AssociateIamInstanceProfile", "ssm:SendCommand", "ssm:SendCommand"}, ""},
		{"AssociatorMFA", "associate-instance-profile", "AdminRole", []string{"iam:PassRole", "ec2:AssociateIamInstanceProfile", "ssm:SendCommand", "ssm:SendCommand"}, "ec2:AssociateIamInstanceProfile"},
		{"ProfileMaker", "associate-instance-profile", "Ec2OnlyAdminRole", []string{"iam:PassRole", "iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile",
			"ec2:AssociateIamInstanceProfile", "ssm:SendCommand", "ssm:SendCommand"}, ""},
		{"KeyPusher", "instance-connect", "AdminRole", []string{"ec2-instance-connect:SendSSHPublicKey"}, ""},
		{"KeyPusherMFA", "instance-connect", "AdminRole", []string{"ec2-instance-connect:SendSSHPublicKey"}, "ec2-instance-connect:SendSSHPublicKey"},
		{"KeyPusherTunnel", "instance-connect", "AdminRole", []string{"ec2-instance-connect:SendSSHPublicKey", "ec2-instance-connect:OpenTunnel"}, ""},
		{"StreamWriter", "update-function-code", "AdminRole", []string{"lambda:UpdateFunctionCode", "dynamodb:PutItem"}, ""},
		{"StreamMapper", "stream-event-source", "AdminRole", dynamoSteps, ""},
		{"StreamMapperMFA", "stream-event-source", "AdminRole", dynamoSteps, "dynamodb:PutItem"},
		{"NewTableMapper", "stream-event-source", "AdminRole", []string{"iam:PassRole", "lambda:CreateFunction", "dynamodb:CreateTable", "dynamodb:DescribeStream",
			"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "lambda:CreateEventSourceMapping", "dynamodb:PutItem"}, ""},
		{"AppUpdater", "apprunner-update", "AdminRole", []string{"apprunner:UpdateService"}, ""},
		{"AppUpdaterMFA", "apprunner-update", "AdminRole", []string{"apprunner:UpdateService"}, "apprunner:UpdateService"},
		{"Interpreter", "code-interpreter", "AgentCoreAdminRole", []string{"bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:InvokeCodeInterpreter"}, ""},
		{"InterpreterMFA", "code-interpreter", "AgentCoreAdminRole", []string{"bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:InvokeCodeInterpreter"}, "*"},
		{"Deployer", "codedeploy-deployment", "AdminRole", []string{"codedeploy:RegisterApplicationRevision", "codedeploy:GetDeploymentConfig", "codedeploy:CreateDeployment"}, ""},
		{"StreamMapperKinesis", "stream-event-source", "AdminRole", []string{"iam:PassRole", "lambda:CreateFunction", "kinesis:DescribeStream",
			"kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "lambda:CreateEventSourceMapping", "kinesis:PutRecord"}, ""},
	}
	for _, c := range positive {
		p, ok := got[role(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		for _, s := range p.Steps {
			if mfa := s.Requires["aws:MultiFactorAuthPresent"]; (s.Action == c.mfa || c.mfa == "*") != (mfa == "true") {
				t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
			}
		}
		if k := kindsOf(p); k != c.kinds || p.Admin == nil || p.Admin.Principal != role(dev, c.admin) || actionsOf(p) != strings.Join(c.actions, " ") {
			t.Errorf("%s: path %s %s as %+v; want %s %v as %s", c.from, k, actionsOf(p), p.Admin, c.kinds, c.actions, c.admin)
		}
	}
	// The association names the instance profile that holds the role, on
	// the instance without one; a profile the caller makes is the one it
	// then gives the instance.
	if st := got[role(dev, "Associator")].Steps; st[0].Context["iam:PassedToService"] != "ec2.amazonaws.com" || st[1].Resource != bare ||
		st[1].Context["ec2:NewInstanceProfile"] != adminProfile || st[2].Resource != bare {
		t.Errorf("Associator's steps: %+v", st)
	}
	if st := got[role(dev, "ProfileMaker")].Steps; !strings.HasPrefix(st[1].Resource, "arn:aws:iam::"+dev+":instance-profile/made-") ||
		st[2].Resource != st[1].Resource || st[3].Context["ec2:NewInstanceProfile"] != st[1].Resource {
		t.Errorf("ProfileMaker's steps: %+v", st)
	}
	// EC2 Instance Connect: the network path is a stated need, not a
	// silent assumption; through an endpoint, the tunnel is to port 22.
	if st := got[role(dev, "KeyPusher")].Steps[0]; st.Resource != adminInstance || len(st.Needs) != 2 || !strings.Contains(st.Needs[1], "network path") {
		t.Errorf("KeyPusher's step: %+v", st)
	}
	if st := got[role(dev, "KeyPusherTunnel")].Steps; st[1].Context["ec2-instance-connect:remotePort"] != "22" ||
		!strings.HasPrefix(st[1].Resource, arnOf("ec2", "instance-connect-endpoint/")) || len(st[1].Needs) != 1 || !strings.Contains(st[1].Needs[0], "Instance Connect Endpoint") {
		t.Errorf("KeyPusherTunnel's steps: %+v", st)
	}
	// The stream: the role reads it (its steps), the new function is the
	// mapping's, the caller writes to the table.
	if st := got[role(dev, "StreamMapper")].Steps; st[2].Principal != "arn:aws:sts::"+dev+":assumed-role/AdminRole/"+roleSession || st[2].Resource != stream ||
		st[6].Context["lambda:FunctionArn"] != st[1].Resource || st[7].Resource != arnOf("dynamodb", "table/Orders") || !strings.Contains(st[7].Note, "event source mapping") {
		t.Errorf("StreamMapper's steps: %+v", st)
	}
	// A table of the caller's own: the name its policy allows, its stream
	// read by the role, the item put in it, the new function mapped.
	if st := got[role(dev, "NewTableMapper")].Steps; !strings.HasPrefix(st[2].Resource, arnOf("dynamodb", "table/scratch-")) ||
		st[3].Resource != st[2].Resource+"/stream/warden-escalation" || st[7].Context["lambda:FunctionArn"] != st[1].Resource || st[8].Resource != st[2].Resource {
		t.Errorf("NewTableMapper's steps: %+v", st)
	}
	if st := got[role(dev, "StreamWriter")].Steps[1]; st.Resource != arnOf("dynamodb", "table/Orders") || !strings.Contains(st.Note, "event source mapping on the stream") {
		t.Errorf("StreamWriter's write: %+v", st)
	}
	// The table's resource policy denies StreamWriterDenied its write: the
	// function runs only at its triggers' next event.
	if p := got[role(dev, "StreamWriterDenied")]; len(p.Steps) != 1 || !strings.HasSuffix(p.Steps[0].Note, "next invocation by its triggers") {
		t.Errorf("StreamWriterDenied's path: %+v", p.Steps)
	}
	// The deployment: the revision registered to the group's application,
	// the default configuration, the deployment to the group.
	if st := got[role(dev, "Deployer")].Steps; st[0].Resource != arnOf("codedeploy", "application:web") ||
		st[1].Resource != arnOf("codedeploy", "deploymentconfig:CodeDeployDefault.OneAtATime") || st[2].Resource != arnOf("codedeploy", "deploymentgroup:web/fleet") {
		t.Errorf("Deployer's steps: %+v", st)
	}
	lockedToo := []string{"StreamWriterDenied"}
	for _, c := range positive {
		lockedToo = append(lockedToo, c.from)
	}
	wantNoPaths(t, got, []string{"AssociatorWrongService", "AssociatorPinned", "AssociatorBounded", "AssociatorProfiled", "ProfileMakerNoCreate",
		"KeyPusherOther", "KeyPusherBare", "StreamMapperNoWrite", "StreamMapperWrongService", "StreamMapperUntrusted",
		"NewTableMapperNoCreate", "NewTableMapperWrongService", "KeyPusherUntrusted", "KeyPusherBounded", "StreamMapperBounded",
		"AppUpdaterUntrusted", "AppUpdaterBounded", "InterpreterNoInvoke", "InterpreterUntrusted",
		"DeployerOther", "DeployerUntrusted", "DeployerBounded", "DeployerNoRegister"}, lockedToo)
}

func roleARN(acct, name string) string { return "arn:aws:iam::" + acct + ":role/" + name }

// actionsOf lists a path's actions, in order.
func actionsOf(p Path) string {
	var acts []string
	for _, s := range p.Steps {
		acts = append(acts, s.Action)
	}
	return strings.Join(acts, " ")
}

// wantNoPaths checks that the roles named have no path to admin, in Dev
// and in Locked, and that those of lockedOnly have none in Locked (whose
// SCP denies what their twins in Dev use).
func wantNoPaths(t *testing.T, got map[string]Path, twins, lockedOnly []string) {
	t.Helper()
	var from []string
	for _, n := range twins {
		from = append(from, roleARN(dev, n), roleARN(locked, n))
	}
	for _, n := range lockedOnly {
		from = append(from, roleARN(locked, n))
	}
	for _, f := range from {
		if p, ok := got[f]; ok {
			t.Errorf("%s: path %s to admin as %s, want none", f, kindsOf(p), p.Admin.Principal)
		}
	}
}

// TestBoundaryVersion: iam:SetDefaultPolicyVersion on the customer managed
// policy that is the principal's permissions boundary, whose older version
// lets its identity policies through (testdata/twins/boundaryversions.yaml):
// the grant counts only when the principal is then admin; MFA is a
// requirement; an older version that still holds it back, and Locked's SCP,
// are twins.
func TestBoundaryVersion(t *testing.T) {
	got := twinPaths(t)
	for _, c := range []struct {
		from string
		mfa  bool
	}{{"BoundaryRoller", false}, {"BoundaryRollerMFA", true}} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		st := p.Steps[0]
		if kindsOf(p) != KindSetDefaultVersion || len(p.Steps) != 1 || p.Admin == nil || p.Admin.Principal != roleARN(dev, c.from) ||
			!strings.HasSuffix(st.Resource, "VersionedBoundary") || !strings.HasPrefix(st.Resource, "arn:aws:iam::"+dev+":policy/") || !strings.Contains(st.Note, "version v1 of ") || !strings.Contains(st.Note, "the permissions boundary") {
			t.Errorf("%s: path %s %+v as %+v", c.from, kindsOf(p), p.Steps, p.Admin)
		}
		if (st.Requires["aws:MultiFactorAuthPresent"] == "true") != c.mfa {
			t.Errorf("%s: the step requires %v", c.from, st.Requires)
		}
	}
	wantNoPaths(t, got, []string{"BoundaryRollerNarrow"}, []string{"BoundaryRoller", "BoundaryRollerMFA"})
}
