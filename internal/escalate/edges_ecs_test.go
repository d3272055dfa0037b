package escalate

import (
	"strings"
	"testing"
)

// TestECSExecEdges: ecs-execute-command, pathfinding.cloud ecs-006, on the
// running tasks of testdata/twins/workloads_ecs.yaml. ecs:ExecuteCommand
// names the task's cluster and the task (with ecs:cluster and ecs:task, and
// ecs:container-name the container's: Service Authorization Reference,
// "Actions, resources, and condition keys for Amazon Elastic Container
// Service"; each container of the task tried in turn);
// the task role's ssmmessages requests, made by the SSM agent in the
// container, are steps made as the role; ECS Exec being enabled on the task
// is the last step's stated need.
//
// ExecerSidecar's policy allows the sidecar container only: its path names
// it. The negative twins: ExecuteCommand allowed on another cluster only, on
// the cluster but not the task, a condition pinning ecs:task to another
// cluster's tasks, one pinning ecs:container-name to a container the task
// does not run, a task whose role does not trust ecs-tasks.amazonaws.com,
// a boundary, and every case in Locked (whose SCP denies ExecuteCommand).
func TestECSExecEdges(t *testing.T) {
	got := twinPaths(t)
	task := "arn:aws:ecs:us-east-1:" + dev + ":task/main/0123456789abcdef0123456789abcdef"
	cluster := "arn:aws:ecs:us-east-1:" + dev + ":cluster/main"
	steps := "ssmmessages:CreateControlChannel ssmmessages:CreateDataChannel ssmmessages:OpenControlChannel ssmmessages:OpenDataChannel ecs:ExecuteCommand ecs:ExecuteCommand"
	for _, c := range []struct {
		from, container string
		mfa             bool
	}{{"Execer", "web", false}, {"ExecerByKeys", "web", false}, {"ExecerMFA", "web", true}, {"ExecerSidecar", "sidecar", false}} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		if k := kindsOf(p); k != KindECSExec || p.Admin == nil || p.Admin.Principal != roleARN(dev, "AdminRole") || actionsOf(p) != steps {
			t.Errorf("%s: path %s %s as %+v; want %s %s as AdminRole", c.from, k, actionsOf(p), p.Admin, KindECSExec, steps)
			continue
		}
		st := p.Steps
		for i, s := range st {
			if mfa := s.Requires["aws:MultiFactorAuthPresent"]; (c.mfa && i >= 4) != (mfa == "true") {
				t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
			}
		}
		for _, s := range st[:4] {
			// ECS names the task role's session after the task's ID.
			if s.Principal != "arn:aws:sts::"+dev+":assumed-role/AdminRole/0123456789abcdef0123456789abcdef" || s.Resource != "*" {
				t.Errorf("%s: the role's step %+v", c.from, s)
			}
		}
		if st[4].Resource != cluster || st[5].Resource != task || st[5].Context["ecs:task"] != task || st[5].Context["ecs:cluster"] != cluster ||
			st[4].Principal != "arn:aws:sts::"+dev+":assumed-role/"+c.from+"/"+roleSession || len(st[5].Needs) != 1 || !strings.Contains(st[5].Needs[0], "ECS Exec enabled") ||
			!strings.Contains(st[5].Note, "task role") || st[4].Context["ecs:container-name"] != c.container || st[5].Context["ecs:container-name"] != c.container {
			t.Errorf("%s's ExecuteCommand steps: %+v", c.from, st[4:])
		}
	}
	wantNoPaths(t, got, []string{"ExecerOtherCluster", "ExecerClusterOnly", "ExecerTaskPinned", "ExecerOtherContainer", "ExecerUntrusted", "ExecerBounded"},
		[]string{"Execer", "ExecerByKeys", "ExecerMFA", "ExecerSidecar"})
}
