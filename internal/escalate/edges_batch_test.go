package escalate

import (
	"strings"
	"testing"
)

// TestBatchEdges: AWS Batch, pathfinding.cloud batch-001 to batch-003, on
// the job definitions and job queue of testdata/twins/workloads_batch.yaml.
//
// batch-submit-job (batch-002): SubmitJob of an existing job definition
// names a job queue of the definition's account and Region and the
// definition's revision (AWS Batch User Guide, "Resource: Restrict to job
// definition prefix on job submission": a policy names both, the guide's
// own is a positive case, and a definition named without its revision
// matches no request); the job's container runs as the definition's job
// role, an IAM role for tasks that trusts ecs-tasks.amazonaws.com. Twins:
// another queue only, the queue without the definition, the definition
// without its revision, a definition whose role trusts only EC2, a
// definition in a Region without a queue, a boundary, MFA as a
// requirement.
//
// batch-job-definition (batch-001, batch-003): iam:PassRole of the role
// (iam:PassedToService batch.amazonaws.com or ecs-tasks.amazonaws.com: the
// Batch documentation names neither, so either is taken), a job definition
// of the caller's registered (a name its policy allows; SubmitJob then
// names its revision 1), a job submitted to an existing queue or to a
// compute environment and queue of its own (CreateJobQueue names the
// compute environment too). Twins: PassRole for Lambda only, a role that
// does not trust ecs-tasks, no RegisterJobDefinition, a boundary without
// iam:PassRole, no CreateComputeEnvironment, CreateJobQueue not allowed on
// the compute environment. Every case is repeated in Locked, whose SCPs deny
// batch:SubmitJob and iam:PassRole.
func TestBatchEdges(t *testing.T) {
	got := pathsFrom(Analyze(twins(t), Options{Now: now}))
	region := "arn:aws:batch:us-east-1:" + dev + ":"
	check := func(from, kind, actions string) []Step {
		t.Helper()
		p, ok := got[roleARN(dev, from)]
		if !ok {
			t.Errorf("%s: no path to admin", from)
			return nil
		}
		if k := kindsOf(p); k != kind || p.Admin == nil || p.Admin.Principal != roleARN(dev, "AdminRole") || actionsOf(p) != actions {
			t.Errorf("%s: path %s %s as %+v; want %s %s as AdminRole", from, k, actionsOf(p), p.Admin, kind, actions)
			return nil
		}
		for _, s := range p.Steps {
			if s.Principal != "arn:aws:sts::"+dev+":assumed-role/"+from+"/"+roleSession {
				t.Errorf("%s: step %s made as %s", from, s.Action, s.Principal)
			}
		}
		last := p.Steps[len(p.Steps)-1]
		if !strings.HasPrefix(last.Resource, region+"job-definition/") || len(last.Needs) != 1 || !strings.Contains(last.Needs[0], "job queue enabled") || !strings.Contains(last.Note, "job role arn:aws:iam::"+dev+":role/AdminRole") {
			t.Errorf("%s: the job's step %+v", from, last)
		}
		return p.Steps
	}
	for _, c := range []struct {
		from string
		mfa  bool
	}{{"Submitter", false}, {"SubmitterMFA", true}, {"SubmitterGuide", false}} {
		st := check(c.from, KindBatchSubmitJob, "batch:SubmitJob batch:SubmitJob")
		if st == nil {
			continue
		}
		if st[0].Resource != region+"job-queue/main" || st[1].Resource != region+"job-definition/nightly:3" {
			t.Errorf("%s: SubmitJob names %s and %s", c.from, st[0].Resource, st[1].Resource)
		}
		for _, s := range st {
			if mfa := s.Requires["aws:MultiFactorAuthPresent"]; (mfa == "true") != c.mfa {
				t.Errorf("%s: step %s requires %v", c.from, s.Resource, s.Requires)
			}
		}
	}
	for _, c := range []struct{ from, service string }{
		{"Registrar", "batch.amazonaws.com"}, {"RegistrarBatchService", "batch.amazonaws.com"}, {"RegistrarTasksService", "ecs-tasks.amazonaws.com"},
	} {
		st := check(c.from, KindBatchJobDefinition, "iam:PassRole batch:RegisterJobDefinition batch:SubmitJob batch:SubmitJob")
		if st == nil {
			continue
		}
		def := st[1].Resource
		if st[0].Resource != roleARN(dev, "AdminRole") || st[0].Context["iam:PassedToService"] != c.service ||
			!strings.HasPrefix(def, region+"job-definition/mine-") || st[2].Resource != region+"job-queue/main" || st[3].Resource != def+":1" {
			t.Errorf("%s: steps %+v", c.from, st[:4])
		}
	}
	if st := check("BatchBuilder", KindBatchJobDefinition, "iam:PassRole batch:CreateComputeEnvironment batch:CreateJobQueue batch:CreateJobQueue batch:RegisterJobDefinition batch:SubmitJob batch:SubmitJob"); st != nil {
		env, queue := st[1].Resource, st[2].Resource
		// The queue is one SubmitJob is allowed (mine-*), not the first
		// name CreateJobQueue alone would take.
		if !strings.HasPrefix(env, region+"compute-environment/") || !strings.HasPrefix(queue, region+"job-queue/mine-") || st[3].Resource != env ||
			st[5].Resource != queue || st[6].Resource != st[4].Resource+":1" || len(st[1].Needs) != 1 || !strings.Contains(st[1].Needs[0], "AWSServiceRoleForBatch") {
			t.Errorf("BatchBuilder: steps %+v", st)
		}
	}
	wantNoPaths(t, got, []string{"SubmitterOtherQueue", "SubmitterNoRevision", "SubmitterQueueOnly", "SubmitterUntrusted", "SubmitterElsewhere", "SubmitterBounded",
		"RegistrarWrongService", "RegistrarUntrusted", "RegistrarNoRegister", "RegistrarBounded", "BatchBuilderNoEnvironment", "BatchBuilderQueueOnly"},
		[]string{"Submitter", "SubmitterMFA", "SubmitterGuide", "Registrar", "RegistrarBatchService", "RegistrarTasksService", "BatchBuilder"})
}
