package organizations

import (
	"testing"

	"github.com/securecart/warden/internal/api"
)

func TestDescribeOrganization(t *testing.T) {
	e := newEnv(t)
	want := Organization{
		ID: orgID, Arn: arnPrefix + "organization/" + orgID, FeatureSet: "ALL",
		MasterAccountArn: arnPrefix + "account/" + orgID + "/" + mgmtID, MasterAccountID: mgmtID,
		MasterAccountEmail: "aws-management@securecart.example",
		AvailablePolicyTypes: []PolicyTypeSummary{{Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED"},
			{Type: "RESOURCE_CONTROL_POLICY", Status: "ENABLED"}},
	}
	// Any account of the organization may describe it.
	for _, tc := range []struct {
		name string
		id   *api.Identity
	}{{"management root", mgmtRoot}, {"member admin", devAdmin}} {
		var got struct{ Organization Organization }
		if _, err := e.call(tc.id, "DescribeOrganization", nil, &got); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		o := got.Organization
		if o.ID != want.ID || o.Arn != want.Arn || o.MasterAccountArn != want.MasterAccountArn || o.MasterAccountID != want.MasterAccountID ||
			o.MasterAccountEmail != want.MasterAccountEmail || o.FeatureSet != want.FeatureSet || !equal(o.AvailablePolicyTypes, want.AvailablePolicyTypes) {
			t.Errorf("%s: got %+v, want %+v", tc.name, o, want)
		}
	}
	// The engine still decides: DeveloperRole may not use Organizations.
	err := e.fails(devDeveloper, "DescribeOrganization", nil, "AccessDeniedException")
	if !contains(err.Error(), "is not authorized to perform: organizations:DescribeOrganization") {
		t.Errorf("engine denial: %v", err)
	}
	e.fails(outsider, "DescribeOrganization", nil, "AWSOrganizationsNotInUseException")
}

func TestListRoots(t *testing.T) {
	e := newEnv(t)
	var got struct {
		Roots     []Root
		NextToken *string
	}
	e.ok("ListRoots", params{}, &got)
	if len(got.Roots) != 1 || got.NextToken != nil {
		t.Fatalf("got %+v", got)
	}
	r := got.Roots[0]
	if r.ID != rootID || r.Arn != arnPrefix+"root/"+orgID+"/"+rootID || r.Name != "Root" {
		t.Errorf("root = %+v", r)
	}
	wantTypes := []PolicyTypeSummary{{"SERVICE_CONTROL_POLICY", "ENABLED"}, {"RESOURCE_CONTROL_POLICY", "ENABLED"}}
	if !equal(r.PolicyTypes, wantTypes) {
		t.Errorf("policy types = %+v, want %+v", r.PolicyTypes, wantTypes)
	}
	e.fails(mgmtRoot, "ListRoots", params{"MaxResults": 0}, "InvalidInputException/MIN_VALUE_EXCEEDED")
	e.fails(mgmtRoot, "ListRoots", params{"MaxResults": 21}, "InvalidInputException/MAX_VALUE_EXCEEDED")
	e.fails(mgmtRoot, "ListRoots", params{"NextToken": "garbage"}, "InvalidInputException/INVALID_NEXT_TOKEN")
	e.fails(mgmtRoot, "ListRoots", `{"MaxResults": "ten"}`, "SerializationException")
	e.fails(mgmtRoot, "ListRoots", `{`, "SerializationException")
	e.fails(devAdmin, "ListRoots", nil, "AccessDeniedException")
}

func TestListOrganizationalUnitsForParent(t *testing.T) {
	e := newEnv(t)
	var got ousOut
	e.ok("ListOrganizationalUnitsForParent", params{"ParentId": rootID}, &got)
	want := []OrganizationalUnit{
		{ID: securityOU, Arn: arnPrefix + "ou/" + orgID + "/" + securityOU, Name: "SecurityOU"},
		{ID: workloadsOU, Arn: arnPrefix + "ou/" + orgID + "/" + workloadsOU, Name: "WorkloadsOU"},
		{ID: sharedOU, Arn: arnPrefix + "ou/" + orgID + "/" + sharedOU, Name: "SharedServicesOU"},
	}
	if !equal(got.OrganizationalUnits, want) || got.NextToken != nil {
		t.Fatalf("got %+v, want %+v", got, want)
	}

	// Two pages of two and one.
	var p1, p2 ousOut
	e.ok("ListOrganizationalUnitsForParent", params{"ParentId": rootID, "MaxResults": 2}, &p1)
	if len(p1.OrganizationalUnits) != 2 || p1.NextToken == nil {
		t.Fatalf("page 1 = %+v", p1)
	}
	e.ok("ListOrganizationalUnitsForParent", params{"ParentId": rootID, "MaxResults": 2, "NextToken": *p1.NextToken}, &p2)
	if !equal(append(p1.OrganizationalUnits, p2.OrganizationalUnits...), want) || p2.NextToken != nil {
		t.Fatalf("pages = %+v %+v", p1, p2)
	}
	// A token is bound to its listing.
	e.fails(mgmtRoot, "ListOrganizationalUnitsForParent", params{"ParentId": workloadsOU, "NextToken": *p1.NextToken},
		"InvalidInputException/INVALID_NEXT_TOKEN")
	e.fails(mgmtRoot, "ListAccounts", params{"NextToken": *p1.NextToken}, "InvalidInputException/INVALID_NEXT_TOKEN")

	var none ousOut
	e.ok("ListOrganizationalUnitsForParent", params{"ParentId": workloadsOU}, &none)
	if none.OrganizationalUnits == nil || len(none.OrganizationalUnits) != 0 {
		t.Errorf("empty OU: got %+v, want an empty list", none)
	}
	e.fails(mgmtRoot, "ListOrganizationalUnitsForParent", params{"ParentId": "ou-4k7q-nosuchou"}, "ParentNotFoundException")
	e.fails(mgmtRoot, "ListOrganizationalUnitsForParent", params{"ParentId": "Root"}, "InvalidInputException/INVALID_PATTERN")
	e.fails(mgmtRoot, "ListOrganizationalUnitsForParent", params{}, "InvalidInputException/INPUT_REQUIRED")
	e.fails(devAdmin, "ListOrganizationalUnitsForParent", params{"ParentId": rootID}, "AccessDeniedException")
}

func TestListAccounts(t *testing.T) {
	e := newEnv(t)
	var all accountsOut
	e.ok("ListAccounts", nil, &all)
	var ids []string
	for _, a := range all.Accounts {
		ids = append(ids, a.ID)
	}
	wantIDs := []string{mgmtID, securityID, sharedID, devID, stagingID, prodID}
	if !equal(ids, wantIDs) || all.NextToken != nil {
		t.Fatalf("accounts = %v (next %v), want %v", ids, all.NextToken, wantIDs)
	}
	m := all.Accounts[0]
	wantM := Account{ID: mgmtID, Arn: arnPrefix + "account/" + orgID + "/" + mgmtID, Email: "aws-management@securecart.example",
		Name: "Management", Status: "ACTIVE", State: "ACTIVE", JoinedMethod: "INVITED"}
	if m != wantM {
		t.Errorf("management = %+v, want %+v", m, wantM)
	}
	if d := all.Accounts[3]; d.Name != "Dev" || d.JoinedMethod != "CREATED" || d.Status != "ACTIVE" {
		t.Errorf("Dev = %+v", d)
	}

	// Paging through with pages of four.
	var got []string
	var token *string
	for i := 0; ; i++ {
		body := params{"MaxResults": 4}
		if token != nil {
			body["NextToken"] = *token
		}
		var page accountsOut
		e.ok("ListAccounts", body, &page)
		for _, a := range page.Accounts {
			got = append(got, a.ID)
		}
		if token = page.NextToken; token == nil {
			break
		}
		if i > 3 {
			t.Fatal("paging does not end")
		}
	}
	if !equal(got, wantIDs) {
		t.Errorf("paged = %v, want %v", got, wantIDs)
	}
	e.fails(devAdmin, "ListAccounts", nil, "AccessDeniedException")
	e.fails(devDeveloper, "ListAccounts", nil, "AccessDeniedException")
}

func TestListAccountsForParent(t *testing.T) {
	e := newEnv(t)
	var got accountsOut
	e.ok("ListAccountsForParent", params{"ParentId": workloadsOU}, &got)
	var names []string
	for _, a := range got.Accounts {
		names = append(names, a.Name)
	}
	if want := []string{"Dev", "Staging", "Prod"}; !equal(names, want) {
		t.Errorf("WorkloadsOU accounts = %v, want %v", names, want)
	}
	e.ok("ListAccountsForParent", params{"ParentId": rootID}, &got)
	if len(got.Accounts) != 1 || got.Accounts[0].ID != mgmtID {
		t.Errorf("root accounts = %+v", got.Accounts)
	}
	e.fails(mgmtRoot, "ListAccountsForParent", params{"ParentId": "r-zzzz"}, "ParentNotFoundException")
	e.fails(devAdmin, "ListAccountsForParent", params{"ParentId": rootID}, "AccessDeniedException")
}

func TestDescribeAccount(t *testing.T) {
	e := newEnv(t)
	var got struct{ Account Account }
	e.ok("DescribeAccount", params{"AccountId": prodID}, &got)
	want := Account{ID: prodID, Arn: arnPrefix + "account/" + orgID + "/" + prodID, Email: "aws-prod@securecart.example",
		Name: "Prod", Status: "ACTIVE", State: "ACTIVE", JoinedMethod: "CREATED"}
	if got.Account != want {
		t.Errorf("got %+v, want %+v", got.Account, want)
	}
	e.fails(mgmtRoot, "DescribeAccount", params{"AccountId": "111122223333"}, "AccountNotFoundException")
	e.fails(mgmtRoot, "DescribeAccount", params{"AccountId": "1234"}, "InvalidInputException/INVALID_PATTERN")
	e.fails(mgmtRoot, "DescribeAccount", nil, "InvalidInputException/INPUT_REQUIRED")
	e.fails(devAdmin, "DescribeAccount", params{"AccountId": devID}, "AccessDeniedException")
}

func TestListParentsAndChildren(t *testing.T) {
	e := newEnv(t)
	var parents struct{ Parents []Parent }
	e.ok("ListParents", params{"ChildId": devID}, &parents)
	if want := []Parent{{workloadsOU, "ORGANIZATIONAL_UNIT"}}; !equal(parents.Parents, want) {
		t.Errorf("parents of Dev = %+v, want %+v", parents.Parents, want)
	}
	e.ok("ListParents", params{"ChildId": securityOU}, &parents)
	if want := []Parent{{rootID, "ROOT"}}; !equal(parents.Parents, want) {
		t.Errorf("parents of SecurityOU = %+v, want %+v", parents.Parents, want)
	}
	e.fails(mgmtRoot, "ListParents", params{"ChildId": "111122223333"}, "ChildNotFoundException")
	e.fails(mgmtRoot, "ListParents", params{"ChildId": rootID}, "InvalidInputException/INVALID_PATTERN")

	var children struct{ Children []Child }
	e.ok("ListChildren", params{"ParentId": rootID, "ChildType": "ORGANIZATIONAL_UNIT"}, &children)
	if want := []Child{{securityOU, "ORGANIZATIONAL_UNIT"}, {workloadsOU, "ORGANIZATIONAL_UNIT"}, {sharedOU, "ORGANIZATIONAL_UNIT"}}; !equal(children.Children, want) {
		t.Errorf("OU children of root = %+v, want %+v", children.Children, want)
	}
	e.ok("ListChildren", params{"ParentId": workloadsOU, "ChildType": "ACCOUNT"}, &children)
	if want := []Child{{devID, "ACCOUNT"}, {stagingID, "ACCOUNT"}, {prodID, "ACCOUNT"}}; !equal(children.Children, want) {
		t.Errorf("account children of WorkloadsOU = %+v, want %+v", children.Children, want)
	}
	e.fails(mgmtRoot, "ListChildren", params{"ParentId": rootID, "ChildType": "POLICY"}, "InvalidInputException/INVALID_ENUM")
	e.fails(mgmtRoot, "ListChildren", params{"ParentId": rootID}, "InvalidInputException/INPUT_REQUIRED")
	e.fails(mgmtRoot, "ListChildren", params{"ParentId": "ou-4k7q-nosuchou", "ChildType": "ACCOUNT"}, "ParentNotFoundException")
	e.fails(devAdmin, "ListChildren", params{"ParentId": rootID, "ChildType": "ACCOUNT"}, "AccessDeniedException")
	e.fails(devAdmin, "ListParents", params{"ChildId": devID}, "AccessDeniedException")
}
