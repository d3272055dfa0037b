package org

import (
	"encoding/json"
	"testing"
)

// TestWorkloads: a workload's kind comes from its ARN, its role is found by
// name (ignoring case) or ARN in the ARN's account, and a Spec (the stored
// form) keeps the list and loads it the same way.
func TestWorkloads(t *testing.T) {
	spec := workloadSpec()
	spec.Workloads = []*WorkloadDef{
		{ARN: "arn:aws:lambda:eu-west-1:222222222222:function:orders", Role: "runas"},
		{ARN: "arn:aws:ec2:eu-west-1:222222222222:instance/i-0123456789abcdef0", Role: "arn:aws:iam::222222222222:role/app/RunAs"},
		{ARN: "arn:aws:cloudformation:eu-west-1:222222222222:stack/app/5f6d7c80-0000-11f0-8000-0a1b2c3d4e5f", Role: "RunAs"},
		{ARN: "arn:aws:codebuild:eu-west-1:222222222222:project/app", Role: "RunAs"},
		{ARN: "arn:aws:ec2:eu-west-1:222222222222:launch-template/lt-0123456789abcdef0", Role: "RunAs"},
		{ARN: "arn:aws:sagemaker:eu-west-1:222222222222:notebook-instance/research", Role: "RunAs"},
		{ARN: "arn:aws:glue:eu-west-1:222222222222:devEndpoint/etl", Role: "RunAs"},
		{ARN: "arn:aws:glue:eu-west-1:222222222222:job/nightly", Role: "RunAs"},
	}
	o := loadThroughJSON(t, spec)
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

// workloadSpec is an organization of two accounts whose Dev has a role
// RunAs (path /app/) that trusts Lambda, for workloads to name.
func workloadSpec() *Spec {
	return &Spec{
		Organization: &OrgDef{ID: "o-a1b2c3d4e5", ManagementAccount: "Management"},
		Accounts: []*AccountDef{
			{Name: "Management", ID: "111111111111", Email: "root@example.com"},
			{Name: "Dev", ID: "222222222222", Email: "dev@example.com"},
		},
		Roles: []*RoleDef{{Name: "RunAs", Accounts: []string{"Dev"}, Path: "/app/",
			Trust: PolicyDoc(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`)}},
	}
}

// loadThroughJSON stores a Spec as JSON (its stored form), reads it back
// with every workload kept, and loads it.
func loadThroughJSON(t *testing.T, spec *Spec) *Org {
	t.Helper()
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var back Spec
	if err := json.Unmarshal(data, &back); err != nil || len(back.Workloads) != len(spec.Workloads) {
		t.Fatalf("the spec's JSON keeps %d workloads (%v)", len(back.Workloads), err)
	}
	o, err := back.Load()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestWorkloadProfilesAndStreams: an instance profile holds its role, an
// instance may have no role, and a stream (which runs as no role) finds its
// functions by name or ARN in its account and Region, listed before or
// after it; the Spec keeps them.
func TestWorkloadProfilesAndStreams(t *testing.T) {
	spec := workloadSpec()
	spec.Roles[0].Path = ""
	spec.Workloads = []*WorkloadDef{
		{ARN: "arn:aws:iam::222222222222:instance-profile/web/Web", Role: "RunAs"},
		{ARN: "arn:aws:ec2:eu-west-1:222222222222:instance/i-0123456789abcdef0"},
		{ARN: "arn:aws:dynamodb:eu-west-1:222222222222:table/Orders/stream/2026-01-01T00:00:00.000", Functions: []string{"orders", "arn:aws:lambda:eu-west-1:222222222222:function:audit"}},
		{ARN: "arn:aws:lambda:eu-west-1:222222222222:function:orders", Role: "RunAs"},
		{ARN: "arn:aws:lambda:eu-west-1:222222222222:function:audit", Role: "RunAs"},
		{ARN: "arn:aws:kinesis:eu-west-1:222222222222:stream/clicks"},
	}
	o := loadThroughJSON(t, spec)
	kinds := []string{WorkloadInstanceProfile, WorkloadInstance, WorkloadDynamoDBStream, WorkloadFunction, WorkloadFunction, WorkloadKinesisStream}
	if len(o.Workloads) != len(kinds) {
		t.Fatalf("%d workloads", len(o.Workloads))
	}
	for i, w := range o.Workloads {
		if w.Kind != kinds[i] {
			t.Errorf("workload %d: %s, want %s", i, w.Kind, kinds[i])
		}
	}
	if w := o.Workloads[0]; w.Role == nil || w.Role.Name != "RunAs" {
		t.Errorf("the instance profile holds %+v", w.Role)
	}
	if w := o.Workloads[1]; w.Role != nil {
		t.Errorf("the instance without a profile runs as %s", w.Role.Name)
	}
	s := o.Workloads[2]
	if s.Role != nil || len(s.Functions) != 2 || s.Functions[0] != o.Workloads[3] || s.Functions[1] != o.Workloads[4] ||
		s.Table() != "arn:aws:dynamodb:eu-west-1:222222222222:table/Orders" {
		t.Errorf("the stream: role %v, functions %v, table %s", s.Role, s.Functions, s.Table())
	}
	if k := o.Workloads[5]; len(k.Functions) != 0 || k.Table() != "" {
		t.Errorf("the Kinesis stream: %+v", k)
	}
}

// TestWorkloadECSContainers: an ECS task names its containers (the names
// of its task definition's container definitions), kept in order through
// the Spec; a task naming none has none, and its cluster is the one its ARN
// names.
func TestWorkloadECSContainers(t *testing.T) {
	spec := workloadSpec()
	spec.Workloads = []*WorkloadDef{
		{ARN: "arn:aws:ecs:eu-west-1:222222222222:task/main/0123456789abcdef0123456789abcdef", Role: "RunAs", Containers: []string{"web", "log_router-2"}},
		{ARN: "arn:aws:ecs:eu-west-1:222222222222:task/batch/1123456789abcdef0123456789abcdef", Role: "RunAs"},
	}
	o := loadThroughJSON(t, spec)
	if len(o.Workloads) != 2 {
		t.Fatalf("%d workloads", len(o.Workloads))
	}
	w, bare := o.Workloads[0], o.Workloads[1]
	if w.Kind != WorkloadECSTask || len(w.Containers) != 2 || w.Containers[0] != "web" || w.Containers[1] != "log_router-2" || w.Cluster() != "arn:aws:ecs:eu-west-1:222222222222:cluster/main" {
		t.Errorf("task %s of %s has containers %q", w.ARN, w.Cluster(), w.Containers)
	}
	if bare.Containers != nil || bare.Cluster() != "arn:aws:ecs:eu-west-1:222222222222:cluster/batch" {
		t.Errorf("task %s of %s has containers %q", bare.ARN, bare.Cluster(), bare.Containers)
	}
}
