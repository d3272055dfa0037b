package escalate

import (
	"strings"

	"github.com/securecart/warden/internal/analyze/reach"
)

// maxReroutes bounds the other paths route tries from one principal when
// a chain of assumptions on its shortest one is impossible with one
// session; beyond, the principal's path counts as unsure.
const maxReroutes = 4

// route is n's shortest path to a goal (next's) whose chains of role
// assumptions are possible with one session threaded through each (see
// reach.Graph.Link: a source identity set once and carried, session tags,
// MFA from the chain's start): its end, its steps with the chains' hops
// decided with their session, and what the sessions must carry.
func (a *analyzer) route(n *Node, next map[*Node]*Edge) (end *Node, steps []Step, session []reach.SessionNeed, ok bool) {
	edges, ok := walk(n, next)
	if !ok {
		return nil, nil, nil, false
	}
	banned := map[*Edge]bool{}
	for try := 0; ; try++ {
		steps, session, bad := a.linkSteps(edges, endWants(n, edges))
		if bad == nil {
			end = n
			if len(edges) > 0 {
				end = edges[len(edges)-1].To
			}
			return end, steps, session, true
		}
		if try == maxReroutes {
			a.unsure++
			return nil, nil, nil, false
		}
		banned[bad] = true
		if edges, ok = shortestAvoiding(n, next, banned); !ok {
			return nil, nil, nil, false
		}
	}
}

// linkSteps decides each chain of consecutive assumptions of a path with
// one session (a chain starts the path, or follows a step that makes a new
// session, such as a service's for a passed role). bad is the last edge
// of a chain that is impossible so.
func (a *analyzer) linkSteps(edges []*Edge, want map[string][]string) (steps []Step, session []reach.SessionNeed, bad *Edge) {
	for i := 0; i < len(edges); {
		if edges[i].hop == nil {
			steps = append(steps, edges[i].Steps...)
			i++
			continue
		}
		j := i
		var hops []reach.Edge
		for ; j < len(edges) && edges[j].hop != nil; j++ {
			hops = append(hops, *edges[j].hop)
		}
		var w map[string][]string
		if j == len(edges) {
			w = want
		}
		ch := a.reach.LinkWant(hops, w)
		if !ch.Possible {
			return nil, nil, edges[j-1]
		}
		// The chain's hops are steps start+1 ... of the path; its
		// start's own session is the step before it (0: the path's
		// start).
		start := len(steps)
		for k, e := range edges[i:j] {
			h := *e.hop
			if ch.Hops != nil {
				h.Outcome = ch.Hops[k]
			}
			st := a.reachStep(h)
			st.Kind = e.Kind
			if ch.Linked {
				// The session's keys, for warden explain.
				for k, v := range reach.SessionContext(h.Context) {
					if st.Context == nil {
						st.Context = map[string]any{}
					}
					st.Context[spelling(k)] = value(v)
				}
			}
			steps = append(steps, st)
		}
		for _, need := range ch.Session {
			need.Hop += start
			session = append(session, need)
		}
		i = j
	}
	return steps, session, nil
}

// shortestAvoiding is the shortest path from n to a goal of next (a node
// whose next edge is nil) that takes no banned edge.
func shortestAvoiding(n *Node, next map[*Node]*Edge, banned map[*Edge]bool) ([]*Edge, bool) {
	isGoal := func(m *Node) bool { e, ok := next[m]; return ok && e == nil }
	if isGoal(n) {
		return nil, true
	}
	via := map[*Node]*Edge{n: nil}
	queue := []*Node{n}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		for _, e := range m.out {
			if banned[e] {
				continue
			}
			if _, seen := via[e.To]; seen {
				continue
			}
			via[e.To] = e
			if isGoal(e.To) {
				var edges []*Edge
				for x := e; x != nil; x = via[x.From] {
					edges = append([]*Edge{x}, edges...)
				}
				return edges, true
			}
			queue = append(queue, e.To)
		}
	}
	return nil, false
}

// endWants are the session keys that the requests of the principal a path
// ends as require (its admin power's, or its grant's first request): the
// last chain's session must have them.
func endWants(n *Node, edges []*Edge) map[string][]string {
	end := n
	if len(edges) > 0 {
		end = edges[len(edges)-1].To
	}
	var req map[string]any
	switch {
	case end.admin != nil:
		req = end.admin.Requires
	case len(end.grant) > 0:
		req = end.grant[0].Requires
	}
	var want map[string][]string
	for k, v := range req {
		lk := strings.ToLower(k)
		if lk != "aws:multifactorauthpresent" && lk != "aws:sourceidentity" && !strings.HasPrefix(lk, "aws:principaltag/") {
			continue
		}
		if want == nil {
			want = map[string][]string{}
		}
		switch v := v.(type) {
		case string:
			want[k] = []string{v}
		case []string:
			want[k] = v
		}
	}
	return want
}
