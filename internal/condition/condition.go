package condition

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// Condition is one compiled operator-key test of a Condition element, such as
// "StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}. It is immutable and
// safe for concurrent use.
type Condition struct {
	Op   Op
	Key  string // as written
	key  string // lower-cased
	hash uint64 // keyHash(key)
	vals []value
	// dynamic is set when any value holds a policy variable.
	dynamic bool
}

// value is one policy value, parsed once for its operator's family.
type value struct {
	tmpl   Template
	num    decimal
	date   int64
	prefix netip.Prefix
	b      bool
	pat    arn.Pattern
	glob   arn.Glob // a static StringLike pattern
	// escaped marks a Like pattern resolved from a template, in which a
	// backslash makes the next character literal (see arn.MatchEscaped).
	escaped bool
}

// Compile compiles one operator-key test. values are the policy's values as
// strings (JSON numbers and booleans in their literal form). vars tells whether
// policy variables are substituted (Version 2012-10-17).
func Compile(op Op, key string, values []string, vars bool) (*Condition, error) {
	if strings.TrimSpace(key) == "" {
		return nil, fmt.Errorf("condition key must not be empty")
	}
	if strings.TrimSpace(key) != key {
		return nil, fmt.Errorf("condition key %q has leading or trailing white space", key)
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("condition key %q has no values", key)
	}
	c := &Condition{Op: op, Key: key, key: strings.ToLower(key), vals: make([]value, len(values))}
	c.hash = keyHash(c.key)
	for i, s := range values {
		t, err := ParseTemplate(s, vars && op.op.kind != kindNull)
		if err != nil {
			return nil, err
		}
		v := value{tmpl: t}
		if t.HasVars() {
			c.dynamic = true
		} else if err := v.parse(op.op.kind, s); err != nil {
			return nil, fmt.Errorf("%s: %w", op.Name, err)
		}
		c.vals[i] = v
	}
	return c, nil
}

// parse pre-parses a static policy value and rejects one its operator cannot
// compare, as AWS does when the policy is written.
func (v *value) parse(k kind, s string) error {
	var ok bool
	switch k {
	case kindNumeric:
		d, err := parseDecimal(s)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		v.num = d
		return nil
	case kindDate:
		v.date, ok = parseDate(s)
		if !ok {
			return fmt.Errorf("%q is not a date: want ISO 8601 (2026-01-31T12:00:00Z) or epoch seconds", s)
		}
	case kindBool, kindNull:
		v.b, ok = parseBool(s)
		if !ok {
			return fmt.Errorf("%q is not a boolean: want true or false", s)
		}
	case kindIP:
		v.prefix, ok = parsePrefix(s)
		if !ok {
			return fmt.Errorf("%q is not an IP address or CIDR block", s)
		}
	case kindBinary:
		if !validBase64(s) {
			return fmt.Errorf("%q is not base64", s)
		}
	case kindARN:
		v.pat = arn.CompilePattern(s)
	case kindString:
		v.glob = arn.CompileGlob(s)
	}
	return nil
}

// Eval evaluates the test against a request context.
func (c *Condition) Eval(ctx Context) bool {
	e := ctx.entryOf(c.key, c.hash)
	var reqVals []string
	if e != nil {
		reqVals = e.vals
	}
	present := len(reqVals) > 0
	o := c.Op.op
	if o.kind == kindNull {
		// "Null": "true" holds when the key is absent; "false" when present.
		for i := range c.vals {
			if c.vals[i].b == !present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.Op.IfExists:
			return true
		case c.Op.Set == SetForAllValues:
			return true
		case c.Op.Set == SetForAnyValue:
			return false
		}
		return o.negated
	}
	vals := c.vals
	if c.dynamic {
		// An empty list (every value null) matches no request value.
		vals = c.resolve(ctx)
	}
	switch c.Op.Set {
	case SetForAnyValue:
		for i := range reqVals {
			if matchAny(o, vals, e, i) != o.negated {
				return true
			}
		}
		return false
	case SetForAllValues:
		for i := range reqVals {
			if matchAny(o, vals, e, i) == o.negated {
				return false
			}
		}
		return true
	}
	for i := range reqVals {
		if matchAny(o, vals, e, i) {
			return !o.negated
		}
	}
	return o.negated
}

// resolve substitutes policy variables. A value whose variable has no value
// (absent, or multivalued) and no default is the null value, which matches no
// request value, and so is a resolved value its operator cannot compare (a
// user name in a NumericEquals): both are dropped. When every value is
// dropped the list is empty, and then positive operators do not match while
// negated operators do (IAM User Guide, policy variables, non-existent context
// keys), as a negated operator stays the negation of its positive form.
func (c *Condition) resolve(ctx Context) []value {
	out := make([]value, 0, len(c.vals))
	for i := range c.vals {
		v := c.vals[i]
		if !v.tmpl.HasVars() {
			out = append(out, v)
			continue
		}
		var s string
		var ok bool
		if c.Op.op.cmp == cmpLike {
			s, ok = v.tmpl.ResolvePattern(ctx)
		} else {
			s, ok = v.tmpl.Resolve(ctx)
		}
		if !ok {
			continue
		}
		r := value{tmpl: Template{raw: s}}
		if c.Op.op.kind == kindARN {
			r.pat = arn.CompileEscapedPattern(s)
		} else if r.parse(c.Op.op.kind, s) != nil {
			continue
		}
		r.escaped = c.Op.op.cmp == cmpLike
		out = append(out, r)
	}
	return out
}

// matchAny reports whether the request value e.vals[idx] matches any policy
// value.
func matchAny(o operator, vals []value, e *entry, idx int) bool {
	rv := e.vals[idx]
	switch o.kind {
	case kindString:
		for i := range vals {
			w := vals[i].tmpl.raw
			switch o.cmp {
			case cmpEq:
				if rv == w {
					return true
				}
			case cmpEqFold:
				if strings.EqualFold(rv, w) {
					return true
				}
			case cmpLike:
				if vals[i].escaped {
					if arn.MatchEscaped(w, rv) {
						return true
					}
				} else if vals[i].glob.Match(rv) {
					return true
				}
			}
		}
	case kindNumeric:
		n := e.numbers()[idx]
		if !n.ok {
			return false
		}
		for i := range vals {
			if ordered(o.cmp, compareDecimal(n.d, vals[i].num)) {
				return true
			}
		}
	case kindDate:
		pd := e.timestamps()[idx]
		if !pd.ok {
			return false
		}
		t := pd.t
		for i := range vals {
			c := 0
			if t < vals[i].date {
				c = -1
			} else if t > vals[i].date {
				c = 1
			}
			if ordered(o.cmp, c) {
				return true
			}
		}
	case kindBool:
		b, ok := parseBool(rv)
		if !ok {
			return false
		}
		for i := range vals {
			if vals[i].b == b {
				return true
			}
		}
	case kindBinary:
		for i := range vals {
			if vals[i].tmpl.raw == rv {
				return true
			}
		}
	case kindIP:
		ip := e.addrs()[idx]
		if !ip.ok {
			return false
		}
		for i := range vals {
			if vals[i].prefix.Contains(ip.a) {
				return true
			}
		}
	case kindARN:
		v := &e.arnValues()[idx]
		for i := range vals {
			if vals[i].pat.MatchValue(v) {
				return true
			}
		}
	}
	return false
}

func ordered(c cmp, r int) bool {
	switch c {
	case cmpEq:
		return r == 0
	case cmpLT:
		return r < 0
	case cmpLE:
		return r <= 0
	case cmpGT:
		return r > 0
	case cmpGE:
		return r >= 0
	}
	return false
}
