package org

import (
	"encoding/json"
	"errors"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// specOf reads an org file as the server stores it: YAML as generic JSON,
// {file: PATH} documents read in as strings.
func specOf(t *testing.T, file string) (*Spec, []byte) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := yaml.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	var inline func(v any) any
	inline = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if f, ok := x["file"].(string); ok && len(x) == 1 {
				text, err := os.ReadFile(path.Join(path.Dir(file), f))
				if err != nil {
					t.Fatal(err)
				}
				return string(text)
			}
			for k, e := range x {
				x[k] = inline(e)
			}
		case []any:
			for i, e := range x {
				x[i] = inline(e)
			}
		}
		return v
	}
	stored, err := json.Marshal(inline(generic))
	if err != nil {
		t.Fatal(err)
	}
	var s Spec
	if err := json.Unmarshal(stored, &s); err != nil {
		t.Fatalf("a stored document does not decode: %v", err)
	}
	return &s, stored
}

// A document stored as generic JSON decodes into a Spec that loads as the
// file does, and writes back the same JSON values.
func TestSpecKeepsTheStoredFormat(t *testing.T) {
	s, stored := specOf(t, "testdata/valid/org.yaml")
	o, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(o), describe(mustLoad(t, "testdata/valid/org.yaml")); got != want {
		t.Errorf("the spec loads as\n%s\nthe file as\n%s", got, want)
	}
	again, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(stored, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the spec writes\n%s\nnot the stored\n%s", again, stored)
	}
}

func TestPolicyDocText(t *testing.T) {
	s := &Spec{Accounts: []*AccountDef{{Name: "Dev", ID: "333333333333"}}}
	var mapping PolicyDoc
	if err := json.Unmarshal([]byte(`{"Statement":[{"Resource":"arn:aws:s3:::b-${account:Dev}/*","Action":"s3:*","Effect":"Allow","Zed":{},"Aa":[]}],"Version":"2012-10-17"}`), &mapping); err != nil {
		t.Fatal(err)
	}
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::b-333333333333/*",
      "Aa": [],
      "Zed": {}
    }
  ]
}`
	if got := s.Text(mapping, "  "); got != want {
		t.Errorf("Text(mapping) =\n%s\nwant\n%s", got, want)
	}
	if got := s.Text(mapping, "    "); !strings.Contains(got, "\n            \"Effect\": \"Allow\"") {
		t.Errorf("Text(mapping, 4 spaces) =\n%s", got)
	}
	text := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"<${account:Dev}>"}]}`
	if got := s.Text(TextDoc(text), "  "); got != strings.ReplaceAll(text, "${account:Dev}", "333333333333") {
		t.Errorf("Text(text) = %s: want the text as given, placeholders replaced", got)
	}
	var bad PolicyDoc
	if err := json.Unmarshal([]byte(`[1]`), &bad); err == nil {
		t.Error("a list decoded as a policy document")
	}
	var none PolicyDoc
	if !none.IsZero() || s.Text(none, "  ") != "" {
		t.Error("the zero document is not empty")
	}
}

func testSpec(t *testing.T) *Spec {
	t.Helper()
	s, _ := specOf(t, "testdata/valid/org.yaml")
	return s
}

func mustLoadSpec(t *testing.T, s *Spec) *Org {
	t.Helper()
	o, err := s.Load()
	if err != nil {
		t.Fatalf("the edited spec does not load:\n%v", err)
	}
	return o
}

func TestOwnRoleSplitsSharedDefinitions(t *testing.T) {
	s := testSpec(t)
	var shared *RoleDef
	for _, r := range s.Roles {
		if len(s.ExpandAccounts(r.Accounts)) > 1 {
			shared = r
			break
		}
	}
	if shared == nil {
		t.Fatal("the test org has no role in several accounts")
	}
	accounts := s.ExpandAccounts(shared.Accounts)
	n := len(s.Roles)
	own := s.OwnRole(accounts[0], strings.ToUpper(shared.Name))
	if own == shared || !slices.Equal(own.Accounts, accounts[:1]) || len(s.Roles) != n+1 {
		t.Fatalf("OwnRole did not split: own %v, shared %v", own.Accounts, shared.Accounts)
	}
	if slices.Contains(s.ExpandAccounts(shared.Accounts), accounts[0]) {
		t.Errorf("the shared definition still holds %s", accounts[0])
	}
	own.Description = "changed in " + accounts[0]
	o := mustLoadSpec(t, s)
	for _, a := range o.Accounts {
		for _, r := range a.Roles {
			if r.Name == shared.Name && (r.Description == own.Description) != (a.Name == accounts[0]) {
				t.Errorf("role %s in %s has description %q", r.Name, a.Name, r.Description)
			}
		}
	}
	if again := s.OwnRole(accounts[0], shared.Name); again != own || len(s.Roles) != n+1 {
		t.Error("OwnRole split a definition the account has alone")
	}
}

func TestEntityEdits(t *testing.T) {
	var e Entity
	e.PutInline("Read", TextDoc(`{}`))
	e.PutInline("READ", TextDoc(`{"Version":"2012-10-17"}`))
	if names := e.InlineNames(); !slices.Equal(names, []string{"Read"}) {
		t.Errorf("names %v: PutInline in another case must replace, keeping the name", names)
	}
	if name, doc, ok := e.Inline("read"); !ok || name != "Read" || string(doc) != `"{\"Version\":\"2012-10-17\"}"` {
		t.Errorf("Inline(read) = %s %s %v", name, doc, ok)
	}
	if !e.DeleteInline("rEAD") || e.InlinePolicies != nil || e.DeleteInline("Read") {
		t.Error("DeleteInline")
	}
	e.SetTags(map[string]string{"a": "1"})
	e.SetTags(nil)
	if e.Tags != nil {
		t.Error("SetTags(nil) kept tags")
	}
}

func TestManagedPolicyLookups(t *testing.T) {
	s := testSpec(t)
	p := s.ManagedPolicy("developerpermissions")
	if p == nil {
		t.Fatal("ManagedPolicy ignores case")
	}
	acct := s.Account(s.ExpandAccounts(p.Accounts)[0])
	arn := p.ARNIn(acct.ID)
	if got := s.ManagedByARN(acct.ID, arn); got != p {
		t.Errorf("ManagedByARN(%s) = %v", arn, got)
	}
	if got := s.ManagedByARN(acct.ID, strings.Replace(arn, ":policy/", ":policy/other/", 1)); got != nil {
		t.Error("ManagedByARN matched another path")
	}
	if got := s.RefARN(acct.ID, p.Name); got != arn {
		t.Errorf("RefARN(name) = %s, want %s", got, arn)
	}
	const aws = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	if got := s.RefARN(acct.ID, aws); got != aws {
		t.Errorf("RefARN(AWS ARN) = %s", got)
	}
}

func TestAttachAndRemovePolicies(t *testing.T) {
	s := testSpec(t)
	p := &PolicyDef{Name: "DenyAll", Type: TypeSCP, Document: TextDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)}
	s.Policies = append(s.Policies, p)
	if !p.AttachTo("Dev") || p.AttachTo("Dev") || !p.Attached("Dev") {
		t.Error("AttachTo")
	}
	o := mustLoadSpec(t, s)
	dev, _ := o.AccountByName("Dev")
	if !slices.ContainsFunc(dev.SCPs, func(x *Policy) bool { return x.Name == "DenyAll" }) {
		t.Error("the attached SCP does not apply to Dev")
	}
	if !p.DetachFrom("Dev") || p.DetachFrom("Dev") || !s.RemovePolicy(p) || s.RemovePolicy(p) {
		t.Error("DetachFrom and RemovePolicy")
	}
	mustLoadSpec(t, s)
}

func TestIdentityCenterEdits(t *testing.T) {
	s := testSpec(t)
	ic := s.IdentityCenter
	if err := ic.AddUser(&SSOUserDef{UserName: "bob@example.com", DisplayName: "Bob"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*SSOUserDef{{UserName: "BOB@example.com"}, {UserName: "has space"}, {UserName: "x", Groups: []string{"Nope"}}} {
		if err := ic.AddUser(bad); err == nil {
			t.Errorf("AddUser(%q) succeeded", bad.UserName)
		}
	}
	if err := ic.AddGroup(&SSOGroupDef{Name: "Operations"}); err != nil {
		t.Fatal(err)
	}
	if err := ic.AddGroup(&SSOGroupDef{Name: "operations"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("AddGroup of a taken name: %v", err)
	}
	if err := ic.AddMember("bob@example.com", "Operations"); err != nil {
		t.Fatal(err)
	}
	if err := ic.AddMember("bob@example.com", "Operations"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("a second membership: %v", err)
	}
	if got := ic.Members("operations"); !slices.Equal(got, []string{"bob@example.com"}) {
		t.Errorf("Members = %v", got)
	}
	ps := &PermissionSetDef{Name: "Operator", SessionDuration: "PT4H", RelayState: "https://console.aws.amazon.com/ec2/",
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, Tags: map[string]string{"team": "ops"}}
	if err := ic.AddPermissionSet(ps); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*PermissionSetDef{{Name: "Operator"}, {Name: "Long", SessionDuration: "PT13H"}, {Name: "Bad name"},
		{Name: "Cust", ManagedPolicies: []string{"DeveloperPermissions"}}} {
		if err := ic.AddPermissionSet(bad); err == nil {
			t.Errorf("AddPermissionSet(%+v) succeeded", bad)
		}
	}
	if added, err := s.Assign("Operator", GroupPrincipal("Operations"), "Prod"); !added || err != nil {
		t.Fatalf("Assign: %v %v", added, err)
	}
	if added, err := s.Assign("Operator", GroupPrincipal("Operations"), "Prod"); added || err != nil {
		t.Errorf("a repeated Assign: %v %v", added, err)
	}
	if _, err := s.Assign("Operator", UserPrincipal("nobody"), "Prod"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Assign to an unknown user: %v", err)
	}
	o := mustLoadSpec(t, s)
	var loaded *PermissionSet
	for _, p := range o.IdentityCenter.PermissionSets {
		if p.Name == "Operator" {
			loaded = p
		}
	}
	if loaded == nil || names(loaded.Accounts)[0] != "Prod" || loaded.SessionDuration != 4*3600 ||
		loaded.RelayState != ps.RelayState || loaded.Tags["team"] != "ops" {
		t.Fatalf("the loaded permission set: %+v", loaded)
	}

	// DeveloperAccess is assigned to Developers through WorkloadsOU: taking
	// one account out names the others one by one.
	before := s.AssignmentAccounts(ic.Assignments[0])
	if len(before) < 2 || !s.Assigned("DeveloperAccess", GroupPrincipal("Developers"), "Dev") {
		t.Fatalf("the test org assigns DeveloperAccess in %v", before)
	}
	if !s.Unassign("DeveloperAccess", GroupPrincipal("Developers"), "Dev") || s.Unassign("DeveloperAccess", GroupPrincipal("Developers"), "Dev") {
		t.Error("Unassign")
	}
	if s.Assigned("DeveloperAccess", GroupPrincipal("Developers"), "Dev") {
		t.Error("still assigned in Dev")
	}
	for _, a := range before[1:] {
		if !s.Assigned("DeveloperAccess", GroupPrincipal("Developers"), a) {
			t.Errorf("no longer assigned in %s", a)
		}
	}
	mustLoadSpec(t, s)

	if !ic.RemoveGroup("Operations") || ic.Group("Operations") != nil || len(ic.User("bob@example.com").Groups) != 0 {
		t.Error("RemoveGroup kept the group or its memberships")
	}
	if s.Assigned("Operator", GroupPrincipal("Operations"), "Prod") {
		t.Error("RemoveGroup kept its assignment")
	}
	if !ic.RemovePermissionSet("Operator") || !ic.RemoveUser("BOB@example.com") || ic.RemoveUser("bob@example.com") {
		t.Error("RemovePermissionSet and RemoveUser")
	}
	mustLoadSpec(t, s)
}

func TestGroupsProvidersAndResources(t *testing.T) {
	s := testSpec(t)
	u := s.Users[0]
	g := s.Group(u.Account, strings.ToUpper(u.Groups[0]))
	if g == nil {
		t.Fatalf("Group(%s, %s) ignores case", u.Account, u.Groups[0])
	}
	if u.JoinGroup(strings.ToLower(g.Name)) || !u.LeaveGroup(g.Name) || u.LeaveGroup(g.Name) || !u.JoinGroup(g.Name) {
		t.Errorf("JoinGroup and LeaveGroup: groups %v", u.Groups)
	}
	p := s.IdentityProviders[0]
	if got := s.Provider(s.ExpandAccounts(p.Accounts)[0], p.Type, p.Name); got != p {
		t.Errorf("Provider = %v", got)
	}
	const bucket = "arn:aws:s3:::warden-spec-test"
	doc := TextDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account:Dev}:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::warden-spec-test/*"}]}`)
	r := s.PutResourcePolicy(bucket, "Dev", doc)
	if s.Resource(bucket) != r || s.PutResourcePolicy(bucket, "Dev", doc) != r {
		t.Fatal("PutResourcePolicy")
	}
	o := mustLoadSpec(t, s)
	if !slices.ContainsFunc(o.Resources, func(x *Resource) bool { return x.ARN == bucket && x.Account.Name == "Dev" }) {
		t.Error("the resource policy does not load")
	}
	if !s.RemoveResource(bucket) || s.RemoveResource(bucket) || s.Resource(bucket) != nil {
		t.Error("RemoveResource")
	}
}
