package reach

import (
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// The accounts of the test organizations.
const (
	mgmt = "111111111111"
	dev  = "222222222222"
	prod = "333333333333"
	// vendor is an account outside the organization.
	vendor = "444455556666"
)

// baseOrg is an organization of three accounts under a FullAWSAccess SCP;
// each test adds its roles, users, policies and resources.
const baseOrg = `organization: {id: o-a1b2c3d4e5, managementAccount: Mgmt, root: r-a1b2}
ous:
  - {name: Workloads, id: ou-a1b2-workload01}
accounts:
  - {name: Mgmt, id: "111111111111", email: mgmt@example.com}
  - {name: Dev, id: "222222222222", email: dev@example.com, ou: Workloads}
  - {name: Prod, id: "333333333333", email: prod@example.com, ou: Workloads}
`

const fullSCP = `  - name: Full
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Workloads, Dev, Prod]
`

// loadOrg loads baseOrg with the sections given (each a YAML section with
// its key; "policies:" gets the FullAWSAccess SCP first).
func loadOrg(t testing.TB, sections ...string) *org.Org {
	t.Helper()
	src := baseOrg
	hasPolicies := false
	for _, s := range sections {
		if strings.HasPrefix(s, "policies:\n") {
			hasPolicies = true
			s = "policies:\n" + fullSCP + strings.TrimPrefix(s, "policies:\n")
		}
		src += s
		if !strings.HasSuffix(s, "\n") {
			src += "\n"
		}
	}
	if !hasPolicies {
		src += "policies:\n" + fullSCP
	}
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return o
}

func secureCart(t testing.TB) *org.Org {
	t.Helper()
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// who runs who-can and returns each principal's path as "ARN via A > B".
func who(t testing.TB, o *org.Org, action, resource string, ctx map[string][]string) map[string]Path {
	t.Helper()
	ps, err := New(o, now).WhoCan(Query{Action: action, Resource: resource, Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Path{}
	for _, p := range ps {
		if _, dup := out[p.Principal.ARN]; dup {
			t.Fatalf("%s listed twice", p.Principal.ARN)
		}
		out[p.Principal.ARN] = p
	}
	return out
}

func viaOf(p Path) string {
	var s []string
	for _, v := range p.Via {
		s = append(s, v.ARN)
	}
	return strings.Join(s, " > ")
}

func names(m map[string]Path) []string {
	var out []string
	for k, p := range m {
		out = append(out, k+" via ["+viaOf(p)+"]")
	}
	sort.Strings(out)
	return out
}

func roleARN(acct, name string) string { return "arn:aws:iam::" + acct + ":role/" + name }
func userARN(acct, name string) string { return "arn:aws:iam::" + acct + ":user/" + name }

// requires reports whether reqs name the key with the value.
func requires(reqs []Requirement, key, value string) bool {
	for _, r := range reqs {
		if strings.EqualFold(r.Key, key) && len(r.Values) == 1 && r.Values[0] == value {
			return true
		}
	}
	return false
}
