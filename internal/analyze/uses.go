package analyze

import (
	"strings"

	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/policy"
)

// family is how an operator compares values.
type family uint8

const (
	famString family = iota
	famARN
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famNull
)

// use is one operator-key test of a Condition element, as written.
type use struct {
	key     string // lower-cased
	fam     family
	like    bool // StringLike/ArnLike: values are globs
	fold    bool // ...IgnoreCase
	set     bool // ForAnyValue/ForAllValues
	negated bool
	values  []string
	// dynamic: some value holds a policy variable, whose value depends on
	// another key: the classes of single keys cannot follow it exactly.
	dynamic bool
}

func familyOf(base string) family {
	switch {
	case base == "Null":
		return famNull
	case strings.HasPrefix(base, "String"):
		return famString
	case strings.HasPrefix(base, "Arn"):
		return famARN
	case strings.HasPrefix(base, "Numeric"):
		return famNumeric
	case strings.HasPrefix(base, "Date"):
		return famDate
	case base == "Bool":
		return famBool
	case base == "BinaryEquals":
		return famBinary
	}
	return famIP
}

// usesOf lists a statement's condition tests. The document was compiled, so
// every operator parses.
func usesOf(s *policy.Statement, vars bool) []use {
	var out []use
	for _, ce := range s.Condition {
		op, err := condition.ParseOp(ce.Op)
		if err != nil {
			continue
		}
		u := use{key: strings.ToLower(ce.Key), fam: familyOf(op.Base), set: op.Set != condition.SetNone, values: ce.Values}
		u.like = strings.Contains(op.Base, "Like") || u.fam == famARN
		u.fold = strings.Contains(op.Base, "IgnoreCase")
		u.negated = op.Negated()
		if vars && u.fam != famNull {
			for _, v := range ce.Values {
				if strings.Contains(v, "${") {
					u.dynamic = true
				}
			}
		}
		out = append(out, u)
	}
	return out
}

// literalMatches lists the values of u that v satisfies positively: the
// literals a request value "hits", as findings name them.
func (u *use) literalMatches(v string) []string {
	var out []string
	for _, w := range u.values {
		var p pattern
		switch {
		case u.fam == famIP:
			if ipIn(v, w) {
				out = append(out, w)
			}
			continue
		case u.fam == famARN && isARNShaped(v):
			p = arnPattern(w)
		case u.fam == famARN:
			p = globPattern(w)
		case u.like:
			p = globPattern(w)
		case u.fold:
			p = foldPattern(w)
		case u.fam == famString:
			p = literalPattern(w)
		default:
			if v == w {
				out = append(out, w)
			}
			continue
		}
		if p.match(v) {
			out = append(out, w)
		}
	}
	return out
}
