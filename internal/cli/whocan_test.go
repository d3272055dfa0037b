package cli

import (
	"bufio"
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

type whoCanJSON struct {
	Principal string              `json:"principal"`
	Via       []string            `json:"via"`
	Kind      string              `json:"kind"`
	Caller    string              `json:"caller"`
	Action    string              `json:"action"`
	Unsure    bool                `json:"unsure"`
	Context   map[string][]string `json:"context"`
	Hops      []struct {
		Principal string              `json:"principal"`
		Action    string              `json:"action"`
		Role      string              `json:"role"`
		Context   map[string][]string `json:"context"`
	} `json:"hops"`
}

func whoCanLines(t *testing.T, out string) []whoCanJSON {
	t.Helper()
	var got []whoCanJSON
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<22), 1<<22)
	for sc.Scan() {
		var l whoCanJSON
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		if l.Principal == "" || l.Via == nil {
			t.Fatalf("principal and via are required (shared/spec/analyze.md): %q", sc.Text())
		}
		got = append(got, l)
	}
	return got
}

// explainArgs is warden explain of one request with its context.
func explainArgs(principal, action, resource string, ctx map[string][]string) []string {
	args := []string{"explain", "--principal", principal, "--action", action, "--resource", resource}
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--context", k+"="+strings.Join(ctx[k], ","))
	}
	return args
}

// TestWhoCanSecureCart: every principal listed, and every step of its
// path, is allowed by warden explain with the context who-can gives,
// outside principals (--outside) included.
func TestWhoCanSecureCart(t *testing.T) {
	for _, q := range [][2]string{
		{"s3:GetObject", "arn:aws:s3:::securecart-prod-vendor-exports/report.csv"},
		{"sts:AssumeRole", "arn:aws:iam::{Security}:role/BreakGlassRole"},
		{"iam:CreateRole", "arn:aws:iam::{Dev}:role/x"},
	} {
		out, stderr, code := run(t, "", "who-can", "--outside", "--format", "json", q[0], q[1])
		if code != 0 {
			t.Fatalf("who-can %v: exit %d: %s", q, code, stderr)
		}
		lines := whoCanLines(t, out)
		if len(lines) == 0 {
			t.Fatalf("who-can %v: nobody", q)
		}
		resource := strings.ReplaceAll(strings.ReplaceAll(q[1], "{Security}", "218364950271"), "{Dev}", "436205817493")
		for _, l := range lines {
			if len(l.Hops) != len(l.Via) {
				t.Fatalf("%s: %d hops for %d roles", l.Principal, len(l.Hops), len(l.Via))
			}
			for i, h := range l.Hops {
				if h.Role != l.Via[i] {
					t.Fatalf("%s: hop %d enters %s, via says %s", l.Principal, i, h.Role, l.Via[i])
				}
				if _, stderr, code := run(t, "", explainArgs(h.Principal, h.Action, h.Role, h.Context)...); code != 0 {
					t.Errorf("%s: explain denies hop %d (%s %s): %s", l.Principal, i, h.Action, h.Role, stderr)
				}
			}
			if _, stderr, code := run(t, "", explainArgs(l.Caller, l.Action, resource, l.Context)...); code != 0 && !l.Unsure {
				t.Errorf("%s: explain denies the request as %s: %s", l.Principal, l.Caller, stderr)
			}
		}
	}
	out, _, code := run(t, "", "who-can", "--outside", "s3:GetObject", "arn:aws:s3:::securecart-prod-vendor-exports/report.csv")
	for _, want := range []string{"arn:aws:iam::111122223333:root (account 111122223333, outside the organization, through 1 role)",
		"requires sts:ExternalId=securecart-vendor-7f3c", "assigned to group Admins", "principals\n"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

// TestWhoCanOutside: by default who-can lists the organization's own
// principals only (shared/spec/analyze.md: "every principal of the org ...
// and no other"): the vendor account 111122223333, which VendorAccessRole's
// trust lets in, and cloudtrail.amazonaws.com, which the trail bucket's
// policy lets write, are left out, counted in text, and listed with
// --outside. The exit status follows the listed set.
func TestWhoCanOutside(t *testing.T) {
	const vendor = "arn:aws:iam::111122223333:root"
	exports := []string{"s3:GetObject", "arn:aws:s3:::securecart-prod-vendor-exports/report.csv"}
	kinds := func(lines []whoCanJSON) map[string]string {
		m := map[string]string{}
		for _, l := range lines {
			m[l.Principal] = l.Kind
		}
		return m
	}

	out, stderr, code := run(t, "", append([]string{"who-can", "--format", "json"}, exports...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := kinds(whoCanLines(t, out))
	if _, ok := got[vendor]; ok {
		t.Errorf("the vendor account is outside the organization, listed without --outside:\n%s", out)
	}
	if got["arn:aws:iam::654827139045:role/VendorAccessRole"] != "role" {
		t.Errorf("VendorAccessRole reads its exports itself:\n%s", out)
	}
	for p, k := range got {
		if k != "root" && k != "user" && k != "role" && k != "permission-set" {
			t.Errorf("%s of kind %s listed without --outside", p, k)
		}
	}
	if strings.Contains(out, "--outside") {
		t.Errorf("the closing line is for text only:\n%s", out)
	}
	out, _, code = run(t, "", append([]string{"who-can", "--outside", "--format", "json"}, exports...)...)
	all := kinds(whoCanLines(t, out))
	if code != 0 || all[vendor] != "outside" {
		t.Errorf("--outside lists the vendor account as outside: exit %d\n%s", code, out)
	}
	for p, k := range got {
		if all[p] != k {
			t.Errorf("--outside drops %s (%s)", p, k)
		}
	}
	if len(all) != len(got)+1 {
		t.Errorf("--outside adds the vendor alone: %d then %d principals", len(got), len(all))
	}

	out, _, _ = run(t, "", append([]string{"who-can"}, exports...)...)
	if strings.Contains(out, vendor) || !strings.HasSuffix(out, "\n1 principal outside the organization can too: --outside lists them\n") {
		t.Errorf("text without --outside: no vendor, one closing line:\n%s", out)
	}
	out, _, _ = run(t, "", append([]string{"who-can", "--outside"}, exports...)...)
	if !strings.Contains(out, vendor+" (account 111122223333, outside the organization, through 1 role)") || strings.Contains(out, "can too") {
		t.Errorf("text with --outside lists the vendor, no closing line:\n%s", out)
	}

	// Only CloudTrail writes the organization trail's logs: no principal of
	// the organization can (exit 1), one service can (exit 0 with --outside).
	trail := []string{"s3:PutObject", "arn:aws:s3:::securecart-org-trail-logs/AWSLogs/o-7kq2m9xw4c/x"}
	out, stderr, code = run(t, "", append([]string{"who-can", "--format", "json"}, trail...)...)
	if code != 1 || out != "" {
		t.Errorf("nobody of the organization writes the trail's logs: exit %d: %s\n%s", code, stderr, out)
	}
	out, _, code = run(t, "", append([]string{"who-can"}, trail...)...)
	if code != 1 || !strings.Contains(out, "0 principals\n1 principal outside the organization can too") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	out, stderr, code = run(t, "", append([]string{"who-can", "--outside", "--format", "json"}, trail...)...)
	if code != 0 {
		t.Fatalf("--outside: exit %d: %s", code, stderr)
	}
	if all := kinds(whoCanLines(t, out)); len(all) != 1 || all["cloudtrail.amazonaws.com"] != "service" {
		t.Errorf("--outside lists CloudTrail, a service, alone:\n%s", out)
	}
}

func TestWhoCanExitStatus(t *testing.T) {
	if _, _, code := run(t, "", "who-can", "iam:CreateUser", "arn:aws:iam::{Management}:user/nobody-can", "--context", "aws:RequestedRegion=ap-south-1"); code != 0 && code != 1 {
		t.Fatalf("exit %d", code)
	}
	if _, stderr, code := run(t, "", "who-can", "--format", "yaml", "s3:GetObject", "*"); code != 2 || !strings.Contains(stderr, "--format") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, "", "who-can", "GetObject", "*"); code != 2 || !strings.Contains(stderr, "service:Action") {
		t.Fatalf("a malformed action: exit %d: %s", code, stderr)
	}
	if _, _, code := run(t, "", "who-can", "--context", "aws:SecureTransport=false", "s3:GetObject", "arn:aws:s3:::securecart-prod-vendor-exports/x"); code != 1 {
		t.Fatalf("nobody reads without TLS: exit %d", code)
	}
	out, _, code := run(t, "", "who-can", "--help")
	if code != 0 || !strings.Contains(out, "ACTION RESOURCE") || !strings.Contains(out, "--context") || !strings.Contains(out, "--outside") {
		t.Fatalf("--help: %d %s", code, out)
	}
}

func TestCan(t *testing.T) {
	out, stderr, code := run(t, "", "can", "--service", "s3", "arn:aws:iam::{Prod}:role/VendorAccessRole")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"s3:GetObject", "arn:aws:s3:::securecart-prod-vendor-exports/*", "s3:ListBucket"} {
		if !strings.Contains(out, want) {
			t.Errorf("can lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3:PutObject") {
		t.Errorf("the vendor cannot write:\n%s", out)
	}
	out, _, code = run(t, "", "can", "--format", "json", "arn:aws:iam::{SharedServices}:role/CICDPipelineRole", "--service", "sts")
	if code != 0 || !strings.Contains(out, `"assume":"arn:aws:iam::436205817493:role/DeploymentRole"`) {
		t.Fatalf("the pipeline assumes Dev's DeploymentRole: %d\n%s", code, out)
	}
	if _, stderr, code := run(t, "", "can", "arn:aws:iam::{Dev}:role/NoSuchRole"); code != 2 || !strings.Contains(stderr, "no such") {
		t.Fatalf("an unknown principal: exit %d: %s", code, stderr)
	}
	out, _, code = run(t, "", "can", "--help")
	if code != 0 || !strings.Contains(out, "--service") {
		t.Fatalf("--help: %d %s", code, out)
	}
}
