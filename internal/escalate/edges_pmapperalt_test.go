package escalate

import (
	"strings"
	"testing"
)

// TestPMapperAlternatives: the alternatives PMapper's codebuild and
// cloudformation edge checkers accept (testdata/twins/pmapper_alts.yaml),
// each where the usual request is denied: codebuild:StartBuildBatch for
// StartBuild (start-build on admin-build, update-project on deploy-build:
// a batch build runs the buildspec as the project's service role too, AWS
// CodeBuild User Guide, "Batch builds in AWS CodeBuild"), and a change set
// (cloudformation:CreateChangeSet, then ExecuteChangeSet) for UpdateStack
// (update-stack on admin-stack, update-stack-role on deploy-stack, the
// change set's cloudformation:RoleArn the role passed: Service
// Authorization Reference, AWS CloudFormation). Twins: the batch on other
// projects, no ExecuteChangeSet, the batch on another project than the one
// updated, the change set's RoleArn pinned to the stack's own role.
func TestPMapperAlternatives(t *testing.T) {
	got := twinPaths(t)
	admin := roleARN(dev, "AdminRole")
	at := "us-east-1:" + dev + ":"
	for _, c := range []struct {
		from, kind, actions, workload string
	}{
		{"BuildBatcher", KindStartBuild, "codebuild:StartBuildBatch", "arn:aws:codebuild:" + at + "project/admin-build"},
		{"ChangeSetUpdater", KindUpdateStack, "cloudformation:CreateChangeSet cloudformation:ExecuteChangeSet",
			"arn:aws:cloudformation:" + at + "stack/admin-stack/5f6d7c80-0000-11f0-8000-0a1b2c3d4e5f"},
		{"ProjectBatchUpdater", KindUpdateProject, "iam:PassRole codebuild:UpdateProject codebuild:StartBuildBatch", "arn:aws:codebuild:" + at + "project/deploy-build"},
		{"StackChangeSetRoleUpdater", KindUpdateStackRole, "iam:PassRole cloudformation:CreateChangeSet cloudformation:ExecuteChangeSet",
			"arn:aws:cloudformation:" + at + "stack/deploy-stack/7a1b2c3d-0000-11f0-8000-0a1b2c3d4e5f"},
	} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		if k := kindsOf(p); k != c.kind || p.Admin == nil || p.Admin.Principal != admin || actionsOf(p) != c.actions {
			t.Errorf("%s: path %s %s as %+v; want %s %s as AdminRole", c.from, k, actionsOf(p), p.Admin, c.kind, c.actions)
			continue
		}
		for _, s := range p.Steps {
			if s.Action == "iam:PassRole" {
				if s.Resource != admin {
					t.Errorf("%s: passes %s", c.from, s.Resource)
				}
				continue
			}
			if s.Resource != c.workload {
				t.Errorf("%s: step %s on %s, want %s", c.from, s.Action, s.Resource, c.workload)
			}
			if s.Action == "cloudformation:CreateChangeSet" && c.kind == KindUpdateStackRole && s.Context["cloudformation:RoleArn"] != admin {
				t.Errorf("%s: the change set's context %v, want cloudformation:RoleArn %s", c.from, s.Context, admin)
			}
		}
	}
	wantNoPaths(t, got, []string{"BuildBatcherOther", "ChangeSetUpdaterNoExecute", "ProjectBatchUpdaterOther", "StackChangeSetRoleUpdaterOwnRole"}, nil)
}

// TestPassRoleSameResource: a pass-role way's requests on the resource it
// makes name one resource (a function created, then invoked: the first,
// among the classes both requests' statements tell apart, both are allowed
// on), and CloudFormation's cloudformation:RoleArn is the role passed
// (Service Authorization Reference, AWS CloudFormation: CreateStack's
// RoleARN). Twins: created on a* and invoked on b*; CreateStack allowed
// only with another stack role than the one passed.
func TestPassRoleSameResource(t *testing.T) {
	got := twinPaths(t)
	admin := roleARN(dev, "AdminRole")
	p, ok := got[roleARN(dev, "FunctionPair")]
	if !ok || kindsOf(p) != KindPassRole || actionsOf(p) != "iam:PassRole lambda:CreateFunction lambda:InvokeFunction" ||
		p.Steps[1].Resource != p.Steps[2].Resource || !strings.HasPrefix(p.Steps[1].Resource, "arn:aws:lambda:us-east-1:"+dev+":function:team-") ||
		!strings.HasSuffix(p.Steps[1].Resource, "-prod") {
		t.Errorf("FunctionPair: %v %+v", ok, p)
	}
	p, ok = got[roleARN(dev, "StackCreator")]
	if !ok || kindsOf(p) != KindPassRole || actionsOf(p) != "iam:PassRole cloudformation:CreateStack" || p.Steps[1].Context["cloudformation:RoleArn"] != admin {
		t.Errorf("StackCreator: %v %+v", ok, p)
	}
	wantNoPaths(t, got, []string{"FunctionPairSplit", "StackCreatorOtherRole"}, nil)
}
