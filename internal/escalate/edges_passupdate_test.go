package escalate

import (
	"strings"
	"testing"
)

// TestPassUpdateEdges: another service role for an existing workload
// (testdata/twins/passupdate.yaml; PMapper's codebuild and cloudformation
// edge checkers).
//
//   - update-project: codebuild:UpdateProject giving the project deploy-build
//     a service role the caller passes (iam:PassRole with
//     iam:PassedToService codebuild.amazonaws.com: AWS CodeBuild User
//     Guide, "Permissions required to create or update a build project"),
//     then codebuild:StartBuild on it, whose buildspecOverride runs as that
//     role. Twins: the role passed to CloudFormation, a role that does not
//     trust CodeBuild, UpdateProject denied by an SCP of Dev, no StartBuild.
//   - update-stack-role: cloudformation:UpdateStack on deploy-stack with
//     RoleARN a role the caller passes (iam:PassedToService
//     cloudformation.amazonaws.com), the role in cloudformation:RoleArn
//     (Service Authorization Reference, AWS CloudFormation; AWS
//     CloudFormation User Guide, "CloudFormation service role"). Twins: the
//     role passed to CodeBuild, a role that does not trust CloudFormation,
//     cloudformation:RoleArn pinned to the stack's own role.
//
// The projects' and stacks' own role, DeployServiceRole, may do nothing:
// the path to admin is the passed role's. MFA on the update is a
// requirement of the caller's steps, not of iam:PassRole. Every case again
// in Locked, whose SCP denies iam:PassRole.
func TestPassUpdateEdges(t *testing.T) {
	got := twinPaths(t)
	project := "arn:aws:codebuild:us-east-1:" + dev + ":project/deploy-build"
	stack := "arn:aws:cloudformation:us-east-1:" + dev + ":stack/deploy-stack/7a1b2c3d-0000-11f0-8000-0a1b2c3d4e5f"
	for _, c := range []struct {
		from, kind, actions, service, workload string
		mfa                                    bool
	}{
		{"ProjectUpdater", KindUpdateProject, "iam:PassRole codebuild:UpdateProject codebuild:StartBuild", "codebuild.amazonaws.com", project, false},
		{"ProjectUpdaterMFA", KindUpdateProject, "iam:PassRole codebuild:UpdateProject codebuild:StartBuild", "codebuild.amazonaws.com", project, true},
		{"StackRoleUpdater", KindUpdateStackRole, "iam:PassRole cloudformation:UpdateStack", "cloudformation.amazonaws.com", stack, false},
		{"StackRoleUpdaterMFA", KindUpdateStackRole, "iam:PassRole cloudformation:UpdateStack", "cloudformation.amazonaws.com", stack, true},
	} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		if k := kindsOf(p); k != c.kind || p.Admin == nil || p.Admin.Principal != roleARN(dev, "AdminRole") || actionsOf(p) != c.actions {
			t.Errorf("%s: path %s %s as %+v; want %s %s as AdminRole", c.from, k, actionsOf(p), p.Admin, c.kind, c.actions)
			continue
		}
		pass := p.Steps[0]
		if pass.Resource != roleARN(dev, "AdminRole") || pass.Context["iam:PassedToService"] != c.service || len(pass.Requires) != 0 {
			t.Errorf("%s: %+v", c.from, pass)
		}
		for _, s := range p.Steps[1:] {
			if s.Resource != c.workload || (s.Requires["aws:MultiFactorAuthPresent"] == "true") != c.mfa {
				t.Errorf("%s: step %s on %s requires %v", c.from, s.Action, s.Resource, s.Requires)
			}
		}
		if c.kind == KindUpdateStackRole && p.Steps[1].Context["cloudformation:RoleArn"] != roleARN(dev, "AdminRole") {
			t.Errorf("%s: UpdateStack's context %v", c.from, p.Steps[1].Context)
		}
		if last := p.Steps[len(p.Steps)-1]; !strings.Contains(last.Note, "new service role") || !strings.Contains(last.Note, roleARN(dev, "AdminRole")) {
			t.Errorf("%s: note %q", c.from, last.Note)
		}
	}
	wantNoPaths(t, got, []string{"ProjectUpdaterToStacks", "ProjectUpdaterUntrusted", "ProjectUpdaterDenied", "ProjectUpdaterNoBuild",
		"StackRoleUpdaterToBuilds", "StackRoleUpdaterUntrusted", "StackRoleUpdaterOtherRole"},
		[]string{"ProjectUpdater", "ProjectUpdaterMFA", "StackRoleUpdater", "StackRoleUpdaterMFA"})
}
