package escalate

import (
	"strings"
	"testing"
)

// TestWorkloads: the edges through existing workloads (testdata/twins/
// workloads.yaml): replacing a function's code, a command or session on an
// instance, updating a stack, a build with its own buildspec, each as the
// workload's role; their negative twins (the role does not trust the
// workload's service, the caller's boundary leaves the action out, the
// session document or the stack not allowed, and every case again in
// Locked, whose SCP denies the actions); MFA reported as a requirement; and
// a chain of three hops through two workloads that only the graph finds.
func TestWorkloads(t *testing.T) {
	res := Analyze(twins(t), Options{Now: now})
	got := pathsFrom(res)
	role := func(acct, n string) string { return "arn:aws:iam::" + acct + ":role/" + n }
	admin := role(dev, "AdminRole")
	positive := []struct{ from, kinds, last, resource string }{
		{"FnCoder", "update-function-code", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + dev + ":function:admin-fn"},
		{"SsmCommander", "ssm-command", "ssm:SendCommand", "arn:aws:ssm:us-east-1::document/AWS-RunShellScript"},
		{"SsmSessionMFA", "ssm-command", "ssm:StartSession", "arn:aws:ssm:us-east-1:" + dev + ":document/SSM-SessionManagerRunShell"},
		{"StackUpdater", "update-stack", "cloudformation:UpdateStack", "arn:aws:cloudformation:us-east-1:" + dev + ":stack/admin-stack/5f6d7c80-0000-11f0-8000-0a1b2c3d4e5f"},
		{"Builder", "start-build", "codebuild:StartBuild", "arn:aws:codebuild:us-east-1:" + dev + ":project/admin-build"},
		{"WlInstanceRole", "start-build", "codebuild:StartBuild", "arn:aws:codebuild:us-east-1:" + dev + ":project/admin-build"},
		{"WlHop1", "ssm-command start-build", "codebuild:StartBuild", "arn:aws:codebuild:us-east-1:" + dev + ":project/admin-build"},
		{"WlHop0", "assume-role ssm-command start-build", "codebuild:StartBuild", "arn:aws:codebuild:us-east-1:" + dev + ":project/admin-build"},
	}
	for _, c := range positive {
		p, ok := got[role(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		last := p.Steps[len(p.Steps)-1]
		if k := kindsOf(p); k != c.kinds || p.Admin == nil || p.Admin.Principal != admin || p.Account != dev ||
			last.Action != c.last || last.Resource != c.resource || !strings.HasSuffix(last.Note, " "+admin) {
			t.Errorf("%s: path %s as %+v, last step %s %s (%q); want %s as AdminRole, last %s %s", c.from, k, p.Admin, last.Action, last.Resource, last.Note, c.kinds, c.last, c.resource)
		}
		if c.from != "SsmSessionMFA" {
			for _, s := range p.Steps {
				if len(s.Requires) != 0 {
					t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
				}
			}
		}
	}
	// The function is invoked by the caller when it may: both steps.
	if p := got[role(dev, "FnCoder")]; len(p.Steps) != 2 || p.Steps[0].Action != "lambda:UpdateFunctionCode" {
		t.Errorf("FnCoder's steps: %+v", p.Steps)
	}
	// The session needs MFA: a requirement of both of its requests, not a
	// missing edge.
	if p := got[role(dev, "SsmSessionMFA")]; len(p.Steps) != 2 || p.Steps[0].Resource != "arn:aws:ec2:us-east-1:"+dev+":instance/i-0123456789abcdef0" ||
		p.Steps[0].Requires["aws:MultiFactorAuthPresent"] != "true" || p.Steps[1].Requires["aws:MultiFactorAuthPresent"] != "true" {
		t.Errorf("SsmSessionMFA's steps: %+v", p.Steps)
	}
	// The chain: no policy of WlHop0 names a workload. The instance's
	// role acts in EC2's session of it, named after the instance.
	if p := got[role(dev, "WlHop0")]; len(p.Steps) != 4 || p.Steps[0].Resource != role(dev, "WlHop1") ||
		p.Steps[1].Principal != "arn:aws:sts::"+dev+":assumed-role/WlHop1/"+roleSession || p.Steps[3].Principal != "arn:aws:sts::"+dev+":assumed-role/WlInstanceRole/i-0fedcba9876543210" {
		t.Errorf("WlHop0's steps: %+v", p.Steps)
	}
	negative := []string{"FnCoderUntrusted", "FnCoderBounded", "SsmCommanderNoDocument", "StackUpdaterOtherStack", "BuilderUntrusted"}
	var from []string
	for _, n := range negative {
		from = append(from, role(dev, n), role(locked, n))
	}
	for _, c := range positive {
		from = append(from, role(locked, c.from))
	}
	for _, f := range from {
		if p, ok := got[f]; ok {
			t.Errorf("%s: path %s to admin as %s, want none", f, kindsOf(p), p.Admin.Principal)
		}
	}
	// No workload edge leads to the role whose trust policy leaves the
	// workload's service out.
	for _, e := range res.Edges {
		if e.To.Role != nil && e.To.Role.Name == "Ec2OnlyAdminRole" && (e.Kind == KindUpdateFunctionCode || e.Kind == KindStartBuild) {
			t.Errorf("%s -> Ec2OnlyAdminRole by %s", e.From.ARN, e.Kind)
		}
	}
}
