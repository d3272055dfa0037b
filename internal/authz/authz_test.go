package authz

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const testOrg = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
ous:
  - {name: Workloads, id: ou-a1b2-workload01}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com, ou: Workloads}
  - {name: Prod, id: "333333333333", email: prod@example.com, ou: Workloads}
policies:
  - name: Full
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Workloads, Dev, Prod]
  - name: Guard
    type: rcp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "s3:DeleteBucket", Resource: "*"}]}
    attach: [Prod]
  - name: Edge
    type: managed
    accounts: [Dev]
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
roles:
  - name: App
    path: /apps/
    accounts: [Dev, Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      Own: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
    tags: {team: blue}
users:
  - name: ci
    account: Dev
    permissionsBoundary: Edge
    inlinePolicies:
      Own: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:ListBucket", Resource: "*"}]}
    tags: {owner: platform}
resources:
  - arn: arn:aws:s3:::prod-data
    account: Prod
    policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}]}
`

func loadTestOrg(t *testing.T) *org.Org {
	t.Helper()
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(testOrg)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func assemble(t *testing.T, o *org.Org, q Query) *Situation {
	t.Helper()
	s, err := Assemble(o, q, now)
	if err != nil {
		t.Fatalf("Assemble(%+v): %v", q, err)
	}
	return s
}

func ctxValue(s *Situation, key string) []string {
	v, _ := s.Request.Context.Get(key)
	return v
}

// TestContextKeys: the keys AWS sets itself are filled from the org, and a
// request's own value wins.
func TestContextKeys(t *testing.T) {
	o := loadTestOrg(t)
	s := assemble(t, o, Query{Principal: "arn:aws:sts::222222222222:assumed-role/App/worker", Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/k"})
	for key, want := range map[string][]string{
		"aws:PrincipalOrgID":    {"o-a1b2c3d4e5"},
		"aws:PrincipalOrgPaths": {"o-a1b2c3d4e5/r-a1b2/ou-a1b2-workload01/"},
		"aws:PrincipalTag/team": {"blue"},
		"aws:PrincipalArn":      {"arn:aws:iam::222222222222:role/apps/App"}, // the role's ARN, with its path
		"aws:PrincipalAccount":  {"222222222222"},
		"aws:PrincipalType":     {"AssumedRole"},
		"aws:ResourceAccount":   {"333333333333"}, // the bucket's declared owner
		"aws:ResourceOrgID":     {"o-a1b2c3d4e5"},
		"aws:ResourceOrgPaths":  {"o-a1b2c3d4e5/r-a1b2/ou-a1b2-workload01/"},
		"aws:CurrentTime":       {"2026-11-22T12:00:00Z"},
		"aws:EpochTime":         {"1795348800"},
	} {
		if got := ctxValue(s, key); !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}

	given := map[string][]string{
		"aws:PrincipalOrgID":    {"o-other00000"},
		"aws:PrincipalOrgPaths": {"o-other00000/r-zz99/", "o-other00000/r-zz99/ou-zz99-aaaaaaaa/"},
		"aws:principaltag/team": {"red"}, // keys are case-insensitive
		"aws:PrincipalArn":      {"arn:aws:iam::222222222222:role/Other"},
	}
	s = assemble(t, o, Query{Principal: "arn:aws:sts::222222222222:assumed-role/App/worker", Action: "s3:GetObject", Context: given})
	for key, want := range given {
		if got := ctxValue(s, key); !slices.Equal(got, want) {
			t.Errorf("given %s: %q, want %q", key, got, want)
		}
	}

	s = assemble(t, o, Query{Principal: "arn:aws:iam::222222222222:user/ci", Action: "s3:ListBucket"})
	for key, want := range map[string]string{"aws:username": "ci", "aws:userid": creds.StableID("AIDA", "arn:aws:iam::222222222222:user/ci"), "aws:PrincipalTag/owner": "platform", "aws:PrincipalArn": "arn:aws:iam::222222222222:user/ci", "aws:PrincipalType": "User"} {
		if got := ctxValue(s, key); !slices.Equal(got, []string{want}) {
			t.Errorf("user: %s = %q, want %q", key, got, want)
		}
	}
	if got := ctxValue(s, "aws:PrincipalTag/team"); got != nil {
		t.Errorf("user: another principal's tag: %q", got)
	}
}

func TestPrincipals(t *testing.T) {
	o := loadTestOrg(t)
	dev, _ := o.AccountByName("Dev")
	prod, _ := o.AccountByName("Prod")

	t.Run("session", func(t *testing.T) {
		s := assemble(t, o, Query{Principal: "arn:aws:sts::222222222222:assumed-role/App/worker", Action: "s3:GetObject"})
		if s.Role == nil || s.Role.Account != dev || s.Account != dev || s.Outside {
			t.Fatalf("situation %+v", s)
		}
		if got, want := len(s.Inputs.Identity), 1; got != want || s.Inputs.Identity[0].Name != "role App inline Own" {
			t.Errorf("identity policies %d, want the role's", got)
		}
		if got := levelTargets(s.Inputs.SCP); !slices.Equal(got, []string{"Root", "Workloads", "Dev"}) {
			t.Errorf("SCP levels %q", got)
		}
	})
	t.Run("user with boundary", func(t *testing.T) {
		s := assemble(t, o, Query{Principal: "arn:aws:iam::222222222222:user/ci", Action: "s3:ListBucket"})
		if s.User == nil || len(s.Inputs.Boundary) != 1 || s.Inputs.Boundary[0].Name != "arn:aws:iam::222222222222:policy/Edge" {
			t.Errorf("user situation %+v, boundary %v", s.User, s.Inputs.Boundary)
		}
	})
	t.Run("management account", func(t *testing.T) {
		s := assemble(t, o, Query{Principal: "arn:aws:iam::111111111111:root", Action: "iam:CreateUser"})
		if s.Inputs.SCP != nil || s.Inputs.RCP != nil || s.Account == nil {
			t.Errorf("the management account: SCP %v, RCP %v", s.Inputs.SCP, s.Inputs.RCP)
		}
	})
	t.Run("outside the org", func(t *testing.T) {
		s := assemble(t, o, Query{Principal: "arn:aws:iam::444455556666:root", Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/k"})
		if !s.Outside || !s.Inputs.AssumeIdentityAllows || s.Inputs.SCP != nil || s.Account != nil {
			t.Errorf("outside principal: %+v", s)
		}
		if got := levelTargets(s.Inputs.RCP); !slices.Equal(got, []string{"Root", "Workloads", "Prod"}) {
			t.Errorf("RCP levels of the bucket's account %q", got)
		}
		if s.Resource == nil || len(s.Inputs.Resource) != 1 || s.Request.ResourceAccount != prod.ID {
			t.Errorf("the bucket's policy: %+v, account %s", s.Resource, s.Request.ResourceAccount)
		}
		if e := eval.Evaluate(s.Request, &s.Inputs); e.Decision != eval.Allow {
			t.Errorf("the granted vendor: %s by %s, want Allow", e.Decision, e.DeniedBy)
		}
		if got := ctxValue(s, "aws:PrincipalOrgID"); got != nil {
			t.Errorf("aws:PrincipalOrgID of an outside principal: %q", got)
		}
		s = assemble(t, o, Query{Principal: "arn:aws:iam::444455556666:root", Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::prod-data"})
		if e := eval.Evaluate(s.Request, &s.Inputs); e.Decision != eval.ExplicitDeny || e.DeniedBy != eval.LayerRCP {
			t.Errorf("the RCP of the bucket's account: %s by %s, want ExplicitDeny by rcp", e.Decision, e.DeniedBy)
		}
	})
	for _, p := range []string{"ec2.amazonaws.com", "*"} {
		t.Run(p, func(t *testing.T) {
			s := assemble(t, o, Query{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/k"})
			if s.Inputs.SCP != nil || s.Inputs.Identity != nil || s.Account != nil || s.Inputs.RCP == nil {
				t.Errorf("%s: %+v", p, s.Inputs)
			}
			if e := eval.Evaluate(s.Request, &s.Inputs); e.Decision != eval.ImplicitDeny || e.DeniedBy != eval.LayerResource {
				t.Errorf("%s: %s by %s, want ImplicitDeny by resource", p, e.Decision, e.DeniedBy)
			}
		})
	}
}

func levelTargets(ls []eval.Level) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Target)
	}
	return out
}

func TestResources(t *testing.T) {
	o := loadTestOrg(t)
	dev, _ := o.AccountByName("Dev")
	prod, _ := o.AccountByName("Prod")

	// sts:AssumeRole: the role's trust policy, found by the ARN with its path.
	s := assemble(t, o, Query{Principal: "arn:aws:iam::111111111111:root", Action: "sts:AssumeRole", Resource: "arn:aws:iam::333333333333:role/apps/App"})
	if s.TrustRole == nil || s.TrustRole.Account != prod || len(s.Inputs.Resource) != 1 || s.Inputs.Resource[0] != s.TrustRole.Trust {
		t.Errorf("trust role %+v", s.TrustRole)
	}
	// The trust policy allows the account; only AWS's rule that a root user
	// assumes no role refuses its root
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html).
	if e := eval.Evaluate(s.Request, &s.Inputs); !e.RefusedByService() {
		t.Errorf("the trusted account: %s by %s, want the policies to allow it", e.Decision, e.DeniedBy)
	}
	// A role of an account outside the org: nothing known, no error.
	s = assemble(t, o, Query{Principal: "arn:aws:iam::222222222222:user/ci", Action: "sts:AssumeRole", Resource: "arn:aws:iam::444455556666:role/Vendor"})
	if s.TrustRole != nil || s.Inputs.Resource != nil || s.Inputs.RCP != nil {
		t.Errorf("outside role: %+v", s)
	}
	// The owner of an S3 object: the declared bucket's, unless the query says.
	s = assemble(t, o, Query{Principal: "arn:aws:iam::222222222222:user/ci", Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/a/b"})
	if s.Request.ResourceAccount != prod.ID || s.Resource == nil {
		t.Errorf("declared bucket: account %s, resource %+v", s.Request.ResourceAccount, s.Resource)
	}
	s = assemble(t, o, Query{Principal: "arn:aws:iam::222222222222:user/ci", Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k"})
	if s.Request.ResourceAccount != dev.ID || s.Resource != nil || s.Inputs.Resource != nil {
		t.Errorf("undeclared bucket: account %s, want the caller's", s.Request.ResourceAccount)
	}
	s = assemble(t, o, Query{Principal: "arn:aws:iam::222222222222:user/ci", Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k", ResourceAccount: prod.ID})
	if s.Request.ResourceAccount != prod.ID || levelTargets(s.Inputs.RCP)[2] != "Prod" {
		t.Errorf("resourceAccount: account %s, RCP %q", s.Request.ResourceAccount, levelTargets(s.Inputs.RCP))
	}
}

// A principal that an org account does not have is no error: nobody can act
// as it, so its requests are denied, whatever the resource's policy says.
func TestMissingPrincipal(t *testing.T) {
	o := loadTestOrg(t)
	for _, tc := range []struct{ principal, missing string }{
		{"arn:aws:sts::222222222222:assumed-role/Nope/x", "no such role in Dev"},
		{"arn:aws:iam::222222222222:role/Nope", "no such role in Dev"},
		{"arn:aws:iam::222222222222:user/nobody", "no such IAM user in Dev"},
	} {
		s, e, err := Decide(o, Query{Principal: tc.principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k"}, now)
		if err != nil {
			t.Errorf("%s: %v", tc.principal, err)
			continue
		}
		if s.Missing != tc.missing || e.Decision != eval.ImplicitDeny || e.DeniedBy != eval.LayerNone || e.Note != "nobody can act as it: "+tc.missing {
			t.Errorf("%s: missing %q, %s by %s (%s); want %q, ImplicitDeny by none", tc.principal, s.Missing, e.Decision, e.DeniedBy, e.Note, tc.missing)
		}
	}
	// An existing role of the same account is not missing.
	if s, _, err := Decide(o, Query{Principal: "arn:aws:sts::222222222222:assumed-role/App/x", Action: "s3:GetObject"}, now); err != nil || s.Missing != "" {
		t.Errorf("existing role: missing %q, %v", s.Missing, err)
	}
}

func TestUnknownNames(t *testing.T) {
	o := loadTestOrg(t)
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Principal: "arn:aws:iam::111111111111:root", Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/Nope"}, "the org has no such role"},
		{Query{Principal: "arn:aws:iam::12:root", Action: "s3:GetObject"}, "12"},
		{Query{Principal: "arn:aws:iam::222222222222:root", Action: "GetObject"}, `malformed action "GetObject"`},
	} {
		_, _, err := Decide(o, tc.q, now)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decide(%+v): %v, want an error with %q", tc.q, err, tc.want)
		}
	}
}
