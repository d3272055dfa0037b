package iam_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// Handlers fill what the trail records: parameters, response elements
// (never a secret), resources, and whether the call only reads.
func TestAuditFields(t *testing.T) {
	f := newFixture(t)
	root := rootOf(mgmt)
	c, _, err := f.call(root, "CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", trustEC2)
	if err != nil {
		t.Fatal(err)
	}
	if c.ReadOnly || len(c.Resources) != 1 || c.Resources[0].ARN != "arn:aws:iam::"+mgmt+":role/app" || c.Resources[0].Type != "AWS::IAM::Role" {
		t.Errorf("CreateRole: ReadOnly %v, Resources %+v", c.ReadOnly, c.Resources)
	}
	req, _ := json.Marshal(c.RequestParameters)
	resp, _ := json.Marshal(c.ResponseElements)
	if !strings.Contains(string(req), `"roleName":"app"`) || !strings.Contains(string(resp), `"roleId":"AROA`) {
		t.Errorf("CreateRole: requestParameters %s, responseElements %s", req, resp)
	}
	c, _, err = f.call(root, "GetRole", "RoleName", "app")
	if err != nil || !c.ReadOnly {
		t.Errorf("GetRole: ReadOnly %v (%v)", c.ReadOnly, err)
	}
	f.ok(root, "CreateUser", "UserName", "bob")
	c, _, err = f.call(root, "CreateAccessKey", "UserName", "bob")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(c.ResponseElements)
	if !strings.Contains(string(out), `"accessKeyId":"AKIA`) || strings.Contains(strings.ToLower(string(out)), "secret") {
		t.Errorf("CreateAccessKey responseElements %s: want the key ID and no secret", out)
	}
}
