package org

import (
	"fmt"
	"io"
	"strings"
)

// TreeMermaid draws the organization as a Mermaid flowchart, top down: the
// root, its OUs and accounts, each box naming the SCPs and RCPs attached
// there, so that the layer whose policy blocks a request can be seen on
// the way from the root to the account. The management account, which SCPs
// do not bind, is marked. Roles are counted, not listed.
func TreeMermaid(o *Org, w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	fmt.Fprintf(&b, "  root[%s]\n", mermaidBox("Root "+o.RootID, "organization "+o.ID, o.Root.SCPs, o.Root.RCPs))
	b.WriteString("  class root root\n")
	var walk func(ou *OU, id string)
	walk = func(ou *OU, id string) {
		for _, c := range ou.Children {
			cid := mermaidID(c.ID)
			fmt.Fprintf(&b, "  %s[%s]\n  %s --> %s\n  class %s ou\n", cid, mermaidBox("OU "+c.Name, c.ID, c.SCPs, c.RCPs), id, cid, cid)
			walk(c, cid)
		}
		for _, a := range ou.Accounts {
			aid := "acct_" + a.ID
			sub := a.ID + " · " + fmt.Sprint(len(a.Roles)) + " roles"
			class := "account"
			if a == o.Management {
				sub += " · management account: SCPs do not apply"
				class = "management"
			}
			fmt.Fprintf(&b, "  %s[%s]\n  %s --> %s\n  class %s %s\n", aid, mermaidBox("Account "+a.Name, sub, a.SCPs, a.RCPs), id, aid, aid, class)
		}
	}
	walk(o.Root, "root")
	b.WriteString("  classDef root fill:#111827,color:#f9fafb,stroke:#111827\n")
	b.WriteString("  classDef ou fill:#eef2ff,stroke:#6366f1,color:#1e1b4b\n")
	b.WriteString("  classDef account fill:#f0fdf4,stroke:#16a34a,color:#14532d\n")
	b.WriteString("  classDef management fill:#fef3c7,stroke:#d97706,color:#78350f\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidBox is a node's quoted label: a title, a subtitle and the
// policies attached, one line each.
func mermaidBox(title, sub string, scps, rcps []*Policy) string {
	lines := []string{"<b>" + MermaidEscape(title) + "</b>", MermaidEscape(sub)}
	for _, l := range []struct {
		kind string
		ps   []*Policy
	}{{"SCP", scps}, {"RCP", rcps}} {
		if len(l.ps) == 0 {
			continue
		}
		names := make([]string, len(l.ps))
		for i, p := range l.ps {
			names[i] = MermaidEscape(p.Name)
		}
		lines = append(lines, l.kind+": "+strings.Join(names, ", "))
	}
	return `"` + strings.Join(lines, "<br/>") + `"`
}

// MermaidEscape writes the characters Mermaid reads as syntax inside a
// quoted label as its entity codes.
func MermaidEscape(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "|", "#124;").Replace(s)
}

// mermaidID keeps the letters, digits and underscores of an ID.
func mermaidID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
