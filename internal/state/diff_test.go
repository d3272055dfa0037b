package state

import (
	"slices"
	"testing"

	"github.com/securecart/warden/internal/org"
)

func TestDiff(t *testing.T) {
	a := &org.Spec{
		Organization: &org.OrgDef{ID: "o-abcdefghij", ManagementAccount: "Management"},
		Accounts:     []*org.AccountDef{{Name: "Management", ID: "111111111111", Email: "m@example.com"}, {Name: "Dev", ID: "222222222222", Email: "d@example.com"}},
		Roles: []*org.RoleDef{
			{Name: "App", Accounts: []string{"Dev"}, Description: "one"},
			{Name: "Old", Accounts: []string{"Dev"}},
		},
		Users: []*org.UserDef{{Name: "ci", Account: "Dev"}},
		Workloads: []*org.WorkloadDef{
			{ARN: "arn:aws:lambda:us-east-1:222222222222:function:app", Role: "App"},
			{ARN: "arn:aws:codebuild:us-east-1:222222222222:project/app", Role: "App"},
		},
	}
	if d := Diff(a, a.Clone()); len(d) != 0 {
		t.Errorf("Diff of equal specs = %q", d)
	}
	b := a.Clone()
	b.Organization.ID = "o-klmnopqrst"
	b.Roles[0].Description = "two"
	b.Roles[0].MaxSessionDuration = 7200
	b.Roles = append(b.Roles[:1], &org.RoleDef{Name: "New", Accounts: []string{"Dev", "Management"}})
	b.Users = nil
	b.Workloads[0].Role = "New"
	b.Workloads = b.Workloads[:1]
	want := []string{
		"~ organization.id",
		"~ roles App (Dev): description, maxSessionDuration",
		"+ roles New (Dev, Management)",
		"- roles Old (Dev)",
		"- users ci (Dev)",
		"~ workloads arn:aws:lambda:us-east-1:222222222222:function:app: role",
		"- workloads arn:aws:codebuild:us-east-1:222222222222:project/app",
	}
	if got := Diff(a, b); !slices.Equal(got, want) {
		t.Errorf("Diff =\n%q\nwant\n%q", got, want)
	}
}
