package analyze

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// The test organization: the zone account, a second member account, and
// an account of no organization.
const (
	zoneAcct  = "111111111111"
	orgAcct   = "444444444444"
	extAcct   = "222222222222"
	testOrgID = "o-zone123456"
)

var testOrg = OrgInfo{ID: testOrgID, Paths: map[string]string{
	zoneAcct: testOrgID + "/r-ab12/ou-ab12-11111111/",
	orgAcct:  testOrgID + "/r-ab12/ou-ab12-22222222/",
}}

func compile(t testing.TB, typ policy.Type, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.ParseAndCompile([]byte(doc), "test.json", typ, "test policy")
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return p
}

func target(t testing.TB, resource, doc string, rcps ...string) *Target {
	t.Helper()
	typ := policy.Resource
	if strings.Contains(resource, ":role/") {
		typ = policy.Trust
	}
	tg := &Target{ARN: resource, Owner: zoneAcct, Policy: compile(t, typ, doc), OrgID: testOrgID, OrgPath: testOrg.Paths[zoneAcct]}
	if len(rcps) > 0 {
		var ps []*policy.Policy
		for _, r := range rcps {
			ps = append(ps, compile(t, policy.RCP, r))
		}
		tg.RCP = []eval.Level{{Target: "Root", Policies: ps}}
	}
	return tg
}

func analyzeIn(t testing.TB, kind string, tg *Target) []Finding {
	t.Helper()
	z := &Zone{Kind: kind, Account: zoneAcct, Org: testOrg}
	return Access(tg, z)
}

// checkExamples verifies that every finding's example is a request the
// engine allows, from outside the zone.
func checkExamples(t *testing.T, tg *Target, z *Zone, fs []Finding) {
	t.Helper()
	for _, f := range fs {
		if f.Unsure {
			continue
		}
		if f.Example == nil || f.Statement == nil {
			t.Errorf("finding %v has no example or statement", f.Principal)
			continue
		}
		req, err := eval.NewRequest(f.Example.Principal, f.Example.Action, f.Example.Resource, tg.Owner, f.Example.Context)
		if err != nil {
			t.Fatal(err)
		}
		in := eval.Inputs{Resource: []*policy.Policy{tg.Policy}, AssumeIdentityAllows: true}
		if awsdata.RCPAppliesTo(f.Example.Action) {
			// As the engine (authz): RCPs of the services they cover, but
			// not the permissions they leave alone.
			in.RCP = tg.RCP
		}
		if d := eval.Evaluate(req, &in).Decision; d != eval.Allow {
			t.Errorf("example %+v: engine says %v", f.Example, d)
		}
		if z.Contains(req.Caller.Account) && req.Caller.Kind != policy.CallerService {
			t.Errorf("example %+v is from inside the zone", f.Example)
		}
	}
}

func hasAction(f Finding, a string) bool {
	for _, x := range f.Action {
		if strings.EqualFold(x, a) {
			return true
		}
	}
	return false
}

func bucketPolicy(stmts ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ",") + `]}`
}
