package reach

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
)

// Every class `warden can` reports as allowed comes with a concrete
// example request (an action of the class, a resource of the action's own
// type with every part filled, never "arn:::::", a real Region) that the
// engine, as `warden explain` decides, allows: SecureCart's principals of
// every kind (root users, roles, Identity Center roles, IAM users).
func TestCanExamplesAreConcreteAndAllowed(t *testing.T) {
	o := secureCart(t)
	g := New(o, now)
	kinds := map[Kind]int{}
	grants := 0
	// Principals of every kind, with the broadest read-only ones
	// (SecurityAudit's 1,300 actions, API Gateway's many resource types).
	pick := map[string]int{"role/SecurityAuditRole": 1, "AWSReservedSSO_SecurityAudit": 1, "role/DeveloperRole": 1, "role/DeploymentRole": 1, "AWSReservedSSO_Billing": 1, ":root": 2}
	for _, p := range g.Principals() {
		name := ""
		for n, left := range pick {
			if left > 0 && strings.Contains(p.ARN, n) {
				name = n
			}
		}
		if p.Caller == "" || name == "" {
			continue
		}
		pick[name]--
		kinds[p.Kind]++
		service := ""
		if p.Kind == KindRoot {
			// A root user can do every action: one service keeps it short.
			service = "s3"
		}
		caps, err := g.Can(p, service, nil)
		if err != nil {
			t.Fatalf("%s: %v", p.ARN, err)
		}
		for _, gr := range caps.Grants {
			if !gr.Allowed {
				continue
			}
			grants++
			ex := gr.Example
			if ex == nil {
				t.Errorf("%s: %v on %s: no example", p.ARN, gr.Actions, gr.Resource)
				continue
			}
			if !analyze.FitsAction(ex.Action, ex.Resource) {
				t.Errorf("%s: example %s on %s is not a concrete resource of the action", p.ARN, ex.Action, ex.Resource)
			}
			if v := ex.Context["aws:RequestedRegion"]; len(v) > 0 && !analyze.IsRealRegion(v[0]) {
				t.Errorf("%s: example %s on %s: aws:RequestedRegion %v", p.ARN, ex.Action, ex.Resource, v)
			}
			inClass := false
			for _, a := range gr.Actions {
				inClass = inClass || a == ex.Action
			}
			if !inClass {
				t.Errorf("%s: example action %s is not of the class %v", p.ARN, ex.Action, gr.Actions)
			}
			_, e, err := authz.Decide(o, authz.Query{Principal: ex.Principal, Action: ex.Action, Resource: ex.Resource, Context: ex.Context}, now)
			if err != nil || e.Decision != eval.Allow {
				t.Errorf("%s: example %s on %s %v: engine says %v %v, want Allow", p.ARN, ex.Action, ex.Resource, ex.Context, e.Decision, err)
			}
		}
	}
	if grants < 20 || len(kinds) < 3 {
		t.Fatalf("only %d grants of %d kinds of principals checked", grants, len(kinds))
	}
	t.Logf("%d grants of %v", grants, kinds)
}
