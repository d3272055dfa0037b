package escalate

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/org"
)

// graph is the union of the paths' steps as edges between principals, for
// the pictures: one edge per (from, to, kind), labelled with the actions.
type graph struct {
	nodes []string
	ids   map[string]int
	edges []gedge
	seen  map[string]int
}

type gedge struct {
	from, to int
	kind     string
	actions  []string
	// sessions are the session names the move's principal must have (see
	// Step.SessionName).
	sessions []string
}

func graphOf(paths []Path) *graph {
	g := &graph{ids: map[string]int{}, seen: map[string]int{}}
	// Nodes are keyed by their label: a role's ARN (with its path) and its
	// session's ARN (without) are one principal.
	node := func(s string) int {
		k := label(s)
		if i, ok := g.ids[k]; ok {
			return i
		}
		g.ids[k] = len(g.nodes)
		g.nodes = append(g.nodes, s)
		return g.ids[k]
	}
	for _, p := range paths {
		node(p.From)
		// Consecutive steps made by the same principal are one move; the
		// next step's principal (or the end) is where it led.
		for i := 0; i < len(p.Steps); {
			j := i
			var acts []string
			for j < len(p.Steps) && p.Steps[j].Principal == p.Steps[i].Principal {
				acts = append(acts, p.Steps[j].Action)
				j++
			}
			to := p.To
			if p.To == Admin {
				to = "admin: " + p.Account
			}
			if j < len(p.Steps) {
				to = principalOf(p.Steps[j].Principal)
			}
			// The first move starts at the path's principal (for anyone
			// or an identity provider's users, the steps name the caller
			// that stands for them).
			from := principalOf(p.Steps[i].Principal)
			if i == 0 {
				from = p.From
			}
			g.edge(node(from), node(to), p.Steps[i].Kind, acts, p.Steps[i].SessionName)
			i = j
		}
	}
	return g
}

func (g *graph) edge(from, to int, kind string, acts []string, session string) {
	k := fmt.Sprintf("%d>%d>%s", from, to, kind)
	if i, ok := g.seen[k]; ok {
		for _, a := range acts {
			if !contains(g.edges[i].actions, a) {
				g.edges[i].actions = append(g.edges[i].actions, a)
			}
		}
		if session != "" && !contains(g.edges[i].sessions, session) {
			g.edges[i].sessions = append(g.edges[i].sessions, session)
		}
		return
	}
	g.seen[k] = len(g.edges)
	e := gedge{from: from, to: to, kind: kind, actions: append([]string(nil), acts...)}
	if session != "" {
		e.sessions = []string{session}
	}
	g.edges = append(g.edges, e)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// principalOf turns a role session's ARN back into its role's ARN.
func principalOf(caller string) string {
	rest, ok := strings.CutPrefix(caller, "arn:aws:sts::")
	if !ok {
		return caller
	}
	acct, res, _ := strings.Cut(rest, ":")
	parts := strings.Split(res, "/")
	if len(parts) == 3 && parts[0] == "assumed-role" {
		return "arn:aws:iam::" + acct + ":role/" + parts[1]
	}
	return caller
}

// label is a short name for a node: the account and the principal's name.
func label(s string) string {
	if s == "*" {
		return "anyone, in any account"
	}
	if strings.HasPrefix(s, "admin: ") {
		return "ADMIN in " + strings.TrimPrefix(s, "admin: ")
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 6 {
		return s
	}
	name := parts[5]
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[:strings.IndexByte(name, '/')] + " " + name[i+1:]
	}
	return parts[4] + " " + name
}

// edgeLabel is a move's kind and actions, and the session names its
// principal must have ("as session deploy").
func edgeLabel(e gedge) string {
	acts := append([]string(nil), e.actions...)
	sort.Strings(acts)
	l := e.kind + ": " + strings.Join(acts, ", ")
	if len(e.sessions) > 0 {
		l += " as session " + strings.Join(e.sessions, " or ")
	}
	return l
}

// WriteDOT draws the paths as a Graphviz digraph: principals as boxes,
// admin power as a red octagon, each move labelled with its kind and
// actions.
func WriteDOT(w io.Writer, paths []Path) error {
	g := graphOf(paths)
	var b strings.Builder
	b.WriteString("digraph escalation {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for i, n := range g.nodes {
		attrs := ""
		if isAdminNode(n) {
			attrs = ", shape=octagon, style=filled, fillcolor=\"#c0392b\", fontcolor=white"
		}
		fmt.Fprintf(&b, "  n%d [label=%s, tooltip=%s%s];\n", i, dotQuote(label(n)), dotQuote(n), attrs)
	}
	for _, e := range g.edges {
		fmt.Fprintf(&b, "  n%d -> n%d [label=%s];\n", e.from, e.to, dotQuote(edgeLabel(e)))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// WriteMermaid draws the paths as a Mermaid flowchart.
func WriteMermaid(w io.Writer, paths []Path) error {
	_, err := io.WriteString(w, Mermaid(paths))
	return err
}

// Mermaid is the Mermaid flowchart of the paths.
func Mermaid(paths []Path) string {
	g := graphOf(paths)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, n := range g.nodes {
		if isAdminNode(n) {
			fmt.Fprintf(&b, "  n%d{{%s}}\n", i, MermaidText(label(n)))
			fmt.Fprintf(&b, "  style n%d fill:#c0392b,color:#fff,stroke:#922b21\n", i)
			continue
		}
		fmt.Fprintf(&b, "  n%d[%s]\n", i, MermaidText(label(n)))
	}
	for _, e := range g.edges {
		fmt.Fprintf(&b, "  n%d -->|%s| n%d\n", e.from, MermaidText(edgeLabel(e)), e.to)
	}
	return b.String()
}

// MermaidText quotes a label for Mermaid: in double quotes, with the
// characters Mermaid would read as syntax written as entity codes.
func MermaidText(s string) string { return `"` + org.MermaidEscape(s) + `"` }
