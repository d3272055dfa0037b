package state

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/org"
)

// Diff lists what changes from the organization a to b, one line per
// entry of the org format that is added ("+"), removed ("-") or changed
// ("~", with the fields that change), in the format's order of sections:
//
//   - roles BuildRole (Dev)
//     ~ policies DeveloperPermissions (managed; Dev, Staging): document
//   - users legacy-ci (Dev)
//
// Entries are named as the format names them: by name (with their
// accounts, or a policy's type, where one name may be used more than
// once), resources by ARN. Equal organizations give no lines.
func Diff(a, b *org.Spec) []string {
	av, bv := asJSON(a), asJSON(b)
	var out []string
	for _, section := range sections(av, bv) {
		out = append(out, diffValue(section, av[section], bv[section])...)
	}
	return out
}

// asJSON is the spec as the format's JSON, sections by name.
func asJSON(s *org.Spec) map[string]any {
	m := map[string]any{}
	if s == nil {
		return m
	}
	data, err := json.Marshal(s)
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		// A Spec is plain data; it always marshals.
		panic(fmt.Sprintf("state: org spec does not marshal: %v", err))
	}
	return m
}

// sections are the sections of a and b, in the org format's order.
func sections(a, b map[string]any) []string {
	order := []string{"organization", "ous", "accounts", "policies", "roles", "users", "groups",
		"resources", "workloads", "identityProviders", "serviceLinkedRoles", "identityCenter"}
	rank := map[string]int{}
	for i, s := range order {
		rank[s] = i
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ri, iok := rank[out[i]]
		rj, jok := rank[out[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return out[i] < out[j]
	})
	return out
}

// diffValue compares one value at path: lists of entries by their keys,
// a section that is a mapping field by field, anything else as a whole.
func diffValue(path string, a, b any) []string {
	if reflect.DeepEqual(a, b) {
		return nil
	}
	al, aList := a.([]any)
	bl, bList := b.([]any)
	if (aList || a == nil) && (bList || b == nil) && entries(al) && entries(bl) {
		return diffEntries(path, al, bl)
	}
	am, aMap := a.(map[string]any)
	bm, bMap := b.(map[string]any)
	if aMap && bMap && !strings.Contains(path, ".") {
		// A section that is one mapping (organization, identityCenter):
		// its fields one by one.
		var out []string
		for _, k := range sections(am, bm) {
			out = append(out, diffValue(path+"."+k, am[k], bm[k])...)
		}
		return out
	}
	switch {
	case a == nil:
		return []string{"+ " + path}
	case b == nil:
		return []string{"- " + path}
	}
	if aMap && bMap {
		return []string{"~ " + path + ": " + strings.Join(changedFields(am, bm), ", ")}
	}
	return []string{"~ " + path}
}

// entries reports whether every element of l is a mapping.
func entries(l []any) bool {
	for _, e := range l {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// diffEntries compares two lists of entries by their keys, in b's order
// then a's for the removed ones.
func diffEntries(path string, a, b []any) []string {
	old := map[string]map[string]any{}
	for _, e := range a {
		m := e.(map[string]any)
		old[entryKey(m)] = m
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range b {
		m := e.(map[string]any)
		k := entryKey(m)
		seen[k] = true
		prev, ok := old[k]
		switch {
		case !ok:
			out = append(out, "+ "+path+" "+k)
		case !reflect.DeepEqual(prev, m):
			out = append(out, "~ "+path+" "+k+": "+strings.Join(changedFields(prev, m), ", "))
		}
	}
	for _, e := range a {
		m := e.(map[string]any)
		if k := entryKey(m); !seen[k] {
			seen[k] = true
			out = append(out, "- "+path+" "+k)
		}
	}
	return out
}

// entryKey names an entry as the org format identifies it.
func entryKey(m map[string]any) string {
	name := ""
	for _, f := range []string{"arn", "name", "userName", "displayName", "service"} {
		if s, ok := m[f].(string); ok && s != "" {
			name = s
			break
		}
	}
	if name == "" {
		data, _ := json.Marshal(m) // map keys sort: a stable key
		return string(data)
	}
	var quals []string
	if t, ok := m["type"].(string); ok {
		quals = append(quals, t)
	}
	if acct, ok := m["account"].(string); ok {
		quals = append(quals, acct)
	}
	if list, ok := m["accounts"].([]any); ok {
		var names []string
		for _, a := range list {
			names = append(names, fmt.Sprint(a))
		}
		quals = append(quals, strings.Join(names, ", "))
	}
	if len(quals) == 0 {
		return name
	}
	return name + " (" + strings.Join(quals, "; ") + ")"
}

// changedFields names the fields whose values differ, sorted.
func changedFields(a, b map[string]any) []string {
	var out []string
	for k := range a {
		if !reflect.DeepEqual(a[k], b[k]) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
