package escalate

import (
	"strings"
	"testing"
)

// TestRegisterContainerInstance: pathfinding.cloud ecs-007 on the twins'
// ecs_register.yaml. A caller that is an EC2 instance's role registers the
// instance in a cluster (ecs:RegisterContainerInstance on the cluster) and
// starts an existing task definition there with AdminRole passed as its
// task role: ecs:StartTask's ecs:cluster is the cluster registered in, and
// what the org files cannot show (code on the instance, the task
// definition) is the last step's need. MFA is a requirement.
//
// The twins: a StartTask allowed only in another cluster and a caller that
// is no instance's role fall back to ecs-009's StartTask alone (existing
// container instances, its own need); a role that does not trust
// ecs-tasks, a boundary and Locked's SCP give no path.
func TestRegisterContainerInstance(t *testing.T) {
	got := twinPaths(t)
	cluster := "arn:aws:ecs:us-east-1:" + dev + ":cluster/main"
	for _, c := range []struct {
		from, actions, need string
		mfa                 bool
	}{
		{"InstanceRegistrar", "iam:PassRole ecs:RegisterContainerInstance ecs:StartTask", "code running on an EC2 instance", false},
		{"InstanceRegistrarMFA", "iam:PassRole ecs:RegisterContainerInstance ecs:StartTask", "code running on an EC2 instance", true},
		{"InstanceRegistrarSplit", "iam:PassRole ecs:StartTask", "container instances for ecs:StartTask", false},
		{"InstanceRegistrarNotInstance", "iam:PassRole ecs:StartTask", "container instances for ecs:StartTask", false},
	} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		if k := kindsOf(p); k != KindPassRole || p.Admin == nil || p.Admin.Principal != roleARN(dev, "AdminRole") || actionsOf(p) != c.actions {
			t.Errorf("%s: path %s %s as %+v; want pass-role %s as AdminRole", c.from, k, actionsOf(p), p.Admin, c.actions)
			continue
		}
		last := p.Steps[len(p.Steps)-1]
		// A task definition is named by its family and revision, a
		// number (task-definition/FAMILY:REVISION).
		if last.Resource != "arn:aws:ecs:us-east-1:"+dev+":task-definition/warden-escalation:1" {
			t.Errorf("%s: StartTask on %s, want the task definition warden-escalation:1", c.from, last.Resource)
		}
		if len(last.Needs) != 1 || !strings.Contains(last.Needs[0], c.need) {
			t.Errorf("%s: the last step needs %v, want %q", c.from, last.Needs, c.need)
		}
		// ECS checks iam:PassRole of the task's execution role too (the
		// definition's own or the executionRoleArn override: Amazon ECS
		// Developer Guide, "Amazon ECS task execution IAM role";
		// pathfinding.cloud ecs-009): the path overrides it with the same
		// role, whose one PassRole covers both, and states what the role
		// needs as the execution role.
		if p.Steps[0].Context["iam:PassedToService"] != "ecs-tasks.amazonaws.com" || !strings.Contains(p.Steps[0].Note, "executionRoleArn") ||
			len(p.Steps[0].Needs) != 1 || !strings.Contains(p.Steps[0].Needs[0], "pulling a private Amazon ECR image") {
			t.Errorf("%s: PassRole %+v", c.from, p.Steps[0])
		}
		if len(p.Steps) == 3 && (p.Steps[1].Resource != cluster || last.Context["ecs:cluster"] != cluster) {
			t.Errorf("%s: registered in %s, task started in %v", c.from, p.Steps[1].Resource, last.Context["ecs:cluster"])
		}
		for _, s := range p.Steps[1:] {
			if (s.Requires["aws:MultiFactorAuthPresent"] == "true") != c.mfa {
				t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
			}
		}
	}
	wantNoPaths(t, got, []string{"InstanceRegistrarUntrusted", "InstanceRegistrarBounded"}, []string{"InstanceRegistrar", "InstanceRegistrarMFA", "InstanceRegistrarSplit", "InstanceRegistrarNotInstance"})
}
