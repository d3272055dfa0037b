package reach

import (
	"strings"
	"testing"
)

// plainReader is a Prod role with no policy of its own, trusting TRUST.
func plainReader(acct, trust string) string {
	return `  - name: Reader
    accounts: [` + acct + `]
    trust: {Version: "2012-10-17", Statement: [` + trust + `]}
`
}

func bucketFor(stmts string) string {
	return `resources:
  - arn: arn:aws:s3:::prod-data
    account: Prod
    policy: {Version: "2012-10-17", Statement: [` + stmts + `]}
`
}

const trustDev = `{Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: sts:AssumeRole}`

func sessionNameOf(p Path) string {
	var out []string
	for _, n := range p.SessionNames() {
		out = append(out, n.Role+"="+n.Name)
	}
	return strings.Join(out, ",")
}

func TestNamedSessionInBucketPolicy(t *testing.T) {
	grant := func(acct string) string {
		return `{Effect: Allow, Principal: {AWS: "arn:aws:sts::` + acct + `:assumed-role/Reader/alice"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}`
	}
	o := loadOrg(t, "roles:\n"+plainReader("Prod", trustDev), alice(""), bucketFor(grant(prod)))
	got := who(t, o, "s3:GetObject", object, nil)
	r, ok := got[roleARN(prod, "Reader")]
	if !ok || r.Final.SessionName != "alice" || sessionNameOf(r) != roleARN(prod, "Reader")+"=alice" {
		t.Fatalf("Reader reads as its session alice: %v %+v", names(got), r.SessionNames())
	}
	if r.Final.Caller() != "arn:aws:sts::"+prod+":assumed-role/Reader/alice" {
		t.Fatalf("caller %s", r.Final.Caller())
	}
	u, ok := got[userARN(dev, "alice")]
	if !ok || viaOf(u) != roleARN(prod, "Reader") || sessionNameOf(u) != roleARN(prod, "Reader")+"=alice" {
		t.Fatalf("the user alice reads through Reader's session alice: %v", names(got))
	}
	// Twin: the policy names the session of a Reader of another account.
	o = loadOrg(t, "roles:\n"+plainReader("Prod", trustDev), alice(""), bucketFor(grant(dev)))
	got = who(t, o, "s3:GetObject", object, nil)
	if _, ok := got[roleARN(prod, "Reader")]; ok {
		t.Fatalf("Dev's Reader/alice is not Prod's Reader: %v", names(got))
	}
	if _, ok := got[userARN(dev, "alice")]; ok {
		t.Fatalf("no path to the bucket: %v", names(got))
	}
}

func TestDenyNamedSessionLeavesOthers(t *testing.T) {
	deny := `{Effect: Deny, Principal: {AWS: "arn:aws:sts::333333333333:assumed-role/Reader/alice"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-data/*"}`
	o := loadOrg(t, "roles:\n"+reader(trustDev), alice(""), bucketFor(deny))
	got := who(t, o, "s3:GetObject", object, nil)
	r, ok := got[roleARN(prod, "Reader")]
	if !ok || r.Final.SessionName != "" || r.Unsure {
		t.Fatalf("every session but alice reads: %v", names(got))
	}
	// Twin: the deny names every session (the role itself).
	deny = strings.Replace(deny, "arn:aws:sts::333333333333:assumed-role/Reader/alice", "arn:aws:iam::333333333333:role/Reader", 1)
	o = loadOrg(t, "roles:\n"+reader(trustDev), alice(""), bucketFor(deny))
	got = who(t, o, "s3:GetObject", object, nil)
	if _, ok := got[roleARN(prod, "Reader")]; ok {
		t.Fatalf("the deny names the role: %v", names(got))
	}
}

func TestUserIDPatternSCP(t *testing.T) {
	scp := func(pattern string) string {
		return `policies:
  - name: Approved
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "s3:GetObject", Resource: "*", Condition: {StringNotLike: {"aws:userid": "` + pattern + `"}}}]}
    attach: [Prod]
`
	}
	o := loadOrg(t, "roles:\n"+reader(trustDev), alice(""), bucket, scp("*:approved-*"))
	got := who(t, o, "s3:GetObject", object, nil)
	r, ok := got[roleARN(prod, "Reader")]
	if !ok || !strings.HasPrefix(r.Final.SessionName, "approved-") || r.Unsure {
		t.Fatalf("Reader reads as a session approved-…: %v %q", names(got), r.Final.SessionName)
	}
	if u, ok := got[userARN(dev, "alice")]; !ok || !strings.Contains(sessionNameOf(u), "=approved-") {
		t.Fatalf("alice reads through Reader's session approved-…: %v", names(got))
	}
	if _, ok := got["arn:aws:iam::"+prod+":root"]; ok {
		t.Fatalf("the root user's aws:userid is its account: %v", names(got))
	}
	// Twin: a pattern no role session's aws:userid matches.
	o = loadOrg(t, "roles:\n"+reader(trustDev), alice(""), bucket, scp("AIDA*"))
	got = who(t, o, "s3:GetObject", object, nil)
	if _, ok := got[roleARN(prod, "Reader")]; ok {
		t.Fatalf("no session's aws:userid starts AIDA: %v", names(got))
	}
}

func TestTrustNamesSession(t *testing.T) {
	hopper := func(acct string) string {
		return `  - name: Hopper
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [` + trustDev + `]}
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
` + reader(`{Effect: Allow, Principal: {AWS: "arn:aws:sts::`+acct+`:assumed-role/Hopper/bob"}, Action: sts:AssumeRole}`)
	}
	users := `users:
  - name: carol
    account: Dev
    inlinePolicies:
      Assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/Hopper"}]}
`
	o := loadOrg(t, "roles:\n"+hopper(dev), users, bucket)
	got := who(t, o, "s3:GetObject", object, nil)
	h, ok := got[roleARN(dev, "Hopper")]
	if !ok || sessionNameOf(h) != roleARN(dev, "Hopper")+"=bob" {
		t.Fatalf("Hopper reads through Reader as its session bob: %v", names(got))
	}
	if c, ok := got[userARN(dev, "carol")]; !ok || len(c.Via) != 2 || sessionNameOf(c) != roleARN(dev, "Hopper")+"=bob" {
		t.Fatalf("carol reads through Hopper (as bob) and Reader: %v", names(got))
	}
	// Twin: the trust names the session of a Hopper of another account.
	o = loadOrg(t, "roles:\n"+hopper(mgmt), users, bucket)
	got = who(t, o, "s3:GetObject", object, nil)
	for _, p := range []string{roleARN(dev, "Hopper"), userARN(dev, "carol")} {
		if _, ok := got[p]; ok {
			t.Fatalf("%s cannot assume Reader: %v", p, names(got))
		}
	}
}
