package escalate

import (
	"fmt"
	"strings"
)

// Picture is a laid-out drawing of the paths, for an inline SVG: the
// principals in columns by how many moves they are from the paths' start,
// admin power in the last column.
type Picture struct {
	Width, Height int
	Nodes         []PictureNode
	Edges         []PictureEdge
}

// PictureNode is a box: its short label, full name and place.
type PictureNode struct {
	Label, Title string
	X, Y, W, H   int
	Admin        bool
}

// PictureEdge is an arrow from one box to another, as an SVG path.
type PictureEdge struct {
	D     string // the path's d attribute
	Kind  string
	Title string
	Color string
}

// KindColor is the colour an edge of a kind is drawn in.
func KindColor(kind string) string {
	switch kind {
	case KindAssumeRole:
		return "#2563eb"
	case KindPassRole, KindUpdateFunctionCode, KindSSM, KindUpdateStack, KindStartBuild, KindUserData, KindInstanceProfile, KindLaunchTemplate,
		KindFunctionConfiguration, KindFunctionNewRole, KindNotebookURL, KindNotebookLifecycle, KindDevEndpoint, KindUpdateGlueJob,
		KindAssociateProfile, KindInstanceConnect, KindStreamFunction, KindAppRunnerUpdate, KindCodeInterpreter, KindCreateDeployment, KindECSExec,
		KindBatchSubmitJob, KindBatchJobDefinition, KindStackSet, KindUpdateStackSet, KindIdentityPoolRoles,
		KindRuntimeCommand, KindBrowserSession:
		return "#9333ea"
	case KindUpdateAssumeRole, KindAccessKey, KindLoginProfile:
		return "#d97706"
	case KindAccountAssignment, KindPermissionSetEdit:
		return "#0d9488"
	}
	return "#dc2626"
}

const (
	boxW, boxH = 230, 34
	colGap     = 90
	rowGap     = 14
	margin     = 16
)

// Draw lays the paths out.
func Draw(paths []Path) *Picture {
	g := graphOf(paths)
	rank := make([]int, len(g.nodes))
	// Longest distance from a path's start, by relaxing the edges (the
	// graph of shortest paths has no cycle that matters: cap the rounds).
	for range len(g.nodes) {
		changed := false
		for _, e := range g.edges {
			if rank[e.to] < rank[e.from]+1 && rank[e.from]+1 < len(g.nodes) {
				rank[e.to] = rank[e.from] + 1
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	last := 0
	for _, r := range rank {
		last = max(last, r)
	}
	for i, n := range g.nodes {
		if isAdminNode(n) {
			rank[i] = last
		}
	}
	// Each column is as wide as its longest label (7 pixels a character at
	// the report's 12 px font, and padding).
	widths := make([]int, last+1)
	for i, n := range g.nodes {
		widths[rank[i]] = max(widths[rank[i]], boxW, 7*len(label(n))+20)
	}
	xs := make([]int, last+1)
	xs[0] = margin
	for r := 1; r <= last; r++ {
		xs[r] = xs[r-1] + widths[r-1] + colGap
	}
	rows := make([]int, last+1)
	pic := &Picture{}
	for i, n := range g.nodes {
		r := rank[i]
		x, y := xs[r], margin+rows[r]*(boxH+rowGap)
		rows[r]++
		pic.Nodes = append(pic.Nodes, PictureNode{Label: label(n), Title: n, X: x, Y: y, W: widths[r], H: boxH, Admin: isAdminNode(n)})
		pic.Width = max(pic.Width, x+widths[r]+margin)
		pic.Height = max(pic.Height, y+boxH+margin)
	}
	for _, e := range g.edges {
		a, b := pic.Nodes[e.from], pic.Nodes[e.to]
		x1, y1 := a.X+a.W, a.Y+a.H/2
		x2, y2 := b.X, b.Y+b.H/2
		if b.X <= a.X {
			// Back or sideways: loop around the right of the boxes.
			x2 = b.X + b.W
		}
		mid := (x1 + x2) / 2
		if b.X <= a.X {
			mid = max(x1, x2) + colGap/2
		}
		pic.Edges = append(pic.Edges, PictureEdge{
			D:    fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, mid, y1, mid, y2, x2, y2),
			Kind: e.kind, Title: label(g.nodes[e.from]) + " → " + label(g.nodes[e.to]) + ": " + edgeLabel(e), Color: KindColor(e.kind),
		})
	}
	return pic
}

func isAdminNode(n string) bool { return strings.HasPrefix(n, "admin: ") }
