package prove

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// platformOnly is an organization of two accounts whose Dev's SCP denies
// s3:DeleteBucket unless aws:PrincipalTag/team is platform.
const platformOnly = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
accounts:
  - {name: Mgmt, id: "111111111111", email: m@example.com}
  - {name: Dev, id: "222222222222", email: d@example.com}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Dev]
  - name: PlatformOnly
    type: scp
    document: {Version: "2012-10-17", Statement: [{Sid: NotPlatform, Effect: Deny, Action: "s3:DeleteBucket", Resource: "*", Condition: {StringNotEquals: {aws:PrincipalTag/team: platform}}}]}
    attach: [Dev]
`

// tagOrg: Dev's role Builder (tagged team=dev) may do anything in S3, but
// Dev's SCP denies s3:DeleteBucket unless aws:PrincipalTag/team is
// platform. Builder's trust is TRUST; Mgmt's user deployer has the
// policy DEPLOYER.
const tagOrg = platformOnly + `users:
  - name: deployer
    account: Mgmt
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [DEPLOYER], Resource: "*"}]}
roles:
  - name: Builder
    accounts: [Dev]
    tags: {team: dev}
    trust: {Version: "2012-10-17", Statement: [TRUST]}
    inlinePolicies:
      P: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
`

const deleteBuckets = "guardrails:\n  - name: no one in Dev deletes buckets\n    accounts: [Dev]\n    principals: [\"arn:aws:iam::*:role/*\"]\n    actions: [s3:DeleteBucket]\n"

func loadOrg(t *testing.T, src string) *org.Org {
	t.Helper()
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return o
}

// explainAll checks that warden explain's engine allows every request of a
// refutation: the session's, then the counterexample.
func explainAll(t *testing.T, o *org.Org, r Result) {
	t.Helper()
	for _, q := range append(append([]Request(nil), r.Session...), *r.Counterexample) {
		ctx := map[string][]string{}
		for k, v := range q.Context {
			switch v := v.(type) {
			case string:
				ctx[k] = []string{v}
			case []string:
				ctx[k] = v
			case []any:
				for _, x := range v {
					ctx[k] = append(ctx[k], x.(string))
				}
			default:
				t.Fatalf("context %s: %T", k, v)
			}
		}
		_, e, err := authz.Decide(o, authz.Query{Principal: q.Principal, Action: q.Action, Resource: q.Resource, Context: ctx}, now)
		if err != nil || e.Decision != eval.Allow {
			t.Errorf("explain %s %s %s %v: %v %v", q.Principal, q.Action, q.Resource, ctx, e.Decision, err)
		}
	}
}

// TestSessionTags: a caller the trust policy lets pass session tags
// chooses the session's aws:PrincipalTag/* values, which override the
// role's ("Passing session tags in AWS STS", IAM User Guide), unless the
// trust holds them to values. A refutation under a tag other than the
// role's own is a pair of requests warden explain allows as a whole: the
// sts:AssumeRole that passes the tag (aws:RequestTag/team, aws:TagKeys)
// and its sts:TagSession, both decided on the same trust policy, then the
// request in that session. Twins: deployer not allowed sts:TagSession, a
// trust whose aws:TagKeys leaves team out (no such pair: unknown, never
// refuted nor proved).
func TestSessionTags(t *testing.T) {
	const assume = `{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: [ACTIONS]COND}`
	for _, tc := range []struct {
		name, actions, cond, deployer string
		want                          string
	}{
		{"tag session", "sts:AssumeRole, sts:TagSession", "", "sts:AssumeRole, sts:TagSession", Refuted},
		{"no tag session", "sts:AssumeRole", "", "sts:AssumeRole, sts:TagSession", Proved},
		{"request tag held", "sts:AssumeRole, sts:TagSession", ", Condition: {StringEquals: {aws:RequestTag/team: dev}}", "sts:AssumeRole, sts:TagSession", Proved},
		{"request tag allows platform", "sts:AssumeRole, sts:TagSession", ", Condition: {StringEquals: {aws:RequestTag/team: [dev, platform]}}", "sts:AssumeRole, sts:TagSession", Refuted},
		{"tag keys", "sts:AssumeRole, sts:TagSession", ", Condition: {ForAllValues:StringEquals: {aws:TagKeys: [team]}}", "sts:AssumeRole, sts:TagSession", Refuted},
		{"tag keys without team", "sts:AssumeRole, sts:TagSession", ", Condition: {ForAllValues:StringEquals: {aws:TagKeys: [env]}}", "sts:AssumeRole, sts:TagSession", Unknown},
		{"caller may not tag", "sts:AssumeRole, sts:TagSession", "", "sts:AssumeRole", Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trust := strings.NewReplacer("ACTIONS", tc.actions, "COND", tc.cond).Replace(assume)
			src := strings.NewReplacer("TRUST", trust, "DEPLOYER", tc.deployer).Replace(tagOrg)
			o := loadOrg(t, src)
			r := New(o, now).Prove(mustParse(t, o, deleteBuckets)[0])
			if r.Result != tc.want {
				t.Fatalf("%s: %+v", r.Result, r)
			}
			if r.Result != Refuted {
				return
			}
			if got := r.Counterexample.Context["aws:PrincipalTag/team"]; got != "platform" {
				t.Fatalf("counterexample %+v", r.Counterexample)
			}
			deployer := "arn:aws:iam::111111111111:user/deployer"
			builder := "arn:aws:iam::222222222222:role/Builder"
			if len(r.Session) != 2 || r.Session[0].Principal != deployer || r.Session[0].Action != "sts:AssumeRole" || r.Session[0].Resource != builder ||
				r.Session[1].Action != "sts:TagSession" || r.Session[1].Resource != builder || r.Session[0].Context["aws:RequestTag/team"] != "platform" {
				t.Fatalf("session %+v", r.Session)
			}
			explainAll(t, o, r)
		})
	}
}

// chainOrg: Builder (team=dev) is as in tagOrg, but its trust lets only
// Dev's role Entry assume it, without sts:TagSession; Entry's trust lets
// Mgmt's principals assume it with ENTRY_ACTIONS, and deployer may assume
// and tag any role.
const chainOrg = platformOnly + `users:
  - name: deployer
    account: Mgmt
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [sts:AssumeRole, sts:TagSession], Resource: "*"}]}
roles:
  - name: Entry
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: [ENTRY_ACTIONS]}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sts:AssumeRole, Resource: "arn:aws:iam::222222222222:role/Builder"}]}
  - name: Builder
    accounts: [Dev]
    tags: {team: dev}
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:role/Entry"}, Action: sts:AssumeRole}]}
    inlinePolicies:
      P: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
`

// TestTransitiveSessionTags: session tags passed as transitive carry
// across a chain of assumptions and cannot be overridden ("Passing session
// tags in AWS STS", "Chaining roles with session tags",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining).
// Builder's trust allows no sts:TagSession, so its own tag team=dev looks
// fixed; but deployer can assume Entry passing team=platform as a
// transitive tag, and Entry's session then assumes Builder: that session's
// aws:PrincipalTag/team is platform and s3:DeleteBucket is allowed. Without
// the transitive tags the guardrail would be proved. The refutation names
// the three requests that make the session (AssumeRole of Entry with the
// tag, its TagSession, AssumeRole of Builder), each allowed by warden
// explain. Twin: Entry's trust allows no sts:TagSession, and the guardrail
// is proved.
func TestTransitiveSessionTags(t *testing.T) {
	const g = "guardrails:\n  - name: Builder deletes no buckets\n    principals: [\"arn:aws:iam::*:role/Builder\"]\n    actions: [s3:DeleteBucket]\n"
	o := loadOrg(t, strings.Replace(chainOrg, "ENTRY_ACTIONS", "sts:AssumeRole, sts:TagSession", 1))
	r := New(o, now).Prove(mustParse(t, o, g)[0])
	if r.Result != Refuted || r.Counterexample.Context["aws:PrincipalTag/team"] != "platform" || !strings.Contains(r.Counterexample.Principal, ":assumed-role/Builder/") {
		t.Fatalf("%s: %+v", r.Result, r)
	}
	entry, builder := "arn:aws:iam::222222222222:role/Entry", "arn:aws:iam::222222222222:role/Builder"
	s := r.Session
	if len(s) != 3 || s[0].Principal != "arn:aws:iam::111111111111:user/deployer" || s[0].Action != "sts:AssumeRole" || s[0].Resource != entry ||
		s[0].Context["aws:RequestTag/team"] != "platform" || s[0].Context["sts:TransitiveTagKeys"] != "team" ||
		s[1].Action != "sts:TagSession" || s[1].Resource != entry ||
		!strings.HasPrefix(s[2].Principal, "arn:aws:sts::222222222222:assumed-role/Entry/") || s[2].Action != "sts:AssumeRole" || s[2].Resource != builder {
		t.Fatalf("session %+v", s)
	}
	if _, passes := s[2].Context["aws:RequestTag/team"]; passes {
		t.Errorf("the assumption of Builder passes the tag again (it is inherited): %+v", s[2])
	}
	explainAll(t, o, r)

	// The twin: no session tags on the way into Builder.
	o = loadOrg(t, strings.Replace(chainOrg, "ENTRY_ACTIONS", "sts:AssumeRole", 1))
	if r := New(o, now).Prove(mustParse(t, o, g)[0]); r.Result != Proved {
		t.Fatalf("twin: %s %+v", r.Result, r)
	}
}
