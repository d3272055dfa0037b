package analyze

import (
	"regexp"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// StatementsOf lists the statements of policies, for NewSpace, ActionClasses
// and ResourceClasses.
func StatementsOf(ps ...*policy.Policy) []Stmt { return statementsOf(ps...) }

// Vars resolves the policy variables of one caller: the values of a key AWS
// sets from the caller (nil when the request lacks it), and whether it is
// such a key. A nil Vars resolves nothing.
type Vars func(key string) (values []string, fixed bool)

// IsCallerKey reports whether AWS sets a key from the caller or the
// resource (IsFixedKey, aws:userid, aws:PrincipalTag/*), so that no request
// chooses its value.
func IsCallerKey(k string) bool {
	k = strings.ToLower(k)
	return IsFixedKey(k) || k == "aws:userid" || strings.HasPrefix(k, "aws:principaltag/")
}

// CallerVars resolves the policy variables of the keys AWS sets from the
// caller (IsCallerKey) by the values a request's context has.
func CallerVars(ctx condition.Context) Vars {
	return func(key string) ([]string, bool) {
		if !IsCallerKey(key) {
			return nil, false
		}
		v, _ := ctx.Get(key)
		return v, true
	}
}

var varRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// expand replaces the variables of a policy value, giving one value per
// combination of the variables' values (none when a variable's key is
// absent: the value then matches nothing, as in AWS). ok is false when some
// variable is not resolved, has a default, or is one of the escapes ${*},
// ${?}, ${$}, which a pattern cannot carry.
func (vs Vars) expand(v string) (out []string, ok bool) {
	if vs == nil {
		return nil, false
	}
	out = []string{""}
	rest := v
	for {
		loc := varRef.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		key := rest[loc[2]:loc[3]]
		if strings.ContainsAny(key, ",*?$") {
			return nil, false
		}
		vals, fixed := vs(key)
		if !fixed {
			return nil, false
		}
		var next []string
		for _, o := range out {
			for _, x := range vals {
				next = append(next, o+rest[:loc[0]]+x)
			}
		}
		out, rest = next, rest[loc[1]:]
	}
	for i := range out {
		out[i] += rest
	}
	return out, true
}

// expandAll expands every value of a condition.
func (vs Vars) expandAll(values []string) ([]string, bool) {
	var out []string
	for _, v := range values {
		if !strings.Contains(v, "${") {
			out = append(out, v)
			continue
		}
		e, ok := vs.expand(v)
		if !ok {
			return nil, false
		}
		out = append(out, e...)
	}
	return out, true
}

// ResourceClasses splits the resources that some glob of globs matches (ARN
// patterns, as a Resource element matches) by every Resource element of the
// statements and by the patterns of splits (resources whose policies or
// accounts differ): within one class every statement's Resource element and
// every split matches all of the resources or none. It returns one
// representative per class, ARN-shaped ones first. exact is false when a
// Resource element holds a policy variable or the partition hit its bound.
func ResourceClasses(globs, splits []string, stmts []Stmt, vars Vars) (reps []string, exact bool) {
	exact = true
	var pats []pattern
	for _, st := range stmts {
		for _, r := range st.S.Src.Resource {
			vals := []string{r.Value}
			if st.Policy.Doc.Vars() && strings.Contains(r.Value, "${") {
				var ok bool
				if vals, ok = vars.expand(r.Value); !ok {
					exact = false
					continue
				}
			}
			for _, v := range vals {
				pats = append(pats, withParents(v)...)
			}
		}
	}
	pats = append(pats, arnShape())
	for _, l := range splits {
		pats = append(pats, arnPattern(l))
	}
	// A pattern twice splits nothing more: the partition, its cells'
	// representatives and their order are those of the patterns without
	// repeats (each repeat's automaton state is a copy of its first's), and
	// without them broad policies (the same Resource "*" in every statement)
	// give the same list, which regions' cache then answers.
	pats, idx := uniquePatterns(pats)
	var gl []int
	for _, g := range globs {
		var i int
		pats, i = addPattern(pats, idx, arnPattern(g))
		gl = append(gl, i)
	}
	rs, ok := regions(pats, freshByte(pats))
	for _, r := range rs {
		for _, i := range gl {
			if r.matches[i] {
				reps = append(reps, r.rep)
				break
			}
		}
	}
	sort.SliceStable(reps, func(i, j int) bool {
		return strings.HasPrefix(reps[i], "arn:") && !strings.HasPrefix(reps[j], "arn:")
	})
	return reps, exact && ok
}

// PoliciesOf lists every policy of a request's inputs, every layer and
// level, for StatementsOf.
func PoliciesOf(in *eval.Inputs) []*policy.Policy {
	var all []*policy.Policy
	all = append(all, in.Identity...)
	all = append(all, in.Boundary...)
	all = append(all, in.Session...)
	all = append(all, in.Resource...)
	all = append(all, in.Endpoint...)
	for _, l := range in.SCP {
		all = append(all, l.Policies...)
	}
	for _, l := range in.RCP {
		all = append(all, l.Policies...)
	}
	return all
}

// ContextOut is a context as requests show it: a string for one value, a
// list for several.
func ContextOut(m map[string][]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if len(v) == 1 {
			out[k] = v[0]
		} else {
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

// Unique drops the repeated strings of s, keeping the first of each.
func Unique(s []string) []string { return dedupe(s) }

// uniquePatterns drops the repeated patterns of pats, keeping the first of
// each, and indexes them by their tokens for addPattern.
func uniquePatterns(pats []pattern) ([]pattern, map[string]int) {
	idx := make(map[string]int, len(pats))
	out := pats[:0]
	for _, p := range pats {
		out, _ = addPattern(out, idx, p)
	}
	return out, idx
}

// addPattern appends p to pats unless pats has it, and returns its index.
func addPattern(pats []pattern, idx map[string]int, p pattern) ([]pattern, int) {
	k := regionKey([]pattern{p}, nil)
	if i, ok := idx[k]; ok {
		return pats, i
	}
	idx[k] = len(pats)
	return append(pats, p), len(pats)
}
