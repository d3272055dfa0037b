package escalate

// pathsToAdmin finds, for every principal that is not admin by its own
// policies, the shortest path to a principal that is admin or makes itself
// admin: the edges' steps, then that principal's grant.
func (a *analyzer) pathsToAdmin() []Path {
	var goals []*Node
	for _, n := range a.nodes {
		if n.admin != nil || n.grant != nil {
			goals = append(goals, n)
		}
	}
	next := a.reverseBFS(goals)
	var out []Path
	for _, n := range a.nodes {
		if n.admin != nil {
			continue
		}
		r, ok := a.route(n, next, true)
		if !ok {
			continue
		}
		p := Path{From: n.ARN, To: Admin, Steps: r.steps, Account: r.grantee.Account.ID, Session: r.session, Admin: r.admin}
		if len(p.Steps) == 0 {
			continue
		}
		a.namePool(&p)
		out = append(out, p)
	}
	sortPaths(out)
	return out
}

// pathsTo finds, for every principal that can become the target, the
// shortest path to it.
func (a *analyzer) pathsTo(target string) []Path {
	t, ok := a.byARN[target]
	if !ok {
		return nil
	}
	next := a.reverseBFS([]*Node{t})
	var out []Path
	for _, n := range a.nodes {
		if n == t {
			continue
		}
		if r, ok := a.route(n, next, false); ok {
			p := Path{From: n.ARN, To: t.ARN, Steps: r.steps, Session: r.session}
			a.namePool(&p)
			out = append(out, p)
		}
	}
	sortPaths(out)
	return out
}

// reverseBFS gives every node that reaches a goal the first edge of a
// shortest path to one (nil for the goals themselves).
func (a *analyzer) reverseBFS(goals []*Node) map[*Node]*Edge {
	in := make([][]*Edge, len(a.nodes))
	for _, e := range a.edges {
		in[e.To.index] = append(in[e.To.index], e)
	}
	next := make(map[*Node]*Edge, len(goals))
	queue := append([]*Node(nil), goals...)
	for _, g := range goals {
		next[g] = nil
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, e := range in[n.index] {
			if _, seen := next[e.From]; !seen {
				next[e.From] = e
				queue = append(queue, e.From)
			}
		}
	}
	return next
}

// walk follows the first edges from n to a goal.
func walk(n *Node, next map[*Node]*Edge) ([]*Edge, bool) {
	e, ok := next[n]
	if !ok {
		return nil, false
	}
	var edges []*Edge
	for e != nil {
		edges = append(edges, e)
		e = next[e.To]
	}
	return edges, true
}
