package authz

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/managed"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"

// TestOneManagedPolicyCache: an AWS managed policy compiles once, the same
// way, whether the org loader attached it to a role or a session named it
// as a managed session policy; both get the one compiled policy.
func TestOneManagedPolicyCache(t *testing.T) {
	o, err := loadWithReader(readOnly)
	if err != nil {
		t.Fatal(err)
	}
	role, ok := o.Role("222222222222", "Reader")
	if !ok || len(role.Policies) != 1 {
		t.Fatalf("role Reader: %v %v", ok, role)
	}
	fromSession, ok := ManagedPolicy(o, readOnly)
	if !ok {
		t.Fatal("ManagedPolicy does not find ReadOnlyAccess")
	}
	direct, err := managed.Policy(readOnly, policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	if role.Policies[0] != direct || fromSession != direct {
		t.Errorf("three compiled copies of one AWS managed policy: loader %p, session %p, cache %p", role.Policies[0], fromSession, direct)
	}
	sp, err := SessionPolicies(o, &creds.Session{Kind: "assumed-role", PolicyARNs: []string{readOnly}})
	if err != nil || len(sp) != 1 || sp[0] != direct {
		t.Errorf("session policies: %v %v", sp, err)
	}
}

// TestManagedPolicyExactARN: a managed policy is named by its exact ARN, as
// IAM's policy APIs take it (GetPolicy, AttachRolePolicy; ARNs in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html),
// so a session naming another spelling gets no policy and an org file naming
// it is refused, with the right spelling suggested.
func TestManagedPolicyExactARN(t *testing.T) {
	lower := strings.ToLower(readOnly)
	if _, err := managed.Policy(lower, policy.Identity); !errors.Is(err, managed.ErrUnknown) {
		t.Errorf("managed.Policy(%s): %v, want ErrUnknown", lower, err)
	}
	o := loadTestOrg(t)
	if _, ok := ManagedPolicy(o, lower); ok {
		t.Errorf("ManagedPolicy(%s) found a policy", lower)
	}
	if _, ok := ManagedPolicy(o, readOnly); !ok {
		t.Errorf("ManagedPolicy(%s) found none", readOnly)
	}
	_, err := loadWithReader(lower)
	if err == nil || !strings.Contains(err.Error(), `did you mean "`+readOnly+`"`) {
		t.Errorf("org naming %s: %v, want a refusal suggesting %s", lower, err, readOnly)
	}
}

// loadWithReader loads the test org with one more role, Reader in Dev,
// attaching the managed policy arn.
func loadWithReader(arn string) (*org.Org, error) {
	src := strings.Replace(testOrg, "users:\n", `  - name: Reader
    accounts: [Dev]
    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}
    managedPolicies: [`+arn+`]
users:
`, 1)
	return org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
}
