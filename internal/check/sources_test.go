package check

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// sourcesOrg writes documents every way the format allows, over several
// files: YAML mappings (block and flow style), a JSON string, a document
// file, documents the loader writes (an Identity Center role's trust, a
// service-linked role's trust) and two identical trust policies in two
// files, which the loader compiles once.
var sourcesOrg = fstest.MapFS{
	"a.yaml": {Data: []byte(`organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com}
policies:
  - name: Full
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Dev]
  - name: Guard
    type: scp
    document:
      Version: "2012-10-17"
      Statement:
        - Sid: NoUsers
          Effect: Deny
          Action: iam:CreateUser
          Resource: "*"
    attach: [Root]
  - name: Tls
    type: rcp
    document: '{"Version": "2012-10-17", "Statement": [{"Sid": "Tls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}'
    attach: [Root]
  - name: FromFile
    type: managed
    accounts: [Dev]
    document: {file: docs/from-file.json}
`)},
	"docs/from-file.json": {Data: []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "FromFile", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
  ]
}
`)},
	"b.yaml": {Data: []byte(`roles:
  - name: First
    accounts: [Dev]
    trust:
      Version: "2012-10-17"
      Statement:
        - Sid: Same
          Effect: Allow
          Principal: {AWS: "arn:aws:iam::111111111111:root"}
          Action: sts:AssumeRole
    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess, FromFile]
    permissionsBoundary: FromFile
    inlinePolicies:
      Own:
        Version: "2012-10-17"
        Statement:
          - Sid: OwnQueue
            Effect: Allow
            Action: sqs:SendMessage
            Resource: "*"
serviceLinkedRoles:
  - service: guardduty.amazonaws.com
    name: AWSServiceRoleForAmazonGuardDuty
    accounts: [Dev]
users:
  - name: u
    account: Dev
    groups: [g]
    inlinePolicies:
      Mine: {Version: "2012-10-17", Statement: [{Sid: UserList, Effect: Allow, Action: s3:ListBucket, Resource: "*"}]}
groups:
  - name: g
    account: Dev
    inlinePolicies:
      Ours: {Version: "2012-10-17", Statement: [{Sid: GroupDeny, Effect: Deny, Action: "iam:*", Resource: "*"}]}
`)},
	"c.yaml": {Data: []byte(`roles:
  - name: Second
    accounts: [Dev]
    trust:
      Version: "2012-10-17"
      Statement:
        - Sid: Same
          Effect: Allow
          Principal: {AWS: "arn:aws:iam::111111111111:root"}
          Action: sts:AssumeRole
resources:
  - arn: arn:aws:s3:::bucket
    account: Dev
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: Bucket
          Effect: Allow
          Principal: {AWS: "arn:aws:iam::111111111111:root"}
          Action: s3:GetObject
          Resource: arn:aws:s3:::bucket/*
identityCenter:
  instanceArn: arn:aws:sso:::instance/ssoins-1234567890abcdef
  permissionSets:
    - name: Reader
      inlinePolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: Describe
            Effect: Allow
            Action: ec2:Describe*
            Resource: "*"
  assignments:
    - {permissionSet: Reader, user: nobody@example.com, accounts: [Dev]}
  users: [{userName: nobody@example.com}]
`)},
}

// at returns file:line:column of the first occurrence of text in a file of
// sourcesOrg.
func at(t *testing.T, file, text string) string {
	t.Helper()
	for i, line := range strings.Split(string(sourcesOrg[file].Data), "\n") {
		if c := strings.Index(line, text); c >= 0 {
			return fmt.Sprintf("%s:%d:%d", file, i+1, c+1)
		}
	}
	t.Fatalf("%s has no %q", file, text)
	return ""
}

func TestSources(t *testing.T) {
	o, err := org.LoadFS(sourcesOrg, ".")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSources(o)
	dev, _ := o.AccountByName("Dev")
	role := func(name string) *org.Role {
		r, ok := o.Role(dev.ID, name)
		if !ok {
			t.Fatalf("no role %s", name)
		}
		return r
	}
	pol := func(name string) *org.Policy {
		for _, p := range o.Policies {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no policy %s", name)
		return nil
	}
	byName := func(ps []*policy.Policy, name string) *policy.Policy {
		for _, p := range ps {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no policy %s in %d", name, len(ps))
		return nil
	}
	user, _ := o.User(dev.ID, "u")
	var ic *org.Role
	for _, r := range dev.Roles {
		if r.PermissionSet == "Reader" {
			ic = r
		}
	}
	if ic == nil {
		t.Fatal("no role of the permission set Reader")
	}
	res, _ := o.ResourcePolicy("arn:aws:s3:::bucket")
	first, second, slr := role("First"), role("Second"), role("AWSServiceRoleForAmazonGuardDuty")

	for _, tc := range []struct {
		name string
		p    *policy.Policy
		want string
	}{
		{"an SCP in flow style", pol("Full").Compiled, at(t, "a.yaml", `{Effect: Allow, Action: "*"`)},
		{"an SCP in block style", pol("Guard").Compiled, at(t, "a.yaml", "Sid: NoUsers")},
		// The JSON text's positions are not the file's: the policy's entry.
		{"an RCP written as a JSON string", pol("Tls").Compiled, pol("Tls").Pos.String()},
		{"a document file", pol("FromFile").Compiled, pol("FromFile").Pos.String()},
		{"a customer managed policy's copy in an account", byName(first.Policies, pol("FromFile").ARNIn(dev)), pol("FromFile").Pos.String()},
		{"a boundary compiled from a document file", first.Boundary, pol("FromFile").Pos.String()},
		{"a role's trust", first.Trust, at(t, "b.yaml", "Sid: Same")},
		// Compiled once, with the positions of the first in b.yaml.
		{"an identical trust in another file", second.Trust, at(t, "b.yaml", "Sid: Same")},
		{"a role's inline policy", byName(first.Policies, "role First inline Own"), at(t, "b.yaml", "Sid: OwnQueue")},
		{"a user's inline policy", byName(user.Policies, "user u inline Mine"), at(t, "b.yaml", "{Sid: UserList")},
		{"a group's inline policy", byName(o.UserPolicies(user), "group g inline Ours"), at(t, "b.yaml", "{Sid: GroupDeny")},
		{"a bucket policy", res.Policy, at(t, "c.yaml", "Sid: Bucket")},
		{"a permission set's inline policy", byName(ic.Policies, "permission set Reader inline"), at(t, "c.yaml", "Sid: Describe")},
		{"an Identity Center role's trust", ic.Trust, ic.Pos.String()},
		{"a service-linked role's trust", slr.Trust, slr.Pos.String()},
		{"an AWS managed policy", byName(first.Policies, "arn:aws:iam::aws:policy/ReadOnlyAccess"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.p == nil {
				t.Fatal("no compiled policy")
			}
			if got := s.Position(tc.p, tc.p.Doc.Statements[0]); got != tc.want {
				t.Errorf("Position = %q, want %q", got, tc.want)
			}
		})
	}
	if got := s.Position(nil, nil); got != "" {
		t.Errorf("Position(nil, nil) = %q", got)
	}
	if got := (*Sources)(nil).Position(first.Trust, first.Trust.Doc.Statements[0]); got != "" {
		t.Errorf("nil Sources: %q", got)
	}
}
