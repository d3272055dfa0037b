package escalate

import (
	"strings"
	"testing"
)

// TestStackSetEdges: stack-set, pathfinding.cloud cloudformation-003, on the
// roles of testdata/twins/stacksets.yaml. The caller passes an
// administration role of its account that trusts CloudFormation
// (iam:PassedToService cloudformation.amazonaws.com), creates a stack set
// (cloudformation:RoleArn the role) and deploys it
// (CreateStackInstances on the stack set); CloudFormation, as the
// administration role, assumes the execution role the stack set names in
// the target account (a step made as the administration role's session;
// AWS CloudFormation User Guide, "Grant self-managed permissions"), here in
// the caller's account and in another one (Mgmt).
//
// The negative twins: PassRole for Lambda only, no CreateStackInstances,
// CreateStackSet allowed only with another administration role
// (cloudformation:RoleArn), administration roles that do not trust
// CloudFormation or that the execution role does not trust, a boundary;
// every case is repeated in Locked, whose SCP denies iam:PassRole. An
// administration role without sts:AssumeRole reaches nothing.
func TestStackSetEdges(t *testing.T) {
	res := Analyze(twins(t), Options{Now: now})
	got := pathsFrom(res)
	exec := roleARN(dev, "StackSetExecutionRole")
	admin := roleARN(dev, "StackSetAdminRole")
	for _, c := range []struct {
		from string
		mfa  bool
	}{{"StackSetter", false}, {"StackSetterMFA", true}} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		want := "iam:PassRole cloudformation:CreateStackSet cloudformation:CreateStackInstances sts:AssumeRole"
		if k := kindsOf(p); k != KindStackSet || p.Admin == nil || p.Admin.Principal != exec || actionsOf(p) != want {
			t.Errorf("%s: path %s %s as %+v; want %s %s as %s", c.from, k, actionsOf(p), p.Admin, KindStackSet, want, exec)
			continue
		}
		st := p.Steps
		caller := "arn:aws:sts::" + dev + ":assumed-role/" + c.from + "/" + roleSession
		if st[0].Resource != admin || st[0].Context["iam:PassedToService"] != "cloudformation.amazonaws.com" || st[1].Context["cloudformation:RoleArn"] != admin ||
			!strings.HasPrefix(st[2].Resource, "arn:aws:cloudformation:us-east-1:"+dev+":stackset/") || !strings.HasSuffix(st[2].Resource, ":"+stackSetID) {
			t.Errorf("%s: the caller's steps %+v", c.from, st[:3])
		}
		for _, s := range st[:3] {
			if s.Principal != caller {
				t.Errorf("%s: step %s made as %s", c.from, s.Action, s.Principal)
			}
		}
		if mfa := st[2].Requires["aws:MultiFactorAuthPresent"]; (mfa == "true") != c.mfa {
			t.Errorf("%s: CreateStackInstances requires %v", c.from, st[2].Requires)
		}
		// The execution role is assumed by the administration role's
		// session, which CloudFormation makes (no MFA).
		if st[3].Principal != "arn:aws:sts::"+dev+":assumed-role/StackSetAdminRole/AWSCloudFormation" || st[3].Resource != exec ||
			st[3].Context["aws:MultiFactorAuthPresent"] != "false" || !strings.Contains(st[3].Note, "ExecutionRoleName StackSetExecutionRole") {
			t.Errorf("%s: the execution role's assumption %+v", c.from, st[3])
		}
	}
	// The execution role of another account: an edge of its own.
	cross := false
	for _, e := range res.Edges {
		if e.Kind == KindStackSet && e.From.ARN == roleARN(dev, "StackSetter") && e.To.ARN == roleARN("111111111111", "StackSetTargetRole") {
			cross = e.Steps[3].Principal == "arn:aws:sts::"+dev+":assumed-role/StackSetAdminRole/AWSCloudFormation"
		}
		if e.Kind == KindStackSet && strings.Contains(e.Steps[0].Resource, "StackSetAdminNo") {
			t.Errorf("an edge through %s, which may assume no execution role", e.Steps[0].Resource)
		}
	}
	if !cross {
		t.Errorf("no stack-set edge from StackSetter to the execution role of Mgmt")
	}
	wantNoPaths(t, got, []string{"StackSetterWrongService", "StackSetterNoInstances", "StackSetterOtherAdmin", "StackSetterUntrustedAdmin", "StackSetterBounded",
		"StackSetUpdaterElsewhere", "StackSetUpdaterOtherAdmin", "StackSetUpdaterNoPass", "StackSetUpdaterBounded"},
		[]string{"StackSetter", "StackSetterMFA", "StackSetUpdater", "StackSetUpdaterMFA"})
}

// TestUpdateStackSetEdges: update-stack-set, pathfinding.cloud
// cloudformation-004, on the stack sets of testdata/twins/stacksets.yaml:
// iam:PassRole of the administration role, cloudformation:UpdateStackSet on
// an existing stack set (cloudformation:RoleArn the role), then the
// execution role's assumption as the administration role's CloudFormation
// session, in the accounts of the stack set's instances only (Mgmt's
// StackSetTargetRole, which the administration role may assume too, is in
// none). The negative twins: a stack set whose instances are in an account
// where no execution role lets the administration role in, UpdateStackSet
// pinned to another administration role, no iam:PassRole (an update names
// the administration role again), a boundary; MFA is a requirement; every
// case is repeated in Locked.
func TestUpdateStackSetEdges(t *testing.T) {
	res := Analyze(twins(t), Options{Now: now})
	set := "arn:aws:cloudformation:us-east-1:" + dev + ":stackset/baseline:0123abcd-4567-89ef-0123-456789abcdef"
	for _, c := range []struct {
		from string
		mfa  bool
	}{{"StackSetUpdater", false}, {"StackSetUpdaterMFA", true}} {
		p, ok := pathsFrom(res)[roleARN(dev, c.from)]
		want := "iam:PassRole cloudformation:UpdateStackSet sts:AssumeRole"
		if !ok || kindsOf(p) != KindUpdateStackSet || actionsOf(p) != want || p.Admin == nil || p.Admin.Principal != roleARN(dev, "StackSetExecutionRole") {
			t.Errorf("%s: path %v %+v; want %s %s to StackSetExecutionRole", c.from, ok, p, KindUpdateStackSet, want)
			continue
		}
		st := p.Steps
		if st[0].Resource != roleARN(dev, "StackSetAdminRole") || st[1].Resource != set || st[1].Context["cloudformation:RoleArn"] != roleARN(dev, "StackSetAdminRole") ||
			st[2].Principal != "arn:aws:sts::"+dev+":assumed-role/StackSetAdminRole/AWSCloudFormation" || (st[1].Requires["aws:MultiFactorAuthPresent"] == "true") != c.mfa {
			t.Errorf("%s: steps %+v", c.from, st)
		}
	}
	for _, e := range res.Edges {
		if e.Kind == KindUpdateStackSet && e.To.Account.ID != dev {
			t.Errorf("an update-stack-set edge from %s to %s, outside the stack set's instances' accounts", e.From.ARN, e.To.ARN)
		}
	}
}
