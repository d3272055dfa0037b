package iam_test

import (
	"testing"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// TestFileVersions: a customer managed policy's other versions, written in
// the org format (versions), are its versions in IAM: listed beside the
// default one, which is numbered after them, readable, and in the org the
// escalation analysis reads.
func TestFileVersions(t *testing.T) {
	f := newFixture(t)
	if _, err := f.mgr.Mutate(f.ctx, func(d *state.Doc) error {
		p := d.Org.ManagedPolicy("DeveloperPermissions")
		p.Versions = []*org.PolicyVersionDef{{ID: "v1", Document: org.TextDoc(readS3)}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	admin := f.sessionOf(staging, "OrganizationAccountAccessRole", "admin")
	arn := "arn:aws:iam::" + staging + ":policy/DeveloperPermissions"
	var list versionsResult
	decode(t, f.ok(admin, "ListPolicyVersions", "PolicyArn", arn), &list)
	if len(list.Versions) != 2 || list.Versions[0].VersionID != "v2" || !list.Versions[0].IsDefaultVersion ||
		list.Versions[1].VersionID != "v1" || list.Versions[1].IsDefaultVersion {
		t.Errorf("ListPolicyVersions = %+v, want v2 (default), v1", list.Versions)
	}
	var p policyResult
	decode(t, f.ok(admin, "GetPolicy", "PolicyArn", arn), &p)
	if p.Policy.DefaultVersionID != "v2" {
		t.Errorf("DefaultVersionId = %s, want v2", p.Policy.DefaultVersionID)
	}
	var v versionResult
	decode(t, f.ok(admin, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v1"), &v)
	if unescape(t, v.PolicyVersion.Document) != readS3 || v.PolicyVersion.IsDefaultVersion {
		t.Errorf("v1 = %+v, want %s", v.PolicyVersion, readS3)
	}
	// The org's loader sees the version too, as the escalation analysis
	// reads it.
	o, err := f.mgr.Org(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, pol := range o.Policies {
		if pol.Name == "DeveloperPermissions" && (len(pol.Versions) != 1 || pol.Versions[0].ID != "v1") {
			t.Errorf("the org's DeveloperPermissions has versions %+v", pol.Versions)
		}
	}
	// One definition for two accounts: changing one copy's default is
	// refused, as for versions made through the API.
	f.fail(admin, "SetDefaultPolicyVersion", "InvalidInput", "PolicyArn", arn, "VersionId", "v1")
	// Dev's copy has the file's versions too.
	list = versionsResult{}
	decode(t, f.ok(f.sessionOf(dev, "OrganizationAccountAccessRole", "admin"), "ListPolicyVersions", "PolicyArn", "arn:aws:iam::"+dev+":policy/DeveloperPermissions"), &list)
	if len(list.Versions) != 2 || list.Versions[0].VersionID != "v2" || !list.Versions[0].IsDefaultVersion {
		t.Errorf("Dev's ListPolicyVersions = %+v", list.Versions)
	}
}
