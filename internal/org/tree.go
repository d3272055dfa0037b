package org

import (
	"fmt"
	"io"
	"strings"
)

// Tree draws the organization as a tree: the root, its OUs and accounts,
// the SCPs and RCPs attached at each, and each account's roles. Child OUs
// come before accounts, each in the order the organization declares them.
func Tree(o *Org, w io.Writer) {
	t := &treeWriter{w: w}
	mgmt := "none"
	if o.Management != nil {
		mgmt = o.Management.Name + " (" + o.Management.ID + ")"
	}
	t.printf("Organization %s, management account %s\n", o.ID, mgmt)
	t.printf("Root %s%s\n", o.RootID, attachments(o.Root.SCPs, o.Root.RCPs))
	t.ou(o, o.Root, "")
}

type treeWriter struct {
	w   io.Writer
	err error
}

func (t *treeWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// branch returns the connector of an item and the indentation of its
// children.
func branch(prefix string, last bool) (string, string) {
	if last {
		return prefix + "└── ", prefix + "    "
	}
	return prefix + "├── ", prefix + "│   "
}

func (t *treeWriter) ou(o *Org, ou *OU, prefix string) {
	n := len(ou.Children) + len(ou.Accounts)
	i := 0
	for _, c := range ou.Children {
		i++
		head, next := branch(prefix, i == n)
		t.printf("%sOU %s %s%s\n", head, c.Name, c.ID, attachments(c.SCPs, c.RCPs))
		t.ou(o, c, next)
	}
	for _, a := range ou.Accounts {
		i++
		head, next := branch(prefix, i == n)
		note := ""
		if a == o.Management {
			note = " (management account)"
		}
		t.printf("%sAccount %s %s%s%s\n", head, a.Name, a.ID, note, attachments(a.SCPs, a.RCPs))
		for j, r := range a.Roles {
			h, _ := branch(next, j == len(a.Roles)-1)
			t.printf("%srole %s\n", h, roleLabel(r))
		}
	}
}

// attachments lists the SCPs and RCPs attached at one target.
func attachments(scps, rcps []*Policy) string {
	var b strings.Builder
	for _, l := range []struct {
		kind string
		ps   []*Policy
	}{{"scp", scps}, {"rcp", rcps}} {
		if len(l.ps) == 0 {
			continue
		}
		names := make([]string, len(l.ps))
		for i, p := range l.ps {
			names[i] = p.Name
		}
		fmt.Fprintf(&b, "  [%s: %s]", l.kind, strings.Join(names, ", "))
	}
	return b.String()
}

func roleLabel(r *Role) string {
	switch {
	case r.PermissionSet != "":
		return r.Name + " (permission set " + r.PermissionSet + ")"
	case r.ServiceLinked:
		return r.Name + " (service-linked, " + r.Service + ")"
	case r.Path != "/":
		return r.Path + r.Name
	}
	return r.Name
}
