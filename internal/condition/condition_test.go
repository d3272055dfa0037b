package condition

import (
	"strings"
	"testing"
)

func eval(t *testing.T, op, key string, vals []string, vars bool, ctx map[string][]string) bool {
	t.Helper()
	o, err := ParseOp(op)
	if err != nil {
		t.Fatalf("ParseOp(%q): %v", op, err)
	}
	c, err := Compile(o, key, vals, vars)
	if err != nil {
		t.Fatalf("Compile(%s %s %v): %v", op, key, vals, err)
	}
	return c.Eval(NewContext(ctx))
}

// The operator table of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// and the set semantics of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html.
func TestOperators(t *testing.T) {
	one := func(k, v string) map[string][]string { return map[string][]string{k: {v}} }
	tags := map[string][]string{"aws:TagKeys": {"env", "team"}}
	none := map[string][]string{}
	tests := []struct {
		op, key string
		vals    []string
		ctx     map[string][]string
		want    bool
	}{
		{"StringEquals", "aws:username", []string{"alice", "bob"}, one("AWS:UserName", "bob"), true},
		{"StringEquals", "aws:username", []string{"alice"}, one("aws:username", "Alice"), false},
		{"StringEqualsIgnoreCase", "aws:username", []string{"alice"}, one("aws:username", "ALICE"), true},
		{"StringNotEquals", "aws:username", []string{"alice"}, one("aws:username", "bob"), true},
		{"StringNotEquals", "aws:username", []string{"alice"}, none, true},
		{"StringEquals", "aws:username", []string{"alice"}, none, false},
		{"StringLike", "s3:prefix", []string{"home/*"}, one("s3:prefix", "home/a/b"), true},
		{"StringNotLike", "s3:prefix", []string{"home/*"}, one("s3:prefix", "tmp/a"), true},
		{"StringLikeIfExists", "s3:prefix", []string{"home/*"}, none, true},
		{"StringLikeIfExists", "s3:prefix", []string{"home/*"}, one("s3:prefix", "tmp"), false},
		{"NumericLessThan", "s3:max-keys", []string{"10"}, one("s3:max-keys", "9.99"), true},
		{"NumericLessThan", "s3:max-keys", []string{"10"}, one("s3:max-keys", "10.0"), false},
		{"NumericEquals", "k:n", []string{"10"}, one("k:n", "010.000"), true},
		{"NumericGreaterThanEquals", "k:n", []string{"-5.5"}, one("k:n", "-5.5"), true},
		{"NumericGreaterThan", "k:n", []string{"-5.5"}, one("k:n", "-6"), false},
		{"NumericLessThan", "k:n", []string{"12345678901234567890"}, one("k:n", "12345678901234567889"), true},
		{"DateLessThan", "aws:CurrentTime", []string{"2026-01-01T00:00:00Z"}, one("aws:CurrentTime", "2025-12-31T23:59:59Z"), true},
		{"DateGreaterThan", "aws:CurrentTime", []string{"2026-01-01"}, one("aws:CurrentTime", "2026-01-01T00:00:01Z"), true},
		{"DateEquals", "aws:CurrentTime", []string{"1767225600"}, one("aws:CurrentTime", "2026-01-01T00:00:00Z"), true},
		{"DateLessThan", "aws:CurrentTime", []string{"2026-01-01T01:00:00+01:00"}, one("aws:CurrentTime", "2025-12-31T23:59:59Z"), true},
		{"Bool", "aws:SecureTransport", []string{"false"}, one("aws:SecureTransport", "false"), true},
		{"Bool", "aws:SecureTransport", []string{"false"}, none, false},
		{"BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}, none, true},
		{"IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, one("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress", "aws:SourceIp", []string{"2001:db8::/32"}, one("aws:SourceIp", "2001:db8:1::1"), true},
		{"NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, one("aws:SourceIp", "198.51.100.1"), true},
		{"NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, none, true},
		{"ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/Admin*"}, one("aws:PrincipalArn", "arn:aws:iam::111122223333:role/AdminX"), true},
		{"ArnEquals", "aws:SourceArn", []string{"arn:aws:sns:*:111122223333:t"}, one("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t"), true},
		{"ArnNotLike", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/BreakGlass"}, one("aws:PrincipalArn", "arn:aws:iam::1:role/Dev"), true},
		{"Null", "aws:TokenIssueTime", []string{"true"}, none, true},
		{"Null", "aws:TokenIssueTime", []string{"false"}, none, false},
		{"Null", "aws:TokenIssueTime", []string{"false"}, one("aws:TokenIssueTime", "x"), true},
		{"BinaryEquals", "k:b", []string{"QmluYXJ5"}, one("k:b", "QmluYXJ5"), true},
		// Set qualifiers.
		{"ForAllValues:StringEquals", "aws:TagKeys", []string{"env", "team", "app"}, tags, true},
		{"ForAllValues:StringEquals", "aws:TagKeys", []string{"env"}, tags, false},
		{"ForAllValues:StringEquals", "aws:TagKeys", []string{"env"}, none, true},
		{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, tags, true},
		{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"x"}, tags, false},
		{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"team"}, none, false},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"env"}, tags, true},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", []string{"secret"}, tags, true},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", []string{"env"}, tags, false},
		{"ForAllValues:StringLike", "aws:TagKeys", []string{"*"}, map[string][]string{"aws:TagKeys": {}}, true},
	}
	// One parallel subtest per operator family (String, Numeric, Date, Bool,
	// Ip, Arn, Null, Binary) and one for the set qualifiers.
	families := map[string][]int{}
	var order []string
	for i, tt := range tests {
		f := operatorFamily(tt.op)
		if families[f] == nil {
			order = append(order, f)
		}
		families[f] = append(families[f], i)
	}
	for _, f := range order {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			for _, i := range families[f] {
				tt := tests[i]
				if got := eval(t, tt.op, tt.key, tt.vals, true, tt.ctx); got != tt.want {
					t.Errorf("%s %s %v with %v = %v, want %v", tt.op, tt.key, tt.vals, tt.ctx, got, tt.want)
				}
			}
		})
	}
}

// operatorFamily names an operator's family: "ForAllValues/ForAnyValue" for
// the set qualifiers, else the type its name starts with.
func operatorFamily(op string) string {
	if strings.HasPrefix(op, "ForAllValues:") || strings.HasPrefix(op, "ForAnyValue:") {
		return "ForAllValues/ForAnyValue"
	}
	op = strings.TrimPrefix(op, "Not")
	for _, f := range []string{"String", "Numeric", "Date", "Bool", "IpAddress", "Arn", "Null", "Binary"} {
		if strings.HasPrefix(op, f) {
			return f
		}
	}
	return op
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestPolicyVariables(t *testing.T) {
	ctx := map[string][]string{"aws:username": {"alice"}, "s3:prefix": {"home/alice/x"}, "aws:TagKeys": {"a", "b"}}
	tests := []struct {
		op, val string
		vars    bool
		key     string
		want    bool
	}{
		{"StringLike", "home/${aws:username}/*", true, "s3:prefix", true},
		{"StringLike", "home/${aws:username}/*", false, "s3:prefix", false},
		{"StringEquals", "${aws:username}", true, "aws:username", true},
		{"StringEquals", "${aws:PrincipalTag/team, 'none'}", true, "aws:username", false},
		{"StringEquals", "${aws:nothere}", true, "aws:username", false},
		{"StringNotEquals", "${aws:nothere}", true, "aws:username", true},
		{"StringEquals", "${aws:nothere,'alice'}", true, "aws:username", true},
		{"StringEquals", "${aws:TagKeys}", true, "aws:username", false}, // multivalued: no value
	}
	for _, tt := range tests {
		if got := eval(t, tt.op, tt.key, []string{tt.val}, tt.vars, ctx); got != tt.want {
			t.Errorf("%s %s=%q vars=%v = %v, want %v", tt.op, tt.key, tt.val, tt.vars, got, tt.want)
		}
	}
	// The escapes stand for literal characters, also in Like patterns.
	star := map[string][]string{"k:x": {"a*"}, "k:y": {"ab"}}
	if !eval(t, "StringLike", "k:x", []string{"a${*}"}, true, star) || eval(t, "StringLike", "k:y", []string{"a${*}"}, true, star) {
		t.Error("${*} is not a literal * in StringLike")
	}
	if !eval(t, "StringEquals", "k:x", []string{"a${*}"}, true, star) {
		t.Error("${*} is not a literal * in StringEquals")
	}
	dollar := map[string][]string{"k:x": {"$5"}}
	if !eval(t, "StringEquals", "k:x", []string{"${$}5"}, true, dollar) {
		t.Error("${$} is not a literal $")
	}
}

// A policy variable whose context key is absent (or multivalued) has the null
// value, which matches no request value: in every operator family a positive
// operator does not match and a negated one does, with or without IfExists
// and the set qualifiers, while the key the condition tests is present.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
// (non-existent context keys) and
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func TestUnresolvedVariables(t *testing.T) {
	ctx := map[string][]string{
		"k:s": {"alice"}, "k:n": {"5"}, "k:d": {"2026-01-01T00:00:00Z"}, "k:b": {"true"},
		"k:ip": {"10.0.0.1"}, "k:arn": {"arn:aws:iam::111122223333:role/R"},
		"k:multi": {"a", "b"}, "aws:TagKeys": {"x", "y"},
	}
	tests := []struct {
		op, key, val string
		want         bool
	}{
		{"StringEquals", "k:s", "${aws:nothere}", false},
		{"StringNotEquals", "k:s", "${aws:nothere}", true},
		{"StringEqualsIgnoreCase", "k:s", "${aws:nothere}", false},
		{"StringNotEqualsIgnoreCase", "k:s", "${aws:nothere}", true},
		{"StringLike", "k:s", "a${aws:nothere}*", false},
		{"StringNotLike", "k:s", "a${aws:nothere}*", true},
		{"StringEqualsIfExists", "k:s", "${aws:nothere}", false},
		{"StringNotEqualsIfExists", "k:s", "${aws:nothere}", true},
		{"NumericEquals", "k:n", "${aws:nothere}", false},
		{"NumericNotEquals", "k:n", "${aws:nothere}", true},
		{"NumericLessThan", "k:n", "${aws:nothere}", false},
		{"DateEquals", "k:d", "${aws:nothere}", false},
		{"DateNotEquals", "k:d", "${aws:nothere}", true},
		{"DateGreaterThan", "k:d", "${aws:nothere}", false},
		{"Bool", "k:b", "${aws:nothere}", false},
		{"IpAddress", "k:ip", "${aws:nothere}", false},
		{"NotIpAddress", "k:ip", "${aws:nothere}", true},
		{"ArnEquals", "k:arn", "${aws:nothere}", false},
		{"ArnNotEquals", "k:arn", "${aws:nothere}", true},
		{"ArnLike", "k:arn", "arn:aws:iam::${aws:nothere}:role/*", false},
		{"ArnNotLike", "k:arn", "arn:aws:iam::${aws:nothere}:role/*", true},
		{"BinaryEquals", "k:s", "${aws:nothere}", false},
		// A multivalued key has no value as a variable.
		{"StringEquals", "k:s", "${k:multi}", false},
		{"StringNotEquals", "k:s", "${k:multi}", true},
		// A value its operator cannot compare matches nothing either.
		{"NumericEquals", "k:n", "${k:s}", false},
		{"NumericNotEquals", "k:n", "${k:s}", true},
		// The set qualifiers over a present multivalued key.
		{"ForAnyValue:StringEquals", "aws:TagKeys", "${aws:nothere}", false},
		{"ForAnyValue:StringNotEquals", "aws:TagKeys", "${aws:nothere}", true},
		{"ForAllValues:StringEquals", "aws:TagKeys", "${aws:nothere}", false},
		{"ForAllValues:StringNotEquals", "aws:TagKeys", "${aws:nothere}", true},
		{"ForAllValues:StringNotLike", "aws:TagKeys", "${aws:nothere}*", true},
		// A resolved value beside a null one still decides.
		{"StringEquals", "k:s", "${aws:nothere}|alice", true},
		{"StringNotEquals", "k:s", "${aws:nothere}|alice", false},
		// A default stands in for the missing key.
		{"StringNotEquals", "k:s", "${aws:nothere, 'alice'}", false},
	}
	for _, tt := range tests {
		vals := strings.Split(tt.val, "|")
		if got := eval(t, tt.op, tt.key, vals, true, ctx); got != tt.want {
			t.Errorf("%s %s %q = %v, want %v", tt.op, tt.key, vals, got, tt.want)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	for _, bad := range []string{"${aws:username", "${}", "${aws:username, default}", "${a b}"} {
		if _, err := ParseTemplate(bad, true); err == nil {
			t.Errorf("ParseTemplate(%q): no error", bad)
		}
	}
}

// FuzzNegation checks that every negated operator is the negation of its
// positive form for a present single value, and that nothing panics.
func FuzzNegation(f *testing.F) {
	f.Add("StringEquals", "abc", "abc")
	f.Add("NumericLessThan", "10", "9.5")
	f.Add("DateGreaterThan", "2026-01-01", "2027-01-01T00:00:00Z")
	f.Add("IpAddress", "10.0.0.0/8", "10.1.2.3")
	f.Add("ArnLike", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	pairs := map[string]string{"StringEquals": "StringNotEquals", "StringLike": "StringNotLike", "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
		"NumericEquals": "NumericNotEquals", "DateEquals": "DateNotEquals", "IpAddress": "NotIpAddress", "ArnLike": "ArnNotLike", "ArnEquals": "ArnNotEquals"}
	f.Fuzz(func(t *testing.T, op, policyValue, requestValue string) {
		o, err := ParseOp(op)
		if err != nil {
			return
		}
		c, err := Compile(o, "k:x", []string{policyValue}, true)
		if err != nil {
			return
		}
		ctx := NewContext(map[string][]string{"k:x": {requestValue}, "aws:username": {"u"}})
		got := c.Eval(ctx)
		if neg, ok := pairs[op]; ok {
			no, _ := ParseOp(neg)
			nc, err := Compile(no, "k:x", []string{policyValue}, true)
			if err != nil {
				t.Fatalf("%s compiles but %s does not: %v", op, neg, err)
			}
			if nc.Eval(ctx) == got {
				t.Errorf("%s and %s agree (%v) on %q vs %q", op, neg, got, policyValue, requestValue)
			}
		}
	})
}
