package analyze

import (
	"sort"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/policy"
)

// unknownAction stands for every action AWS's reference does not list: only
// "*" patterns and NotAction elements match it.
const unknownAction = "warden-unknown-service:UnknownAction"

// ActionsOf lists the actions the statements can match: those of AWS's
// reference that some Action pattern matches (every action when a
// statement uses NotAction), the literal actions the reference does not
// know, and one unknown action standing for the rest.
func ActionsOf(stmts []Stmt) []string {
	seen := map[string]bool{}
	var out []string
	add := func(a string) {
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	all := false
	for _, st := range stmts {
		if st.S.Src.NotAction {
			all = true
		}
		for _, v := range st.S.Src.Action {
			ms := awsdata.MatchActions(v.Value)
			for _, a := range ms {
				add(a.String())
			}
			if len(ms) == 0 && !strings.ContainsAny(v.Value, "*?") {
				add(v.Value)
			}
		}
	}
	if all {
		for _, p := range awsdata.Services() {
			s, _ := awsdata.LookupService(p)
			for _, a := range s.Actions() {
				add(a.String())
			}
		}
	}
	add(unknownAction)
	return out
}

// requestClass is an action class with the resource types its actions
// apply to.
type requestClass struct {
	ActionClass
	shapes []pattern // ARN templates of the resource types; none: "*"
	// shapeless: the class holds actions of many resource types, and its
	// resources are every class of strings the statements tell apart.
	shapeless bool
}

// requestClasses groups actions by the statements that match them and by
// the resource types they apply to.
func requestClasses(stmts []Stmt, universe []string) []requestClass {
	bySig := map[string]int{}
	var out []requestClass
	shapeSets := map[string]bool{}
	sigs := make([]string, len(universe))
	for n, a := range universe {
		act := policy.NewAction(a)
		var sig strings.Builder
		for _, st := range stmts {
			if st.S.MatchesAction(&act) {
				sig.WriteByte('1')
			} else {
				sig.WriteByte('0')
			}
		}
		sigs[n] = sig.String()
		shapes := actionShapes(a)
		names := make([]string, len(shapes))
		for i, s := range shapes {
			names[i] = s.text
		}
		sort.Strings(names)
		key := strings.Join(names, "|")
		shapeSets[key] = true
		k := sigs[n] + "|" + key
		if i, ok := bySig[k]; ok {
			out[i].Actions = append(out[i].Actions, a)
			continue
		}
		bySig[k] = len(out)
		out = append(out, requestClass{ActionClass: ActionClass{Rep: a, Actions: []string{a}}, shapes: shapes})
	}
	if len(shapeSets) <= maxShapeSets {
		return out
	}
	// Actions of many resource types (a "*" or a NotAction): the statements
	// alone split them, and resources are split by the statements' patterns
	// only (shapeless classes; see resourcesFor).
	out, bySig = out[:0], map[string]int{}
	for n, a := range universe {
		if i, ok := bySig[sigs[n]]; ok {
			out[i].Actions = append(out[i].Actions, a)
			continue
		}
		bySig[sigs[n]] = len(out)
		out = append(out, requestClass{ActionClass: ActionClass{Rep: a, Actions: []string{a}}, shapeless: true})
	}
	return out
}

// maxShapeSets is the most distinct sets of resource types whose actions
// get classes of their own.
const maxShapeSets = 8

// actionShapes are the ARN templates of an action's resource types.
func actionShapes(action string) []pattern {
	svc, _, _ := strings.Cut(strings.ToLower(action), ":")
	return shapesByAction(svc)[strings.ToLower(action)]
}

var shapeCache sync.Map // service prefix -> map[lower-cased action][]pattern

func shapesByAction(svc string) map[string][]pattern {
	if v, ok := shapeCache.Load(svc); ok {
		return v.(map[string][]pattern)
	}
	m := map[string][]pattern{}
	for _, rt := range serviceResourceTypes(svc) {
		for _, a := range rt.actions {
			k := strings.ToLower(a)
			m[k] = append(m[k], rt.pat)
		}
	}
	shapeCache.Store(svc, m)
	return m
}

// resourcesFor partitions the resources of a request class by the
// statements' Resource patterns (and extra patterns), within the ARN shapes
// of its resource types: one representative per class. An action with no
// resource type acts on "*". exact is false for a Resource with a policy
// variable.
func resourcesFor(rc *requestClass, stmts []Stmt, extra []pattern) (reps []string, exact bool) {
	if len(rc.shapes) == 0 && !rc.shapeless {
		return []string{"*"}, true
	}
	pats, exact := resourcePatterns(stmts)
	pats = append(pats, extra...)
	if rc.shapeless {
		// Every cell of the partition stands for the resources in it, of
		// whatever type: the decision is the same for all of them.
		rs, ok := regions(pats, freshByte(pats))
		reps = []string{"*"}
		for _, r := range rs {
			if r.rep != "" {
				reps = append(reps, r.rep)
			}
		}
		return reps, exact && ok
	}
	n := len(pats)
	pats = append(pats, rc.shapes...)
	rs, ok := regions(pats, freshByte(pats))
	for _, r := range rs {
		for k := n; k < len(pats); k++ {
			if r.matches[k] {
				reps = append(reps, r.rep)
				break
			}
		}
	}
	return reps, exact && ok
}

// withParents is a Resource pattern with the patterns of its parents (the
// pattern cut at each slash of its resource part), which split the parents'
// classes too: a bucket's, for a pattern of its objects.
func withParents(v string) []pattern {
	out := []pattern{arnPattern(v)}
	colons := 0
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == ':' && colons < 5:
			colons++
		case v[i] == '/' && colons == 5:
			out = append(out, arnPattern(v[:i]))
		}
	}
	return out
}

// resourcePatterns are the statements' Resource patterns with their parents.
// exact is false when one holds a policy variable (left out).
func resourcePatterns(stmts []Stmt) (pats []pattern, exact bool) {
	exact = true
	for _, st := range stmts {
		for _, r := range st.S.Src.Resource {
			if st.Policy.Doc.Vars() && strings.Contains(r.Value, "${") {
				exact = false
				continue
			}
			pats = append(pats, withParents(r.Value)...)
		}
	}
	return pats, exact
}
