package escalate

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func twins(t testing.TB) *org.Org {
	t.Helper()
	o, err := org.Load("testdata/twins")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var twinOnce struct {
	sync.Once
	paths map[string]Path
	err   error
}

// twinPaths is the escalation analysis of testdata/twins, by principal:
// made once and shared by the tests that only read it.
func twinPaths(t *testing.T) map[string]Path {
	t.Helper()
	twinOnce.Do(func() {
		o, err := org.Load("testdata/twins")
		if err != nil {
			twinOnce.err = err
			return
		}
		twinOnce.paths = pathsFrom(Analyze(o, Options{Now: now}))
	})
	if twinOnce.err != nil {
		t.Fatal(twinOnce.err)
	}
	return twinOnce.paths
}

func pathsFrom(res *Result) map[string]Path {
	out := map[string]Path{}
	for _, p := range res.Paths {
		out[p.From] = p
	}
	return out
}

func kindsOf(p Path) string {
	var ks []string
	for _, s := range p.Steps {
		if len(ks) == 0 || ks[len(ks)-1] != s.Kind {
			ks = append(ks, s.Kind)
		}
	}
	return strings.Join(ks, " ")
}

const dev, locked = "222222222222", "333333333333"

// TestTwins: every edge kind finds its positive case, with the steps of
// the catalogue's method, and none of its negative twins: iam:PassedToService
// naming another service, a trust policy that does not trust the service,
// a service action missing, a permissions boundary (on the caller, or on the
// grantee after the grant), a condition on the policy granted, an SCP (every
// case of the Dev account is repeated in Locked, whose SCP denies the
// escalation actions).
func TestTwins(t *testing.T) {
	o := twins(t)
	res := Analyze(o, Options{Now: now})
	got := pathsFrom(res)
	role := func(acct, n string) string { return "arn:aws:iam::" + acct + ":role/" + n }
	user := func(acct, n string) string { return "arn:aws:iam::" + acct + ":user/" + n }
	positive := []struct{ from, kinds, as string }{
		{role(dev, "Assumer"), "assume-role", role(dev, "OrgAdminRole")},
		{role(dev, "PassLambda"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassEC2"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassECS"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassGlue"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassCFN"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassSageMaker"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassCodeBuild"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassDataPipeline"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassAppRunner"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassSpot"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "PassLambdaAddPermission"), "pass-role", role(dev, "AdminRole")},
		{role(dev, "UpdTrust"), "update-assume-role", role(dev, "AdminRole")},
		{role(dev, "SelfPut"), "put-policy", role(dev, "SelfPut")},
		{role(dev, "SelfAttach"), "attach-policy", role(dev, "SelfAttach")},
		{role(dev, "SelfVersion"), "create-policy-version", role(dev, "SelfVersion")},
		{role(dev, "BoundedAdmin"), "delete-boundary", role(dev, "BoundedAdmin")},
		{role(dev, "BoundedAdminPut"), "put-boundary", role(dev, "BoundedAdminPut")},
		{role(dev, "Hop1"), "assume-role pass-role", role(dev, "AdminRole")},
		{role(dev, "Hop0"), "assume-role pass-role", role(dev, "AdminRole")},
		{user(dev, "KeyTaker"), "create-access-key", user(dev, "AdminUser")},
		{user(dev, "PasswordSetter"), "login-profile", user(dev, "AdminUser")},
		{user(dev, "PasswordSetterMFA"), "login-profile", user(dev, "AdminUser")},
		{user(dev, "Joiner"), "add-user-to-group", user(dev, "Joiner")},
		{user(dev, "Writer"), "put-policy", user(dev, "Writer")},
		{"arn:aws:iam::" + dev + ":saml-provider/Corp", "assume-role", role(dev, "SamlAdminRole")},
		{"arn:aws:iam::999999999999:root", "assume-role", role(dev, "VendorAdminRole")},
		// Hop2 trusts {"AWS": "*"} with aws:PrincipalArn like
		// arn:aws:iam::*:role/Hop1: a role named Hop1 in any account,
		// anyone's, gets in.
		{"*", "assume-role pass-role", role(dev, "AdminRole")},
	}
	for _, c := range positive {
		p, ok := got[c.from]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		if k := kindsOf(p); k != c.kinds || p.Admin == nil || p.Admin.Principal != c.as || p.To != Admin || p.Account != dev {
			t.Errorf("%s: path %s as %+v in %s, want %s as %s", c.from, k, p.Admin, p.Account, c.kinds, c.as)
		}
	}
	// The chains: Hop0 assumes Hop1, which assumes Hop2, which passes
	// AdminRole to Lambda: three hops no single policy shows.
	if p := got[role(dev, "Hop0")]; len(p.Steps) != 5 || p.Steps[0].Resource != role(dev, "Hop1") || p.Steps[1].Resource != role(dev, "Hop2") ||
		p.Steps[2].Action != "iam:PassRole" || p.Steps[2].Context["iam:PassedToService"] != "lambda.amazonaws.com" {
		t.Errorf("Hop0's path: %+v", p.Steps)
	}
	// The function's name is one the policy allows: the resource classes
	// find it.
	if p := got[role(dev, "PassLambdaAddPermission")]; len(p.Steps) != 3 || !strings.HasSuffix(p.Steps[1].Resource, ":function:tools-warden-escalation") {
		t.Errorf("PassLambdaAddPermission's path: %+v", p.Steps)
	}
	if p := got[role(dev, "Hop1")]; len(p.Steps) != 4 {
		t.Errorf("Hop1's path: %+v", p.Steps)
	}
	negative := []string{
		role(dev, "PassLambdaWrongService"), role(dev, "PassLambdaUntrusted"), role(dev, "PassEC2Bounded"),
		role(dev, "PassCodeBuildNoStart"), role(dev, "UpdTrustBounded"), role(dev, "SelfPutBoundedTarget"),
		role(dev, "SelfAttachReadOnly"), role(dev, "OtherVersion"), role(dev, "BoundedAdminNoDelete"), role(dev, "BoundedAdminPutPinned"),
		role(dev, "Hop0b"), role(dev, "Hop1b"), role(dev, "Hop2b"), user(dev, "JoinerReadOnly"),
		"arn:aws:iam::" + dev + ":saml-provider/Other",
	}
	for _, c := range positive {
		if strings.Contains(c.from, dev+":role/") || strings.Contains(c.from, dev+":user/") {
			negative = append(negative, strings.Replace(c.from, dev, locked, 1))
		}
	}
	for _, from := range negative {
		if p, ok := got[from]; ok {
			t.Errorf("%s: path %s to admin as %s, want none", from, kindsOf(p), p.Admin.Principal)
		}
	}
	for _, n := range []string{"EditorNoProvision", "AssignerNoAccount", "GroupJoinerOtherGroup"} {
		for from, p := range got {
			if strings.Contains(from, "AWSReservedSSO_"+n+"_") {
				t.Errorf("%s: path %s, want none", from, kindsOf(p))
			}
		}
	}
	var editor, assigner, joiner bool
	for from, p := range got {
		joiner = joiner || strings.Contains(from, "AWSReservedSSO_GroupJoiner_") && kindsOf(p) == "group-membership" && p.Account == locked
		editor = editor || strings.Contains(from, "AWSReservedSSO_Editor_") && kindsOf(p) == "permission-set-edit"
		assigner = assigner || strings.Contains(from, "AWSReservedSSO_Assigner_") && kindsOf(p) == "account-assignment" &&
			strings.Contains(p.Admin.Principal, "AWSReservedSSO_Admin_")
	}
	if !editor || !assigner || !joiner {
		t.Errorf("Identity Center paths: permission-set edit %v, account assignment %v, group membership %v", editor, assigner, joiner)
	}
}

// TestRequirements: a condition on MFA is reported as a requirement of the
// step, not as a reason to drop the edge; the same edge without it has none.
func TestRequirements(t *testing.T) {
	res := Analyze(twins(t), Options{Now: now})
	req := map[string]map[string]any{}
	for _, e := range res.Edges {
		if e.From.ARN == "arn:aws:iam::"+dev+":role/Assumer" && e.To.Account.ID == dev {
			req[e.To.Role.Name] = e.Steps[0].Requires
		}
	}
	if r, ok := req["MfaAdminRole"]; !ok || r["aws:MultiFactorAuthPresent"] != "true" {
		t.Errorf("Assumer -> MfaAdminRole requires %v (edge %v), want aws:MultiFactorAuthPresent=true", r, ok)
	}
	if r, ok := req["OrgAdminRole"]; !ok || len(r) != 0 {
		t.Errorf("Assumer -> OrgAdminRole requires %v (edge %v), want nothing", r, ok)
	}
	p := pathsFrom(res)["arn:aws:iam::"+dev+":user/PasswordSetterMFA"]
	if len(p.Steps) != 1 || p.Steps[0].Requires["aws:MultiFactorAuthPresent"] != "true" {
		t.Errorf("PasswordSetterMFA's path: %+v", p.Steps)
	}
	if p := pathsFrom(res)["arn:aws:iam::999999999999:root"]; len(p.Steps) != 1 || p.Steps[0].Requires["sts:ExternalId"] != "vendor-secret-1" {
		t.Errorf("the vendor's path: %+v", p.Steps)
	}
	if p := pathsFrom(res)["arn:aws:iam::"+dev+":saml-provider/Corp"]; len(p.Steps) != 1 || p.Steps[0].Requires["saml:aud"] == nil {
		t.Errorf("Corp's path: %+v", p.Steps)
	}
}

// TestStepsAreAllowed: every step of every path is a request the engine
// allows as `warden explain` assembles it (but the assumption under a
// trust policy the path's previous step rewrote).
func TestStepsAreAllowed(t *testing.T) {
	o := twins(t)
	res := Analyze(o, Options{Now: now})
	n := 0
	for _, p := range res.Paths {
		for _, s := range p.Steps {
			if len(s.AllowedBy) == 0 {
				t.Errorf("%s: step %s %s has no evidence", p.From, s.Action, s.Resource)
			}
			if strings.Contains(strings.Join(s.AllowedBy, "\n"), "written by the previous step") {
				continue
			}
			ctx := map[string][]string{}
			for k, v := range s.Context {
				ctx[k] = []string{fmt.Sprint(v)}
			}
			_, e, err := authz.Decide(o, authz.Query{Principal: s.Principal, Action: s.Action, Resource: s.Resource, Context: ctx}, now)
			if err != nil || e.Decision != eval.Allow {
				t.Errorf("%s: step %s %s %s %v: %v %v", p.From, s.Principal, s.Action, s.Resource, s.Context, e.Decision, err)
			}
			n++
		}
	}
	if n < 30 {
		t.Errorf("only %d steps checked", n)
	}
}

// TestTarget: --target lists the principals that can become one role, and
// the target itself is not among them.
func TestTarget(t *testing.T) {
	target := "arn:aws:iam::" + dev + ":role/AdminRole"
	res := Analyze(twins(t), Options{Now: now, Target: target})
	got := pathsFrom(res)
	for _, from := range []string{"PassLambda", "UpdTrust", "Hop0", "Hop2"} {
		p, ok := got["arn:aws:iam::"+dev+":role/"+from]
		if !ok || p.To != target {
			t.Errorf("%s: path %+v, want one to %s", from, p, target)
		}
	}
	for from, p := range got {
		if from == target || strings.Contains(from, "SelfPut") || p.To != target {
			t.Errorf("unexpected path %s -> %s", from, p.To)
		}
	}
}

// TestSecureCart: the landing zone's developers cannot escalate past their
// boundary; the administrators are the AdministratorAccess permission
// set's roles, OrganizationAccountAccessRole and BreakGlassRole.
func TestSecureCart(t *testing.T) {
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	res := Analyze(o, Options{Now: now})
	for _, p := range res.Paths {
		t.Errorf("path %s -> %s: %s", p.From, p.To, kindsOf(p))
	}
	for _, n := range res.Admins {
		name := n.Role.Name
		if name != "OrganizationAccountAccessRole" && name != "BreakGlassRole" && !strings.HasPrefix(name, "AWSReservedSSO_AdministratorAccess_") {
			t.Errorf("%s is admin", n.ARN)
		}
	}
	if len(res.Admins) < 6 {
		t.Errorf("%d admins", len(res.Admins))
	}
	var devEdges int
	for _, e := range res.Edges {
		if e.From.Role != nil && strings.Contains(e.From.Role.Name, "Developer") {
			devEdges++
			if e.To.Role.Name != "DeveloperRole" {
				t.Errorf("developer edge %s -> %s (%s)", e.From.ARN, e.To.ARN, e.Kind)
			}
		}
	}
	if devEdges != 2 {
		t.Errorf("%d developer edges, want DeveloperAccess -> DeveloperRole in Dev and Staging", devEdges)
	}
	// The pipeline's lateral move, by design: DeploymentRole runs the
	// orders service's new task definition as OrdersServiceRole (in Staging
	// and Prod, where that role is), through ecs:UpdateService.
	var deploy []string
	for _, e := range res.Edges {
		if e.From.Role != nil && e.From.Role.Name == "DeploymentRole" && e.Kind == KindPassRole {
			deploy = append(deploy, e.To.ARN+" "+e.Steps[len(e.Steps)-1].Action)
		}
	}
	if len(deploy) != 2 || !strings.HasSuffix(deploy[0], ":role/OrdersServiceRole ecs:UpdateService") {
		t.Errorf("DeploymentRole's pass-role edges: %v", deploy)
	}
}

func TestFilled(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:ecs:us-east-1:1:service/securecart-/": "arn:aws:ecs:us-east-1:1:service/securecart-warden-escalation/warden-escalation",
		"arn:aws:lambda:us-east-1:1:function:":         "arn:aws:lambda:us-east-1:1:function:warden-escalation",
		"arn:aws:s3:::bucket/key":                      "arn:aws:s3:::bucket/key",
		"*":                                            "*",
	} {
		if got := filled(in); got != want {
			t.Errorf("filled(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEvidence(t *testing.T) {
	got := Evidence([]string{
		"scp Root: Allow scp FullAWSAccess, statement 0 at org.yaml:21:51",
		"identity: Allow role R inline A, statement S at iam.yaml:3:4",
		"scp Dev: Allow scp FullAWSAccess, statement 0 at org.yaml:21:51",
		"scp Dev: Allow scp Other, statement 1 at org.yaml:30:1",
	})
	want := []string{
		"identity: Allow role R inline A, statement S at iam.yaml:3:4",
		"scp Root, Dev: Allow scp FullAWSAccess, statement 0 at org.yaml:21:51",
		"scp Dev: Allow scp Other, statement 1 at org.yaml:30:1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPictures: the Mermaid and DOT drawings of the twins' paths, by
// shape: every node defined once before its edges use it, admin power in
// each account drawn as its own node, one edge per move.
func TestPictures(t *testing.T) {
	res := Analyze(twins(t), Options{Now: now})
	mm := Mermaid(res.Paths)
	lines := strings.Split(strings.TrimSuffix(mm, "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Fatalf("first line %q", lines[0])
	}
	node := regexp.MustCompile(`^  (n\d+)(\["[^"]*"\]|\{\{"[^"]*"\}\})$`)
	edge := regexp.MustCompile(`^  (n\d+) -->\|"[a-z-]+: [^"|]+"\| (n\d+)$`)
	style := regexp.MustCompile(`^  style n\d+ fill:#[0-9a-f]{6},color:#fff,stroke:#[0-9a-f]{6}$`)
	defined := map[string]bool{}
	admins := 0
	for _, l := range lines[1:] {
		switch {
		case node.MatchString(l):
			m := node.FindStringSubmatch(l)
			if defined[m[1]] {
				t.Errorf("node %s defined twice", m[1])
			}
			defined[m[1]] = true
			if strings.HasPrefix(m[2], "{{") {
				admins++
			}
		case edge.MatchString(l):
			m := edge.FindStringSubmatch(l)
			if !defined[m[1]] || !defined[m[2]] {
				t.Errorf("edge before its nodes: %q", l)
			}
		case style.MatchString(l):
		default:
			t.Errorf("not a line of the flowchart: %q", l)
		}
	}
	accounts := map[string]bool{}
	for _, p := range res.Paths {
		accounts[p.Account] = true
	}
	if admins != len(accounts) {
		t.Errorf("%d admin nodes for paths ending in %d accounts", admins, len(accounts))
	}
	var b strings.Builder
	if err := WriteDOT(&b, res.Paths); err != nil {
		t.Fatal(err)
	}
	dot := b.String()
	if !strings.HasPrefix(dot, "digraph escalation {\n") || !strings.HasSuffix(dot, "}\n") ||
		strings.Count(dot, " -> ") != strings.Count(mm, " -->") || strings.Count(dot, "shape=octagon") != admins {
		t.Errorf("DOT does not draw the Mermaid graph:\n%s", dot)
	}
}

// TestGrantChain: a new default version of a customer managed policy
// attached to a role two assumptions away (Rhino 1 on a principal the
// caller becomes only through the graph): the version first, then the
// chain; its twin writes a version of a policy no one attaches, and the
// SCP of Locked denies both.
func TestGrantChain(t *testing.T) {
	got := twinPaths(t)
	role := func(acct, n string) string { return "arn:aws:iam::" + acct + ":role/" + n }
	p, ok := got[role(dev, "GrantHop0")]
	if !ok {
		t.Fatal("GrantHop0: no path to admin")
	}
	if k := kindsOf(p); k != "create-policy-version assume-role" || len(p.Steps) != 3 || p.Admin == nil || p.Admin.Principal != role(dev, "GrantHop2") ||
		p.Account != dev || p.Steps[0].Action != "iam:CreatePolicyVersion" || p.Steps[0].Resource != "arn:aws:iam::"+dev+":policy/ChainPolicy" ||
		p.Steps[1].Resource != role(dev, "GrantHop1") || p.Steps[2].Resource != role(dev, "GrantHop2") ||
		!strings.HasPrefix(p.Steps[2].Principal, "arn:aws:sts::"+dev+":assumed-role/GrantHop1/") {
		t.Errorf("GrantHop0's path: %s %+v as %+v", k, p.Steps, p.Admin)
	}
	for _, from := range []string{role(dev, "GrantHop0b"), role(dev, "GrantHop1"), role(locked, "GrantHop0"), role(locked, "GrantHop0b")} {
		if p, ok := got[from]; ok {
			t.Errorf("%s: path %s as %s, want none", from, kindsOf(p), p.Admin.Principal)
		}
	}
}

// TestGrantActions: grantActions holds every action a grant way requests,
// so that a principal it rules out could make no grant.
func TestGrantActions(t *testing.T) {
	res := Analyze(twins(t), Options{Now: now})
	a := &analyzer{o: twins(t)}
	seen := map[string]bool{}
	for _, x := range res.Nodes {
		for _, y := range res.Nodes {
			if x.external() || y.external() {
				continue
			}
			for _, w := range a.grantWays(x, y) {
				seen[w.reqs[0].action] = true
				found := false
				for _, r := range w.reqs {
					for _, g := range grantActions {
						found = found || g == r.action
					}
				}
				if !found {
					t.Errorf("grant way %s (%s) requests none of grantActions", w.kind, w.reqs[0].action)
				}
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d kinds of grant requests seen: %v", len(seen), seen)
	}
}

// TestSetDefaultVersion: an older version of a customer managed policy
// attached to the principal (Rhino 2) that allows everything, made the
// default; with MFA as a requirement; on a policy a role two assumptions
// away attaches; and the twins: an older version that allows S3 only, a
// boundary that holds the principal back, the SCP of Locked.
func TestSetDefaultVersion(t *testing.T) {
	got := twinPaths(t)
	role := func(acct, n string) string { return "arn:aws:iam::" + acct + ":role/" + n }
	for _, c := range []struct{ from, kinds, as, policy string }{
		{"Rollbacker", "set-default-policy-version", "Rollbacker", "RollbackPolicy"},
		{"RollbackerMFA", "set-default-policy-version", "RollbackerMFA", "MfaRollbackPolicy"},
		{"RollHop0", "set-default-policy-version assume-role", "GrantHop2", "ChainPolicy"},
	} {
		p, ok := got[role(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		st := p.Steps[0]
		if k := kindsOf(p); k != c.kinds || p.Admin == nil || p.Admin.Principal != role(dev, c.as) || st.Action != "iam:SetDefaultPolicyVersion" ||
			st.Resource != "arn:aws:iam::"+dev+":policy/"+c.policy || !strings.Contains(st.Note, "version v1 of ") {
			t.Errorf("%s: path %s %+v as %+v", c.from, k, p.Steps, p.Admin)
		}
		if mfa := st.Requires["aws:MultiFactorAuthPresent"]; (c.from == "RollbackerMFA") != (mfa == "true") {
			t.Errorf("%s: the step requires %v", c.from, st.Requires)
		}
	}
	for _, from := range []string{role(dev, "RollbackerNarrow"), role(dev, "RollbackerBounded"), role(locked, "Rollbacker"), role(locked, "RollbackerMFA"), role(locked, "RollHop0")} {
		if p, ok := got[from]; ok {
			t.Errorf("%s: path %s as %s, want none", from, kindsOf(p), p.Admin.Principal)
		}
	}
}
