package check

import (
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

func secureCart(t *testing.T) *org.Org {
	t.Helper()
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// signIn tests decide Identity Center access from the assignments: to the
// user or to one of its groups, provisioned in the account.
func TestSignIn(t *testing.T) {
	o := secureCart(t)
	src := `tests:
  - name: through a group
    signIn: {user: alice@securecart.example, account: Dev, permissionSet: DeveloperAccess}
    expect: allow
  - name: by ID, not assigned
    signIn: {user: alice@securecart.example, account: "{Prod}", permissionSet: DeveloperAccess}
    expect: deny
  - name: wrong expectation fails
    signIn: {user: fiona@securecart.example, account: Management, permissionSet: Billing}
    expect: deny
`
	tests, err := Parse([]byte(src), "t.yaml", o)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		decision string
		pass     bool
		note     string
	}{
		{"Allow", true, "assigned to group Developers (securecart/identity-center.yaml:"},
		{"ImplicitDeny", true, "no assignment gives alice@securecart.example DeveloperAccess in Prod"},
		{"Allow", false, "assigned to group Finance"},
	}
	c := New(o)
	for i, tc := range tests {
		r, err := c.Run(tc, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r.Decision != want[i].decision || r.Pass != want[i].pass || !strings.Contains(r.Note, want[i].note) {
			t.Errorf("%s: %s pass=%v note %q; want %s pass=%v note containing %q", tc.Name, r.Decision, r.Pass, r.Note, want[i].decision, want[i].pass, want[i].note)
		}
	}
}

func TestSignInErrors(t *testing.T) {
	o := secureCart(t)
	for _, tc := range []struct{ src, want string }{
		{`tests: [{name: x, signIn: {user: a, account: Dev}, expect: allow}]`, "signIn needs user, account and permissionSet"},
		{`tests: [{name: x, signIn: {user: a, account: Dev, permissionSet: P, role: r}, expect: allow}]`, `unknown field "role"`},
		{`tests: [{name: x, principal: "arn:aws:iam::{Dev}:root", action: "s3:*", signIn: {user: a, account: Dev, permissionSet: P}, expect: allow}]`, "a signIn test has no principal"},
		{`tests: [{name: x, signIn: {user: a, account: Dev, permissionSet: P}}]`, "needs expect"},
	} {
		_, err := Parse([]byte(tc.src), "t.yaml", o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.src, err, tc.want)
		}
	}
	// Names the org does not have are errors when the test runs.
	for _, src := range []string{
		`tests: [{name: x, signIn: {user: nobody@x, account: Dev, permissionSet: DeveloperAccess}, expect: deny}]`,
		`tests: [{name: x, signIn: {user: alice@securecart.example, account: Nowhere, permissionSet: DeveloperAccess}, expect: deny}]`,
		`tests: [{name: x, signIn: {user: alice@securecart.example, account: Dev, permissionSet: Nope}, expect: deny}]`,
	} {
		tests, err := Parse([]byte(src), "t.yaml", o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(o).Run(tests[0], time.Now()); err == nil {
			t.Errorf("%s: ran without an error", src)
		}
	}
}
