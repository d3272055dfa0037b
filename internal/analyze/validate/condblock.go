package validate

import (
	"strings"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/condition"
)

// cond is one operator-key pair of a Condition element.
type cond struct {
	opm    *member // the operator's member
	op     condition.Op
	opOK   bool
	key    *member // the key's member; key.val is the value or array of values
	values []*node // scalar values (strings, numbers, booleans)
	info   awsdata.ConditionKey
	known  bool
}

// name is the key as written.
func (c *cond) name() string { return c.key.name }

// lower is the key lower-cased, as IAM compares keys.
func (c *cond) lower() string { return strings.ToLower(c.key.name) }

// conditionBlock reads the Condition element, checking its shape
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html):
// an object of operators, each an object of keys, each a scalar or an
// array of scalars of one JSON type.
func (v *validator) conditionBlock(s *statement, m *member) []*cond {
	if m.val.kind != '{' {
		v.add("DATA_TYPE_MISMATCH", v.at(m.val), "The text does not match the expected JSON data type object: Condition is an object of condition operators, not %s.", article(m.val.jsonType()))
		return nil
	}
	var out []*cond
	for _, opm := range m.val.members {
		op, err := condition.ParseOp(opm.name)
		opOK := err == nil
		if err != nil && !v.nullOperator(opm) {
			v.add("INVALID_CONDITION_OPERATOR", v.atKey(opm), "The condition operator %s is not valid.%s Use a valid condition operator such as StringEquals, ArnLike or Bool, with an optional ForAllValues:/ForAnyValue: prefix and IfExists suffix.", opm.name, suggestion(opm.name, operatorNames()...))
		}
		if opm.val.kind != '{' {
			v.add("DATA_TYPE_MISMATCH", v.at(opm.val), "The text does not match the expected JSON data type object: the operator %s takes an object of condition keys and values.", opm.name)
			continue
		}
		byLower := map[string]*member{}
		for _, km := range opm.val.members {
			low := strings.ToLower(km.name)
			if first, dup := byLower[low]; dup && first.name != km.name {
				v.add("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", v.atKey(km), "The condition key %s appears more than once with different capitalization (%s) in the same condition block. Condition keys ignore case: remove the duplicate condition keys, or merge their values.", km.name, first.name)
			}
			byLower[low] = km
			c := &cond{opm: opm, op: op, opOK: opOK, key: km}
			c.info, c.known = awsdata.LookupConditionKey(km.name)
			c.values = v.conditionValues(c)
			out = append(out, c)
		}
	}
	return out
}

// nullOperator reports the Null operator with a suffix or qualifier, which
// the engine rejects and AWS's checks name: it reports them itself.
func (v *validator) nullOperator(opm *member) bool {
	name := opm.name
	q, rest, hasQ := strings.Cut(name, ":")
	if !hasQ {
		rest = name
	}
	base, ifExists := strings.CutSuffix(rest, "IfExists")
	if base != "Null" || (hasQ && q != "ForAllValues" && q != "ForAnyValue") {
		return false
	}
	if ifExists {
		v.add("NULL_WITH_IF_EXISTS", v.atKey(opm), "The Null condition operator cannot be used with the IfExists suffix. Use Null alone: it already tests whether the key is present.")
	}
	if hasQ {
		v.add("NULL_WITH_QUALIFIER", v.atKey(opm), "Avoid using the Null condition operator with the %s qualifier: it always returns %v. Use Null without a qualifier.", q, q == "ForAllValues")
	}
	return true
}

// conditionValues returns the scalar values of a key, reporting values of
// the wrong JSON type, arrays that mix types, and empty arrays.
func (v *validator) conditionValues(c *cond) []*node {
	n := c.key.val
	switch n.kind {
	case '"', '0', 't', 'f':
		return []*node{n}
	case '[':
	default:
		v.add("DATA_TYPE_MISMATCH", v.at(n), "The text does not match the expected JSON data type string, number, boolean or array: the value of %s is %s.", c.name(), article(n.jsonType()))
		return nil
	}
	if len(n.items) == 0 {
		v.emptyCondition(c)
		return nil
	}
	var out []*node
	first := ""
	for _, it := range n.items {
		switch it.kind {
		case '"', '0', 't', 'f':
			t := it.jsonType()
			if first == "" {
				first = t
			} else if t != first {
				v.add("INVALID_CONDITION_DATA_TYPE", v.at(it), "The condition value data types do not match: %s is %s where the first value is %s. Use condition values of the same JSON data type.", it.text(v.src), article(t), article(first))
			}
			out = append(out, it)
		default:
			v.add("DATA_TYPE_MISMATCH", v.at(it), "The text does not match the expected JSON data type string, number or boolean: a condition value is not %s.", article(it.jsonType()))
		}
	}
	return out
}

func (v *validator) emptyCondition(c *cond) {
	loc := v.at(c.key.val)
	switch {
	case c.opOK && c.op.Set == condition.SetForAllValues:
		v.add("EMPTY_ARRAY_CONDITION_FORALLVALUES", loc, "The ForAllValues prefix with an empty condition key matches only if the key %s is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.", c.name())
	case c.opOK && c.op.Set == condition.SetForAnyValue:
		v.add("EMPTY_ARRAY_CONDITION_FORANYVALUE", loc, "The ForAnyValue prefix with an empty condition key %s never matches the request context and it does not affect the policy. Specify conditions.", c.name())
	case c.opOK && c.op.IfExists:
		v.add("EMPTY_ARRAY_CONDITION_IFEXISTS", loc, "The IfExists suffix with an empty condition key matches only if the key %s is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.", c.name())
	default:
		v.add("EMPTY_ARRAY_CONDITION", loc, "There are no values for the condition key %s and it does not affect the policy. Specify conditions.", c.name())
	}
}

func operatorNames() []string {
	return []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
}
