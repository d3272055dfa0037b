package validate

import (
	"sort"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// redundantStatements reports a statement that grants or denies exactly
// what an earlier one does: the same effect, principals, conditions and
// sets of actions and resources once patterns that others of the set cover
// are dropped.
func (v *validator) redundantStatements() {
	seen := map[string]*statement{}
	for _, s := range v.statements {
		if s.effect == "" || s.action == nil {
			continue
		}
		k := v.statementKey(s)
		if first, dup := seen[k]; dup {
			fl := v.pos.at(first.n.start)
			v.add("REDUNDANT_STATEMENT", v.at(s.n), "The statements are redundant because they provide identical permissions: this statement says what the statement at line %d says. Update the policy to remove the redundant statement.", fl.Line)
			continue
		}
		seen[k] = s
	}
}

func (v *validator) statementKey(s *statement) string {
	var b strings.Builder
	b.WriteString(s.effect)
	b.WriteByte('|')
	if s.principal != nil {
		b.WriteString(s.principal.name)
		if isStarPrincipal(s.principal.val) {
			b.WriteString(`"*"`) // "*" and {"AWS": "*"} are the same principal
		} else {
			b.WriteString(canonical(s.principal.val, v.src))
		}
	}
	b.WriteByte('|')
	b.WriteString(s.action.name)
	b.WriteString(strings.Join(essential(s.actions, s.dropActions, true), ","))
	b.WriteByte('|')
	if s.resource != nil {
		b.WriteString(s.resource.name)
		b.WriteString(strings.Join(essential(s.resources, s.dropResources, false), ","))
	}
	b.WriteByte('|')
	if s.condition != nil {
		b.WriteString(canonicalCondition(s.condition.val, v.src))
	}
	return b.String()
}

// essential returns the patterns no other pattern of the list covers (drop
// holds the others), sorted: two lists with the same essential patterns
// match the same things.
func essential(items []*node, drop map[*node]bool, fold bool) []string {
	var out []string
	for _, it := range items {
		if !drop[it] {
			s := it.str
			if fold {
				s = strings.ToLower(s)
			}
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// canonicalCondition renders a Condition element with its keys lower-cased
// (condition keys ignore case) and each key's values as a sorted array (a
// single value and an array of one are the same).
func canonicalCondition(n *node, src []byte) string {
	if n.kind != '{' {
		return canonical(n, src)
	}
	ops := make([]string, len(n.members))
	for i, op := range n.members {
		if op.val.kind != '{' {
			ops[i] = quote(op.name) + ":" + canonical(op.val, src)
			continue
		}
		keys := make([]string, len(op.val.members))
		for j, k := range op.val.members {
			vals := canonical(k.val, src)
			if k.val.kind != '[' {
				vals = "[" + vals + "]"
			}
			keys[j] = quote(strings.ToLower(k.name)) + ":" + vals
		}
		sort.Strings(keys)
		ops[i] = quote(op.name) + ":{" + strings.Join(keys, ",") + "}"
	}
	sort.Strings(ops)
	return "{" + strings.Join(ops, ",") + "}"
}

// canonical renders a value with object members sorted and arrays of
// scalars sorted (the order of values in a policy does not matter).
func canonical(n *node, src []byte) string {
	switch n.kind {
	case '{':
		parts := make([]string, len(n.members))
		for i, m := range n.members {
			parts[i] = quote(m.name) + ":" + canonical(m.val, src)
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case '[':
		parts := make([]string, len(n.items))
		for i, it := range n.items {
			parts[i] = canonical(it, src)
		}
		sort.Strings(parts)
		return "[" + strings.Join(parts, ",") + "]"
	case '"':
		return quote(n.str)
	}
	return string(src[n.start:n.end])
}

func quote(s string) string {
	b, _ := jsontext.AppendQuote(nil, s)
	return string(b)
}
