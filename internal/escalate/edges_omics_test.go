package escalate

import "testing"

// TestOmicsRun: pathfinding.cloud omics-001 on the twins' omics.yaml.
// OmicsAdminRole, passed to omics.amazonaws.com, runs a workflow of the
// caller's (omics:CreateWorkflow, omics:StartRun on the run and the
// workflow); the run's task reaches no network but S3, so the path goes on
// with the role's s3:PutObject of an object and the caller's s3:GetObject
// of the same one (the tasks have no network but S3, as pathfinding.cloud
// omics-001 states: the credentials leave through an object).
//
// The twins: no s3:GetObject, a bucket whose policy lets no one but
// AdminRole write (the role's write denied), a role that does not trust
// HealthOmics, the role passed to Lambda, a boundary; Locked's SCP denies
// iam:PassRole. MFA on the caller's statements is a requirement of its
// steps and not of the role's write.
func TestOmicsRun(t *testing.T) {
	got := twinPaths(t)
	admin := roleARN(dev, "OmicsAdminRole")
	object := "arn:aws:s3:::exfil-drop/warden-escalation"
	for _, c := range []struct {
		from string
		mfa  bool
	}{{"OmicsRunner", false}, {"OmicsRunnerMFA", true}} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		want := "iam:PassRole omics:CreateWorkflow omics:StartRun omics:StartRun s3:PutObject s3:GetObject"
		if k := kindsOf(p); k != KindPassRole || p.Admin == nil || p.Admin.Principal != admin || actionsOf(p) != want {
			t.Errorf("%s: path %s %s as %+v; want pass-role %s as OmicsAdminRole", c.from, k, actionsOf(p), p.Admin, want)
			continue
		}
		put, get := p.Steps[4], p.Steps[5]
		if put.Resource != object || get.Resource != object || put.Principal != "arn:aws:sts::"+dev+":assumed-role/OmicsAdminRole/"+roleSession ||
			get.Principal != "arn:aws:sts::"+dev+":assumed-role/"+c.from+"/"+roleSession {
			t.Errorf("%s: the object's steps %+v %+v", c.from, put, get)
		}
		for i, s := range p.Steps[1:] {
			if mfa := s.Requires["aws:MultiFactorAuthPresent"] == "true"; mfa != (c.mfa && i != 3) {
				t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
			}
		}
	}
	wantNoPaths(t, got, []string{"OmicsRunnerNoRead", "OmicsRunnerSealedBucket", "OmicsRunnerUntrusted", "OmicsRunnerToLambda", "OmicsRunnerBounded"},
		[]string{"OmicsRunner", "OmicsRunnerMFA"})
}
