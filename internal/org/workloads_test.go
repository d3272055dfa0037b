package org

import (
	"encoding/json"
	"testing"
)

// TestWorkloads: a workload's kind comes from its ARN, its role is found by
// name (ignoring case) or ARN in the ARN's account, and a Spec (the stored
// form) keeps the list and loads it the same way.
func TestWorkloads(t *testing.T) {
	spec := &Spec{
		Organization: &OrgDef{ID: "o-a1b2c3d4e5", ManagementAccount: "Management"},
		Accounts: []*AccountDef{
			{Name: "Management", ID: "111111111111", Email: "root@example.com"},
			{Name: "Dev", ID: "222222222222", Email: "dev@example.com"},
		},
		Roles: []*RoleDef{{Name: "RunAs", Accounts: []string{"Dev"}, Path: "/app/",
			Trust: PolicyDoc(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`)}},
		Workloads: []*WorkloadDef{
			{ARN: "arn:aws:lambda:eu-west-1:222222222222:function:orders", Role: "runas"},
			{ARN: "arn:aws:ec2:eu-west-1:222222222222:instance/i-0123456789abcdef0", Role: "arn:aws:iam::222222222222:role/app/RunAs"},
			{ARN: "arn:aws:cloudformation:eu-west-1:222222222222:stack/app/5f6d7c80-0000-11f0-8000-0a1b2c3d4e5f", Role: "RunAs"},
			{ARN: "arn:aws:codebuild:eu-west-1:222222222222:project/app", Role: "RunAs"},
			{ARN: "arn:aws:ec2:eu-west-1:222222222222:launch-template/lt-0123456789abcdef0", Role: "RunAs"},
			{ARN: "arn:aws:sagemaker:eu-west-1:222222222222:notebook-instance/research", Role: "RunAs"},
			{ARN: "arn:aws:glue:eu-west-1:222222222222:devEndpoint/etl", Role: "RunAs"},
			{ARN: "arn:aws:glue:eu-west-1:222222222222:job/nightly", Role: "RunAs"},
		},
	}
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var back Spec
	if err := json.Unmarshal(data, &back); err != nil || len(back.Workloads) != 8 {
		t.Fatalf("the spec's JSON keeps %d workloads (%v)", len(back.Workloads), err)
	}
	o, err := back.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{WorkloadFunction, WorkloadInstance, WorkloadStack, WorkloadProject, WorkloadLaunchTemplate, WorkloadNotebook, WorkloadDevEndpoint, WorkloadGlueJob}
	if len(o.Workloads) != len(want) {
		t.Fatalf("%d workloads", len(o.Workloads))
	}
	for i, w := range o.Workloads {
		if w.Kind != want[i] || w.ARN != spec.Workloads[i].ARN || w.Account.Name != "Dev" || w.Role.ARN != "arn:aws:iam::222222222222:role/app/RunAs" {
			t.Errorf("workload %d: %s %s in %s as %s, want %s", i, w.Kind, w.ARN, w.Account.Name, w.Role.ARN, want[i])
		}
	}
}
