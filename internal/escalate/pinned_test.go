package escalate

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/org"
)

// TestPinnedKeysChooseName: when a pass-role way names one resource in
// several requests (a change set created, then executed; a resource the
// caller makes, MADE_RUNTIME, then used), the name is chosen with every
// request decided under its own pinned context keys, as the path then
// decides it. The ways here are the test's own: their later request
// carries the role passed in cloudformation:RoleArn (roleKeys), as
// CloudFormation's CreateStack and CreateChangeSet do (Service
// Authorization Reference, AWS CloudFormation, condition keys:
// cloudformation:RoleArn); no way of computeServices pins a key of a later
// request today, so these keep a future one from missing a path. Each
// caller may make the later request on names a* only with another role in
// the key, and on b* with the role passed: choosing a* while that key is
// free, then deciding it under the role passed, finds no path where b* is
// one. Twins: the later request allowed on both only with the other role:
// no path (testdata/pinned).
func TestPinnedKeysChooseName(t *testing.T) {
	o, err := org.Load("testdata/pinned")
	if err != nil {
		t.Fatal(err)
	}
	a := &analyzer{o: o, now: now, src: check.NewSources(o), byARN: map[string]*Node{}, byAcct: map[*org.Account][]*Node{}, admin: map[adminKey]*AdminProof{}, idealReps: map[adminKey]*idealClasses{}}
	a.addNodes()
	a.workloadIndex()
	node := func(name string) *Node {
		n := a.byARN[roleARN(dev, name)]
		if n == nil {
			t.Fatalf("no node %s", name)
		}
		return n
	}
	admin := node("AdminRole")
	pair := &computeService{principal: "cloudformation.amazonaws.com", ways: [][]serviceAction{
		{{"cloudformation:CreateChangeSet", "arn:aws:cloudformation:us-east-1:ACCOUNT:stack/*/*"}, {"cloudformation:ExecuteChangeSet", "arn:aws:cloudformation:us-east-1:ACCOUNT:stack/*/*"}},
	}, roleKeys: map[string]string{"cloudformation:ExecuteChangeSet": "cloudformation:RoleArn"}}
	made := &computeService{principal: "bedrock-agentcore.amazonaws.com", ways: [][]serviceAction{
		{{"bedrock-agentcore:CreateAgentRuntimeEndpoint", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:runtime/MADE_RUNTIME"},
			{"bedrock-agentcore:InvokeAgentRuntimeCommand", "arn:aws:bedrock-agentcore:us-east-1:ACCOUNT:runtime/MADE_RUNTIME"}},
	}, roleKeys: map[string]string{"bedrock-agentcore:InvokeAgentRuntimeCommand": "cloudformation:RoleArn"}}
	for _, c := range []struct {
		from string
		cs   *computeService
		want string // the prefix of the later request's resource; "" no path
	}{
		{"PairPinned", pair, "arn:aws:cloudformation:us-east-1:" + dev + ":stack/b-"},
		{"PairPinnedTwin", pair, ""},
		{"MadePinned", made, "arn:aws:bedrock-agentcore:us-east-1:" + dev + ":runtime/b"},
		{"MadePinnedTwin", made, ""},
	} {
		steps := a.passTo(node(c.from), admin, c.cs)
		if c.want == "" {
			if steps != nil {
				t.Errorf("%s: a path %+v; want none", c.from, steps)
			}
			continue
		}
		if len(steps) != 3 {
			t.Errorf("%s: steps %+v; want iam:PassRole and the way's two requests", c.from, steps)
			continue
		}
		if steps[1].Resource != steps[2].Resource || !strings.HasPrefix(steps[2].Resource, c.want) {
			t.Errorf("%s: requests on %s and %s; want one resource %s...", c.from, steps[1].Resource, steps[2].Resource, c.want)
		}
		if got := steps[2].Context["cloudformation:RoleArn"]; got != admin.ARN {
			t.Errorf("%s: the later request's cloudformation:RoleArn %q; want %s", c.from, got, admin.ARN)
		}
	}
}
