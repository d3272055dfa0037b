package escalate

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/org"
)

// workloadWays are the ways to run code as the role of an existing
// workload (the org format's workloads): the service principal the role
// must trust for the workload to run as it, and the requests on the
// workload (WORKLOAD in a resource stands for its ARN, REGION and ACCOUNT
// for its Region and account), all needed, tried in order. None passes a
// role: the workload already has one.
var workloadWays = map[string]struct {
	kind, principal string
	ways            [][]serviceAction
	runs            string // what the last step does, for its note
}{
	// pathfinding.cloud lambda-003 (UpdateFunctionCode) and lambda-004
	// (with InvokeFunction); PMapper's lambda edge checker: the new code
	// runs as the execution role when the function is invoked, by the
	// caller or by its triggers.
	org.WorkloadFunction: {KindUpdateFunctionCode, "lambda.amazonaws.com", [][]serviceAction{
		{{"lambda:UpdateFunctionCode", "WORKLOAD"}, {"lambda:InvokeFunction", "WORKLOAD"}},
		{{"lambda:UpdateFunctionCode", "WORKLOAD"}},
	}, "the function's new code runs as "},
	// PMapper's ssm edge checker; pathfinding.cloud ssm-001, ssm-002: a
	// shell command (AWS-RunShellScript) or a session
	// (SSM-SessionManagerRunShell, the default session document) on the
	// instance reads its instance profile's credentials.
	org.WorkloadInstance: {KindSSM, "ec2.amazonaws.com", [][]serviceAction{
		{{"ssm:SendCommand", "WORKLOAD"}, {"ssm:SendCommand", "arn:aws:ssm:REGION::document/AWS-RunShellScript"}},
		{{"ssm:StartSession", "WORKLOAD"}, {"ssm:StartSession", "arn:aws:ssm:REGION:ACCOUNT:document/SSM-SessionManagerRunShell"}},
	}, "commands on the instance run with the credentials of its instance profile's role "},
	// pathfinding.cloud cloudformation-002, -005: a stack's service role
	// serves every later operation on the stack, by whoever may operate on
	// it, without the right to pass the role (AWS CloudFormation User Guide,
	// "CloudFormation service role"): UpdateStack without RoleARN, or a
	// change set.
	org.WorkloadStack: {KindUpdateStack, "cloudformation.amazonaws.com", [][]serviceAction{
		{{"cloudformation:UpdateStack", "WORKLOAD"}},
		{{"cloudformation:CreateChangeSet", "WORKLOAD"}, {"cloudformation:ExecuteChangeSet", "WORKLOAD"}},
	}, "the new template's resources are made by CloudFormation as "},
	// PMapper's codebuild edge checker; pathfinding.cloud codebuild-002,
	// -003: StartBuild (or StartBuildBatch) with buildspecOverride runs the
	// caller's commands as the project's service role.
	org.WorkloadProject: {KindStartBuild, "codebuild.amazonaws.com", [][]serviceAction{
		{{"codebuild:StartBuild", "WORKLOAD"}},
		{{"codebuild:StartBuildBatch", "WORKLOAD"}},
	}, "with buildspecOverride the build runs the caller's commands as "},
}

// workloadIndex lists the organization's workloads by account, once.
func (a *analyzer) workloadIndex() {
	a.workloads = map[*org.Account][]*org.Workload{}
	for _, w := range a.o.Workloads {
		a.workloads[w.Account] = append(a.workloads[w.Account], w)
	}
}

// workloadEdges adds an edge from a principal to the role of every
// workload of its account whose code it can change or run commands on,
// when the role trusts the workload's service. One edge per role (the
// first workload found).
func (a *analyzer) workloadEdges(from *Node) {
	ws := a.workloads[from.Account]
	if from.external() || len(ws) == 0 {
		return
	}
	done := map[*Node]bool{}
	for _, w := range ws {
		to := a.byARN[w.Role.ARN]
		if to == nil || to == from || done[to] {
			continue
		}
		if steps := a.runAs(from, to, w); steps != nil {
			done[to] = true
			a.edge(from, to, workloadWays[w.Kind].kind, steps...)
		}
	}
}

// runAs finds the steps by which from runs code as to through w.
func (a *analyzer) runAs(from, to *Node, w *org.Workload) []Step {
	ww := workloadWays[w.Kind]
	trusted := false
	for _, cs := range a.servicesOf(to) {
		trusted = trusted || cs.principal == ww.principal
	}
	if !trusted {
		return nil
	}
	where, _ := arn.Parse(w.ARN)
	r := strings.NewReplacer("WORKLOAD", w.ARN, "REGION", where.Region, "ACCOUNT", where.Account)
	for _, way := range ww.ways {
		ok := true
		for _, sa := range way {
			ok = ok && from.may(sa.action)
		}
		if !ok {
			continue
		}
		var steps []Step
		for _, sa := range way {
			st := a.decide(from, request{action: sa.action, resource: r.Replace(sa.resource)})
			if st == nil {
				steps = nil
				break
			}
			steps = append(steps, *st)
		}
		if steps != nil {
			steps[len(steps)-1].Note = ww.runs + to.ARN
			return steps
		}
	}
	return nil
}
