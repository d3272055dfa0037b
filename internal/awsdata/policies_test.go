package awsdata

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"
)

// stringOrList decodes a policy element written as "x" or ["x", ...].
type stringOrList []string

func (l *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringOrList{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

func TestManagedPoliciesCount(t *testing.T) {
	all := ManagedPolicies()
	if got, want := len(all), 1645; got != want {
		t.Fatalf("len(ManagedPolicies()) = %d, want %d", got, want)
	}
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].Name < all[j].Name }) {
		t.Error("ManagedPolicies() is not sorted by name")
	}
	var deprecated, noARN, noDoc int
	for _, p := range all {
		if p.Deprecated {
			deprecated++
		}
		if p.ARN == "" {
			noARN++
		}
		if p.Document == nil {
			noDoc++
		} else if !json.Valid(p.Document) {
			t.Errorf("%s: document is not valid JSON", p.Name)
		}
	}
	// data/README.md: 74 deprecated policies, mostly without an ARN; one
	// current policy (AWSECRPullThroughCacheServiceRolePolicy) also lacks one.
	for _, c := range []struct {
		what      string
		got, want int
	}{{"deprecated", deprecated, 74}, {"without ARN", noARN, 75}, {"without document", noDoc, 1}} {
		if c.got != c.want {
			t.Errorf("policies %s = %d, want %d", c.what, c.got, c.want)
		}
	}
}

func TestManagedPolicyAdministratorAccess(t *testing.T) {
	p, ok := ManagedPolicyByName("AdministratorAccess")
	if !ok {
		t.Fatal("AdministratorAccess not found")
	}
	if got, want := p.ARN, "arn:aws:iam::aws:policy/AdministratorAccess"; got != want {
		t.Errorf("ARN = %q, want %q", got, want)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Effect           string
			Action, Resource stringOrList
		}
	}
	if err := json.Unmarshal(p.Document, &doc); err != nil {
		t.Fatalf("document %s: %v", p.Document, err)
	}
	if len(doc.Statement) != 1 {
		t.Fatalf("document has %d statements, want 1: %s", len(doc.Statement), p.Document)
	}
	got := doc.Statement[0]
	if got.Effect != "Allow" || !slices.Equal(got.Action, []string{"*"}) || !slices.Equal(got.Resource, []string{"*"}) {
		t.Errorf("statement = %+v, want Allow * on *", got)
	}
	if doc.Version != "2012-10-17" {
		t.Errorf("Version = %q, want 2012-10-17", doc.Version)
	}
}

func TestManagedPolicyByARN(t *testing.T) {
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"ARN:AWS:IAM::AWS:POLICY/readonlyaccess",
	} {
		p, ok := ManagedPolicyByARN(arn)
		if !ok {
			t.Fatalf("ManagedPolicyByARN(%q) not found", arn)
		}
		if p.Name != "ReadOnlyAccess" || p.ARN != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
			t.Errorf("ManagedPolicyByARN(%q) = %s %s, want ReadOnlyAccess", arn, p.Name, p.ARN)
		}
		if p.Deprecated || p.VersionID == "" || len(p.Document) == 0 {
			t.Errorf("ReadOnlyAccess: deprecated=%v version=%q document %d bytes", p.Deprecated, p.VersionID, len(p.Document))
		}
	}
	p, ok := ManagedPolicyByARN("arn:aws:iam::aws:policy/aws-service-role/AccessAnalyzerServiceRolePolicy")
	if !ok || p.Name != "AccessAnalyzerServiceRolePolicy" {
		t.Errorf("policy with a path: got %q, %v", p.Name, ok)
	}
	if _, ok := ManagedPolicyByARN("arn:aws:iam::123456789012:policy/ReadOnlyAccess"); ok {
		t.Error("a customer-managed ARN matched an AWS managed policy")
	}
}

func TestManagedPolicyByNameIgnoresCase(t *testing.T) {
	p, ok := ManagedPolicyByName("readonlyaccess")
	if !ok || p.Name != "ReadOnlyAccess" {
		t.Errorf("ManagedPolicyByName(readonlyaccess) = %q, %v; want ReadOnlyAccess", p.Name, ok)
	}
	if _, ok := ManagedPolicyByName("NoSuchPolicy"); ok {
		t.Error("ManagedPolicyByName(NoSuchPolicy) found something")
	}
}

func TestManagedPolicyDeprecatedWithoutARN(t *testing.T) {
	p, ok := ManagedPolicyByName("AmazonEC2SpotFleetRole")
	if !ok {
		t.Fatal("AmazonEC2SpotFleetRole not found")
	}
	if !p.Deprecated || p.ARN != "" || p.VersionID != "v4" || p.Document == nil {
		t.Errorf("got deprecated=%v ARN=%q version=%q document=%v; want true, \"\", v4, a document",
			p.Deprecated, p.ARN, p.VersionID, p.Document != nil)
	}
	// Its path is unknown, so no guessed ARN may find it.
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/AmazonEC2SpotFleetRole",
		"arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetRole",
	} {
		if _, ok := ManagedPolicyByARN(arn); ok {
			t.Errorf("ManagedPolicyByARN(%q) found a policy whose ARN is unknown", arn)
		}
	}
}

func TestManagedPolicyPartial(t *testing.T) {
	p, ok := ManagedPolicyByName("AIDevOpsAgentActionsPolicy")
	if !ok {
		t.Fatal("AIDevOpsAgentActionsPolicy not found")
	}
	if p.Document != nil || !p.Partial {
		t.Errorf("document=%q partial=%v, want nil and true", p.Document, p.Partial)
	}
	if p, _ := ManagedPolicyByName("PowerUserAccess"); !p.Partial || p.Document == nil {
		t.Errorf("PowerUserAccess: partial=%v document=%v, want true and a document", p.Partial, p.Document != nil)
	}
	if p, _ := ManagedPolicyByName("ReadOnlyAccess"); p.Partial {
		t.Error("ReadOnlyAccess is marked partial")
	}
}

func TestManagedPoliciesReturnsCopy(t *testing.T) {
	all := ManagedPolicies()
	name := all[0].Name
	all[0].Name = "changed"
	if got := ManagedPolicies()[0].Name; got != name {
		t.Errorf("after changing the result, ManagedPolicies()[0].Name = %q, want %q", got, name)
	}
}

func TestDocumentCapacityIsCapped(t *testing.T) {
	// Documents share one buffer; appending to one must not overwrite the next.
	all := ManagedPolicies()
	for _, p := range all[:2] {
		if cap(p.Document) != len(p.Document) {
			t.Errorf("%s: cap(Document) = %d, want %d", p.Name, cap(p.Document), len(p.Document))
		}
	}
}
