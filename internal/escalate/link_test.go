package escalate

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// linkOrg is an organization of one member account, Dev (222222222222),
// with the IAM users, roles and workloads given (YAML list items), under
// an SCP that allows everything.
func linkOrg(t *testing.T, users, roles, workloads string) *org.Org {
	t.Helper()
	src := `organization: {id: o-l1nk0rg001, managementAccount: Mgmt, root: r-l1nk}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
policies:
  - name: Full
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Dev]
identityProviders:
  - {type: oidc, name: token.actions.githubusercontent.com, accounts: [Dev], clientIds: [sts.amazonaws.com]}
`
	if users != "" {
		src += "users:\n" + users
	}
	src += "roles:\n" + roles
	if workloads != "" {
		src += "workloads:\n" + workloads
	}
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return o
}

// coderRole may replace any function's code and invoke it.
const coderRole = `  - name: Coder
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Code: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [lambda:UpdateFunctionCode, lambda:InvokeFunction], Resource: "*"}]}
`

func devRole(name string) string { return "arn:aws:iam::222222222222:role/" + name }

// allowed checks that every step of the path, with its context, is a
// request warden explain allows.
func allowed(t *testing.T, o *org.Org, p Path) {
	t.Helper()
	for i, s := range p.Steps {
		if strings.Contains(strings.Join(s.AllowedBy, "\n"), "written by the previous step") {
			continue
		}
		ctx := map[string][]string{}
		for k, v := range s.Context {
			if l, ok := v.([]string); ok {
				ctx[k] = l
				continue
			}
			ctx[k] = []string{fmt.Sprint(v)}
		}
		_, e, err := authz.Decide(o, authz.Query{Principal: s.Principal, Action: s.Action, Resource: s.Resource, Context: ctx}, now)
		if err != nil || e.Decision != eval.Allow {
			t.Errorf("%s: step %d (%s %s %s with %v): %v %v", p.From, i+1, s.Principal, s.Action, s.Resource, ctx, e.Decision, err)
		}
	}
}

// A Lambda function's execution role acts in the session Lambda makes
// for it ("Defining Lambda function permissions with an execution role":
// Lambda assumes the role when the function is invoked,
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html),
// which no person signs in to: it has no MFA (aws:MultiFactorAuthPresent
// false, "present only in requests that are signed using temporary
// security credentials",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-aws-condition-keys.html)
// and no source identity. Admin's power needs MFA: alice reaches it by an
// assumption she starts with MFA; Deployer, who passes Admin to a new
// function, does not. Twin: power without MFA, Deployer reaches it.
func TestServiceSessionAdminMFA(t *testing.T) {
	users := `  - name: alice
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
`
	roles := func(power string) string {
		return `  - name: Admin
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/alice"}, Action: sts:AssumeRole},
      {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
    ` + power + `
  - name: Deployer
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Deploy: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction], Resource: "*"}]}
`
	}
	mfa := `inlinePolicies: {All: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*", Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}]}}`
	o := linkOrg(t, users, roles(mfa), "")
	got := pathsFrom(Analyze(o, Options{Now: now}))
	if p, ok := got[aliceARN]; !ok || kindsOf(p) != "assume-role" || sessionOf(p) != "MFA at sign-in" ||
		p.Admin == nil || p.Admin.Requires["aws:MultiFactorAuthPresent"] != "true" {
		t.Fatalf("alice reaches Admin with MFA at sign-in: %+v %q", p, sessionOf(p))
	}
	if p, ok := got[devRole("Deployer")]; ok {
		t.Fatalf("Lambda's session of Admin has no MFA, which its power needs: %+v", p)
	}

	o = linkOrg(t, users, roles("managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]"), "")
	p, ok := pathsFrom(Analyze(o, Options{Now: now}))[devRole("Deployer")]
	if !ok || kindsOf(p) != "pass-role" || p.Admin == nil || p.Admin.Principal != devRole("Admin") ||
		sessionOf(p) != "lambda.amazonaws.com's session arn:aws:sts::222222222222:assumed-role/Admin/warden-escalation (no MFA, source identity or session tags) made at hop 3" {
		t.Fatalf("without MFA in Admin's power Deployer reaches it through Lambda: %+v", p)
	}
	allowed(t, o, p)
}

// A chain that continues from a service's session starts anew with its
// properties: the workload's role Fn (a function's execution role)
// assumes Admin, whose trust wants MFA, or a source identity. Fn's own
// sessions can carry either; the session Lambda makes for Fn, which Coder
// reaches by replacing the function's code, carries neither. Twin: a
// trust without the condition; the assumption is then made as Lambda's
// session of Fn, named after the function (report-fn).
func TestServiceSessionNextHop(t *testing.T) {
	roles := func(cond string) string {
		return `  - name: Admin
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + devRole("Fn") + `"}, Action: [sts:AssumeRole, sts:SetSourceIdentity]` + cond + `}]}
    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
  - name: Fn
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [sts:AssumeRole, sts:SetSourceIdentity], Resource: "*"}]}
` + coderRole + ``
	}
	fn := `  - {arn: "arn:aws:lambda:us-east-1:222222222222:function:report-fn", role: Fn}
`
	for _, c := range []struct{ cond, session string }{
		{`, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}`, "MFA at sign-in"},
		{`, Condition: {StringLike: {aws:SourceIdentity: "*"}}`, "source identity = "},
	} {
		got := pathsFrom(Analyze(linkOrg(t, "", roles(c.cond), fn), Options{Now: now}))
		if p, ok := got[devRole("Fn")]; !ok || kindsOf(p) != "assume-role" || !strings.HasPrefix(sessionOf(p), c.session) {
			t.Errorf("%s: Fn's own session reaches Admin (%s): %+v %q", c.cond, c.session, p, sessionOf(p))
		}
		if p, ok := got[devRole("Coder")]; ok {
			t.Errorf("%s: Lambda's session of Fn cannot assume Admin: %+v %q", c.cond, p, sessionOf(p))
		}
	}

	o := linkOrg(t, "", roles(""), fn)
	p, ok := pathsFrom(Analyze(o, Options{Now: now}))[devRole("Coder")]
	if !ok || kindsOf(p) != "update-function-code assume-role" || p.Admin == nil || p.Admin.Principal != devRole("Admin") {
		t.Fatalf("Coder reaches Admin through the function's session: %+v", p)
	}
	if hop := p.Steps[len(p.Steps)-1]; hop.Principal != "arn:aws:sts::222222222222:assumed-role/Fn/report-fn" {
		t.Errorf("the assumption is made as Lambda's session of Fn, named after the function: %s", hop.Principal)
	}
	allowed(t, o, p)
}

// A grant's own chain is linked too: Granter may write Target's inline
// policy, then becomes it through Mid and Mid2; Target's trust wants the
// session tag team=ops, which only Granter can pass (Mid's trust allows
// sts:TagSession, Mid2's does not): as a transitive tag when it assumes
// Mid, carried into Mid2's session ("Chaining roles with session tags",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining).
// Twin: Mid's trust does not let the tag be passed; each edge alone is
// still allowed, the grant's path is not.
func TestGrantChainTransitiveTag(t *testing.T) {
	roles := func(midActions string) string {
		return `  - name: Granter
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Grant: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:PutRolePolicy, Resource: "` + devRole("Target") + `"},
        {Effect: Allow, Action: [sts:AssumeRole, sts:TagSession], Resource: "*"}]}
  - name: Mid
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + devRole("Granter") + `"}, Action: ` + midActions + `}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [sts:AssumeRole, sts:TagSession], Resource: "*"}]}
  - name: Mid2
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + devRole("Mid") + `"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
  - name: Target
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + devRole("Mid2") + `"}, Action: sts:AssumeRole, Condition: {StringEquals: {aws:PrincipalTag/team: ops}}}]}
`
	}
	o := linkOrg(t, "", roles("[sts:AssumeRole, sts:TagSession]"), "")
	res := Analyze(o, Options{Now: now})
	p, ok := pathsFrom(res)[devRole("Granter")]
	if !ok || kindsOf(p) != "put-policy assume-role" || len(p.Steps) != 4 || p.Admin == nil || p.Admin.Principal != devRole("Target") {
		t.Fatalf("Granter writes Target's policy, then becomes it through Mid and Mid2: %s %+v", kindsOf(p), p)
	}
	if s := sessionOf(p); s != "tag team=ops, transitive, at hop 2" {
		t.Errorf("the first hop (step 2) passes team=ops as transitive: %q", s)
	}
	if v, ok := lookupFoldAny(p.Steps[3].Context, "aws:PrincipalTag/team"); !ok || v != "ops" {
		t.Errorf("the third hop carries the tag: %v", p.Steps[3].Context)
	}
	allowed(t, o, p)

	res = Analyze(linkOrg(t, "", roles("sts:AssumeRole"), ""), Options{Now: now})
	if p, ok := pathsFrom(res)[devRole("Granter")]; ok {
		t.Fatalf("Mid's sessions cannot carry team=ops, which Target's trust wants: %s %+v %q", kindsOf(p), p.Steps, sessionOf(p))
	}
	edges := 0
	for _, e := range res.Edges {
		if e.From.ARN == devRole("Granter") && e.To.ARN == devRole("Mid") || e.From.ARN == devRole("Mid") && e.To.ARN == devRole("Mid2") ||
			e.From.ARN == devRole("Mid2") && e.To.ARN == devRole("Target") {
			edges++
		}
	}
	if edges != 3 {
		t.Fatalf("each edge alone is allowed (%d of 3 found)", edges)
	}
}

// A grant's requests are decided in the session the path makes them in:
// Grantee may write its own inline policy only with MFA; its own sessions
// may have it (the step requires it), the session Lambda makes for it
// when Coder replaces its function's code has not. Twin: no MFA
// condition; Coder's path ends with the grant made as Lambda's session of
// Grantee (grant-fn).
func TestGrantInServiceSession(t *testing.T) {
	roles := func(cond string) string {
		return `  - name: Grantee
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Grant: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:PutRolePolicy, Resource: "` + devRole("Grantee") + `"` + cond + `}]}
` + coderRole + ``
	}
	fn := `  - {arn: "arn:aws:lambda:us-east-1:222222222222:function:grant-fn", role: Grantee}
`
	got := pathsFrom(Analyze(linkOrg(t, "", roles(`, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}`), fn), Options{Now: now}))
	if p, ok := got[devRole("Grantee")]; !ok || kindsOf(p) != "put-policy" || p.Steps[0].Requires["aws:MultiFactorAuthPresent"] != "true" {
		t.Errorf("Grantee's own session with MFA writes its policy: %+v", p)
	}
	if p, ok := got[devRole("Coder")]; ok {
		t.Errorf("Lambda's session of Grantee has no MFA, which its grant needs: %s %+v", kindsOf(p), p.Steps)
	}

	o := linkOrg(t, "", roles(""), fn)
	p, ok := pathsFrom(Analyze(o, Options{Now: now}))[devRole("Coder")]
	if !ok || kindsOf(p) != "update-function-code put-policy" || p.Admin == nil || p.Admin.Principal != devRole("Grantee") {
		t.Fatalf("Coder's path: %s %+v", kindsOf(p), p)
	}
	if g := p.Steps[len(p.Steps)-1]; g.Principal != "arn:aws:sts::222222222222:assumed-role/Grantee/grant-fn" || g.Context["aws:MultiFactorAuthPresent"] != "false" {
		t.Errorf("the grant is made as Lambda's session of Grantee: %s %v", g.Principal, g.Context)
	}
	allowed(t, o, p)
}

// The grantee's power after the grant is decided in the session the
// path becomes it with: Hop may attach AdministratorAccess to Target,
// whose own policy denies everything without MFA; alice, who signs in
// with MFA, assumes Hop, attaches the policy and assumes Target; GitHub's
// tokens (no MFA) assume Hop too, but Target's power then is not theirs.
// Twin: no deny; GitHub's tokens reach it.
func TestGrantProofInChainSession(t *testing.T) {
	users := `  - name: alice
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
`
	roles := func(target string) string {
		return `  - name: Hop
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/alice"}, Action: sts:AssumeRole},
      {Effect: Allow, Principal: {Federated: "` + github + `"}, Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: {"token.actions.githubusercontent.com:aud": sts.amazonaws.com}}}]}
    inlinePolicies:
      Grant: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:AttachRolePolicy, Resource: "` + devRole("Target") + `"},
        {Effect: Allow, Action: sts:AssumeRole, Resource: "*"}]}
  - name: Target
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + devRole("Hop") + `"}, Action: sts:AssumeRole}]}
    ` + target + `
`
	}
	deny := `inlinePolicies: {NoMFA: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "*", Resource: "*", Condition: {BoolIfExists: {aws:MultiFactorAuthPresent: "false"}}}]}}`
	o := linkOrg(t, users, roles(deny), "")
	got := pathsFrom(Analyze(o, Options{Now: now}))
	p, ok := got[aliceARN]
	if !ok || kindsOf(p) != "assume-role attach-policy assume-role" || p.Admin == nil || p.Admin.Principal != devRole("Target") || sessionOf(p) != "MFA at sign-in" {
		t.Fatalf("alice, with MFA at sign-in, attaches the policy and becomes Target: %s %+v %q", kindsOf(p), p, sessionOf(p))
	}
	allowed(t, o, p)
	if p, ok := got[github]; ok {
		t.Errorf("GitHub's tokens' chain has no MFA, which Target's power needs: %s %+v", kindsOf(p), p.Steps)
	}

	got = pathsFrom(Analyze(linkOrg(t, users, roles(""), ""), Options{Now: now}))
	if p, ok := got[github]; !ok || kindsOf(p) != "assume-role attach-policy assume-role" || len(p.Session) != 0 {
		t.Errorf("without the deny GitHub's tokens reach Target's power: %s %+v", kindsOf(p), p)
	}
}

func lookupFoldAny(m map[string]any, k string) (any, bool) {
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v, true
		}
	}
	return nil, false
}

// The session a service makes for a role is named by the service
// (an assumed-role session's ARN ends with its session name, "IAM
// identifiers",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html):
// Lambda's after the function; EC2's, whose temporary credentials an
// instance reads from its metadata ("Retrieve security credentials from
// instance metadata",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html),
// after the instance's ID. The other services' names are those they put in
// CloudTrail (no page of AWS's documentation states them); a name matters
// only to a policy that names the session's ARN.
func TestServiceSessionName(t *testing.T) {
	for _, c := range []struct{ service, workload, want string }{
		{"lambda.amazonaws.com", "arn:aws:lambda:us-east-1:222222222222:function:report-fn", "report-fn"},
		{"lambda.amazonaws.com", "arn:aws:lambda:us-east-1:222222222222:function:report-fn:prod", "report-fn"},
		{"lambda.amazonaws.com", "", "warden-escalation"},
		{"ec2.amazonaws.com", "arn:aws:ec2:us-east-1:222222222222:instance/i-0fedcba9876543210", "i-0fedcba9876543210"},
		{"ec2.amazonaws.com", "arn:aws:ec2:us-east-1:222222222222:launch-template/lt-0a1b2c3d4e5f60718", "i-0123456789abcdef0"},
		{"cloudformation.amazonaws.com", "arn:aws:cloudformation:us-east-1:222222222222:stack/app/5f6d7c80", "AWSCloudFormation"},
		{"glue.amazonaws.com", "", "GlueJobRunnerSession"},
		{"datapipeline.amazonaws.com", "", roleSession},
	} {
		if got := serviceSessionName(c.service, c.workload); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.service, c.workload, got, c.want)
		}
	}
	s := serviceSess(&serviceSession{service: "lambda.amazonaws.com", name: "report-fn"}, &Node{Account: &org.Account{ID: "222222222222"}, Role: &org.Role{Name: "Fn"}})
	if s.caller != "arn:aws:sts::222222222222:assumed-role/Fn/report-fn" || len(s.ctx) != 1 || s.ctx["aws:MultiFactorAuthPresent"][0] != "false" {
		t.Errorf("Lambda's session of Fn: %+v", s)
	}
	// Its keys fixed on a request: MFA false; no MFA age, no source
	// identity (absent, not ranging).
	q, classes := s.fixedIn(map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}})
	if len(q) != 2 || q["aws:MultiFactorAuthPresent"][0] != "false" || q["iam:PassedToService"] == nil {
		t.Errorf("the request's keys: %v", q)
	}
	for _, k := range []string{"aws:MultiFactorAuthAge", "aws:SourceIdentity"} {
		if v, ok := classes[k]; !ok || v != nil {
			t.Errorf("%s is fixed absent: %v", k, classes)
		}
	}
}
