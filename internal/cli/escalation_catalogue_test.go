package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestEscalationBatchExplained: every step of the AWS Batch paths of the
// twins (workloads_batch.yaml: batch-submit-job, batch-job-definition on an
// existing job queue with either iam:PassedToService, and on a compute
// environment and queue of the caller's own) is a request warden explain
// allows, and the text states what the job queue and compute environment
// need.
func TestEscalationBatchExplained(t *testing.T) {
	out, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := map[string]bool{}
	for _, n := range []string{"Submitter", "SubmitterMFA", "Registrar", "RegistrarTasksService", "BatchBuilder"} {
		want["arn:aws:iam::222222222222:role/"+n] = true
	}
	explained := explainPathSteps(t, out, want, func(from, action string) {
		if !strings.HasPrefix(action, "batch:") && action != "iam:PassRole" {
			t.Errorf("%s: step %s, want AWS Batch's requests and iam:PassRole", from, action)
		}
	})
	if len(want) > 0 || explained != 2+2+4+4+7 {
		t.Errorf("no path from %v; %d steps explained", want, explained)
	}
	text, _, _ := run(t, "", "analyze", "escalation", "--org", twinsOrg)
	if !strings.Contains(text, "needs the job queue enabled, with a valid compute environment") ||
		!strings.Contains(text, "needs a VPC subnet and security group for the Fargate compute environment") {
		t.Errorf("text without the job's needs:\n%s", text)
	}
}

// TestEscalationStackSetPoolExplained: every step of the stack-set,
// update-stack-set and identity-pool-roles paths of the twins
// (stacksets.yaml, identitypools.yaml)
// is a request warden explain allows: the caller's, the execution role's
// assumption made as the administration role's CloudFormation session, and
// Cognito's sts:AssumeRoleWithWebIdentity as the federated principal with
// the pool's aud and amr.
func TestEscalationStackSetPoolExplained(t *testing.T) {
	out, _, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []struct {
		from   []string
		action string // made by another principal than the caller, once a path
		steps  int
	}{
		{[]string{"StackSetter", "StackSetterMFA"}, "sts:AssumeRole", 8},
		{[]string{"StackSetUpdater"}, "sts:AssumeRole", 3},
		{[]string{"PoolSetter", "PoolSetterMFA"}, "sts:AssumeRoleWithWebIdentity", 8},
	} {
		want := map[string]bool{}
		for _, n := range c.from {
			want["arn:aws:iam::222222222222:role/"+n] = true
		}
		other := 0
		explained := explainPathSteps(t, out, want, func(from, action string) {
			if action == c.action {
				other++
			}
		})
		if len(want) > 0 || explained != c.steps || other != len(c.from) {
			t.Errorf("no path from %v; %d steps explained, %d of %s", want, explained, other, c.action)
		}
	}
}

// explainPathSteps runs warden explain on every step of the paths (out:
// analyze escalation's JSON lines on the twins) from the principals of
// want, which it deletes as it finds them, and fails the test for a step it
// does not allow; each step is first given to check (nil: none). It
// returns the number of steps explained.
func explainPathSteps(t *testing.T, out string, want map[string]bool, check func(from, action string)) int {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	explained := 0
	for sc.Scan() {
		var l struct {
			From  string
			Steps []struct {
				Action, Resource, Principal string
				Context                     map[string]any
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if !want[l.From] {
			continue
		}
		delete(want, l.From)
		for _, s := range l.Steps {
			if check != nil {
				check(l.From, s.Action)
			}
			args := []string{"explain", "--org", twinsOrg, "--principal", s.Principal, "--action", s.Action, "--resource", s.Resource}
			for k, v := range s.Context {
				args = append(args, "--context", k+"="+fmt.Sprint(v))
			}
			if eout, eerr, code := run(t, "", args...); code != 0 {
				t.Errorf("%s: explain %v: exit %d, want 0 (Allow)\n%s%s", l.From, args, code, eout, eerr)
			}
			explained++
		}
	}
	return explained
}
