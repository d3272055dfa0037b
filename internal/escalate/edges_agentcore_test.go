package escalate

import (
	"strings"
	"testing"
)

// TestAgentCoreEdges: Bedrock AgentCore runtimes and custom browsers
// (testdata/twins/agentcore.yaml), pathfinding.cloud bedrock-003 to
// bedrock-007.
//
//   - agent-runtime-command (bedrock-004): InvokeAgentRuntimeCommand on an
//     existing runtime and on its DEFAULT endpoint (the Service
//     Authorization Reference, Amazon Bedrock AgentCore, lists both
//     resource types as required), the runtime's IAM inbound authorization
//     a stated need. Twins: the runtime allowed but not its endpoint,
//     another runtime, a runtime whose role trusts EC2 only, a boundary,
//     Locked's SCP.
//   - browser-session (bedrock-007): StartBrowserSession on an existing
//     custom browser and ConnectBrowserAutomationStream, which has no
//     resource type ("*"). Twins: no stream, the stream allowed on the
//     browser's ARN only (which a request on "*" never matches), a browser
//     whose role trusts EC2 only, a boundary, Locked's SCP.
//   - pass-role (bedrock-003, bedrock-006): a new runtime (CreateAgentRuntime,
//     CreateAgentRuntimeEndpoint, CreateWorkloadIdentity on the default
//     directory and an identity in it, then the command) or a new browser
//     (CreateBrowser, the session, the stream) with AgentCoreAdminRole
//     passed to bedrock-agentcore.amazonaws.com. Twins: no
//     CreateWorkloadIdentity, the command allowed on one name only (not the
//     endpoint's), iam:PassedToService Lambda, no session; Locked's SCP
//     denies iam:PassRole. Every request of the path names the same new
//     runtime: the endpoint allowed on runtimes a* and the command on b*
//     (PassRuntimeSplit) is no path; on team-* and *-prod
//     (PassRuntimeOverlap) it is, one runtime team-prod throughout. The
//     runtime's workload identity is named after the runtime's ID (Amazon
//     Bedrock AgentCore Developer Guide, "Understanding the agent identity
//     directory": the runtime-created identities of the default directory):
//     the identity allowed on idn-* only finds a runtime idn-... throughout
//     (PassRuntimeIdentityNamed), the runtime on new-* besides is no path
//     (PassRuntimeIdentityOther). A new code interpreter (bedrock-001) alike:
//     the session on a* and the code on b* is no path
//     (PassInterpreterSplit), on team-* and *-prod one interpreter team-prod
//     (PassInterpreterOverlap). A caller with bedrock-005's permissions (a
//     harness: CreateHarness, GetHarness, GetAgentRuntime and bedrock-003's)
//     is found by bedrock-003's requests.
func TestAgentCoreEdges(t *testing.T) {
	got := twinPaths(t)
	runtime := "arn:aws:bedrock-agentcore:us-east-1:" + dev + ":runtime/admin-a1b2c3d4e5"
	browser := "arn:aws:bedrock-agentcore:us-east-1:" + dev + ":browser-custom/admin-a1b2c3d4e5"
	admin := roleARN(dev, "AgentCoreAdminRole")
	// A new runtime's requests (bedrock-003), the runtime named name.
	newRuntime := "iam:PassRole bedrock-agentcore:CreateAgentRuntime bedrock-agentcore:CreateAgentRuntimeEndpoint " +
		"bedrock-agentcore:CreateWorkloadIdentity bedrock-agentcore:CreateWorkloadIdentity bedrock-agentcore:InvokeAgentRuntimeCommand bedrock-agentcore:InvokeAgentRuntimeCommand"
	newRuntimeSteps := func(name string) []string {
		at := "arn:aws:bedrock-agentcore:us-east-1:" + dev + ":"
		return []string{admin, "*", at + "runtime/" + name, at + "workload-identity-directory/default",
			at + "workload-identity-directory/default/workload-identity/" + name, at + "runtime/" + name, at + "runtime/" + name + "/runtime-endpoint/DEFAULT"}
	}
	for _, c := range []struct {
		from, kind, actions string
		resources           []string
		mfa                 bool
		need                string
	}{
		{"RuntimeCommander", KindRuntimeCommand, "bedrock-agentcore:InvokeAgentRuntimeCommand bedrock-agentcore:InvokeAgentRuntimeCommand",
			[]string{runtime, runtime + "/runtime-endpoint/DEFAULT"}, false, "inbound authorization is IAM"},
		{"RuntimeCommanderMFA", KindRuntimeCommand, "bedrock-agentcore:InvokeAgentRuntimeCommand bedrock-agentcore:InvokeAgentRuntimeCommand",
			[]string{runtime, runtime + "/runtime-endpoint/DEFAULT"}, true, "inbound authorization is IAM"},
		{"BrowserDriver", KindBrowserSession, "bedrock-agentcore:StartBrowserSession bedrock-agentcore:ConnectBrowserAutomationStream",
			[]string{browser, "*"}, false, ""},
		{"BrowserDriverMFA", KindBrowserSession, "bedrock-agentcore:StartBrowserSession bedrock-agentcore:ConnectBrowserAutomationStream",
			[]string{browser, "*"}, true, ""},
		{"PassRuntime", KindPassRole, newRuntime, newRuntimeSteps("new-warden-escalation"), false, ""},
		{"PassHarness", KindPassRole, newRuntime, newRuntimeSteps("warden-escalation"), false, ""},
		{"PassRuntimeOverlap", KindPassRole, newRuntime, newRuntimeSteps("team-prod"), false, ""},
		{"PassRuntimeIdentityNamed", KindPassRole, newRuntime, newRuntimeSteps("idn-warden-escalation"), false, ""},
		{"PassInterpreterOverlap", KindPassRole, "iam:PassRole bedrock-agentcore:CreateCodeInterpreter bedrock-agentcore:StartCodeInterpreterSession bedrock-agentcore:InvokeCodeInterpreter",
			[]string{admin, "*", "arn:aws:bedrock-agentcore:us-east-1:" + dev + ":code-interpreter-custom/team-prod", "arn:aws:bedrock-agentcore:us-east-1:" + dev + ":code-interpreter-custom/team-prod"}, false, ""},
		{"PassBrowser", KindPassRole, "iam:PassRole bedrock-agentcore:CreateBrowser bedrock-agentcore:StartBrowserSession bedrock-agentcore:ConnectBrowserAutomationStream",
			[]string{admin, "*", "arn:aws:bedrock-agentcore:us-east-1:" + dev + ":browser-custom/new-warden-escalation", "*"}, false, ""},
	} {
		p, ok := got[roleARN(dev, c.from)]
		if !ok {
			t.Errorf("%s: no path to admin", c.from)
			continue
		}
		if k := kindsOf(p); k != c.kind || p.Admin == nil || p.Admin.Principal != admin || actionsOf(p) != c.actions {
			t.Errorf("%s: path %s %s as %+v; want %s %s as AgentCoreAdminRole", c.from, k, actionsOf(p), p.Admin, c.kind, c.actions)
			continue
		}
		for i, s := range p.Steps {
			if s.Resource != c.resources[i] {
				t.Errorf("%s: step %d %s on %s, want %s", c.from, i, s.Action, s.Resource, c.resources[i])
			}
			if (s.Requires["aws:MultiFactorAuthPresent"] == "true") != c.mfa {
				t.Errorf("%s: step %s requires %v", c.from, s.Action, s.Requires)
			}
		}
		last := p.Steps[len(p.Steps)-1]
		if (c.need != "") != (len(last.Needs) == 1 && strings.Contains(last.Needs[0], c.need)) || !strings.HasSuffix(last.Note, admin) {
			t.Errorf("%s: the last step needs %v, note %q; want %q", c.from, last.Needs, last.Note, c.need)
		}
		if c.kind == KindPassRole && p.Steps[0].Context["iam:PassedToService"] != "bedrock-agentcore.amazonaws.com" {
			t.Errorf("%s: PassRole %+v", c.from, p.Steps[0])
		}
	}
	wantNoPaths(t, got, []string{"RuntimeCommanderNoEndpoint", "RuntimeCommanderOther", "RuntimeCommanderUntrusted", "RuntimeCommanderBounded",
		"BrowserDriverNoStream", "BrowserDriverStreamOnBrowser", "BrowserDriverUntrusted", "BrowserDriverBounded",
		"PassRuntimeNoIdentity", "PassRuntimeNoEndpoint", "PassRuntimeToLambda", "PassRuntimeSplit", "PassBrowserNoSession",
		"PassRuntimeIdentityOther", "PassInterpreterSplit"},
		[]string{"RuntimeCommander", "RuntimeCommanderMFA", "BrowserDriver", "BrowserDriverMFA", "PassRuntime", "PassRuntimeOverlap", "PassBrowser", "PassHarness",
			"PassRuntimeIdentityNamed", "PassInterpreterOverlap"})
}
