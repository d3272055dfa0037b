package organizations

import (
	"fmt"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
)

func TestCreateOrganizationalUnit(t *testing.T) {
	e := newEnv(t)
	var got struct{ OrganizationalUnit OrganizationalUnit }
	c := e.ok("CreateOrganizationalUnit", params{"ParentId": workloadsOU, "Name": "Payments"}, &got)
	ou := got.OrganizationalUnit
	if !regexp.MustCompile(`^ou-4k7q-[a-z0-9]{8}$`).MatchString(ou.ID) {
		t.Errorf("ID %q is not ou-<root>-<8 lowercase letters or digits>", ou.ID)
	}
	if ou.Name != "Payments" || ou.Arn != arnPrefix+"ou/"+orgID+"/"+ou.ID {
		t.Errorf("OU = %+v", ou)
	}
	if len(c.Resources) != 1 || c.Resources[0].ARN != ou.Arn || c.ReadOnly {
		t.Errorf("trail: resources %+v, read-only %v", c.Resources, c.ReadOnly)
	}

	// It is listed under its parent, with its parent, and FullAWSAccess.
	var list ousOut
	e.ok("ListOrganizationalUnitsForParent", params{"ParentId": workloadsOU}, &list)
	if !equal(list.OrganizationalUnits, []OrganizationalUnit{ou}) {
		t.Errorf("children of WorkloadsOU = %+v", list.OrganizationalUnits)
	}
	var parents struct{ Parents []Parent }
	e.ok("ListParents", params{"ChildId": ou.ID}, &parents)
	if !equal(parents.Parents, []Parent{{workloadsOU, "ORGANIZATIONAL_UNIT"}}) {
		t.Errorf("parents = %+v", parents.Parents)
	}
	var pols policiesOut
	e.ok("ListPoliciesForTarget", params{"TargetId": ou.ID, "Filter": "SERVICE_CONTROL_POLICY"}, &pols)
	if names := policyNames(pols.Policies); !equal(names, []string{"FullAWSAccess"}) {
		t.Errorf("SCPs of the new OU = %v, want [FullAWSAccess]", names)
	}
	// Its ID stays the same when read back.
	o, err := e.svc.State.Fresh(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if x, ok := o.OUByName("Payments"); !ok || x.ID != ou.ID || x.Parent.ID != workloadsOU {
		t.Errorf("stored OU = %+v", x)
	}

	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": workloadsOU, "Name": "Payments"}, "DuplicateOrganizationalUnitException")
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": rootID, "Name": "Payments"}, "DuplicateOrganizationalUnitException")
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": rootID, "Name": "Dev"}, "DuplicateOrganizationalUnitException")
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": "ou-4k7q-nosuchou", "Name": "X"}, "ParentNotFoundException")
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": rootID}, "InvalidInputException/INPUT_REQUIRED")
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": rootID, "Name": strings.Repeat("n", 129)}, "InvalidInputException/MAX_LENGTH_EXCEEDED")
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": rootID, "Name": "T", "Tags": []map[string]string{{"Key": "k", "Value": "v"}}},
		"InvalidInputException/TARGET_NOT_SUPPORTED")
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": rootID, "Name": "${account:Dev}"}, "InvalidInputException/INVALID_PATTERN")
	e.fails(devAdmin, "CreateOrganizationalUnit", params{"ParentId": rootID, "Name": "Mine"}, "AccessDeniedException")
}

func TestCreateOrganizationalUnitDepth(t *testing.T) {
	e := newEnv(t)
	// WorkloadsOU is level 1; levels 2 to 5 may be created, not 6.
	parent := workloadsOU
	for level := 2; level <= 5; level++ {
		var got struct{ OrganizationalUnit OrganizationalUnit }
		e.ok("CreateOrganizationalUnit", params{"ParentId": parent, "Name": fmt.Sprintf("Level%d", level)}, &got)
		parent = got.OrganizationalUnit.ID
	}
	e.fails(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": parent, "Name": "Level6"}, "ConstraintViolationException/OU_DEPTH_LIMIT_EXCEEDED")
}

func TestMoveAccount(t *testing.T) {
	e := newEnv(t)
	move := func(src, dst string) params {
		return params{"AccountId": devID, "SourceParentId": src, "DestinationParentId": dst}
	}
	c := e.ok("MoveAccount", move(workloadsOU, securityOU), nil)
	if len(c.Resources) != 1 || c.Resources[0].ARN != arnPrefix+"account/"+orgID+"/"+devID {
		t.Errorf("trail resources = %+v", c.Resources)
	}
	var parents struct{ Parents []Parent }
	e.ok("ListParents", params{"ChildId": devID}, &parents)
	if !equal(parents.Parents, []Parent{{securityOU, "ORGANIZATIONAL_UNIT"}}) {
		t.Errorf("parents after the move = %+v", parents.Parents)
	}
	// To the root and back.
	e.ok("MoveAccount", move(securityOU, rootID), nil)
	e.ok("ListParents", params{"ChildId": devID}, &parents)
	if !equal(parents.Parents, []Parent{{rootID, "ROOT"}}) {
		t.Errorf("parents after the move to the root = %+v", parents.Parents)
	}
	e.ok("MoveAccount", move(rootID, workloadsOU), nil)

	e.fails(mgmtRoot, "MoveAccount", move(securityOU, sharedOU), "AccountNotFoundException")
	e.fails(mgmtRoot, "MoveAccount", move(workloadsOU, workloadsOU), "DuplicateAccountException")
	e.fails(mgmtRoot, "MoveAccount", move("ou-4k7q-nosuchou", securityOU), "SourceParentNotFoundException")
	e.fails(mgmtRoot, "MoveAccount", move(workloadsOU, "ou-4k7q-nosuchou"), "DestinationParentNotFoundException")
	e.fails(mgmtRoot, "MoveAccount", params{"AccountId": "111122223333", "SourceParentId": rootID, "DestinationParentId": securityOU},
		"AccountNotFoundException")
	e.fails(mgmtRoot, "MoveAccount", params{"AccountId": devID, "SourceParentId": workloadsOU}, "InvalidInputException/INPUT_REQUIRED")
	e.fails(devAdmin, "MoveAccount", move(workloadsOU, securityOU), "AccessDeniedException")
}

func TestCreateAccount(t *testing.T) {
	e := newEnv(t)
	var got statusOut
	c := e.ok("CreateAccount", params{"Email": "aws-payments@securecart.example", "AccountName": "Payments",
		"Tags": []map[string]string{{"Key": "env", "Value": "payments"}}}, &got)
	st := got.CreateAccountStatus
	if st.State != "SUCCEEDED" || !org.IsAccountID(st.AccountID) || !reCARID.MatchString(st.ID) || st.AccountName != "Payments" {
		t.Fatalf("status = %+v", st)
	}
	if st.RequestedTimestamp == nil || !time.Time(*st.RequestedTimestamp).Equal(testNow) || st.CompletedTimestamp == nil {
		t.Errorf("timestamps = %v %v, want %v", st.RequestedTimestamp, st.CompletedTimestamp, testNow)
	}
	if p := c.RequestParameters.(call.Fields); p["email"] != hiddenForSecurity || p["accountName"] != hiddenForSecurity {
		t.Errorf("trail request parameters = %v", p)
	}
	id := st.AccountID

	var acct struct{ Account Account }
	e.ok("DescribeAccount", params{"AccountId": id}, &acct)
	if a := acct.Account; a.Name != "Payments" || a.Email != "aws-payments@securecart.example" || a.JoinedMethod != "CREATED" ||
		a.JoinedTimestamp == nil || !time.Time(*a.JoinedTimestamp).Equal(testNow) || a.Status != "ACTIVE" {
		t.Errorf("account = %+v", a)
	}
	var parents struct{ Parents []Parent }
	e.ok("ListParents", params{"ChildId": id}, &parents)
	if !equal(parents.Parents, []Parent{{rootID, "ROOT"}}) {
		t.Errorf("parents = %+v", parents.Parents)
	}
	var desc statusOut
	e.ok("DescribeCreateAccountStatus", params{"CreateAccountRequestId": st.ID}, &desc)
	if d := desc.CreateAccountStatus; d.ID != st.ID || d.State != "SUCCEEDED" || d.AccountID != id {
		t.Errorf("DescribeCreateAccountStatus = %+v", d)
	}
	e.fails(mgmtRoot, "DescribeCreateAccountStatus", params{"CreateAccountRequestId": "car-0123456789abcdef"}, "CreateAccountStatusNotFoundException")
	e.fails(mgmtRoot, "DescribeCreateAccountStatus", params{"CreateAccountRequestId": "car-X"}, "InvalidInputException/INVALID_PATTERN")

	// The new account has its tags, FullAWSAccess, and the management
	// account may assume OrganizationAccountAccessRole in it.
	o, err := e.svc.State.Fresh(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := o.AccountByID(id)
	if !ok || a.Tags["env"] != "payments" || len(a.SCPs) != 1 || a.SCPs[0].Name != "FullAWSAccess" {
		t.Fatalf("stored account = %+v", a)
	}
	role, ok := o.Role(id, "OrganizationAccountAccessRole")
	if !ok {
		t.Fatal("no OrganizationAccountAccessRole in the new account")
	}
	explain := func(principal, action, resource string) eval.Explanation {
		_, ex, err := authz.Decide(o, authz.Query{Principal: principal, Action: action, Resource: resource,
			Context: map[string][]string{"aws:RequestedRegion": {"us-east-1"}}}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	decide := func(principal, action, resource string) eval.Decision {
		return explain(principal, action, resource).Decision
	}
	// The role trusts the management account: its policies allow the root
	// user, whom only AWS's rule that roots assume no role refuses
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html).
	if ex := explain(mgmtRoot.ARN, "sts:AssumeRole", role.ARN); !ex.RefusedByService() {
		t.Errorf("management root assuming %s: %v by %v, want the policies to allow it", role.ARN, ex.Decision, ex.DeniedBy)
	}
	if d := decide("arn:aws:sts::"+id+":assumed-role/OrganizationAccountAccessRole/s", "ec2:RunInstances", "*"); d != eval.Allow {
		t.Errorf("the role's session running instances: %v, want Allow", d)
	}

	// Another role name: Warden adds the role AWS would create.
	e.ok("CreateAccount", params{"Email": "aws-sandbox@securecart.example", "AccountName": "Sandbox", "RoleName": "AdminFromManagement"}, &got)
	o, _ = e.svc.State.Fresh(e.ctx)
	role, ok = o.Role(got.CreateAccountStatus.AccountID, "AdminFromManagement")
	if !ok {
		t.Fatal("no AdminFromManagement role in the second account")
	}
	if ex := explain(mgmtRoot.ARN, "sts:AssumeRole", role.ARN); !ex.RefusedByService() {
		t.Errorf("management root assuming %s: %v by %v, want the policies to allow it", role.ARN, ex.Decision, ex.DeniedBy)
	}
	if d := decide("arn:aws:sts::"+devID+":assumed-role/OrganizationAccountAccessRole/s", "sts:AssumeRole", role.ARN); d == eval.Allow {
		t.Errorf("a member account assuming %s: Allow, want a denial", role.ARN)
	}

	// A taken email address fails the request as AWS does.
	var failed statusOut
	e.ok("CreateAccount", params{"Email": "AWS-DEV@securecart.example", "AccountName": "Dev2"}, &failed)
	if f := failed.CreateAccountStatus; f.State != "FAILED" || f.FailureReason != "EMAIL_ALREADY_EXISTS" || f.AccountID != "" {
		t.Errorf("status = %+v", f)
	}
	var all accountsOut
	e.ok("ListAccounts", nil, &all)
	if len(all.Accounts) != 8 {
		t.Errorf("%d accounts, want 8 (6 + 2 created)", len(all.Accounts))
	}

	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": "Dev"}, "InvalidInputException")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "not-an-email", "AccountName": "X"}, "InvalidInputException/INVALID_PATTERN")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example"}, "InvalidInputException/INPUT_REQUIRED")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": strings.Repeat("a", 51)}, "InvalidInputException/MAX_LENGTH_EXCEEDED")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": "X", "RoleName": "AWSServiceRoleForX"}, "InvalidInputException/INVALID_ROLE_NAME")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": "X", "RoleName": "bad name"}, "InvalidInputException/INVALID_PATTERN")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": "X", "IamUserAccessToBilling": "MAYBE"}, "InvalidInputException/INVALID_ENUM")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": "X",
		"Tags": []map[string]string{{"Key": "aws:x", "Value": "v"}}}, "InvalidInputException/INVALID_SYSTEM_TAGS_PARAMETER")
	e.fails(mgmtRoot, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": "X",
		"Tags": []map[string]string{{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}}}, "InvalidInputException/DUPLICATE_TAG_KEY")
	e.fails(devAdmin, "CreateAccount", params{"Email": "x@securecart.example", "AccountName": "X"}, "AccessDeniedException")
	e.fails(devAdmin, "DescribeCreateAccountStatus", params{"CreateAccountRequestId": st.ID}, "AccessDeniedException")
}
