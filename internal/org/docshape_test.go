package org

import (
	"fmt"
	"hash/maphash"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/policy"
)

// shapeOrg is an organization whose roles' inline policies are the given
// documents, one role each (Role0, Role1, ...), in order, written as YAML
// mappings indented under inlinePolicies.Doc.
func shapeOrg(docs ...string) []byte {
	var b strings.Builder
	b.WriteString(`organization: {id: o-a1b2c3d4e5, managementAccount: Management}
accounts:
  - {name: Management, id: "111111111111", email: m@example.com}
  - {name: Dev, id: "333333333333", email: d@example.com}
roles:
`)
	for i, d := range docs {
		fmt.Fprintf(&b, "  - name: Role%d\n    accounts: [Dev]\n    trust: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}\n    inlinePolicies:\n      Doc:\n", i)
		for _, line := range strings.Split(strings.TrimSpace(d), "\n") {
			b.WriteString("        " + line + "\n")
		}
	}
	return []byte(b.String())
}

// loadShared loads an organization with the documents precompiled on two
// cores, as a large one is, and returns each role's inline policy.
func loadShared(t *testing.T, data []byte) []*policy.Policy {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer func(m int) { precompileMin = m }(precompileMin)
	precompileMin = 1
	o, err := LoadFS(fstest.MapFS{"org.yaml": {Data: data}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ps []*policy.Policy
	for i := 0; ; i++ {
		r, ok := o.Role("333333333333", fmt.Sprintf("Role%d", i))
		if !ok {
			break
		}
		if len(r.Policies) != 1 {
			t.Fatalf("Role%d has %d inline policies", i, len(r.Policies))
		}
		ps = append(ps, r.Policies[0])
	}
	return ps
}

const shapeDoc = `Version: "2012-10-17"
Statement:
  - {Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::bucket-a/*"}
  - Effect: Deny
    Action: s3:DeleteObject
    Resource: "*"
    Condition: {Bool: {aws:MultiFactorAuthPresent: "false"}}`

// Documents of one shape share one compiled policy, each under its own
// name; documents that differ in one byte of one value, or in a key, do not.
func TestShapeSharesOnlyIdenticalDocuments(t *testing.T) {
	oneByte := strings.Replace(shapeDoc, "bucket-a", "bucket-b", 1)
	key := strings.Replace(shapeDoc, "Resource: \"*\"", "NotResource: \"*\"", 1)
	// The same document written differently: flow style, quotes, comments.
	restyled := `# the same policy
Version: '2012-10-17'
Statement: [{Effect: Allow, Action: [s3:GetObject, "s3:PutObject"], Resource: "arn:aws:s3:::bucket-a/*"}, {Effect: Deny, Action: s3:DeleteObject, Resource: "*", Condition: {Bool: {aws:MultiFactorAuthPresent: "false"}}}]`
	ps := loadShared(t, shapeOrg(shapeDoc, shapeDoc, oneByte, key, restyled, oneByte))
	if len(ps) != 6 {
		t.Fatalf("%d roles", len(ps))
	}
	same := func(a, b *policy.Policy) bool { return &a.Statements[0] == &b.Statements[0] }
	for i, p := range ps {
		if want := fmt.Sprintf("arn:aws:iam::333333333333:role/Role%d#Doc", i); !strings.Contains(p.Name, fmt.Sprintf("Role%d", i)) {
			t.Errorf("policy %d is named %q, want its own role's name (like %q)", i, p.Name, want)
		}
	}
	for _, c := range []struct {
		a, b  int
		share bool
		why   string
	}{
		{0, 1, true, "identical documents"},
		{0, 4, true, "the same document written in another style"},
		{2, 5, true, "identical documents differing from the first in one byte"},
		{0, 2, false, "documents differing in one byte (bucket-a, bucket-b)"},
		{0, 3, false, "documents differing in a key (Resource, NotResource)"},
		{2, 3, false, "different documents"},
	} {
		if got := same(ps[c.a], ps[c.b]); got != c.share {
			t.Errorf("%s: Role%d and Role%d share statements: %v, want %v", c.why, c.a, c.b, got, c.share)
		}
		if ps[c.a] == ps[c.b] {
			t.Errorf("%s: Role%d and Role%d have the same *Policy: a shared policy must be renamed per use", c.why, c.a, c.b)
		}
	}
	res := func(p *policy.Policy) string { return p.Doc.Statements[0].Resource[0].Value }
	if res(ps[2]) != "arn:aws:s3:::bucket-b/*" || res(ps[0]) != "arn:aws:s3:::bucket-a/*" {
		t.Errorf("resources %q, %q", res(ps[0]), res(ps[2]))
	}
}

// Sharing a compiled policy with a later document leaves it as it was
// compiled: the first role's policy is deeply equal to that of the same
// organization without the later roles, name and positions included.
func TestShapeSharedPolicyNotMutated(t *testing.T) {
	alone := loadShared(t, shapeOrg(shapeDoc))
	shared := loadShared(t, shapeOrg(shapeDoc, shapeDoc, shapeDoc))
	if !reflect.DeepEqual(alone[0], shared[0]) {
		t.Errorf("the first use of a shared policy differs from the same policy unshared:\n%s\n%s",
			compiledPositionsOf(alone[0]), compiledPositionsOf(shared[0]))
	}
	for i, p := range shared[1:] {
		if p.Doc != shared[0].Doc || !reflect.DeepEqual(p.Statements, shared[0].Statements) {
			t.Errorf("Role%d does not share Role0's compiled document", i+1)
		}
		cp := *p
		cp.Name = shared[0].Name
		if !reflect.DeepEqual(&cp, shared[0]) {
			t.Errorf("Role%d's policy differs from Role0's by more than its name", i+1)
		}
	}
}

func compiledPositionsOf(p *policy.Policy) string {
	return compiledPositions(&Org{Policies: []*Policy{{Compiled: p}}})
}

// The shape of a document is its kinds, tags and values, aliases resolved:
// not positions nor styles; a hash collision is caught by the comparison.
func TestShapeHash(t *testing.T) {
	read := func(s string) *ynode {
		t.Helper()
		root, ok := fastYAML([]byte(s))
		if !ok {
			t.Fatalf("fastYAML declined %q", s)
		}
		return root
	}
	seed := maphash.MakeSeed()
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"a: [x, y]\n", "a:\n  - x\n  - y\n", true},
		{"a: [x, y]\n", "a: ['x', \"y\"]\n", true},
		{"a: [x, y]\n", "a: [x, z]\n", false},
		{"a: [x, y]\n", "a: [y, x]\n", false},
		{"a: [xy]\n", "a: [x, y]\n", false},
		{"a: {b: c}\n", "a: [b, c]\n", false},
		{"a: \"1\"\n", "a: 1\n", false}, // !!str and !!int: the tag is part of the shape
		{"a: null\n", "a: \"null\"\n", false},
		{"a: b\nc: d\n", "c: d\na: b\n", false},
	} {
		a, b := read(c.a), read(c.b)
		ha, oka := shapeHash(seed, a)
		hb, okb := shapeHash(seed, b)
		if !oka || !okb {
			t.Fatalf("%q, %q: no hash", c.a, c.b)
		}
		if got := sameShape(a, b); got != c.same {
			t.Errorf("sameShape(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
		if c.same && ha != hb {
			t.Errorf("%q and %q have the same shape but hashes %x, %x", c.a, c.b, ha, hb)
		}
	}
}
