package analyze

import (
	"sort"
	"strings"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/policy"
)

// Stmt is a compiled statement with the policy it belongs to.
type Stmt struct {
	Policy *policy.Policy
	S      *policy.CompiledStatement
}

// Space is the product of the classes of the condition keys that a set of
// statements tests: one request context per combination of classes. Keys
// that Fixed names are left out: their values come from elsewhere (the
// principal, the resource).
type Space struct {
	Keys []KeyClasses
}

// NewSpace collects the condition keys of stmts and partitions each. fixed
// reports the keys to leave out (lower-cased).
func NewSpace(stmts []Stmt, fixed func(key string) bool) *Space {
	return NewSpaceVars(stmts, fixed, nil)
}

// NewSpaceVars is NewSpace where the policy variables that vars resolves
// (keys whose values the caller fixes) are replaced by their values, so
// that a test of them splits exactly (see Vars).
func NewSpaceVars(stmts []Stmt, fixed func(key string) bool, vars Vars) *Space {
	byKey := map[string][]use{}
	for _, st := range stmts {
		for _, u := range usesOf(st.S.Src, st.Policy.Doc.Vars()) {
			if fixed != nil && fixed(u.key) {
				continue
			}
			if u.dynamic && vars != nil {
				if vs, ok := vars.expandAll(u.values); ok {
					u.values, u.dynamic = vs, false
				}
			}
			byKey[u.key] = append(byKey[u.key], u)
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sp := &Space{}
	for _, k := range keys {
		sp.Keys = append(sp.Keys, classesOf(k, byKey[k], multiValued(k)))
	}
	return sp
}

// multiValued reports whether AWS's reference gives the key a list type.
func multiValued(key string) bool {
	ck, ok := awsdata.LookupConditionKey(key)
	return ok && strings.HasPrefix(ck.Type, "ArrayOf")
}

// Exact reports whether every key's partition is exact.
func (sp *Space) Exact() bool {
	for _, k := range sp.Keys {
		if !k.Exact {
			return false
		}
	}
	return true
}

// Size is the number of combinations, saturating at limit+1.
func (sp *Space) Size(limit int) int {
	n := 1
	for _, k := range sp.Keys {
		n *= len(k.Classes)
		if n > limit {
			return limit + 1
		}
	}
	return n
}

// Each calls fn with every combination, as a map from key to values (absent
// keys left out), until fn returns false. The map is reused between calls.
func (sp *Space) Each(fn func(ctx map[string][]string) bool) {
	idx := make([]int, len(sp.Keys))
	ctx := map[string][]string{}
	for {
		clear(ctx)
		for i, k := range sp.Keys {
			if v := k.Classes[idx[i]].Values; v != nil {
				ctx[k.Key] = v
			}
		}
		if !fn(ctx) {
			return
		}
		i := 0
		for ; i < len(idx); i++ {
			idx[i]++
			if idx[i] < len(sp.Keys[i].Classes) {
				break
			}
			idx[i] = 0
		}
		if i == len(idx) {
			return
		}
	}
}
