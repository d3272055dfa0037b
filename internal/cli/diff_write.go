package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/analyze/diff"
)

// writeDiff writes a diff report as text, JSON lines or Markdown.
func writeDiff(env Env, format string, args []string, rep *diff.Report) error {
	switch format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for i := range rep.Changes {
			if err := enc.Encode(&rep.Changes[i]); err != nil {
				return err
			}
		}
		for _, u := range rep.Unknown {
			fmt.Fprintf(env.Stderr, "unknown: %s %s: %s\n", unknownWho(&u), u.Action, u.Reason)
		}
		return nil
	case "markdown":
		writeDiffMarkdown(env.Stdout, args, rep)
		return nil
	}
	writeDiffText(env.Stdout, rep)
	return nil
}

func countDirs(rep *diff.Report) (opened, closed int) {
	for _, c := range rep.Changes {
		if c.Change == diff.Opened {
			opened++
		} else {
			closed++
		}
	}
	return opened, closed
}

// actionsOf names a change's action class: its example and how many more.
func actionsOf(c *diff.Change) string {
	if c.ActionCount <= 1 {
		return c.Action
	}
	return c.Action + " and " + count(c.ActionCount-1, "more action", "more actions")
}

// principalsOf names a change's principals: the example and how many more.
func principalsOf(c *diff.Change) string {
	if len(c.Principals) <= 1 {
		return c.Principal
	}
	return c.Principal + " and " + count(len(c.Principals)-1, "more principal", "more principals")
}

// resourcesOf names a change's resources for a table cell: its classes
// of resources in equal situations, and how many other classes.
func resourcesOf(c *diff.Change) string {
	parts := classNames(c)
	if rest := len(c.Resources) - len(c.ResourceClasses); rest > 0 {
		if len(parts) == 0 {
			parts = append(parts, c.Resource)
			rest--
		}
		if rest > 0 {
			parts = append(parts, count(rest, "more class of resources", "more classes of resources"))
		}
	}
	return strings.Join(parts, "; ")
}

// classNames describes a change's classes of resources in equal
// situations, once each (a bucket's class stands for its objects' too).
func classNames(c *diff.Change) []string {
	var out []string
	seen := map[string]bool{}
	for i := range c.ResourceClasses {
		if d := c.ResourceClasses[i].Describe(); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// unknownWho names an unknown's principal and the others of its class.
func unknownWho(u *diff.Unknown) string {
	if len(u.Principals) <= 1 {
		return u.Principal
	}
	return u.Principal + " (and " + count(len(u.Principals)-1, "more principal", "more principals") + " in equal situations)"
}

func contextJSON(ctx map[string]any) string {
	if len(ctx) == 0 {
		return ""
	}
	b, _ := json.Marshal(ctx)
	return string(b)
}

func causeText(c *diff.Cause) string {
	var b strings.Builder
	b.WriteString(c.Layer)
	if c.Target != "" {
		b.WriteString(" " + c.Target)
	}
	b.WriteString(": ")
	if c.Effect == "" {
		b.WriteString(c.Note)
		return b.String()
	}
	fmt.Fprintf(&b, "%s %s, statement %s", c.Effect, c.Policy, c.Sid)
	if c.At != "" {
		b.WriteString(" at " + c.At)
	}
	return b.String()
}

func writeDiffText(w io.Writer, rep *diff.Report) {
	for i := range rep.Changes {
		c := &rep.Changes[i]
		dir := "OPENED"
		if c.Change == diff.Closed {
			dir = "CLOSED"
		}
		unsure := ""
		if c.Unsure {
			unsure = " (unsure: the class could not be split exactly)"
		}
		fmt.Fprintf(w, "%s %s for %s%s\n", dir, actionsOf(c), principalsOf(c), unsure)
		fmt.Fprintf(w, "    example: %s can%s %s on %s", c.Principal, map[bool]string{true: "", false: " no longer"}[c.Change == diff.Opened], c.Action, c.Resource)
		if ctx := contextJSON(c.Context); ctx != "" {
			fmt.Fprintf(w, " with context %s", ctx)
		}
		fmt.Fprintf(w, " (before: %s, after: %s)\n", c.Before, c.After)
		if len(c.Actions) > 1 {
			more := ""
			if c.ActionCount > len(c.Actions) {
				more = ", ..."
			}
			fmt.Fprintf(w, "    actions: %s%s\n", strings.Join(c.Actions, ", "), more)
		}
		if len(c.Principals) > 1 {
			fmt.Fprintf(w, "    principals: %s\n", capped(c.Principals, 10))
		}
		if len(c.Resources) > 1 {
			fmt.Fprintf(w, "    resources (one per class): %s\n", capped(c.Resources, 10))
		}
		for _, d := range classNames(c) {
			fmt.Fprintf(w, "    resources in equal situations: %s\n", d)
		}
		for j := range c.Causes {
			cs := &c.Causes[j]
			mark := " "
			if cs.Changed {
				mark = "*"
			}
			fmt.Fprintf(w, "   %s %s: %s\n", mark, cs.Side, causeText(cs))
		}
	}
	for _, u := range rep.Unknown {
		fmt.Fprintf(w, "UNKNOWN %s %s: %s\n", unknownWho(&u), u.Action, u.Reason)
	}
	opened, closed := countDirs(rep)
	fmt.Fprintf(w, "%d opened, %d closed, %d unknown (%s compared in %s of equal situations, %s; * marks a statement that differs)\n",
		opened, closed, len(rep.Unknown), count(rep.Principals, "principal", "principals"), count(rep.Classes, "class", "classes"), count(rep.Decided, "pair of decisions", "pairs of decisions"))
}

// mdCell escapes a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func writeDiffMarkdown(w io.Writer, args []string, rep *diff.Report) {
	opened, closed := countDirs(rep)
	fmt.Fprintf(w, "### warden diff `%s` → `%s`\n\n", mdCell(args[0]), mdCell(args[1]))
	if len(rep.Changes) == 0 && len(rep.Unknown) == 0 {
		fmt.Fprintf(w, "No decision changes (%s compared in %s, %s).\n", count(rep.Principals, "principal", "principals"), count(rep.Classes, "class", "classes"), count(rep.Decided, "pair of decisions", "pairs of decisions"))
		return
	}
	fmt.Fprintf(w, "**%d opened**, **%d closed**", opened, closed)
	if len(rep.Unknown) > 0 {
		fmt.Fprintf(w, ", **%d unknown**", len(rep.Unknown))
	}
	fmt.Fprintf(w, " (%s compared, %s).\n\n", count(rep.Principals, "principal", "principals"), count(rep.Decided, "pair of decisions", "pairs of decisions"))
	if len(rep.Changes) > 0 {
		fmt.Fprintln(w, "| Change | Principals | Actions | Resources | Example request | Because |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
		for i := range rep.Changes {
			c := &rep.Changes[i]
			var because []string
			for j := range c.Causes {
				if c.Causes[j].Changed {
					because = append(because, c.Causes[j].Side+": "+causeText(&c.Causes[j]))
				}
			}
			if len(because) == 0 {
				for j := range c.Causes {
					because = append(because, c.Causes[j].Side+": "+causeText(&c.Causes[j]))
				}
			}
			ex := fmt.Sprintf("`%s` `%s` on `%s`", c.Principal, c.Action, c.Resource)
			if ctx := contextJSON(c.Context); ctx != "" {
				ex += " with `" + ctx + "`"
			}
			fmt.Fprintf(w, "| **%s** | %s | %s | %s | %s | %s |\n", c.Change, mdCell(principalsOf(c)), mdCell(actionsOf(c)), mdCell(resourcesOf(c)), mdCell(ex), mdCell(strings.Join(because, "; ")))
		}
	}
	if len(rep.Unknown) > 0 {
		fmt.Fprintln(w, "\nNot proved unchanged:")
		reasons := map[string][]string{}
		for _, u := range rep.Unknown {
			if len(u.Principals) > 0 {
				reasons[u.Reason] = append(reasons[u.Reason], u.Principals...)
			} else {
				reasons[u.Reason] = append(reasons[u.Reason], u.Principal)
			}
		}
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "- %s (%s, such as `%s`)\n", mdCell(k), count(len(reasons[k]), "principal", "principals"), reasons[k][0])
		}
	}
}

// capped joins at most n items, saying how many more there are (the JSON
// output lists them all).
func capped(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s, ... (%d in all; --format json lists them)", strings.Join(items[:n], ", "), len(items))
}
