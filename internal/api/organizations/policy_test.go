package organizations

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

func createPolicy(e *env, name, typ, content string) PolicySummary {
	e.t.Helper()
	var got policyOut
	e.ok("CreatePolicy", params{"Name": name, "Description": name + " description", "Type": typ, "Content": content}, &got)
	return got.Policy.PolicySummary
}

func TestCreateAndDescribePolicy(t *testing.T) {
	needUnattachedPolicies(t)
	e := newEnv(t)
	var got policyOut
	c := e.ok("CreatePolicy", params{"Name": "DenyQueues", "Description": "No SQS", "Type": "SERVICE_CONTROL_POLICY", "Content": denySCPAllow}, &got)
	p := got.Policy.PolicySummary
	if !rePolicyID.MatchString(p.ID) || p.Arn != arnPrefix+"policy/"+orgID+"/service_control_policy/"+p.ID ||
		p.Name != "DenyQueues" || p.Description != "No SQS" || p.Type != "SERVICE_CONTROL_POLICY" || p.AwsManaged {
		t.Errorf("summary = %+v", p)
	}
	if got.Policy.Content != denySCPAllow {
		t.Errorf("content = %q", got.Policy.Content)
	}
	if len(c.Resources) != 1 || c.Resources[0].ARN != p.Arn {
		t.Errorf("trail resources = %+v", c.Resources)
	}
	var desc policyOut
	e.ok("DescribePolicy", params{"PolicyId": p.ID}, &desc)
	if desc.Policy.PolicySummary != p || desc.Policy.Content != denySCPAllow {
		t.Errorf("described = %+v", desc.Policy)
	}
	// A policy of the org files: its document as JSON, placeholders replaced.
	var list policiesOut
	e.ok("ListPolicies", params{"Filter": "RESOURCE_CONTROL_POLICY"}, &list)
	var perimeter PolicySummary
	for _, s := range list.Policies {
		if s.Name == "DataPerimeter" {
			perimeter = s
		}
	}
	e.ok("DescribePolicy", params{"PolicyId": perimeter.ID}, &desc)
	var doc struct{ Version string }
	if err := json.Unmarshal([]byte(desc.Policy.Content), &doc); err != nil || doc.Version != "2012-10-17" {
		t.Errorf("DataPerimeter content %q: %v", desc.Policy.Content, err)
	}
	if strings.Contains(desc.Policy.Content, "${account:") {
		t.Errorf("content keeps placeholders: %s", desc.Policy.Content)
	}

	rcp := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if s := createPolicy(e, "RequireTLS", "RESOURCE_CONTROL_POLICY", rcp); s.Arn != arnPrefix+"policy/"+orgID+"/resource_control_policy/"+s.ID {
		t.Errorf("RCP = %+v", s)
	}

	body := func(name, typ, content string) params {
		return params{"Name": name, "Description": "", "Type": typ, "Content": content}
	}
	e.fails(mgmtRoot, "CreatePolicy", body("DenyQueues", "SERVICE_CONTROL_POLICY", denySCPAllow), "DuplicatePolicyException")
	e.fails(mgmtRoot, "CreatePolicy", body("FullAWSAccess", "SERVICE_CONTROL_POLICY", denySCPAllow), "DuplicatePolicyException")
	e.fails(mgmtRoot, "CreatePolicy", body("RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", rcp), "DuplicatePolicyException")
	e.fails(mgmtRoot, "CreatePolicy", body("Bad", "SERVICE_CONTROL_POLICY", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`),
		"MalformedPolicyDocumentException")
	e.fails(mgmtRoot, "CreatePolicy", body("Bad", "SERVICE_CONTROL_POLICY", `{"Version":`), "MalformedPolicyDocumentException")
	e.fails(mgmtRoot, "CreatePolicy", body("Bad", "RESOURCE_CONTROL_POLICY", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`),
		"MalformedPolicyDocumentException")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sqs:*","Resource":"*","Sid":"` + strings.Repeat("A", 5100) + `"}]}`
	e.fails(mgmtRoot, "CreatePolicy", body("Big", "SERVICE_CONTROL_POLICY", big), "ConstraintViolationException/POLICY_CONTENT_LIMIT_EXCEEDED")
	e.fails(mgmtRoot, "CreatePolicy", body("Tags", "TAG_POLICY", `{"tags":{}}`), "PolicyTypeNotEnabledException")
	e.fails(mgmtRoot, "CreatePolicy", body("X", "SCP", denySCPAllow), "InvalidInputException/INVALID_ENUM_POLICY_TYPE")
	e.fails(mgmtRoot, "CreatePolicy", params{"Name": "X", "Type": "SERVICE_CONTROL_POLICY"}, "InvalidInputException/INPUT_REQUIRED")
	e.fails(mgmtRoot, "CreatePolicy", body(strings.Repeat("n", 129), "SERVICE_CONTROL_POLICY", denySCPAllow), "InvalidInputException/MAX_LENGTH_EXCEEDED")
	e.fails(mgmtRoot, "CreatePolicy", params{"Name": "X", "Description": "", "Type": "SERVICE_CONTROL_POLICY", "Content": denySCPAllow,
		"Tags": []map[string]string{{"Key": "k", "Value": "v"}}}, "InvalidInputException/TARGET_NOT_SUPPORTED")
	e.fails(devAdmin, "CreatePolicy", body("Mine", "SERVICE_CONTROL_POLICY", denySCPAllow), "AccessDeniedException")

	e.fails(mgmtRoot, "DescribePolicy", params{"PolicyId": "p-00000000"}, "PolicyNotFoundException")
	e.fails(mgmtRoot, "DescribePolicy", params{"PolicyId": "policy"}, "InvalidInputException/INVALID_SYNTAX_POLICY_ID")
	e.fails(devAdmin, "DescribePolicy", params{"PolicyId": p.ID}, "AccessDeniedException")
}

func TestListPolicies(t *testing.T) {
	e := newEnv(t)
	var scps policiesOut
	e.ok("ListPolicies", params{"Filter": "SERVICE_CONTROL_POLICY"}, &scps)
	want := []string{"FullAWSAccess", "BaselineGuardrails", "ProtectAuditTrail", "RestrictRegions", "DataProtection", "DenyInternetGateways"}
	if got := policyNames(scps.Policies); !equal(got, want) {
		t.Errorf("SCPs = %v, want %v", got, want)
	}
	full := scps.Policies[0]
	wantFull := PolicySummary{ID: "p-FullAWSAccess", Arn: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
		Name: "FullAWSAccess", Description: full.Description, Type: "SERVICE_CONTROL_POLICY", AwsManaged: true}
	if full != wantFull {
		t.Errorf("FullAWSAccess = %+v, want %+v", full, wantFull)
	}
	var rcps policiesOut
	e.ok("ListPolicies", params{"Filter": "RESOURCE_CONTROL_POLICY"}, &rcps)
	if got, want := policyNames(rcps.Policies), []string{"RCPFullAWSAccess", "DataPerimeter", "RoleAssumptionPerimeter", "RoleAssumptionPerimeterProd"}; !equal(got, want) {
		t.Errorf("RCPs = %v, want %v", got, want)
	}
	if r := rcps.Policies[0]; r.ID != "p-RCPFullAWSAccess" || r.Arn != "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess" || !r.AwsManaged {
		t.Errorf("RCPFullAWSAccess = %+v", r)
	}
	var tags policiesOut
	e.ok("ListPolicies", params{"Filter": "TAG_POLICY"}, &tags)
	if tags.Policies == nil || len(tags.Policies) != 0 {
		t.Errorf("tag policies = %+v, want an empty list", tags.Policies)
	}
	var p1, p2 policiesOut
	e.ok("ListPolicies", params{"Filter": "SERVICE_CONTROL_POLICY", "MaxResults": 4}, &p1)
	e.ok("ListPolicies", params{"Filter": "SERVICE_CONTROL_POLICY", "MaxResults": 4, "NextToken": *p1.NextToken}, &p2)
	if got := policyNames(append(p1.Policies, p2.Policies...)); !equal(got, want) || p2.NextToken != nil {
		t.Errorf("paged SCPs = %v, want %v", got, want)
	}
	e.fails(mgmtRoot, "ListPolicies", params{"Filter": "RESOURCE_CONTROL_POLICY", "NextToken": *p1.NextToken}, "InvalidInputException/INVALID_NEXT_TOKEN")
	e.fails(mgmtRoot, "ListPolicies", nil, "InvalidInputException/INPUT_REQUIRED")
	e.fails(mgmtRoot, "ListPolicies", params{"Filter": "NOPE"}, "InvalidInputException/INVALID_ENUM_POLICY_TYPE")
	e.fails(devAdmin, "ListPolicies", params{"Filter": "SERVICE_CONTROL_POLICY"}, "AccessDeniedException")
}

func TestUpdatePolicy(t *testing.T) {
	needUnattachedPolicies(t)
	e := newEnv(t)
	p := createPolicy(e, "DenyQueues", "SERVICE_CONTROL_POLICY", denySCPAllow)
	newDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["sqs:*","sns:*"],"Resource":"*"}]}`
	var got policyOut
	e.ok("UpdatePolicy", params{"PolicyId": p.ID, "Description": "No queues or topics", "Content": newDoc}, &got)
	if s := got.Policy.PolicySummary; s.ID != p.ID || s.Arn != p.Arn || s.Description != "No queues or topics" || got.Policy.Content != newDoc {
		t.Errorf("updated = %+v", got.Policy)
	}
	// What is not given stays; the same name is no rename.
	e.ok("UpdatePolicy", params{"PolicyId": p.ID, "Name": "DenyQueues"}, &got)
	if got.Policy.Content != newDoc || got.Policy.PolicySummary.Description != "No queues or topics" {
		t.Errorf("after an empty update = %+v", got.Policy)
	}
	e.fails(mgmtRoot, "UpdatePolicy", params{"PolicyId": p.ID, "Name": "Renamed"}, "InvalidInputException")
	e.fails(mgmtRoot, "UpdatePolicy", params{"PolicyId": p.ID, "Content": `{"Statement":[]}`}, "MalformedPolicyDocumentException")
	e.fails(mgmtRoot, "UpdatePolicy", params{"PolicyId": p.ID, "Content": ""}, "InvalidInputException/MIN_LENGTH_EXCEEDED")
	e.fails(mgmtRoot, "UpdatePolicy", params{"PolicyId": "p-FullAWSAccess", "Description": "mine"}, "InvalidInputException/IMMUTABLE_POLICY")
	e.fails(mgmtRoot, "UpdatePolicy", params{"PolicyId": "p-RCPFullAWSAccess", "Description": "mine"}, "InvalidInputException/IMMUTABLE_POLICY")
	e.fails(mgmtRoot, "UpdatePolicy", params{"PolicyId": "p-00000000", "Description": "x"}, "PolicyNotFoundException")
	e.fails(devAdmin, "UpdatePolicy", params{"PolicyId": p.ID, "Description": "x"}, "AccessDeniedException")
}

func TestAttachDetachPolicy(t *testing.T) {
	needUnattachedPolicies(t)
	e := newEnv(t)
	p := createPolicy(e, "DenyQueues", "SERVICE_CONTROL_POLICY", denySCPAllow)
	attach := func(policy, target string) params {
		return params{"PolicyId": policy, "TargetId": target}
	}

	c := e.ok("AttachPolicy", attach(p.ID, workloadsOU), nil)
	if len(c.Resources) != 2 || c.Resources[1].ARN != arnPrefix+"ou/"+orgID+"/"+workloadsOU {
		t.Errorf("trail resources = %+v", c.Resources)
	}
	e.ok("AttachPolicy", attach(p.ID, devID), nil)
	var targets targetsOut
	e.ok("ListTargetsForPolicy", params{"PolicyId": p.ID}, &targets)
	wantTargets := []PolicyTargetSummary{
		{TargetID: workloadsOU, Arn: arnPrefix + "ou/" + orgID + "/" + workloadsOU, Name: "WorkloadsOU", Type: "ORGANIZATIONAL_UNIT"},
		{TargetID: devID, Arn: arnPrefix + "account/" + orgID + "/" + devID, Name: "Dev", Type: "ACCOUNT"},
	}
	if !equal(targets.Targets, wantTargets) {
		t.Errorf("targets = %+v, want %+v", targets.Targets, wantTargets)
	}
	var pols policiesOut
	e.ok("ListPoliciesForTarget", params{"TargetId": workloadsOU, "Filter": "SERVICE_CONTROL_POLICY"}, &pols)
	if got, want := policyNames(pols.Policies), []string{"FullAWSAccess", "DenyInternetGateways", "DenyQueues"}; !equal(got, want) {
		t.Errorf("SCPs of WorkloadsOU = %v, want %v", got, want)
	}

	e.fails(mgmtRoot, "AttachPolicy", attach(p.ID, workloadsOU), "DuplicatePolicyAttachmentException")
	e.fails(mgmtRoot, "AttachPolicy", attach(p.ID, "ou-4k7q-nosuchou"), "TargetNotFoundException")
	e.fails(mgmtRoot, "AttachPolicy", attach(p.ID, "111122223333"), "TargetNotFoundException")
	e.fails(mgmtRoot, "AttachPolicy", attach("p-00000000", workloadsOU), "PolicyNotFoundException")
	e.fails(mgmtRoot, "AttachPolicy", attach(p.ID, "WorkloadsOU"), "InvalidInputException/INVALID_PATTERN_TARGET_ID")
	// The root has five SCPs already.
	e.fails(mgmtRoot, "AttachPolicy", attach(p.ID, rootID), "ConstraintViolationException/MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	e.fails(mgmtRoot, "AttachPolicy", attach("p-RCPFullAWSAccess", devID), "DuplicatePolicyAttachmentException")
	e.fails(devAdmin, "AttachPolicy", attach(p.ID, securityOU), "AccessDeniedException")

	e.ok("DetachPolicy", attach(p.ID, devID), nil)
	e.ok("ListTargetsForPolicy", params{"PolicyId": p.ID}, &targets)
	if !equal(targets.Targets, wantTargets[:1]) {
		t.Errorf("targets after detaching = %+v", targets.Targets)
	}
	e.fails(mgmtRoot, "DetachPolicy", attach(p.ID, devID), "PolicyNotAttachedException")
	// Dev keeps FullAWSAccess, its last SCP.
	e.fails(mgmtRoot, "DetachPolicy", attach("p-FullAWSAccess", devID), "ConstraintViolationException/MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	e.fails(mgmtRoot, "DetachPolicy", attach("p-RCPFullAWSAccess", devID), "InvalidInputException/NON_DETACHABLE_POLICY")
	e.fails(mgmtRoot, "DetachPolicy", attach(p.ID, "ou-4k7q-nosuchou"), "TargetNotFoundException")
	e.fails(devAdmin, "DetachPolicy", attach(p.ID, workloadsOU), "AccessDeniedException")
	// With another SCP attached, FullAWSAccess may go (an allow list).
	e.ok("AttachPolicy", attach(p.ID, devID), nil)
	e.ok("DetachPolicy", attach("p-FullAWSAccess", devID), nil)
	e.ok("ListPoliciesForTarget", params{"TargetId": devID, "Filter": "SERVICE_CONTROL_POLICY"}, &pols)
	if got := policyNames(pols.Policies); !equal(got, []string{"DenyQueues"}) {
		t.Errorf("SCPs of Dev = %v", got)
	}
}

func TestAttachPolicyLimit(t *testing.T) {
	needUnattachedPolicies(t)
	e := newEnv(t)
	// SecurityOU has FullAWSAccess and DenyInternetGateways: three more fit.
	for i := range 3 {
		p := createPolicy(e, "Extra"+string(rune('A'+i)), "SERVICE_CONTROL_POLICY", denySCPAllow)
		e.ok("AttachPolicy", params{"PolicyId": p.ID, "TargetId": securityOU}, nil)
	}
	p := createPolicy(e, "OneTooMany", "SERVICE_CONTROL_POLICY", denySCPAllow)
	e.fails(mgmtRoot, "AttachPolicy", params{"PolicyId": p.ID, "TargetId": securityOU}, "ConstraintViolationException/MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	// RCPs count RCPFullAWSAccess: Dev has it and RoleAssumptionPerimeter.
	rcp := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}]}`
	for i := range 3 {
		r := createPolicy(e, "RCP"+string(rune('A'+i)), "RESOURCE_CONTROL_POLICY", rcp)
		e.ok("AttachPolicy", params{"PolicyId": r.ID, "TargetId": devID}, nil)
	}
	r := createPolicy(e, "RCPTooMany", "RESOURCE_CONTROL_POLICY", rcp)
	e.fails(mgmtRoot, "AttachPolicy", params{"PolicyId": r.ID, "TargetId": devID}, "ConstraintViolationException/MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	var pols policiesOut
	e.ok("ListPoliciesForTarget", params{"TargetId": devID, "Filter": "RESOURCE_CONTROL_POLICY"}, &pols)
	if got, want := policyNames(pols.Policies), []string{"RCPFullAWSAccess", "RoleAssumptionPerimeter", "RCPA", "RCPB", "RCPC"}; !equal(got, want) {
		t.Errorf("RCPs of Dev = %v, want %v", got, want)
	}
	var targets targetsOut
	e.ok("ListTargetsForPolicy", params{"PolicyId": "p-RCPFullAWSAccess", "MaxResults": 20}, &targets)
	if len(targets.Targets) != 10 || targets.Targets[0].Type != "ROOT" {
		t.Errorf("RCPFullAWSAccess targets = %+v, want the root, 3 OUs and 6 accounts", targets.Targets)
	}
}

func TestDeletePolicy(t *testing.T) {
	needUnattachedPolicies(t)
	e := newEnv(t)
	p := createPolicy(e, "DenyQueues", "SERVICE_CONTROL_POLICY", denySCPAllow)
	e.ok("AttachPolicy", params{"PolicyId": p.ID, "TargetId": prodID}, nil)
	e.fails(mgmtRoot, "DeletePolicy", params{"PolicyId": p.ID}, "PolicyInUseException")
	e.ok("DetachPolicy", params{"PolicyId": p.ID, "TargetId": prodID}, nil)
	c := e.ok("DeletePolicy", params{"PolicyId": p.ID}, nil)
	if len(c.Resources) != 1 || c.Resources[0].ARN != p.Arn {
		t.Errorf("trail resources = %+v", c.Resources)
	}
	e.fails(mgmtRoot, "DescribePolicy", params{"PolicyId": p.ID}, "PolicyNotFoundException")
	e.fails(mgmtRoot, "DeletePolicy", params{"PolicyId": p.ID}, "PolicyNotFoundException")
	e.fails(mgmtRoot, "DeletePolicy", params{"PolicyId": "p-FullAWSAccess"}, "InvalidInputException/IMMUTABLE_POLICY")
	e.fails(mgmtRoot, "DeletePolicy", params{"PolicyId": "p-RCPFullAWSAccess"}, "InvalidInputException/IMMUTABLE_POLICY")
	q := createPolicy(e, "Other", "SERVICE_CONTROL_POLICY", denySCPAllow)
	e.fails(devAdmin, "DeletePolicy", params{"PolicyId": q.ID}, "AccessDeniedException")
}

func TestListPoliciesForTarget(t *testing.T) {
	e := newEnv(t)
	var pols policiesOut
	e.ok("ListPoliciesForTarget", params{"TargetId": rootID, "Filter": "SERVICE_CONTROL_POLICY"}, &pols)
	if got, want := policyNames(pols.Policies), []string{"FullAWSAccess", "BaselineGuardrails", "ProtectAuditTrail", "RestrictRegions", "DataProtection"}; !equal(got, want) {
		t.Errorf("SCPs of the root = %v, want %v", got, want)
	}
	e.ok("ListPoliciesForTarget", params{"TargetId": rootID, "Filter": "RESOURCE_CONTROL_POLICY"}, &pols)
	if got, want := policyNames(pols.Policies), []string{"RCPFullAWSAccess", "DataPerimeter"}; !equal(got, want) {
		t.Errorf("RCPs of the root = %v, want %v", got, want)
	}
	e.ok("ListPoliciesForTarget", params{"TargetId": prodID, "Filter": "RESOURCE_CONTROL_POLICY"}, &pols)
	if got, want := policyNames(pols.Policies), []string{"RCPFullAWSAccess", "RoleAssumptionPerimeterProd"}; !equal(got, want) {
		t.Errorf("RCPs of Prod = %v, want %v", got, want)
	}
	e.fails(mgmtRoot, "ListPoliciesForTarget", params{"TargetId": "111122223333", "Filter": "SERVICE_CONTROL_POLICY"}, "TargetNotFoundException")
	e.fails(mgmtRoot, "ListPoliciesForTarget", params{"TargetId": rootID}, "InvalidInputException/INPUT_REQUIRED")
	e.fails(devAdmin, "ListPoliciesForTarget", params{"TargetId": devID, "Filter": "SERVICE_CONTROL_POLICY"}, "AccessDeniedException")
	e.fails(mgmtRoot, "ListTargetsForPolicy", params{"PolicyId": "p-00000000"}, "PolicyNotFoundException")
	e.fails(devAdmin, "ListTargetsForPolicy", params{"PolicyId": "p-FullAWSAccess"}, "AccessDeniedException")
}

// TestDenySCPTakesEffect: an SCP created and attached through the API is
// what the engine applies next, to the accounts under the OU and not to the
// management account.
func TestDenySCPTakesEffect(t *testing.T) {
	needUnattachedPolicies(t)
	e := newEnv(t)
	decide := func(o *org.Org, principal string) eval.Explanation {
		_, ex, err := authz.Decide(o, authz.Query{Principal: principal, Action: "sqs:CreateQueue", Resource: "*",
			Context: map[string][]string{"aws:RequestedRegion": {"us-east-1"}}}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	staging := "arn:aws:sts::" + stagingID + ":assumed-role/OrganizationAccountAccessRole/admin"
	security := "arn:aws:sts::" + securityID + ":assumed-role/OrganizationAccountAccessRole/admin"
	o, _ := e.svc.State.Org(e.ctx)
	if ex := decide(o, staging); ex.Decision != eval.Allow {
		t.Fatalf("before: %v by %v, want Allow", ex.Decision, ex.DeniedBy)
	}
	p := createPolicy(e, "DenyQueues", "SERVICE_CONTROL_POLICY", denySCPAllow)
	e.ok("AttachPolicy", params{"PolicyId": p.ID, "TargetId": workloadsOU}, nil)
	e.ok("AttachPolicy", params{"PolicyId": p.ID, "TargetId": mgmtID}, nil)
	o, err := e.svc.State.Org(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ex := decide(o, staging); ex.Decision != eval.ExplicitDeny || ex.DeniedBy != eval.LayerSCP {
		t.Errorf("Staging after: %v by %v, want an explicit deny by an SCP", ex.Decision, ex.DeniedBy)
	}
	if ex := decide(o, security); ex.Decision != eval.Allow {
		t.Errorf("Security (outside WorkloadsOU) after: %v, want Allow", ex.Decision)
	}
	if ex := decide(o, mgmtRoot.ARN); ex.Decision != eval.Allow {
		t.Errorf("management account after: %v, want Allow (SCPs do not apply to it)", ex.Decision)
	}
	// Detached, it no longer applies.
	e.ok("DetachPolicy", params{"PolicyId": p.ID, "TargetId": workloadsOU}, nil)
	o, _ = e.svc.State.Org(e.ctx)
	if ex := decide(o, staging); ex.Decision != eval.Allow {
		t.Errorf("Staging after detaching: %v, want Allow", ex.Decision)
	}
}

// TestSCPAppliesToOrganizations: a member account's principals are under
// SCPs for Organizations calls too.
func TestSCPAppliesToOrganizations(t *testing.T) {
	needUnattachedPolicies(t)
	e := newEnv(t)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:*","Resource":"*"}]}`
	p := createPolicy(e, "DenyOrganizations", "SERVICE_CONTROL_POLICY", deny)
	e.ok("AttachPolicy", params{"PolicyId": p.ID, "TargetId": devID}, nil)
	e.ok("AttachPolicy", params{"PolicyId": p.ID, "TargetId": mgmtID}, nil)
	err := e.fails(devAdmin, "DescribeOrganization", nil, "AccessDeniedException")
	if !strings.Contains(err.Error(), "explicit deny in a service control policy") {
		t.Errorf("denial = %v", err)
	}
	// The management account is not under SCPs.
	e.ok("DescribeOrganization", nil, nil)
}

// TestDerivedPolicyID: CreatePolicy authorizes on the ARN the loader gives
// the new policy.
func TestDerivedPolicyID(t *testing.T) {
	e := newEnv(t)
	o, _ := e.svc.State.Org(e.ctx)
	v := view{o}
	for _, p := range o.Policies {
		if p.Type == org.TypeManaged || p.Name == fullAWSAccess {
			continue
		}
		if got := v.newPolicyARN(apiType[p.Type], p.Name); got != p.ARN {
			t.Errorf("%s %s: derived %s, loader %s", p.Type, p.Name, got, p.ARN)
		}
	}
}

func TestContentOfOrgFilePolicy(t *testing.T) {
	e := newEnv(t)
	var desc policyOut
	e.ok("DescribePolicy", params{"PolicyId": "p-FullAWSAccess"}, &desc)
	want := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	if desc.Policy.Content != want {
		t.Errorf("FullAWSAccess content =\n%s\nwant\n%s", desc.Policy.Content, want)
	}
	if !desc.Policy.PolicySummary.AwsManaged || desc.Policy.PolicySummary.ID != "p-FullAWSAccess" {
		t.Errorf("summary = %+v", desc.Policy.PolicySummary)
	}
	e.ok("DescribePolicy", params{"PolicyId": "p-RCPFullAWSAccess"}, &desc)
	if desc.Policy.Content != rcpFullAWSAccessContent {
		t.Errorf("RCPFullAWSAccess content = %s", desc.Policy.Content)
	}
}
