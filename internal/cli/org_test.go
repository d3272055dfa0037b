package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestOrgTree compares `warden org tree` of the landing zone with its golden
// file; go test -update rewrites it.
func TestOrgTree(t *testing.T) {
	const golden = "testdata/org-tree-securecart.txt"
	out, stderr, code := run(t, "", "org", "tree")
	if code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", code, stderr)
	}
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("org tree:\n%s\nwant (%s):\n%s", out, golden, want)
	}
	// The same landing zone from its folder on disk draws the same tree.
	if out2, _, code := run(t, "", "org", "tree", "--org", "../../landing-zones/securecart"); code != 0 || out2 != out {
		t.Errorf("--org landing-zones/securecart: exit %d, a different tree:\n%s", code, out2)
	}
}

func TestOrgTreeSmallOrg(t *testing.T) {
	dir := writeFiles(t, smallOrgFiles)
	out, stderr, code := run(t, "", "org", "tree", "--org", dir)
	if code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"Organization o-a1b2c3d4e5, management account Mgmt (111111111111)\n",
		"Root r-a1b2  [scp: FullAWSAccess]  [rcp: OrgOnlyDeletes]\n",
		"OU Workloads ou-a1b2-workload01  [scp: FullAWSAccess, DenyIAMUsers]\n",
		"Account Dev 222222222222  [scp: FullAWSAccess]\n",
		"role AppRole\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tree lacks %q:\n%s", want, out)
		}
	}
}

func TestOrgValidate(t *testing.T) {
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, "", "org", "validate")
	want := fmt.Sprintf("embedded SecureCart landing zone: valid: %d accounts, %d OUs, %d roles, %d policies\n", len(o.Accounts), len(o.OUs), len(o.Roles), len(o.Policies))
	if code != 0 || out != want || stderr != "" {
		t.Errorf("embedded: exit %d, output %q, stderr %q; want 0 and %q", code, out, stderr, want)
	}
	if len(o.Accounts) != 6 {
		t.Errorf("the landing zone has %d accounts, want 6", len(o.Accounts))
	}

	good := writeFiles(t, smallOrgFiles)
	out, _, code = run(t, "", "org", "validate", good, "../../landing-zones/securecart")
	if code != 0 || !strings.Contains(out, good+": valid: 2 accounts, 1 OUs, 2 roles, 4 policies\n") ||
		!strings.Contains(out, "../../landing-zones/securecart: valid: 6 accounts") {
		t.Errorf("directories: exit %d, output %q", code, out)
	}

	// Every problem, each with file:line:column, in a bad org directory.
	badIAM := strings.NewReplacer(
		"permissionsBoundary: Boundary", "permissionsBoundary: Boundry",
		"Action: s3:ListBucket", "Acton: s3:ListBucket",
	).Replace(smallOrgFiles["iam.yaml"])
	bad := writeFiles(t, map[string]string{
		"org.yaml": strings.Replace(smallOrgFiles["org.yaml"], `id: "222222222222"`, `id: "2222"`, 1),
		"iam.yaml": badIAM,
	})
	out, stderr, code = run(t, "", "org", "validate", good, bad)
	if code != 2 {
		t.Errorf("bad org: exit status %d, want 2", code)
	}
	if !strings.Contains(out, good+": valid") || strings.Contains(out, bad) {
		t.Errorf("output %q: want the good org valid and the bad one not", out)
	}
	for _, want := range []string{
		posIn(t, bad, "org.yaml", `"222222222222"`) + `: accounts[1].id: malformed account ID "2222"`,
		posIn(t, bad, "iam.yaml", "Boundary\n") + `: roles[0].permissionsBoundary: unknown managed policy "Boundry" (did you mean "Boundary"?)`,
		posIn(t, bad, "iam.yaml", "Action: s3:ListBucket") + `: users[0].inlinePolicies.List: /Statement/0/Acton: unknown statement element "Acton"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	if _, stderr, code := run(t, "", "org", "validate", filepath.Join(t.TempDir(), "none")); code != 2 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing path: exit %d, stderr %q", code, stderr)
	}
	if _, _, code := run(t, "", "org", "tree", "--org", bad); code != 2 {
		t.Errorf("org tree of a bad org: exit %d, want 2", code)
	}
}

func TestOrgTreeMermaid(t *testing.T) {
	out, stderr, code := run(t, "", "org", "tree", "--format", "mermaid")
	if code != 0 || !strings.HasPrefix(out, "flowchart TD\n") || !strings.Contains(out, "SCP: FullAWSAccess, BaselineGuardrails") ||
		!strings.Contains(out, "management account: SCPs do not apply") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	if _, _, code := run(t, "", "org", "tree", "--format", "dot"); code != 2 {
		t.Errorf("--format dot: exit %d, want 2", code)
	}
}
