package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// transitiveOrgYAML: Builder's trust lets only Entry assume it, without
// sts:TagSession; Entry's lets alice assume it passing session tags, and
// Dev's SCP denies s3:DeleteBucket unless aws:PrincipalTag/team is
// platform (Builder's own tag is dev).
const transitiveOrgYAML = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
policies:
  - name: Full
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Dev]
  - name: PlatformDeletes
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: s3:DeleteBucket, Resource: "*", Condition: {StringNotEquals: {aws:PrincipalTag/team: platform}}}]}
    attach: [Dev]
users:
  - name: alice
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [sts:AssumeRole, sts:TagSession], Resource: "arn:aws:iam::222222222222:role/Entry"}]}
roles:
  - name: Entry
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:user/alice"}, Action: [sts:AssumeRole, sts:TagSession]}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "arn:aws:iam::222222222222:role/Builder"}]}
  - name: Builder
    accounts: [Dev]
    tags: {team: dev}
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:role/Entry"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      S3: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
`

// TestProveSessionChain: warden prove refutes "Builder deletes no buckets"
// through the transitive tag team=platform alice passes into Entry's
// session, which Builder's session inherits ("Chaining roles with session
// tags"): the JSON line's session lists the requests that make the session,
// and warden explain allows each of them and the counterexample; the text
// prints them.
func TestProveSessionChain(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "org.yaml"), []byte(transitiveOrgYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	g := filepath.Join(t.TempDir(), "g.yaml")
	if err := os.WriteFile(g, []byte("guardrails:\n  - name: Builder deletes no buckets\n    principals: [\"arn:aws:iam::*:role/Builder\"]\n    actions: [s3:DeleteBucket]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "", "prove", "--org", dir, "--format", "json", g)
	if code != 1 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	type request struct {
		Principal, Action, Resource string
		Context                     map[string]any
	}
	var l struct {
		Result         string
		Counterexample request
		Session        []request
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if l.Result != "refuted" || len(l.Session) != 3 || l.Session[0].Principal != "arn:aws:iam::222222222222:user/alice" || l.Session[1].Action != "sts:TagSession" ||
		l.Session[2].Resource != "arn:aws:iam::222222222222:role/Builder" {
		t.Fatalf("line %s", out)
	}
	for _, q := range append(l.Session, l.Counterexample) {
		ctx := map[string][]string{}
		for k, v := range q.Context {
			switch v := v.(type) {
			case []any:
				for _, x := range v {
					ctx[k] = append(ctx[k], fmt.Sprint(x))
				}
			default:
				ctx[k] = []string{fmt.Sprint(v)}
			}
		}
		if o, _, code := run(t, "", append([]string{"--org", dir}, explainArgs(q.Principal, q.Action, q.Resource, ctx)...)...); code != 0 {
			t.Errorf("warden explain %+v: exit %d\n%s", q, code, o)
		}
	}
	text, _, _ := run(t, "", "prove", "--org", dir, g)
	if !strings.Contains(text, "in a session made by:") || !strings.Contains(text, "arn:aws:iam::222222222222:user/alice calls sts:TagSession on arn:aws:iam::222222222222:role/Entry") {
		t.Errorf("text:\n%s", text)
	}
}
