package org

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestTreeMermaid: the Mermaid flowchart of an org, against its golden
// file, and checked by shape: every node defined once with a quoted label,
// every OU and account linked from its parent, the management account
// marked, and names with Mermaid's syntax characters escaped.
func TestTreeMermaid(t *testing.T) {
	o := mustLoad(t, "testdata/valid/org.yaml")
	var b strings.Builder
	if err := TreeMermaid(o, &b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	golden := "testdata/tree/valid.mmd"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if lines[0] != "flowchart TD" {
		t.Fatalf("first line %q", lines[0])
	}
	node := regexp.MustCompile(`^  (\w+)\["([^"]*)"\]$`)
	link := regexp.MustCompile(`^  (\w+) --> (\w+)$`)
	class := regexp.MustCompile(`^  (class \w+ (root|ou|account|management)|classDef \w+ .+)$`)
	defined := map[string]bool{}
	for _, l := range lines[1:] {
		switch {
		case node.MatchString(l):
			id := node.FindStringSubmatch(l)[1]
			if defined[id] {
				t.Errorf("node %s defined twice", id)
			}
			defined[id] = true
		case link.MatchString(l):
			m := link.FindStringSubmatch(l)
			if !defined[m[1]] || !defined[m[2]] {
				t.Errorf("link before its nodes: %q", l)
			}
		case class.MatchString(l):
		default:
			t.Errorf("line that is not Mermaid this writer makes: %q", l)
		}
	}
	if len(defined) != 1+len(o.OUs)+len(o.Accounts) {
		t.Errorf("%d nodes for %d OUs and %d accounts", len(defined), len(o.OUs), len(o.Accounts))
	}
	for _, a := range o.Accounts {
		if !strings.Contains(got, "acct_"+a.ID+`["<b>Account `+a.Name+"</b>") {
			t.Errorf("no node for account %s", a.Name)
		}
	}
	if o.Management != nil && !strings.Contains(got, "class acct_"+o.Management.ID+" management") {
		t.Error("the management account is not marked")
	}
	if e := MermaidEscape(`a "b" <c> | d`); e != "a #quot;b#quot; #lt;c#gt; #124; d" {
		t.Errorf("escape: %s", e)
	}
}
