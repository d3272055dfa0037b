package org

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const accessOrg = `organization: {id: o-abcdefghij, managementAccount: Mgmt}
accounts:
  - {name: Mgmt, id: "111111111111", email: m@example.com}
  - {name: Prod, id: "222222222222", email: p@example.com}
identityCenter:
  instanceArn: arn:aws:sso:::instance/ssoins-72235f1a9c4b8e03
  groups: [{name: Vendors}, {name: Ops}]
  permissionSets: [{name: Support}]
  temporaryAccess:
`

// The policies of time-boxed access load with their references resolved;
// a wrong one is reported at its file:line:column.
func TestTemporaryAccessPolicies(t *testing.T) {
	good := accessOrg + `    - name: VendorSupport
      permissionSet: Support
      accounts: [Prod]
      requesterGroups: [Vendors]
      approverGroups: [Ops]
      maxDuration: PT4H
    - name: NoMFA
      permissionSet: Support
      ous: [Root]
      requesterGroups: [Ops]
      approverGroups: [Vendors]
      maxDuration: PT30M
      approvalRequiresMfa: false
`
	o, err := LoadFSWith(fstest.MapFS{"org.yaml": {Data: []byte(good)}}, "org.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := o.IdentityCenter.TemporaryAccess
	if len(ps) != 2 || ps[0].PermissionSet.Name != "Support" || !ps[0].Covers("222222222222") || ps[0].Covers("111111111111") ||
		ps[0].MaxDuration != 4*time.Hour || !ps[0].ApprovalRequiresMFA || ps[0].RequesterGroups[0].Name != "Vendors" || ps[0].ApproverGroups[0].Name != "Ops" {
		t.Errorf("VendorSupport: %+v", ps[0])
	}
	if len(ps[1].Accounts) != 2 || ps[1].ApprovalRequiresMFA || ps[1].MaxDuration != 30*time.Minute {
		t.Errorf("NoMFA: %+v", ps[1])
	}

	bad := accessOrg + `    - name: X
      permissionSet: Nope
      accounts: [Prod, Staging]
      requesterGroups: [Vendorz]
      approverGroups: []
      maxDuration: PT13H
      colour: blue
    - name: X
      permissionSet: Support
      requesterGroups: [Ops]
      approverGroups: [Ops]
      maxDuration: 4h
`
	_, err = LoadFSWith(fstest.MapFS{"org.yaml": {Data: []byte(bad)}}, "org.yaml", Options{})
	if err == nil {
		t.Fatal("a wrong policy loaded")
	}
	for _, want := range []string{
		`org.yaml:11:22: identityCenter.temporaryAccess[0].permissionSet: unknown permission set "Nope"`,
		`org.yaml:12:24: identityCenter.temporaryAccess[0].accounts[1]: unknown account "Staging"`,
		`org.yaml:13:25: identityCenter.temporaryAccess[0].requesterGroups[0]: unknown group "Vendorz" (did you mean "Vendors"?)`,
		`org.yaml:14:23: identityCenter.temporaryAccess[0].approverGroups: name at least one group whose members may approve`,
		`org.yaml:15:20: identityCenter.temporaryAccess[0].maxDuration: maxDuration PT13H is out of range: want PT1S to PT12H`,
		`org.yaml:16:7: identityCenter.temporaryAccess[0]: unknown field "colour"`,
		`org.yaml:17:7: identityCenter.temporaryAccess[1]: the policy names no account: give accounts and/or ous`,
		`org.yaml:17:13: identityCenter.temporaryAccess[1].name: duplicate temporary access policy "X" (first at org.yaml:10:7)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
