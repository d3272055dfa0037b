package escalate

import (
	"strings"
	"testing"
)

// TestPassThroughServices: roles passed through EMR clusters, Image
// Builder builds and GameLift fleets (testdata/twins/passthrough.yaml),
// pathfinding.cloud emr-001, imagebuilder-001, gamelift-001.
//
//   - emr-001: elasticmapreduce:RunJobFlow passes two roles: the instances'
//     role (held by an instance profile, passed to EC2, as AWS's
//     AmazonEMRFullAccessPolicy_v2 conditions it) and a service role that
//     trusts EMR (passed to elasticmapreduce.amazonaws.com). Twins: no
//     service role passable, the service role passed to EC2, the
//     instances' role passed to EMR, an instances' role that trusts
//     GameLift only, a boundary.
//   - imagebuilder-001: the instance profile's role passed to EC2 (as
//     AWSImageBuilderFullAccess conditions it), CreateComponent,
//     CreateImageRecipe, CreateInfrastructureConfiguration and CreateImage.
//     Twins: no CreateImage, the role passed to Image Builder, a boundary.
//   - gamelift-001: the fleet's instance role, which trusts GameLift
//     (Amazon GameLift Servers Developer Guide, "Set up an IAM service
//     role"), passed to it, CreateBuild, RequestUploadCredentials on the
//     build and CreateFleet. Twins: no upload credentials, a role that
//     trusts EC2, the role passed to EC2, a boundary.
//
// Every case again in Locked, whose SCP denies iam:PassRole.
func TestPassThroughServices(t *testing.T) {
	got := twinPaths(t)
	profile := "arn:aws:iam::" + dev + ":instance-profile/BuildAdminProfile"
	for _, c := range []struct {
		from, to, actions, passed, need string
		mfa                             bool
	}{
		{"ClusterRunner", "BuildAdminRole", "iam:PassRole iam:PassRole elasticmapreduce:RunJobFlow", "ec2.amazonaws.com elasticmapreduce.amazonaws.com", "AWSServiceRoleForEMRCleanup", false},
		{"ClusterRunnerMFA", "BuildAdminRole", "iam:PassRole iam:PassRole elasticmapreduce:RunJobFlow", "ec2.amazonaws.com elasticmapreduce.amazonaws.com", "AWSServiceRoleForEMRCleanup", true},
		{"ImageBuilder", "BuildAdminRole", "iam:PassRole imagebuilder:CreateComponent imagebuilder:CreateImageRecipe imagebuilder:CreateInfrastructureConfiguration imagebuilder:CreateImage",
			"ec2.amazonaws.com", "AWSServiceRoleForImageBuilder", false},
		{"ImageBuilderMFA", "BuildAdminRole", "iam:PassRole imagebuilder:CreateComponent imagebuilder:CreateImageRecipe imagebuilder:CreateInfrastructureConfiguration imagebuilder:CreateImage",
			"ec2.amazonaws.com", "AWSServiceRoleForImageBuilder", true},
		{"FleetMaker", "GameLiftAdminRole", "iam:PassRole gamelift:CreateBuild gamelift:RequestUploadCredentials gamelift:CreateFleet", "gamelift.amazonaws.com", "", false},
		{"FleetMakerMFA", "GameLiftAdminRole", "iam:PassRole gamelift:CreateBuild gamelift:RequestUploadCredentials gamelift:CreateFleet", "gamelift.amazonaws.com", "", true},
	} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		if k := kindsOf(p); k != KindPassRole || p.Admin == nil || p.Admin.Principal != roleARN(dev, c.to) || actionsOf(p) != c.actions {
			t.Errorf("%s: path %s %s as %+v; want pass-role %s as %s", c.from, k, actionsOf(p), p.Admin, c.actions, c.to)
			continue
		}
		var passed []string
		for _, s := range p.Steps {
			if s.Action == "iam:PassRole" {
				passed = append(passed, s.Context["iam:PassedToService"].(string))
			} else if (s.Requires["aws:MultiFactorAuthPresent"] == "true") != c.mfa {
				t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
			}
		}
		if strings.Join(passed, " ") != c.passed || p.Steps[0].Resource != roleARN(dev, c.to) {
			t.Errorf("%s: roles passed to %v (first %s), want %s", c.from, passed, p.Steps[0].Resource, c.passed)
		}
		if c.passed == "ec2.amazonaws.com elasticmapreduce.amazonaws.com" && p.Steps[1].Resource != roleARN(dev, "EmrServiceRole") {
			t.Errorf("%s: service role %s", c.from, p.Steps[1].Resource)
		}
		last := p.Steps[len(p.Steps)-1]
		if (c.need != "") != (len(last.Needs) == 1 && strings.Contains(last.Needs[0], c.need)) {
			t.Errorf("%s: the last step needs %v, want %q", c.from, last.Needs, c.need)
		}
		// The instance profile EMR and Image Builder launch instances with.
		if strings.HasPrefix(c.passed, "ec2") != strings.HasSuffix(last.Note, "instance profile "+profile) {
			t.Errorf("%s: note %q", c.from, last.Note)
		}
	}
	wantNoPaths(t, got, []string{"ClusterRunnerNoServiceRole", "ClusterRunnerServiceRoleToEC2", "ClusterRunnerInstancesToEMR", "ClusterRunnerUntrusted", "ClusterRunnerBounded",
		"ImageBuilderNoImage", "ImageBuilderToImageBuilder", "ImageBuilderBounded",
		"FleetMakerNoUpload", "FleetMakerUntrusted", "FleetMakerToEC2", "FleetMakerBounded"},
		[]string{"ClusterRunner", "ClusterRunnerMFA", "ImageBuilder", "ImageBuilderMFA", "FleetMaker", "FleetMakerMFA"})
}
