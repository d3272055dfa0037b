package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/org"
)

// editedLandingZone copies the SecureCart landing zone's files to a new
// directory and applies edits (file -> old, new).
func editedLandingZone(t *testing.T, edits ...[3]string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "landing-zones", "securecart")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, ed := range edits {
			if ed[0] == e.Name() {
				if !strings.Contains(string(b), ed[1]) {
					t.Fatalf("%s has no %q", ed[0], ed[1])
				}
				b = []byte(strings.Replace(string(b), ed[1], ed[2], 1))
			}
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type diffLine struct {
	Change    string         `json:"change"`
	Principal string         `json:"principal"`
	Action    string         `json:"action"`
	Resource  string         `json:"resource"`
	Context   map[string]any `json:"context"`
}

func diffLines(t *testing.T, out string) []diffLine {
	t.Helper()
	var ls []diffLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var l diffLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		if l.Change != "opened" && l.Change != "closed" || l.Principal == "" || l.Action == "" || l.Context == nil {
			t.Errorf("line lacks the contract's fields: %s", sc.Text())
		}
		ls = append(ls, l)
	}
	return ls
}

const removeLeaveDeny = "        - Sid: DenyLeaveOrganization\n          Effect: Deny\n          Action: organizations:LeaveOrganization\n          Resource: \"*\"\n"

func TestDiffCommand(t *testing.T) {
	lz := filepath.Join("..", "..", "landing-zones", "securecart")
	same := editedLandingZone(t)
	out, stderr, code := run(t, "", "diff", lz, same)
	if code != 0 || !strings.Contains(out, "0 opened, 0 closed, 0 unknown") {
		t.Fatalf("identical copy: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = run(t, "", "diff", "embedded:securecart", same)
	if code != 0 {
		t.Fatalf("embedded against a copy: exit %d\n%s%s", code, out, stderr)
	}

	// Removing a deny of an SCP opens access: exit 1, also with
	// --fail-on opened; the reverse closes it: exit 0 with --fail-on opened.
	opened := editedLandingZone(t, [3]string{"scps.yaml", removeLeaveDeny, ""})
	out, stderr, code = run(t, "", "diff", "--format", "json", lz, opened)
	if code != 1 {
		t.Fatalf("removed deny: exit %d\n%s%s", code, out, stderr)
	}
	ls := diffLines(t, out)
	if len(ls) == 0 {
		t.Fatal("no change")
	}
	for _, l := range ls {
		if l.Change != "opened" || !strings.EqualFold(l.Action, "organizations:LeaveOrganization") {
			t.Errorf("unexpected change %+v", l)
		}
	}
	ctx := []string{}
	for k, v := range ls[0].Context {
		s, _ := v.(string)
		ctx = append(ctx, "--context", k+"="+s)
	}
	// The example is one warden explain allows in NEW and denies in OLD.
	args := append([]string{"explain", "--org", opened, "--principal", ls[0].Principal, "--action", ls[0].Action, "--resource", ls[0].Resource}, ctx...)
	if out, _, _ := run(t, "", args...); !strings.Contains(out, "Allow") {
		t.Errorf("explain NEW: %s", out)
	}
	args[2] = lz
	if out, _, _ := run(t, "", args...); strings.Contains(out, "decision: Allow") {
		t.Errorf("explain OLD: %s", out)
	}
	if _, _, code = run(t, "", "diff", "--fail-on", "opened", lz, opened); code != 1 {
		t.Errorf("--fail-on opened with an opening: exit %d", code)
	}
	if _, _, code = run(t, "", "diff", "--fail-on", "opened", opened, lz); code != 0 {
		t.Errorf("--fail-on opened with only closings: exit %d", code)
	}
	out, _, code = run(t, "", "diff", "--format", "markdown", opened, lz)
	if code != 1 || !strings.Contains(out, "**0 opened**, **1 closed**") || !strings.Contains(out, "| **closed** |") || !strings.Contains(out, "DenyLeaveOrganization") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
	out, _, _ = run(t, "", "diff", opened, lz)
	if !strings.Contains(out, "CLOSED organizations:LeaveOrganization") || !strings.Contains(out, "* new: scp Root: Deny scp BaselineGuardrails, statement DenyLeaveOrganization at "+lz) {
		t.Errorf("text:\n%s", out)
	}
}

func TestDiffMalformed(t *testing.T) {
	lz := filepath.Join("..", "..", "landing-zones", "securecart")
	bad := editedLandingZone(t, [3]string{"scps.yaml", "          Action: organizations:LeaveOrganization", "          Action: organizations:LeaveOrganization\n          Bogus: 1"})
	_, stderr, code := run(t, "", "diff", lz, bad)
	if code != 2 || !strings.Contains(stderr, "scps.yaml:") {
		t.Errorf("malformed: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"diff", lz}, {"diff", "--format", "xml", lz, lz}, {"diff", "--fail-on", "closed", lz, lz}, {"diff", lz, "embedded:other"}, {"diff", lz, "store:" + t.TempDir()}} {
		if _, _, code := run(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	out, _, code := run(t, "", "diff", "--help")
	if code != 0 || !strings.Contains(out, "--fail-on") || !strings.Contains(out, "store:DIR") {
		t.Errorf("--help: %d %s", code, out)
	}
}

// Resources in equal situations are named by their class in every
// format: an edit of every account's bucket policy of a generated
// organization opens S3 reads on the buckets of the member accounts (twins)
// for the Security account's readers.
func TestDiffResourceClasses(t *testing.T) {
	dir := t.TempDir()
	src := string(org.Generate(6, 4, 1))
	oldPath, newPath := filepath.Join(dir, "old.yaml"), filepath.Join(dir, "new.yaml")
	edited := strings.ReplaceAll(src, "      Statement:\n        - Effect: Deny\n          Principal: \"*\"\n",
		"      Statement:\n        - {Effect: Allow, Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}, Action: \"s3:GetObject\", Resource: \"*\"}\n        - Effect: Deny\n          Principal: \"*\"\n")
	if edited == src {
		t.Fatal("the generated organization has no bucket policy to edit")
	}
	for p, s := range map[string]string{oldPath: src, newPath: edited} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := run(t, "", "diff", oldPath, newPath)
	if code != 1 || !strings.Contains(out, "resources in equal situations: S3 buckets of 4 accounts, like arn:aws:s3:::gen-account") {
		t.Fatalf("text: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = run(t, "", "diff", "--format", "markdown", oldPath, newPath)
	if code != 1 || !strings.Contains(out, "| Change | Principals | Actions | Resources |") || !strings.Contains(out, "S3 buckets of 4 accounts, like arn:aws:s3:::gen-account") {
		t.Fatalf("markdown: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = run(t, "", "diff", "--format", "json", oldPath, newPath)
	if code != 1 {
		t.Fatalf("json: exit %d\n%s%s", code, out, stderr)
	}
	diffLines(t, out)
	found := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var c struct {
			Change          string `json:"change"`
			ResourceClasses []struct {
				Kind     string   `json:"kind"`
				Example  string   `json:"example"`
				Members  []string `json:"members"`
				Resource string   `json:"resource"`
			} `json:"resourceClasses"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		for _, rc := range c.ResourceClasses {
			if rc.Kind == "S3 bucket" && c.Change == "opened" && len(rc.Members) == 3 && strings.HasPrefix(rc.Resource, rc.Example) {
				found = true
				for _, m := range rc.Members {
					if !strings.HasPrefix(m, "arn:aws:s3:::gen-account") || m == rc.Example {
						t.Errorf("member %s of %s", m, rc.Example)
					}
				}
			}
		}
	}
	if !found {
		t.Errorf("no opened change with a class of 4 S3 buckets:\n%s", out)
	}
}

// TestDiffResourcesReadable: the resources a change lists, one per class,
// are resources a request can name. Without the SCP statement that denies
// organizations:LeaveOrganization (an action that takes no resource: "*"
// in AWS's Service Authorization Reference), the opened change lists "*",
// not the classes' shortest members ("", "arn::::ACCOUNT:").
func TestDiffResourcesReadable(t *testing.T) {
	old := editedLandingZone(t)
	new := editedLandingZone(t, [3]string{"scps.yaml", "        - Sid: DenyLeaveOrganization\n          Effect: Deny\n          Action: organizations:LeaveOrganization\n          Resource: \"*\"\n", ""})
	out, errOut, code := run(t, "", "diff", "--format", "json", old, new)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	var found bool
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var c struct {
			Change    string   `json:"change"`
			Action    string   `json:"action"`
			Resource  string   `json:"resource"`
			Resources []string `json:"resources"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		if c.Action != "organizations:LeaveOrganization" {
			continue
		}
		found = true
		if c.Change != "opened" || c.Resource != "*" || len(c.Resources) > 1 || (len(c.Resources) == 1 && c.Resources[0] != "*") {
			t.Errorf("LeaveOrganization: %s", sc.Text())
		}
	}
	if !found {
		t.Fatalf("no LeaveOrganization change:\n%s", out)
	}
	text, _, _ := run(t, "", "diff", old, new)
	if strings.Contains(text, "arn::::") || strings.Contains(text, "class): ,") {
		t.Errorf("text lists the classes' shortest members:\n%s", text)
	}
}
