package awsdata

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestServiceAndActionCounts(t *testing.T) {
	prefixes := Services()
	if got, want := len(prefixes), 455; got != want {
		t.Fatalf("len(Services()) = %d, want %d", got, want)
	}
	if !sort.StringsAreSorted(prefixes) {
		t.Error("Services() is not sorted")
	}
	var actions, resourceTypes, twoLevels int
	for _, prefix := range prefixes {
		s, ok := LookupService(prefix)
		if !ok {
			t.Fatalf("LookupService(%q) not found", prefix)
		}
		if s.Prefix != prefix || s.Name == "" {
			t.Errorf("service %q: Prefix %q, Name %q", prefix, s.Prefix, s.Name)
		}
		resourceTypes += len(s.ResourceTypes())
		for _, a := range s.Actions() {
			actions++
			if len(a.AccessLevels) == 2 {
				twoLevels++
			}
		}
	}
	// data/README.md: 21,788 actions and 2,300 resource types; 715 actions are
	// "Tagging, Write" and 415 "Permissions management, Write".
	for _, c := range []struct {
		what      string
		got, want int
	}{{"actions", actions, 21788}, {"resource types", resourceTypes, 2300}, {"actions with two access levels", twoLevels, 715 + 415}} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
		}
	}
}

func TestLookupServiceIgnoresCase(t *testing.T) {
	s, ok := LookupService("S3")
	if !ok || s.Prefix != "s3" || s.Name != "Amazon S3" {
		t.Fatalf("LookupService(S3) = %+v, %v; want s3, Amazon S3", s, ok)
	}
	if _, ok := LookupService("nosuchservice"); ok {
		t.Error("LookupService(nosuchservice) found something")
	}
}

func TestLookupActionGetObject(t *testing.T) {
	for _, name := range []string{"s3:GetObject", "S3:GETOBJECT", "s3:getobject"} {
		a, ok := LookupAction(name)
		if !ok {
			t.Fatalf("LookupAction(%q) not found", name)
		}
		if a.Service != "s3" || a.Name != "GetObject" || a.String() != "s3:GetObject" {
			t.Errorf("LookupAction(%q) = %s (service %q, name %q)", name, a, a.Service, a.Name)
		}
	}
	a, _ := LookupAction("s3:GetObject")
	if !slices.Equal(a.AccessLevels, []string{"Read"}) {
		t.Errorf("s3:GetObject access levels = %q, want [Read]", a.AccessLevels)
	}
	var names []string
	for _, r := range a.ResourceTypes {
		names = append(names, r.Name)
	}
	if !slices.Contains(names, "object") {
		t.Errorf("s3:GetObject resource types = %q, want object among them", names)
	}
}

func TestLookupActionPutObjectConditionKeys(t *testing.T) {
	a, ok := LookupAction("s3:PutObject")
	if !ok {
		t.Fatal("s3:PutObject not found")
	}
	for _, want := range []string{"s3:x-amz-server-side-encryption", "s3:RequestObjectTag/<key>", "s3:x-amz-acl"} {
		if !slices.Contains(a.ConditionKeys, want) {
			t.Errorf("s3:PutObject condition keys lack %q", want)
		}
	}
	if !slices.Equal(a.AccessLevels, []string{"Write"}) {
		t.Errorf("s3:PutObject access levels = %q, want [Write]", a.AccessLevels)
	}
}

func TestLookupActionPassRole(t *testing.T) {
	a, ok := LookupAction("iam:PassRole")
	if !ok {
		t.Fatal("iam:PassRole not found")
	}
	if !slices.Equal(a.AccessLevels, []string{"Write"}) {
		t.Errorf("access levels = %q, want [Write]", a.AccessLevels)
	}
	want := []ActionResource{{Name: "role", Required: true}}
	if len(a.ResourceTypes) != 1 || a.ResourceTypes[0].Name != want[0].Name || a.ResourceTypes[0].Required != want[0].Required {
		t.Errorf("resource types = %+v, want %+v", a.ResourceTypes, want)
	}
	for _, k := range []string{"iam:PassedToService", "iam:AssociatedResourceArn"} {
		if !slices.Contains(a.ConditionKeys, k) {
			t.Errorf("condition keys %q lack %q", a.ConditionKeys, k)
		}
	}
}

func TestLookupActionSplitsAccessLevels(t *testing.T) {
	a, ok := LookupAction("iam:TagRole")
	if !ok {
		t.Fatal("iam:TagRole not found")
	}
	if len(a.AccessLevels) == 0 || !slices.Contains(a.AccessLevels, "Tagging") {
		t.Errorf("iam:TagRole access levels = %q, want Tagging among them", a.AccessLevels)
	}
	for _, l := range a.AccessLevels {
		if strings.Contains(l, ",") {
			t.Errorf("access level %q was not split", l)
		}
	}
}

func TestLookupActionRejects(t *testing.T) {
	for _, name := range []string{"s3:Get*", "s3:*", "*", "s3:", ":GetObject", "GetObject", "s3:NoSuchAction", ""} {
		if a, ok := LookupAction(name); ok {
			t.Errorf("LookupAction(%q) = %s, want not found", name, a)
		}
	}
}

func TestServiceResourceType(t *testing.T) {
	s, _ := LookupService("s3")
	rt, ok := s.ResourceType("OBJECT")
	if !ok {
		t.Fatal(`s3 resource type "OBJECT" not found`)
	}
	if got, want := rt.ARN, "arn:${Partition}:s3:::${BucketName}/${ObjectName}"; rt.Name != "object" || got != want {
		t.Errorf("object: name %q ARN %q, want object %q", rt.Name, got, want)
	}
	if _, ok := s.ResourceType("role"); ok {
		t.Error("s3 has a resource type role")
	}
	// Every resource type an action names is a resource type of its service.
	for _, prefix := range Services() {
		svc, _ := LookupService(prefix)
		for _, a := range svc.Actions() {
			for _, r := range a.ResourceTypes {
				if _, ok := svc.ResourceType(r.Name); !ok {
					t.Errorf("%s: resource type %q not found in %s", a, r.Name, prefix)
				}
			}
		}
	}
}

func TestServiceAction(t *testing.T) {
	s, _ := LookupService("iam")
	a, ok := s.Action("passrole")
	if !ok || a.String() != "iam:PassRole" {
		t.Errorf("iam Action(passrole) = %v, %v; want iam:PassRole", a, ok)
	}
	if _, ok := s.Action("GetObject"); ok {
		t.Error("iam has an action GetObject")
	}
	acts := s.Actions()
	if !sort.SliceIsSorted(acts, func(i, j int) bool {
		return strings.ToLower(acts[i].Name) < strings.ToLower(acts[j].Name)
	}) {
		t.Error("iam Actions() are not sorted by name")
	}
	if !slices.Contains(s.ConditionKeys(), "iam:PassedToService") {
		t.Error("iam ConditionKeys() lack iam:PassedToService")
	}
}

// The actions the Service Authorization Reference lists with no resource
// type take "*" as their only resource.
func TestTakesNoResource(t *testing.T) {
	for action, want := range map[string]bool{
		"s3:ListAllMyBuckets": true, "S3:LISTALLMYBUCKETS": true, "iam:ListRoles": true, "ec2:DescribeInstances": true,
		"s3:GetObject": false, "iam:CreateRole": false, "sts:AssumeRole": false, "s3:NoSuchAction": false, "nosuch:Action": false,
	} {
		if got := TakesNoResource(action); got != want {
			t.Errorf("TakesNoResource(%q) = %v, want %v", action, got, want)
		}
	}
}

// TestServicesDecodedOnUse checks that the table decodes a service's line
// only when the service is used, once, and that concurrent first uses see
// the same decoded service.
func TestServicesDecodedOnUse(t *testing.T) {
	tab := loadServices()
	for _, s := range tab.list {
		if s.line == "" || s.actions != nil {
			t.Fatalf("service %s decoded before its first use", s.Prefix)
		}
	}
	s3 := tab.byPrefix["s3"]
	got := make([][]*Action, 8)
	done := make(chan int)
	for i := range got {
		go func() {
			got[i] = s3.load().actions
			done <- i
		}()
	}
	for range got {
		<-done
	}
	for i := range got {
		if len(got[i]) == 0 || &got[i][0] != &got[0][0] {
			t.Fatalf("use %d of s3 saw %d actions, not the one decoded table", i, len(got[i]))
		}
	}
	if a := s3.byName["getobject"]; a == nil || a.String() != "s3:GetObject" || s3.line != "" {
		t.Errorf("s3 after its first use: GetObject %v, line kept %v", a, s3.line != "")
	}
	for _, s := range tab.list {
		if s != s3 && (s.line == "" || s.actions != nil) {
			t.Errorf("service %s decoded by a use of s3", s.Prefix)
		}
	}
}
