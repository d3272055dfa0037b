package reach

import (
	"strings"
	"testing"
)

// The pages whose rules these tests follow.
const (
	// Source identity persists through role chaining and cannot change;
	// an assumption from a session with one needs sts:SetSourceIdentity
	// in the caller's policies and the next role's trust policy.
	docSourceIdentity = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html"
	// Session tags need sts:TagSession; transitive ones pass to later
	// sessions of the chain and cannot be passed again.
	docSessionTags = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining"
	// aws:MultiFactorAuthPresent: present for temporary credentials,
	// absent for long-term keys; a chain keeps its first session's MFA.
	docMFA = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"
)

// hopOrg is Dev's user alice (allowed ALICE's actions on every role),
// Dev's role A (trusting alice with TRUSTA, allowed A's actions) and Prod's
// role B (trusting A with TRUSTB), which reads the bucket.
func hopOrg(t *testing.T, aliceActions, trustA, aActions, trustB string) map[string]Path {
	t.Helper()
	roles := `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [` + trustA + `]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [` + aActions + `], Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [` + trustB + `]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}]}
`
	users := `users:
  - name: alice
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [` + aliceActions + `], Resource: "*"}]}
`
	return who(t, loadOrg(t, roles, users, bucket), "s3:GetObject", object, nil)
}

func trusting(principal, actions, cond string) string {
	s := `{Effect: Allow, Principal: {AWS: "` + principal + `"}, Action: [` + actions + `]`
	if cond != "" {
		s += `, Condition: ` + cond
	}
	return s + `}`
}

func needsOf(p Path) string {
	var s []string
	for _, n := range p.Session {
		s = append(s, n.String())
	}
	return strings.Join(s, "; ")
}

// edgeFrom reports whether the graph alone (each hop decided by itself)
// has an allowed edge from the principal into the role.
func edgeFrom(t *testing.T, g *Graph, from, role string) bool {
	t.Helper()
	to, ok := g.Lookup(role)
	if !ok {
		t.Fatalf("no role %s", role)
	}
	for _, e := range g.Into(to.Role) {
		if e.From.ARN == from && e.Allowed && !e.tagged {
			return true
		}
	}
	return false
}

// A source identity set at hop 1 persists and cannot change (docSourceIdentity):
// B's trust wants alice, A's trust lets alice set only bob. Each hop alone
// is possible; the chain is not. Its twin lets alice set alice.
func TestSourceIdentityChain(t *testing.T) {
	const si = `"sts:AssumeRole", "sts:SetSourceIdentity"`
	trustB := trusting(roleARN(dev, "A"), si, `{StringEquals: {aws:SourceIdentity: alice}}`)
	setsOnly := func(v string) string {
		return trusting(userARN(dev, "alice"), si, `{StringEquals: {sts:SourceIdentity: `+v+`}}`)
	}
	got := hopOrg(t, si, setsOnly("bob"), si, trustB)
	if p, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("alice can only set the source identity bob, which B's trust refuses (%s): listed via [%s] needing %s", docSourceIdentity, viaOf(p), needsOf(p))
	}
	// A per-hop analysis would list her: each edge alone is allowed.
	g := New(loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+setsOnly("bob")+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: [`+si+`], Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trustB+`]}
`, alice(""), bucket), now)
	if !edgeFrom(t, g, userARN(dev, "alice"), roleARN(dev, "A")) || !edgeFrom(t, g, roleARN(dev, "A"), roleARN(prod, "B")) {
		t.Fatal("each hop alone should be allowed: the chain, not a hop, is impossible")
	}
	// A's own sessions may already carry alice (set when A was assumed).
	if p, ok := got[roleARN(dev, "A")]; !ok || needsOf(p) != "source identity = alice set at sign-in" {
		t.Fatalf("a session of A with the source identity alice reads through B: %v %q", names(got), needsOf(got[roleARN(dev, "A")]))
	}

	// Twin: A's trust lets alice set alice; B sees it as aws:SourceIdentity.
	got = hopOrg(t, si, setsOnly("alice"), si, trustB)
	p, ok := got[userARN(dev, "alice")]
	if !ok || viaOf(p) != roleARN(dev, "A")+" > "+roleARN(prod, "B") {
		t.Fatalf("alice sets the source identity alice at hop 1 and reads through B: %v", names(got))
	}
	if needsOf(p) != "source identity = alice set at hop 1" {
		t.Fatalf("the path needs the source identity set at hop 1: %q", needsOf(p))
	}
	if v := ctxValue(p.Hops[1].Context, "aws:SourceIdentity"); len(v) != 1 || v[0] != "alice" {
		t.Fatalf("hop 2's request carries the source identity: %v", p.Hops[1].Context)
	}

	// Twin: B's trust lets A assume it but not set (carry) the source
	// identity: from a session that has one, the assumption needs
	// sts:SetSourceIdentity in the next role's trust policy.
	got = hopOrg(t, si, setsOnly("alice"), si, trusting(roleARN(dev, "A"), `"sts:AssumeRole"`, `{StringEquals: {aws:SourceIdentity: alice}}`))
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("B's trust does not allow sts:SetSourceIdentity, which the chained assumption needs (%s)", docSourceIdentity)
	}
	// Twin: alice's own policies do not allow sts:SetSourceIdentity (A's
	// trust names her account, so her policies must allow it too).
	got = hopOrg(t, `"sts:AssumeRole"`, trusting("arn:aws:iam::"+dev+":root", si, `{StringEquals: {sts:SourceIdentity: alice}}`), si, trustB)
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("alice may not set a source identity: %v", names(got))
	}
}

// Session tags: B's trust wants A's session tagged team=payments, which A
// lacks. Only a chain where alice passes the tag at hop 1 (sts:TagSession
// allowed there) reaches B (docSessionTags); the graph alone has no edge.
func TestSessionTagChain(t *testing.T) {
	const tag = `"sts:AssumeRole", "sts:TagSession"`
	trustB := trusting(roleARN(dev, "A"), `"sts:AssumeRole"`, `{StringEquals: {aws:PrincipalTag/team: payments}}`)
	passes := trusting(userARN(dev, "alice"), tag, `{StringEquals: {aws:RequestTag/team: [payments, billing]}}`)
	got := hopOrg(t, tag, passes, `"sts:AssumeRole"`, trustB)
	p, ok := got[userARN(dev, "alice")]
	if !ok || viaOf(p) != roleARN(dev, "A")+" > "+roleARN(prod, "B") {
		t.Fatalf("alice passes team=payments at hop 1 and reads through B: %v", names(got))
	}
	if needsOf(p) != "tag team=payments at hop 1" {
		t.Fatalf("the path needs the tag passed at hop 1: %q", needsOf(p))
	}
	if _, ok := got[roleARN(dev, "A")]; ok {
		t.Fatalf("A's own sessions carry no team tag: %v", names(got))
	}
	g := New(loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+passes+`]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trustB+`]}
`, alice(""), bucket), now)
	if edgeFrom(t, g, roleARN(dev, "A"), roleARN(prod, "B")) {
		t.Fatal("alone, A (untagged) cannot assume B: only the linked chain finds the path")
	}

	// Twin: A's trust allows the tag but not sts:TagSession.
	got = hopOrg(t, tag, trusting(userARN(dev, "alice"), `"sts:AssumeRole"`, `{StringEquals: {aws:RequestTag/team: payments}}`), `"sts:AssumeRole"`, trustB)
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("passing session tags needs sts:TagSession in A's trust (%s): %v", docSessionTags, names(got))
	}
	// Twin: alice may pass only team=billing.
	got = hopOrg(t, tag, trusting(userARN(dev, "alice"), tag, `{StringEquals: {aws:RequestTag/team: billing}}`), `"sts:AssumeRole"`, trustB)
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("alice cannot tag her session team=payments: %v", names(got))
	}
}

// Three hops: C's trust tests B's session's tag, which only a transitive
// tag passed at hop 1 can give (B's trust allows no sts:TagSession); the
// twin forbids transitive keys at hop 1.
func TestTransitiveTagChain(t *testing.T) {
	org := func(transitive string) map[string]Path {
		roles := `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + userARN(dev, "alice") + `"}, Action: ["sts:AssumeRole", "sts:TagSession"], Condition: {` + transitive + `}}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + roleARN(dev, "A") + `"}, Action: "sts:AssumeRole"}]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "*"}]}
  - name: C
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "` + roleARN(prod, "B") + `"}, Action: "sts:AssumeRole", Condition: {StringEquals: {aws:PrincipalTag/team: payments}}}]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}]}
`
		users := `users:
  - name: alice
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "*"}]}
`
		return who(t, loadOrg(t, roles, users, bucket), "s3:GetObject", object, nil)
	}
	got := org(`StringEquals: {aws:RequestTag/team: payments}`)
	p, ok := got[userARN(dev, "alice")]
	if !ok || len(p.Via) != 3 {
		t.Fatalf("alice reads through A > B > C: %v", names(got))
	}
	if needsOf(p) != "tag team=payments, transitive, at hop 1" {
		t.Fatalf("the tag must be transitive from hop 1 (%s): %q", docSessionTags, needsOf(p))
	}
	if v := ctxValue(p.Hops[0].Context, "sts:TransitiveTagKeys"); len(v) != 1 || v[0] != "team" {
		t.Fatalf("hop 1 sets team as transitive: %v", p.Hops[0].Context)
	}
	// Twin: hop 1 may set no transitive keys (a Null test: the key absent).
	got = org(`StringEquals: {aws:RequestTag/team: payments}, "Null": {sts:TransitiveTagKeys: "true"}`)
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("without a transitive tag, B's session has no team tag for C: %v", names(got))
	}
}

// MFA comes from the chain's sign-in (docMFA): B's trust wants MFA; the
// path from alice says so once, at sign-in, not at the hop. A chain
// started by a service (no MFA) cannot reach B, though the edge alone
// would be allowed; a caller fixing MFA false for the request rules the
// chain out.
func TestMFAChain(t *testing.T) {
	trustB := trusting(roleARN(dev, "A"), `"sts:AssumeRole"`, `{Bool: {aws:MultiFactorAuthPresent: "true"}}`)
	trustA := trusting(userARN(dev, "alice"), `"sts:AssumeRole"`, "") + `, {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}`
	got := hopOrg(t, `"sts:AssumeRole"`, trustA, `"sts:AssumeRole"`, trustB)
	p, ok := got[userARN(dev, "alice")]
	if !ok || len(p.Via) != 2 || needsOf(p) != "MFA at sign-in" {
		t.Fatalf("alice reads through A > B with MFA at sign-in: %v %q", names(got), needsOf(p))
	}
	for i, h := range p.Hops {
		if len(h.Requires) != 0 {
			t.Errorf("hop %d restates a session requirement: %+v", i+1, h.Requires)
		}
		if v := ctxValue(h.Context, "aws:MultiFactorAuthPresent"); len(v) != 1 || v[0] != "true" {
			t.Errorf("hop %d's request carries the chain's MFA: %v", i+1, h.Context)
		}
	}
	if _, ok := got["ec2.amazonaws.com"]; ok {
		t.Fatalf("a chain EC2 starts has no MFA (%s): %v", docMFA, names(got))
	}
	g := New(loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+trustA+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trustB+`]}
`, alice(""), bucket), now)
	if !edgeFrom(t, g, "ec2.amazonaws.com", roleARN(dev, "A")) || !edgeFrom(t, g, roleARN(dev, "A"), roleARN(prod, "B")) {
		t.Fatal("alone, both of EC2's hops are allowed")
	}

	// Twin: the caller fixes the request's MFA to false: the chain has none.
	o := loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+trustA+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trustB+`]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}]}
`, alice(""), bucket)
	got = who(t, o, "s3:GetObject", object, map[string][]string{"aws:MultiFactorAuthPresent": {"false"}})
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("a request without MFA comes from a chain without it: %v", names(got))
	}
	if _, ok := got[roleARN(prod, "B")]; !ok {
		t.Fatalf("B's own sessions read without MFA: %v", names(got))
	}
	// Twin: fresh MFA (under 5 minutes) at B's trust, an old sign-in
	// required by the read (over an hour): the age only grows along the
	// chain, so the read after the assumption is possible.
	o = loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+trusting(userARN(dev, "alice"), `"sts:AssumeRole"`, "")+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trusting(roleARN(dev, "A"), `"sts:AssumeRole"`, `{NumericLessThan: {aws:MultiFactorAuthAge: "300"}}`)+`]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*", Condition: {NumericGreaterThan: {aws:MultiFactorAuthAge: "3600"}}}]}
`, alice(""), bucket)
	got = who(t, o, "s3:GetObject", object, nil)
	if p, ok := got[userARN(dev, "alice")]; !ok || needsOf(p) != "MFA at sign-in" {
		t.Fatalf("alice assumes B fresh and reads later: %v", names(got))
	}
	// And the other way round (old at the assumption, fresh at the read)
	// is impossible.
	o = loadOrg(t, strings.NewReplacer(`NumericLessThan: {aws:MultiFactorAuthAge: "300"}`, `NumericGreaterThan: {aws:MultiFactorAuthAge: "3600"}`,
		`NumericGreaterThan: {aws:MultiFactorAuthAge: "3600"}}}]}`, `NumericLessThan: {aws:MultiFactorAuthAge: "300"}}}]}`).Replace(`roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+trusting(userARN(dev, "alice"), `"sts:AssumeRole"`, "")+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trusting(roleARN(dev, "A"), `"sts:AssumeRole"`, `{NumericLessThan: {aws:MultiFactorAuthAge: "300"}}`)+`]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*", Condition: {NumericGreaterThan: {aws:MultiFactorAuthAge: "3600"}}}]}
`), alice(""), bucket)
	got = who(t, o, "s3:GetObject", object, nil)
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("MFA cannot get younger along a chain (%s): %v", docMFA, names(got))
	}
}

// ctxValue is a key's value in a decided context (whose keys are
// lower-cased).
func ctxValue(ctx map[string][]string, key string) []string {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// The caller's context fixes the request's source identity or MFA age: a
// chain sets that source identity (even where no policy tests it), and
// the age is the caller's.
func TestSessionGivenKeys(t *testing.T) {
	o := loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+trusting(userARN(dev, "alice"), `"sts:AssumeRole", "sts:SetSourceIdentity"`, "")+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trusting(roleARN(dev, "A"), `"sts:AssumeRole", "sts:SetSourceIdentity"`, `{Bool: {aws:MultiFactorAuthPresent: "true"}}`)+`]}
    inlinePolicies:
      Read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*", Condition: {NumericLessThan: {aws:MultiFactorAuthAge: "3600"}}}]}
`, alice(`      SetSI: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:SetSourceIdentity", Resource: "*"}]}
`), bucket)
	got := who(t, o, "s3:GetObject", object, map[string][]string{"aws:SourceIdentity": {"carol"}, "aws:MultiFactorAuthAge": {"120"}})
	p, ok := got[userARN(dev, "alice")]
	if !ok || needsOf(p) != "MFA at sign-in; source identity = carol set at hop 1" {
		t.Fatalf("alice's chain sets carol and has MFA: %v %q", names(got), needsOf(p))
	}
	if v := ctxValue(p.Final.Context, "aws:MultiFactorAuthAge"); len(v) != 1 || v[0] != "120" {
		t.Fatalf("the request's MFA age is the caller's: %v", p.Final.Context)
	}
	// Twin: an age past the read's bound.
	got = who(t, o, "s3:GetObject", object, map[string][]string{"aws:MultiFactorAuthAge": {"7200"}})
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("an MFA two hours old does not read: %v", names(got))
	}
}

// The graph's edge from an untagged role into a role whose trust wants a
// session tag says so: it requires the tag of the caller's session (as
// `warden can` prints), and WhoCan lists the role only through a chain
// that passes it.
func TestTaggedEdge(t *testing.T) {
	g := New(loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+trusting(userARN(dev, "alice"), `"sts:AssumeRole", "sts:TagSession"`, "")+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trusting(roleARN(dev, "A"), `"sts:AssumeRole"`, `{StringEquals: {aws:PrincipalTag/team: payments}}`)+`]}
`, alice(""), bucket), now)
	a, _ := g.Lookup(roleARN(dev, "A"))
	var out []Edge
	for _, e := range g.Out(a) {
		if e.To.ARN == roleARN(prod, "B") {
			out = append(out, e)
		}
	}
	if len(out) != 1 || !out[0].tagged || !requires(out[0].Requires, "aws:PrincipalTag/team", "payments") {
		t.Fatalf("A's edge into B requires its session's tag team=payments: %+v", out)
	}
}

// who-can sts:AssumeRole on a role: the last request of a chain with a
// source identity carries it (docSourceIdentity), so the role's trust must
// allow sts:SetSourceIdentity.
func TestAssumeCarriesSourceIdentity(t *testing.T) {
	org := func(trustB string) map[string]Path {
		return who(t, loadOrg(t, `roles:
  - name: A
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [`+trusting(userARN(dev, "alice"), `"sts:AssumeRole", "sts:SetSourceIdentity"`, `{StringEquals: {sts:SourceIdentity: alice}}`)+`]}
    inlinePolicies:
      Hop: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"], Resource: "*"}]}
  - name: B
    accounts: [Prod]
    trust: {Version: "2012-10-17", Statement: [`+trustB+`]}
`, alice(`      SetSI: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:SetSourceIdentity", Resource: "*"}]}
`), bucket), "sts:AssumeRole", roleARN(prod, "B"), nil)
	}
	got := org(trusting(roleARN(dev, "A"), `"sts:AssumeRole", "sts:SetSourceIdentity"`, ""))
	if p, ok := got[userARN(dev, "alice")]; !ok || needsOf(p) != "source identity = alice set at hop 1" {
		t.Fatalf("alice assumes B through A, carrying alice: %v %q", names(got), needsOf(got[userARN(dev, "alice")]))
	}
	got = org(trusting(roleARN(dev, "A"), `"sts:AssumeRole"`, ""))
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("B's trust does not allow carrying the source identity: %v", names(got))
	}
	if _, ok := got[roleARN(dev, "A")]; !ok {
		t.Fatalf("A's sessions without a source identity assume B: %v", names(got))
	}
}
