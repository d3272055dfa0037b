package escalate

import (
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/analyze/reach"
	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Options tune an analysis.
type Options struct {
	// Target, when set, asks for the paths to this principal's ARN instead
	// of the paths to admin power.
	Target string
	// Now fills aws:CurrentTime.
	Now time.Time
	// Progress, if not nil, is called as the principals are analyzed.
	Progress func(done, total int)
}

// Result is the escalation graph of an organization and its paths.
type Result struct {
	Nodes []*Node
	Edges []*Edge
	// Admins are the principals that are administrator-equivalent by their
	// own policies, or make themselves so.
	Admins []*Node
	Paths  []Path
	// Unsure counts the requests whose contexts could not be split exactly:
	// they were not counted as allowed.
	Unsure int
}

type analyzer struct {
	o      *org.Org
	now    time.Time
	src    *check.Sources
	nodes  []*Node
	byARN  map[string]*Node
	byAcct map[*org.Account][]*Node
	edges  []*Edge
	unsure int
	admin  map[adminKey]*AdminProof
	// workloads are the organization's workloads by account.
	workloads map[*org.Account][]*org.Workload
	// profiles are the instance profiles by account and role (an account
	// without any is absent), sources the streams mapped to each function.
	profiles map[*org.Account]map[*org.Role]*org.Workload
	sources  map[*org.Workload][]*org.Workload
	// versions are the other versions of customer managed policies, by
	// account copy's ARN (see versionsOf).
	versions map[string][]*org.PolicyVersion
	// reach is the role-assumption graph, which links a path's chains of
	// assumptions (see linkSteps).
	reach *reach.Graph
	// edgeSteps are edges' steps decided in sessions (see edgeStepsIn).
	edgeSteps map[edgeKey][]Step
	// idealReps are, per principal and change, the representatives of the
	// classes of actions AdministratorAccess would be allowed (see
	// decideAdmin).
	idealReps map[adminKey]*idealClasses
}

// Analyze builds the escalation graph of o and finds its paths.
func Analyze(o *org.Org, opts Options) *Result {
	a := &analyzer{o: o, now: opts.Now, src: check.NewSources(o), byARN: map[string]*Node{}, byAcct: map[*org.Account][]*Node{}, admin: map[adminKey]*AdminProof{}, idealReps: map[adminKey]*idealClasses{}}
	a.addNodes()
	// Progress: the admin checks, the roles' assumption edges, then the
	// other edges of every node (outside principals join as the roles'
	// trust policies name them).
	total := 2*len(a.nodes) + len(o.Roles) + 1
	done := 0
	tick := func() {
		done++
		if opts.Progress != nil && (done%64 == 0 || done == total) {
			opts.Progress(done, total)
		}
	}
	for _, n := range a.nodes {
		if !n.external() {
			n.admin = a.adminOf(n, nil)
		}
		tick()
	}
	before := len(a.nodes)
	a.assumeEdges(reach.New(o, opts.Now), tick)
	total += len(a.nodes) - before
	a.identityCenterEdges()
	a.workloadIndex()
	for _, n := range a.nodes {
		a.passRoleEdges(n)
		a.stackSetEdges(n)
		a.identityPoolEdges(n)
		a.workloadEdges(n)
		a.iamEdges(n)
		tick()
	}
	a.grants()
	res := &Result{Nodes: a.nodes, Edges: a.edges, Unsure: a.unsure}
	for _, n := range a.nodes {
		if n.admin != nil {
			res.Admins = append(res.Admins, n)
		}
	}
	if opts.Target != "" {
		res.Paths = a.pathsTo(opts.Target)
	} else {
		res.Paths = a.pathsToAdmin()
	}
	tick()
	return res
}

// roleSession is the session name of the requests a role's node makes.
const roleSession = "warden-escalation"

// addNodes makes a node of every role (but the service-linked ones, which
// only their service assumes), IAM user and identity provider.
func (a *analyzer) addNodes() {
	for _, r := range a.o.Roles {
		if r.ServiceLinked {
			continue
		}
		n := &Node{ARN: r.ARN, Caller: "arn:aws:sts::" + r.Account.ID + ":assumed-role/" + r.Name + "/" + roleSession, Account: r.Account, Role: r}
		n.allows = allowsOf(r.Policies)
		if r.Boundary != nil {
			n.bound = allowsOf([]*policy.Policy{r.Boundary})
		}
		a.add(n)
	}
	for _, u := range a.o.Users {
		if u.Account == nil {
			continue
		}
		n := &Node{ARN: u.ARN, Caller: u.ARN, Account: u.Account, User: u}
		n.allows = allowsOf(a.o.UserPolicies(u))
		if u.Boundary != nil {
			n.bound = allowsOf([]*policy.Policy{u.Boundary})
		}
		a.add(n)
	}
	for _, p := range a.o.Providers {
		if strings.HasPrefix(p.Name, "AWSSSO_") {
			// Identity Center's own provider: who signs in through it is
			// its assignments' business, not IAM's.
			continue
		}
		a.add(&Node{ARN: p.ARN, Caller: p.ARN, Account: p.Account, Provider: p})
	}
}

func (a *analyzer) add(n *Node) {
	n.index = len(a.nodes)
	a.nodes = append(a.nodes, n)
	a.byARN[n.ARN] = n
	if !n.external() {
		a.byAcct[n.Account] = append(a.byAcct[n.Account], n)
	}
}

func allowsOf(ps []*policy.Policy) []*policy.CompiledStatement {
	out := []*policy.CompiledStatement{}
	for _, p := range ps {
		for _, s := range p.Statements {
			if s.Effect == policy.Allow {
				out = append(out, s)
			}
		}
	}
	return out
}

// edge records that from can act as to.
func (a *analyzer) edge(from, to *Node, kind string, steps ...Step) *Edge {
	for i := range steps {
		steps[i].Kind = kind
	}
	e := &Edge{From: from, To: to, Kind: kind, Steps: steps}
	from.out = append(from.out, e)
	a.edges = append(a.edges, e)
	return e
}

// nodesIn lists the principals of an account, in order.
func (a *analyzer) nodesIn(acct *org.Account) []*Node { return a.byAcct[acct] }

func sortPaths(ps []Path) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].From != ps[j].From {
			return ps[i].From < ps[j].From
		}
		return ps[i].To < ps[j].To
	})
}
