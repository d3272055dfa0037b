package condition

import (
	"fmt"
	"strings"
)

// kind is the family of an operator, which fixes how values are compared.
type kind uint8

const (
	kindString kind = iota
	kindNumeric
	kindDate
	kindBool
	kindBinary
	kindIP
	kindARN
	kindNull
)

// cmp is the comparison an operator makes within its family.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpEqFold
	cmpLike
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type operator struct {
	kind    kind
	cmp     cmp
	negated bool
}

// operators lists every condition operator of the IAM policy language, without
// the IfExists suffix and the set qualifiers.
var operators = map[string]operator{
	"StringEquals":              {kindString, cmpEq, false},
	"StringNotEquals":           {kindString, cmpEq, true},
	"StringEqualsIgnoreCase":    {kindString, cmpEqFold, false},
	"StringNotEqualsIgnoreCase": {kindString, cmpEqFold, true},
	"StringLike":                {kindString, cmpLike, false},
	"StringNotLike":             {kindString, cmpLike, true},
	"NumericEquals":             {kindNumeric, cmpEq, false},
	"NumericNotEquals":          {kindNumeric, cmpEq, true},
	"NumericLessThan":           {kindNumeric, cmpLT, false},
	"NumericLessThanEquals":     {kindNumeric, cmpLE, false},
	"NumericGreaterThan":        {kindNumeric, cmpGT, false},
	"NumericGreaterThanEquals":  {kindNumeric, cmpGE, false},
	"DateEquals":                {kindDate, cmpEq, false},
	"DateNotEquals":             {kindDate, cmpEq, true},
	"DateLessThan":              {kindDate, cmpLT, false},
	"DateLessThanEquals":        {kindDate, cmpLE, false},
	"DateGreaterThan":           {kindDate, cmpGT, false},
	"DateGreaterThanEquals":     {kindDate, cmpGE, false},
	"Bool":                      {kindBool, cmpEq, false},
	"BinaryEquals":              {kindBinary, cmpEq, false},
	"IpAddress":                 {kindIP, cmpEq, false},
	"NotIpAddress":              {kindIP, cmpEq, true},
	"ArnEquals":                 {kindARN, cmpLike, false},
	"ArnLike":                   {kindARN, cmpLike, false},
	"ArnNotEquals":              {kindARN, cmpLike, true},
	"ArnNotLike":                {kindARN, cmpLike, true},
	"Null":                      {kindNull, cmpEq, false},
}

// Set is a set qualifier.
type Set uint8

const (
	SetNone Set = iota
	SetForAllValues
	SetForAnyValue
)

// Op is a parsed operator name such as "ForAnyValue:StringLikeIfExists".
type Op struct {
	Name     string // as written
	Base     string // the operator without qualifier and suffix
	Set      Set
	IfExists bool
	op       operator
}

// ParseOp parses an operator name. Names are case-sensitive, as in AWS.
func ParseOp(name string) (Op, error) {
	o := Op{Name: name}
	rest := name
	if q, r, ok := strings.Cut(name, ":"); ok {
		switch q {
		case "ForAllValues":
			o.Set = SetForAllValues
		case "ForAnyValue":
			o.Set = SetForAnyValue
		default:
			return Op{}, fmt.Errorf("unknown set qualifier %q in condition operator %q: want ForAllValues or ForAnyValue", q, name)
		}
		rest = r
	}
	base := rest
	if b, ok := strings.CutSuffix(rest, "IfExists"); ok {
		base = b
		o.IfExists = true
	}
	op, ok := operators[base]
	if !ok {
		return Op{}, fmt.Errorf("unknown condition operator %q", name)
	}
	if op.kind == kindNull && (o.IfExists || o.Set != SetNone) {
		return Op{}, fmt.Errorf("condition operator %q: Null takes neither IfExists nor a set qualifier", name)
	}
	o.Base, o.op = base, op
	return o, nil
}

// Negated reports whether the operator is a negated one (StringNotEquals, ...).
func (o Op) Negated() bool { return o.op.negated }
