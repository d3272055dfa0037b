package escalate

import (
	"strings"
	"testing"
)

// TestNewEdges: the workload edges of the catalogues' remaining paths
// (testdata/twins/workloads2.yaml), each with the requests of its method:
//
//   - modify-user-data: pathfinding.cloud ec2-002
//     (https://pathfinding.cloud/paths/ec2-002), the instance stopped, its
//     userData rewritten, started;
//   - replace-instance-profile: PMapper's ec2 edge checker attaches an
//     instance profile likewise: iam:PassRole to EC2, then
//     ec2:ReplaceIamInstanceProfileAssociation on an instance the caller runs
//     commands on;
//   - launch-template-version: pathfinding.cloud ec2-004, ec2-005;
//   - notebook-presigned-url, notebook-lifecycle-config: pathfinding.cloud
//     sagemaker-004, sagemaker-005;
//   - update-dev-endpoint: pathfinding.cloud glue-002, Rhino Security Labs'
//     method 19
//     (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/);
//   - update-glue-job: pathfinding.cloud glue-005 (UpdateJob overwrites the
//     job's definition, its role passed again:
//     https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateJob.html);
//   - update-function-configuration: a layer of the caller's added to a
//     function (lambda:GetLayerVersion on the layer version and lambda:Layer
//     in the context:
//     https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-scoping.html);
//   - function-new-role: a new execution role passed to an existing function,
//     and new code;
//   - pass-role to Glue with glue:CreateJob and glue:CreateTrigger
//     (pathfinding.cloud glue-004);
//   - update-function-code with lambda:AddPermission in place of the
//     invocation (pathfinding.cloud lambda-005), or with a queue of the
//     caller's made the function's event source, which the function's role
//     must be allowed to read
//     (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
//
// The negative twins: iam:PassedToService naming another service, a role
// that does not trust the service, a boundary, the action allowed only on
// another resource, a request of the method not allowed, a condition that
// pins the layer or lifecycle configuration to names the caller cannot make,
// and every case again in Locked, whose SCP denies the actions. MFA is
// reported as a requirement, and EdgeHop0's three hops (an assumption, a
// notebook, a dev endpoint) are found only by the graph.
func TestNewEdges(t *testing.T) {
	res := Analyze(twins(t), Options{Now: now})
	got := pathsFrom(res)
	role := func(acct, n string) string { return "arn:aws:iam::" + acct + ":role/" + n }
	admin := role(dev, "AdminRole")
	arnOf := func(svc, res string) string { return "arn:aws:" + svc + ":us-east-1:" + dev + ":" + res }
	positive := []struct {
		from, kinds string
		actions     []string
		resource    string // the last step's
	}{
		{"UserDataWriter", "modify-user-data", []string{"ec2:StopInstances", "ec2:ModifyInstanceAttribute", "ec2:StartInstances"}, arnOf("ec2", "instance/i-0123456789abcdef0")},
		{"ProfileSwapper", "replace-instance-profile", []string{"iam:PassRole", "ec2:ReplaceIamInstanceProfileAssociation", "ssm:SendCommand", "ssm:SendCommand"},
			"arn:aws:ssm:us-east-1::document/AWS-RunShellScript"},
		{"TemplateEditor", "launch-template-version", []string{"ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"}, arnOf("ec2", "launch-template/lt-0a1b2c3d4e5f60718")},
		{"NotebookOpener", "notebook-presigned-url", []string{"sagemaker:CreatePresignedNotebookInstanceUrl"}, arnOf("sagemaker", "notebook-instance/admin-nb")},
		{"NotebookOpenerMFA", "notebook-presigned-url", []string{"sagemaker:CreatePresignedNotebookInstanceUrl"}, arnOf("sagemaker", "notebook-instance/admin-nb")},
		{"NotebookLifecycler", "notebook-lifecycle-config", []string{"sagemaker:CreateNotebookInstanceLifecycleConfig", "sagemaker:StopNotebookInstance",
			"sagemaker:UpdateNotebookInstance", "sagemaker:StartNotebookInstance"}, arnOf("sagemaker", "notebook-instance/admin-nb")},
		{"EndpointKeyAdder", "update-dev-endpoint", []string{"glue:UpdateDevEndpoint"}, arnOf("glue", "devEndpoint/admin-ep")},
		{"GlueJobRewriter", "update-glue-job", []string{"iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"}, arnOf("glue", "job/nightly")},
		{"LayerAdder", "update-function-configuration", []string{"lambda:PublishLayerVersion", "lambda:GetLayerVersion", "lambda:UpdateFunctionConfiguration",
			"lambda:InvokeFunction"}, arnOf("lambda", "function:admin-fn")},
		{"FnRoleSwapper", "function-new-role", []string{"iam:PassRole", "lambda:UpdateFunctionConfiguration", "lambda:UpdateFunctionCode", "lambda:InvokeFunction"},
			arnOf("lambda", "function:low-fn")},
		{"PassGlueTrigger", "pass-role", []string{"iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"}, arnOf("glue", "trigger/warden-escalation")},
		{"FnCoderAddPermission", "update-function-code", []string{"lambda:UpdateFunctionCode", "lambda:AddPermission"}, arnOf("lambda", "function:admin-fn")},
		{"EdgeHop0", "assume-role notebook-presigned-url update-dev-endpoint", []string{"sts:AssumeRole", "sagemaker:CreatePresignedNotebookInstanceUrl",
			"glue:UpdateDevEndpoint"}, arnOf("glue", "devEndpoint/admin-ep")},
	}
	for _, c := range positive {
		p, ok := got[role(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		var acts []string
		for _, s := range p.Steps {
			acts = append(acts, s.Action)
		}
		last := p.Steps[len(p.Steps)-1]
		if k := kindsOf(p); k != c.kinds || p.Admin == nil || p.Admin.Principal != admin || p.Account != dev ||
			strings.Join(acts, " ") != strings.Join(c.actions, " ") || last.Resource != c.resource || !strings.HasSuffix(last.Note, admin) {
			t.Errorf("%s: path %s %v as %+v, last on %s (%q); want %s %v as AdminRole, last on %s", c.from, k, acts, p.Admin, last.Resource, last.Note, c.kinds, c.actions, c.resource)
		}
		for _, s := range p.Steps {
			if mfa := s.Requires["aws:MultiFactorAuthPresent"]; (c.from == "NotebookOpenerMFA") != (mfa == "true") {
				t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
			}
		}
	}
	// The passing ways name the service the role is passed to.
	for _, c := range []struct{ from, service string }{
		{"ProfileSwapper", "ec2.amazonaws.com"}, {"GlueJobRewriter", "glue.amazonaws.com"}, {"PassGlueTrigger", "glue.amazonaws.com"}, {"FnRoleSwapper", "lambda.amazonaws.com"},
	} {
		if st := got[role(dev, c.from)].Steps[0]; st.Resource != admin || st.Context["iam:PassedToService"] != c.service {
			t.Errorf("%s: first step %+v, want iam:PassRole of AdminRole to %s", c.from, st, c.service)
		}
	}
	// The layer the caller publishes is one its policy lets it name, and the
	// same layer's version is read and added to the function.
	layer := got[role(dev, "LayerAdder")].Steps
	if layer[0].Resource != arnOf("lambda", "layer:scratch-warden-escalation") || layer[1].Resource != layer[0].Resource+":1" ||
		layer[2].Context["lambda:Layer"] != layer[1].Resource {
		t.Errorf("LayerAdder's layer: %+v", layer[:3])
	}
	// The lifecycle configuration set on the notebook is the one created.
	lc := got[role(dev, "NotebookLifecycler")].Steps
	if !strings.HasPrefix(lc[0].Resource, arnOf("sagemaker", "notebook-instance-lifecycle-config/scratch-")) ||
		lc[2].Context["sagemaker:NotebookInstanceLifecycleConfigArns"] != lc[0].Resource {
		t.Errorf("NotebookLifecycler's configuration: %+v", lc[:3])
	}
	// AddPermission names the caller as the principal the function's
	// resource policy lets in.
	if st := got[role(dev, "FnCoderAddPermission")].Steps[1]; st.Context["lambda:Principal"] != role(dev, "FnCoderAddPermission") ||
		!strings.Contains(st.Note, "resource policy then lets the caller invoke it") {
		t.Errorf("FnCoderAddPermission's second step: %+v", st)
	}
	// The chain: EdgeHop1's notebook runs as NbRole (SageMaker's session
	// of it), whose key opens the endpoint that runs as AdminRole.
	if p := got[role(dev, "EdgeHop0")]; len(p.Steps) != 3 || p.Steps[1].Principal != "arn:aws:sts::"+dev+":assumed-role/EdgeHop1/"+roleSession ||
		p.Steps[2].Principal != "arn:aws:sts::"+dev+":assumed-role/NbRole/SageMaker" {
		t.Errorf("EdgeHop0's steps: %+v", p.Steps)
	}
	// The queue: the caller makes it (a name its policy allows) and the
	// function's event source, the function's role reads it, the caller
	// sends the message. When the role may not read it, the function runs
	// only at its own triggers' next event. The function's role acts in
	// Lambda's session of it, named after the function.
	queue := got[role(dev, "FnQueuer")]
	var qacts []string
	for _, s := range queue.Steps {
		qacts = append(qacts, s.Action+" "+strings.TrimPrefix(strings.TrimPrefix(s.Principal, "arn:aws:sts::"+dev+":assumed-role/"), "/"+roleSession))
	}
	if want := "lambda:UpdateFunctionCode FnQueuer/warden-escalation,sqs:CreateQueue FnQueuer/warden-escalation," +
		"sqs:ReceiveMessage QueueReaderRole/queue-fn,sqs:DeleteMessage QueueReaderRole/queue-fn," +
		"sqs:GetQueueAttributes QueueReaderRole/queue-fn,lambda:CreateEventSourceMapping FnQueuer/warden-escalation," +
		"sqs:SendMessage FnQueuer/warden-escalation,glue:UpdateDevEndpoint QueueReaderRole/queue-fn"; strings.Join(qacts, ",") != want ||
		kindsOf(queue) != "update-function-code update-dev-endpoint" || queue.Admin == nil || queue.Admin.Principal != admin {
		t.Errorf("FnQueuer's path: %s\n%s\nwant\n%s", kindsOf(queue), strings.Join(qacts, ","), want)
	} else if q := queue.Steps[1].Resource; !strings.HasPrefix(q, "arn:aws:sqs:us-east-1:"+dev+":scratch-") || queue.Steps[2].Resource != q ||
		queue.Steps[6].Resource != q || queue.Steps[5].Context["lambda:FunctionArn"] != arnOf("lambda", "function:queue-fn") ||
		!strings.Contains(queue.Steps[6].Note, "event source mapping") {
		t.Errorf("FnQueuer's queue: %+v", queue.Steps)
	}
	if p := got[role(dev, "FnQueuerNoRead")]; len(p.Steps) != 2 || p.Steps[0].Action != "lambda:UpdateFunctionCode" ||
		!strings.HasSuffix(p.Steps[0].Note, "next invocation by its triggers") {
		t.Errorf("FnQueuerNoRead's path: %+v", p.Steps)
	}
	lockedToo := []string{"FnQueuer", "FnQueuerNoRead"}
	for _, c := range positive {
		lockedToo = append(lockedToo, c.from)
	}
	wantNoPaths(t, got, []string{
		"UserDataWriterOther", "UserDataWriterNoStart", "UserDataWriterBounded",
		"ProfileSwapperWrongService", "ProfileSwapperUntrusted", "ProfileSwapperNoCommand",
		"TemplateEditorUntrusted", "TemplateEditorNoDefault",
		"NotebookOpenerUntrusted", "NotebookLifecyclerPinned",
		"EndpointKeyAdderUntrusted",
		"GlueJobRewriterWrongService", "GlueJobRewriterOtherJob", "GlueJobRewriterBounded",
		"LayerAdderPinned", "LayerAdderNoRead", "FnRoleSwapperUntrusted",
		"EdgeHop0b", "EdgeHop1b", "PassGlueTriggerWrongService",
	}, lockedToo)
	// No edge of a new kind leads to a role that does not trust the service
	// its workload runs in.
	for _, e := range res.Edges {
		if e.To.Role == nil {
			continue
		}
		switch n := e.To.Role.Name; {
		case n == "Ec2OnlyAdminRole" && (e.Kind == KindNotebookURL || e.Kind == KindDevEndpoint),
			n == "GlueOnlyAdminRole" && (e.Kind == KindLaunchTemplate || e.Kind == KindInstanceProfile || e.Kind == KindFunctionNewRole):
			t.Errorf("%s -> %s by %s", e.From.ARN, n, e.Kind)
		}
	}
}
