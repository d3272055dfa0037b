package escalate

import (
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/analyze/reach"
)

// maxReroutes bounds the other paths route tries from one principal when
// a chain of assumptions on its shortest one is impossible with one
// session; beyond, the principal's path counts as unsure.
const maxReroutes = 4

// route is n's shortest path to a goal (next's) whose chains of role
// assumptions are possible with one session threaded through each (see
// reach.Graph.Link: a source identity set once and carried, session tags,
// MFA from the chain's start), and, toAdmin, whose end is admin in the
// session the path reaches it with: its own power, or a grant's requests
// and the grantee's power after it (see linkPath).
func (a *analyzer) route(n *Node, next map[*Node]*Edge, toAdmin bool) (routed, bool) {
	edges, ok := walk(n, next)
	if !ok {
		return routed{}, false
	}
	banned := map[*Edge]bool{}
	for try := 0; ; try++ {
		r, ok, bad := a.linkPath(n, edges, toAdmin)
		if ok {
			return r, true
		}
		if try == maxReroutes || bad == nil {
			a.unsure++
			return routed{}, false
		}
		banned[bad] = true
		if edges, ok = shortestAvoiding(n, next, banned); !ok {
			return routed{}, false
		}
	}
}

// routed is a path as route linked it.
type routed struct {
	end     *Node // where the path's edges end (a goal of next)
	steps   []Step
	session []reach.SessionNeed
	// admin is the proof of the power the path ends in (toAdmin), decided
	// in the path's last session; grantee is who has it.
	admin   *AdminProof
	grantee *Node
}

// linkPath decides a path's sessions: each chain of consecutive
// assumptions with one session (a chain starts the path, or follows a
// step that makes a new session: a service's session for a passed role or
// a workload's, which has no MFA, source identity or session tags; a new
// sign-in), and, toAdmin, the requests the path ends with in the session
// it makes them in: the end's grant (made by the end; then the edges to
// the grantee follow) and the power of the principal the path ends as.
// When the path is impossible so (not ok), bad is an edge of it to avoid:
// the last of an impossible chain, or the one that made a session in which
// the end's requests are denied; for the grant's own edges, the path's
// last edge (nil when the path has none: the end's grant is impossible).
func (a *analyzer) linkPath(n *Node, edges []*Edge, toAdmin bool) (r routed, ok bool, bad *Edge) {
	r.end = n
	if len(edges) > 0 {
		r.end = edges[len(edges)-1].To
	}
	full, grantAt := edges, -1
	var w *grantWay
	if toAdmin && r.end.admin == nil {
		full = append(append([]*Edge(nil), edges...), r.end.grantEdges...)
		grantAt, w = len(edges), r.end.grantWay
	}
	last := r.end
	if len(full) > 0 {
		last = full[len(full)-1].To
	}
	var ch *change
	if w != nil {
		ch = w.ch
	}
	// blame is the edge to avoid for full[k].
	blame := func(k int) *Edge {
		switch {
		case k < len(edges):
			return full[k]
		case len(edges) > 0:
			return edges[len(edges)-1]
		}
		return nil
	}
	// What the sessions must allow: the grant's requests at grantAt, the
	// power at the end; only a node whose layers test a key of the
	// sessions decides differently in one.
	var grantStmts, adminStmts []analyze.Stmt
	if grantAt >= 0 {
		grantStmts = a.sessionStmts(r.end, nil)
	}
	if toAdmin {
		adminStmts = a.sessionStmts(last, ch)
	}
	grantCache := map[string][]Step{}
	grantIn := func(s *sess) []Step {
		if s == nil || len(grantStmts) == 0 && s.caller == "" {
			// (A service's session, named by the service, makes them
			// as itself.)
			return r.end.grant[:len(w.reqs)]
		}
		st, ok := grantCache[s.key]
		if !ok {
			st = a.grantReqs(r.end, w, s)
			grantCache[s.key] = st
		}
		return st
	}
	adminIn := func(s *sess) *AdminProof {
		free := last.admin
		if w != nil {
			free = r.end.grantProof
		}
		if s == nil || len(adminStmts) == 0 {
			return free
		}
		return a.adminIn(last, ch, s)
	}
	// sessAt, below, holds each position's session: p is the one the
	// edges before it made (0: the path's start's).
	sessAt := make([]*sess, len(full)+1)
	// nextSensitive: the requests of the edge from p decide differently
	// in some session.
	nextSensitive := func(p int) bool {
		if p >= len(full) || full[p].hop != nil {
			return false
		}
		e := full[p]
		return len(a.sessionStmts(e.From, nil)) > 0 || e.service != nil && e.To.Role != nil && len(a.sessionStmts(e.To, nil)) > 0 ||
			p > 0 && full[p-1].service != nil
	}
	allows := func(p int, s *sess) bool {
		if p == grantAt && grantIn(s) == nil {
			return false
		}
		if nextSensitive(p) {
			if _, ok := a.edgeStepsIn(full[p], s, sessAt[p+1]); !ok {
				return false
			}
		}
		return !toAdmin || p != len(full) || adminIn(s) != nil
	}
	// The sessions: a service's after its edge, else any (nil) unless a
	// chain's link fixes them.
	for p := 1; p <= len(full); p++ {
		if e := full[p-1]; e.service != nil {
			sessAt[p] = serviceSess(e.service, e.To)
		}
	}
	linked := make([]*reach.Chain, len(full)) // per edge, its chain's link
	chainAt := make([]int, len(full))         // per edge, its chain's first edge
	for i := 0; i < len(full); {
		if full[i].hop == nil {
			i++
			continue
		}
		j := i
		var hops []reach.Edge
		for ; j < len(full) && full[j].hop != nil; j++ {
			hops = append(hops, *full[j].hop)
		}
		opt := reach.LinkOptions{}
		if i > 0 && full[i-1].service != nil {
			opt.Service, opt.Caller = true, sessAt[i].caller
		}
		checks := grantAt >= i && grantAt <= j && len(grantStmts) > 0 || toAdmin && j == len(full) && len(adminStmts) > 0 || nextSensitive(j)
		if checks {
			if grantAt >= i && grantAt <= j {
				opt.Stmts = append(opt.Stmts, grantStmts...)
			}
			if toAdmin && j == len(full) {
				opt.Stmts = append(opt.Stmts, adminStmts...)
			}
			if nextSensitive(j) {
				opt.Stmts = append(opt.Stmts, a.sessionStmts(full[j].From, nil)...)
			}
			opt.Check = func(at int, ctx map[string][]string) bool {
				return allows(i+at, a.chainSess(opt, at, ctx))
			}
		}
		c := a.reach.LinkWith(hops, opt)
		if !c.Possible {
			return r, false, blame(j - 1)
		}
		if c.Linked && c.Sessions != nil {
			for at, ctx := range c.Sessions {
				if ctx != nil {
					sessAt[i+at] = a.chainSess(opt, at, ctx)
				}
			}
		}
		for k := i; k < j; k++ {
			linked[k], chainAt[k] = &c, i
		}
		i = j
	}
	// The positions no chain decided (a chain's last session was decided
	// already; decided again, from the caches).
	for p := 1; p <= len(full); p++ {
		if (p == grantAt || p == len(full) || nextSensitive(p)) && !allows(p, sessAt[p]) {
			// (The start's session, p 0, is any: decided already.)
			return r, false, blame(p - 1)
		}
	}
	// The steps, the grant's at its place; each edge's last step's number.
	endStep := make([]int, len(full))
	for k := 0; k <= len(full); k++ {
		if k == grantAt {
			gs := append([]Step(nil), grantIn(sessAt[k])...)
			gs[len(gs)-1].Note = r.end.grant[len(w.reqs)-1].Note
			r.steps = append(r.steps, gs...)
		}
		if k == len(full) {
			break
		}
		e := full[k]
		if e.hop == nil {
			sts, ok := a.edgeStepsIn(e, sessAt[k], sessAt[k+1])
			if !ok {
				return r, false, blame(k)
			}
			r.steps = append(r.steps, sts...)
			endStep[k] = len(r.steps)
			if e.service != nil {
				r.session = append(r.session, reach.SessionNeed{Hop: endStep[k], What: "service", Key: e.service.service, Value: e.service.caller(e.To)})
			}
			continue
		}
		c, i := linked[k], chainAt[k]
		h := *e.hop
		if c.Hops != nil {
			h.Outcome = c.Hops[k-i]
		}
		st := a.reachStep(h)
		st.Kind = e.Kind
		if s := sessAt[k]; s != nil && s.caller != "" {
			if st.SessionName != "" && s.caller != st.Principal {
				// A service names the session, not as the hop needs.
				return r, false, blame(k)
			}
			st.Principal = s.caller
		}
		if c.Linked {
			// The session's keys, for warden explain.
			for k, v := range reach.SessionContext(h.Context) {
				if st.Context == nil {
					st.Context = map[string]any{}
				}
				st.Context[spelling(k)] = value(v)
			}
		}
		r.steps = append(r.steps, st)
		endStep[k] = len(r.steps)
		if k+1 == len(full) || full[k+1].hop == nil {
			// The chain's last hop: what its sessions must carry, each
			// need at the step that sets it (0: the path's start).
			for _, need := range c.Session {
				switch {
				case need.Hop > 0:
					need.Hop = endStep[i+need.Hop-1]
				case i > 0:
					need.Hop = endStep[i-1]
				}
				r.session = append(r.session, need)
			}
		}
	}
	if toAdmin {
		r.admin = adminIn(sessAt[len(full)])
		r.grantee = last
	}
	noteSessionNames(r.steps)
	return r, true, nil
}

// noteSessionNames says, on the assumption that makes a session a later
// step needs by name (the step before it, when it assumes that role), the
// RoleSessionName it passes.
func noteSessionNames(steps []Step) {
	for i := 1; i < len(steps); i++ {
		name := steps[i].SessionName
		prev := &steps[i-1]
		if name == "" || !strings.HasPrefix(prev.Action, "sts:AssumeRole") || principalOf(steps[i].Principal) != roleWithoutPath(prev.Resource) {
			continue
		}
		note := "with RoleSessionName " + name + ": the next step is allowed to that session only"
		if prev.Note != "" {
			note = prev.Note + "; " + note
		}
		prev.Note = note
	}
}

// roleWithoutPath is a role's ARN without its path (as principalOf gives
// it from a session's ARN).
func roleWithoutPath(roleARN string) string {
	head, rest, ok := strings.Cut(roleARN, ":role/")
	if !ok {
		return roleARN
	}
	return head + ":role/" + rest[strings.LastIndexByte(rest, '/')+1:]
}

// chainSess is the session at of a chain linked with opt, with its keys.
func (a *analyzer) chainSess(opt reach.LinkOptions, at int, ctx map[string][]string) *sess {
	caller := ""
	if at == 0 {
		caller = opt.Caller
	}
	return newSess(caller, ctx)
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
